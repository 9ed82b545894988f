-- A gateway reserves the concurrent orders of one event in one transaction
-- (soi_service::tickets::reserve_many): one insert makes all of them with
-- their lines. Until now a public scope named the one order it had just
-- made in soi.public_new_order (and soi.public_order, to read it back);
-- the policies checked a single id. That setting gives way to
-- soi.public_new_orders: the comma-separated ids of the orders this
-- transaction has just made, set by that insert only (in the same
-- statement, before any row is checked) and read once per statement (the
-- policies' subqueries are init plans). A public scope may insert only held
-- orders named there and only lines of those orders, and read those orders
-- back. Nothing a client sends reaches the setting: the ids are made by the
-- gateway (UUIDv7), bound as one text and cast to uuid[] by the policies.
select soi_public_may('ticket_orders', 'insert',
    'id = any ((select string_to_array(nullif(current_setting(''soi.public_new_orders'', true), ''''), '',''))::uuid[]) '
    'and status = ''held''');
select soi_public_may('ticket_orders', 'select',
    'id = (select nullif(current_setting(''soi.public_order'', true), '''')::uuid) '
    'or id = any ((select string_to_array(nullif(current_setting(''soi.public_new_orders'', true), ''''), '',''))::uuid[]) '
    'or (status in (''held'', ''expired'') and expires_at <= now())');
select soi_public_may('ticket_order_lines', 'insert',
    'order_id = any ((select string_to_array(nullif(current_setting(''soi.public_new_orders'', true), ''''), '',''))::uuid[])');
