-- What a ticket rush cost the database per buyer, found with perf and
-- EXPLAIN ANALYZE on a rush of 20,000 buyers: two reads that grew with the
-- orders already made.
--
-- 1. The seats left of a ticket type (`ticket_types::REMAINING`) gave back
--    the seats of lapsed holds by reading every line of the type. Lines
--    are keyed (city, order, type), so that was every line of the city,
--    and for 'public' each one passed soi_order_visible(), a SQL function
--    with a pinned search_path: never inlined, so planned again on every
--    call. Every reservation reads the seats left first. The statement now
--    starts from the event's lapsed holds, through this index (held
--    orders of an event by expiry), and looks up their lines by key. In a
--    rush nothing has lapsed, so it reads no order and no line.
create index ticket_orders_event_due on ticket_orders (city_id, event_id, expires_at)
    where status = 'held';

-- 2. A reservation's own lines called soi_order_visible() twice per line:
--    the insert's check, and the select policy its RETURNING is checked
--    against. The lines a reservation inserts are always those of the
--    order it has just inserted in the same transaction, and that insert
--    names the order in soi.public_order (its own policy lets 'public'
--    insert only a held order with that id). So 'public' may insert lines
--    of the named order only: no lookup. Reading still allows, after the
--    named order, the lines of orders a public scope may see (lapsed holds
--    a reservation expires), asked only when the line is not the named
--    order's (OR stops at its first true argument).
select soi_public_may('ticket_order_lines', 'insert',
    'order_id = (select nullif(current_setting(''soi.public_order'', true), '''')::uuid)');
select soi_public_may('ticket_order_lines', 'select',
    'order_id = (select nullif(current_setting(''soi.public_order'', true), '''')::uuid) '
    'or soi_order_visible(city_id, order_id)');
