-- Who asked for no more optional email: one row per city, address and scope
-- (today the one scope 'reminders_and_announcements'). The mail worker does
-- not send a message of an unsubscribable kind to an address listed here;
-- transactional email (applications, tickets) always goes out. Rows come
-- from the signed one-click link in those emails; the address is stored in
-- lower case, and a second click changes nothing.

create table email_preferences (
    city_id uuid not null,
    email text not null check (length(email) between 3 and 254 and email = lower(email) and email like '%_@_%'),
    scope text not null default 'reminders_and_announcements' check (scope in ('reminders_and_announcements')),
    unsubscribed_at timestamptz not null default now(),
    primary key (city_id, email, scope)
) partition by list (city_id);

select soi_apply_tenancy('email_preferences', 'select, insert');

-- Addresses are personal data: coaches and participants do not read them.
create policy admins_read on email_preferences as restrictive for select
    using ((select soi_role()) not in ('coach', 'participant'));

select soi_ensure_city_partitions(id) from cities;
