-- Seat buckets are written by reservations (the public scope and admins)
-- and by quota changes (admins); like the ticket types they split, coaches
-- and participants change none. The table's own policies (its city, and the
-- public scope's on-sale types) stay; these narrow them by role, for the
-- runtime role's users (as every role-narrowing policy is, since 20261206000031).
create policy admin_writes_insert on ticket_seat_buckets as restrictive for insert to soi_app
    with check ((select soi_role()) not in ('coach', 'participant'));
create policy admin_writes_update on ticket_seat_buckets as restrictive for update to soi_app
    using ((select soi_role()) not in ('coach', 'participant'));
create policy admin_writes_delete on ticket_seat_buckets as restrictive for delete to soi_app
    using ((select soi_role()) not in ('coach', 'participant'));
