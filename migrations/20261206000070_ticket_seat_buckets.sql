-- A ticket type's seats in buckets, so a ticket rush is not one row.
--
-- Every reservation used to take its seats with one conditional UPDATE of
-- the type's `ticket_types.taken`: never oversold, but every buyer of the
-- type waited on that row until the previous buyer committed. A type's
-- quota is now split over up to 32 buckets (rows of this table), each with
-- its own quota and `taken`; a reservation takes its seats from one bucket
-- that has room and that no other transaction holds, so up to 32 buyers of
-- the same type commit at once. The sum over a type's buckets is what
-- `taken` was; `taken between 0 and quota` on every bucket is the backstop
-- against overselling, as it was on the type. How the buckets are taken,
-- and why a buyer is never refused while the type as a whole has room:
-- `soi_db::tickets::seats` and docs/design-notes.md.

create table ticket_seat_buckets (
    city_id uuid not null,
    ticket_type_id uuid not null,
    bucket smallint not null check (bucket between 0 and 31),
    quota integer not null check (quota >= 0),
    taken integer not null default 0,
    primary key (city_id, ticket_type_id, bucket),
    foreign key (city_id, ticket_type_id) references ticket_types (city_id, id) on delete cascade,
    check (taken between 0 and quota)
);
select soi_apply_tenancy('ticket_seat_buckets', 'select, insert, update, delete');
-- A public reservation takes seats and gives back lapsed holds' seats.
select soi_public_may('ticket_seat_buckets', 'select', 'true');
select soi_public_may('ticket_seat_buckets', 'update', 'true');

-- Existing types are split as a new one would be (`seats::buckets_for`:
-- a bucket per 25 seats, 1 to 32), quota and seats taken each spread evenly
-- with the remainders on the first buckets, so a show already on sale gains
-- too. City by city: the policies need soi.city_id, and an owner that is
-- not a superuser is bound by them too.
do $$
declare
    c uuid;
begin
    for c in select id from cities loop
        perform set_config('soi.city_id', c::text, true);
        insert into ticket_seat_buckets (city_id, ticket_type_id, bucket, quota, taken)
        select t.city_id, t.id, i::smallint,
               t.quota / k.n + (i < t.quota % k.n)::int,
               t.taken / k.n + (i < t.taken % k.n)::int
        from ticket_types t
        cross join lateral (select least(32, greatest(1, t.quota / 25)) as n) k
        cross join lateral generate_series(0, k.n - 1) i
        where t.city_id = c;
    end loop;
    perform set_config('soi.city_id', '', true);
end
$$;

alter table ticket_types drop column taken;

-- Nothing public changes a ticket type now: a reservation moves buckets.
select soi_public_may('ticket_types', 'update', 'false');
