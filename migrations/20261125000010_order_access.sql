-- Buyers fetch their tickets without an account: a reservation hands out a
-- random access key once and keeps only its SHA-256, so a leaked database
-- does not leak keys and an order id alone opens nothing.
alter table ticket_orders add column access_key_sha256 bytea
    check (octet_length(access_key_sha256) = 32);

-- Why an admin cancelled or refunded an order.
alter table ticket_orders add column closed_reason text
    check (length(closed_reason) between 1 and 400);

-- A free order is confirmed like a paid one (a payment of 0, so every paid
-- order has exactly one payment row), but never reaches the ledger.
alter table payments drop constraint payments_amount_tiyn_check;
alter table payments add constraint payments_amount_tiyn_check check (amount_tiyn >= 0);
