-- What a ticket rush cost the database per buyer, found with perf and
-- EXPLAIN ANALYZE: two checks that called a function planned anew for
-- every statement, and a read whose plan could grow with the orders.
--
-- 1. The public policies on ticket_order_lines called soi_order_visible(),
--    a SQL function with a pinned search_path: never inlined, so its query
--    over ticket_orders (row-level security included) was planned again in
--    every statement that called it. A reservation's lines insert called
--    it twice (the insert's check, and the select policy its RETURNING is
--    checked against); in a rush of 20,000 buyers that planning was about a
--    fifth of the machine's CPU samples.
--
--    A reservation inserts only the lines of the order it has just
--    inserted, in the same statement. That insert now names the order in
--    a setting of its own, soi.public_new_order, which nothing else sets
--    (soi.public_order is also set by a buyer looking up an order by its
--    key, before the key is checked, so it cannot be the insert's
--    warrant), and the order's own policy lets 'public' insert only a held
--    order with that id. So 'public' may insert lines of that order only,
--    with no lookup. Reading checks the named order first and calls the
--    function only for other orders' lines (lapsed holds a reservation
--    expires): PostgreSQL evaluates OR's arguments in order and stops at
--    the first true one; it does not promise to, and if it did not, the
--    answer would be the same, only slower.
select soi_public_may('ticket_order_lines', 'insert',
    'order_id = (select nullif(current_setting(''soi.public_new_order'', true), '''')::uuid)');
select soi_public_may('ticket_order_lines', 'select',
    'order_id = (select nullif(current_setting(''soi.public_order'', true), '''')::uuid) '
    'or soi_order_visible(city_id, order_id)');

-- 2. The seats left of a ticket type (`ticket_types::REMAINING`) give back
--    the seats of lapsed holds. They were found by joining the type's
--    lines (keyed by city, order, type: every line of the city to scan)
--    with held orders; in the demo city the planner started from the
--    lines, in the rush's database from the orders. The statement now
--    starts from the event's lapsed holds, through this index (held orders
--    of an event by expiry), and looks up their lines by key: its work
--    grows with the lapsed holds not yet swept, not with the orders. A
--    reservation's search for lapsed holds to release uses it too.
create index ticket_orders_event_due on ticket_orders (city_id, event_id, expires_at)
    where status = 'held';
