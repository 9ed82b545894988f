-- The season's finale: events (ice show or competition), their numbers
-- (performances), and ticketing. Every table is a city table under the
-- tenancy contract; orders, lines, tickets and payments grow with sales and
-- are partitioned by LIST (city_id).

create table events (
    city_id uuid not null references cities (id),
    id uuid not null,
    season_id uuid not null,
    kind text not null check (kind in ('ice_show', 'competition')),
    title text not null check (length(title) between 1 and 200),
    motto text check (length(motto) between 1 and 200),
    social_theme text not null check (length(social_theme) between 1 and 4000),
    rink_id uuid not null,
    starts_at timestamptz not null,
    status text not null default 'draft' check (status in ('draft', 'published', 'done')),
    -- minutes a reservation is held before it lapses unpaid
    hold_minutes integer not null default 20 check (hold_minutes between 1 and 1440),
    created_at timestamptz not null default now(),
    primary key (city_id, id),
    foreign key (city_id, season_id) references seasons (city_id, id),
    foreign key (city_id, rink_id) references rinks (city_id, id)
);
create index events_starts on events (city_id, starts_at);
select soi_apply_tenancy('events', 'select, insert, update');

-- Organizations the show is made with (e.g. an ecologists' group).
create table event_partners (
    city_id uuid not null,
    id uuid not null,
    event_id uuid not null,
    name text not null check (length(name) between 1 and 200),
    contribution text check (length(contribution) between 1 and 400),
    website text check (website ~ '^https?://' and length(website) <= 400),
    primary key (city_id, id),
    unique (city_id, event_id, name),
    foreign key (city_id, event_id) references events (city_id, id) on delete cascade
);
select soi_apply_tenancy('event_partners', 'select, insert, delete');

-- The show's numbers, in running order.
create table performances (
    city_id uuid not null,
    id uuid not null,
    event_id uuid not null,
    running_order integer not null check (running_order between 1 and 1000),
    title text not null check (length(title) between 1 and 200),
    social_issue text not null check (length(social_issue) between 1 and 4000),
    music text check (length(music) between 1 and 400),
    primary key (city_id, id),
    -- deferrable, so a reorder can swap positions inside one transaction
    unique (city_id, event_id, running_order) deferrable initially immediate,
    foreign key (city_id, event_id) references events (city_id, id) on delete cascade
);
select soi_apply_tenancy('performances', 'select, insert, update, delete');

create table performers (
    city_id uuid not null,
    performance_id uuid not null,
    participant_id uuid not null,
    primary key (city_id, performance_id, participant_id),
    foreign key (city_id, performance_id) references performances (city_id, id) on delete cascade,
    foreign key (city_id, participant_id) references participants (city_id, id)
);
create index performers_participant on performers (city_id, participant_id);
select soi_apply_tenancy('performers', 'select, insert, delete');

-- Judges' marks (competitions): one score 0.00–10.00 per judge per number,
-- kept in hundredths.
create table judge_marks (
    city_id uuid not null,
    performance_id uuid not null,
    judge text not null check (length(judge) between 1 and 200),
    score_hundredths integer not null check (score_hundredths between 0 and 1000),
    marked_at timestamptz not null default now(),
    primary key (city_id, performance_id, judge),
    foreign key (city_id, performance_id) references performances (city_id, id) on delete cascade
);
select soi_apply_tenancy('judge_marks', 'select, insert, update, delete');

-- Kinds of seat with a price (tiyn, KZT) and a quota. `taken` counts seats
-- held or sold; the check is what makes overselling impossible: a
-- reservation increments it with a conditional UPDATE, which locks only this
-- row, so cities and events never wait on each other.
create table ticket_types (
    city_id uuid not null,
    id uuid not null,
    event_id uuid not null,
    name text not null check (length(name) between 1 and 200),
    price_tiyn bigint not null check (price_tiyn >= 0 and price_tiyn <= 100000000000),
    quota integer not null check (quota between 1 and 100000),
    taken integer not null default 0,
    primary key (city_id, id),
    unique (city_id, event_id, name),
    foreign key (city_id, event_id) references events (city_id, id),
    check (taken between 0 and quota)
);
select soi_apply_tenancy('ticket_types', 'select, insert, update');

create table ticket_orders (
    city_id uuid not null,
    id uuid not null,
    event_id uuid not null,
    buyer_name text not null check (length(buyer_name) between 1 and 200),
    buyer_email text not null check (buyer_email = lower(buyer_email) and length(buyer_email) <= 254),
    buyer_language text not null default 'ru' check (buyer_language in ('kk', 'ru', 'en')),
    status text not null default 'held'
        check (status in ('held', 'paid', 'expired', 'cancelled', 'refunded')),
    total_tiyn bigint not null check (total_tiyn >= 0),
    expires_at timestamptz not null,
    created_at timestamptz not null default now(),
    paid_at timestamptz,
    closed_at timestamptz,
    primary key (city_id, id),
    foreign key (city_id, event_id) references events (city_id, id)
) partition by list (city_id);
create index ticket_orders_due on ticket_orders (city_id, expires_at) where status = 'held';
create index ticket_orders_event on ticket_orders (city_id, event_id, status);
select soi_apply_tenancy('ticket_orders', 'select, insert, update');

create table ticket_order_lines (
    city_id uuid not null,
    order_id uuid not null,
    ticket_type_id uuid not null,
    quantity integer not null check (quantity between 1 and 20),
    unit_price_tiyn bigint not null check (unit_price_tiyn >= 0),
    primary key (city_id, order_id, ticket_type_id),
    foreign key (city_id, order_id) references ticket_orders (city_id, id),
    foreign key (city_id, ticket_type_id) references ticket_types (city_id, id)
) partition by list (city_id);
select soi_apply_tenancy('ticket_order_lines', 'select, insert');

-- A payment of an order: recorded by an admin (cash, card, Kaspi transfer)
-- or confirmed by the provider's webhook, idempotent by its transaction id.
create table payments (
    city_id uuid not null,
    id uuid not null,
    order_id uuid not null,
    method text not null check (method in ('cash', 'card', 'kaspi', 'provider')),
    amount_tiyn bigint not null check (amount_tiyn > 0),
    reference text check (length(reference) between 1 and 200),
    provider_txn_id text check (length(provider_txn_id) between 1 and 200),
    recorded_by uuid,
    received_at timestamptz not null default now(),
    primary key (city_id, id),
    unique (city_id, order_id),
    unique (city_id, provider_txn_id),
    foreign key (city_id, order_id) references ticket_orders (city_id, id)
) partition by list (city_id);
select soi_apply_tenancy('payments', 'select, insert');

-- Issued tickets. The code is random (unguessable) and unique in the city.
create table tickets (
    city_id uuid not null,
    id uuid not null,
    order_id uuid not null,
    ticket_type_id uuid not null,
    code text not null check (length(code) between 16 and 64),
    status text not null default 'valid' check (status in ('valid', 'cancelled')),
    checked_in_at timestamptz,
    checked_in_by uuid,
    primary key (city_id, id),
    unique (city_id, code),
    foreign key (city_id, order_id) references ticket_orders (city_id, id),
    foreign key (city_id, ticket_type_id) references ticket_types (city_id, id)
) partition by list (city_id);
create index tickets_order on tickets (city_id, order_id);
select soi_apply_tenancy('tickets', 'select, insert, update');

-- Roles: shows and their numbers are read by everyone in the city and
-- changed by admins; buyers' orders and payments are for admins only;
-- coaches may scan tickets at the door.
do $$
declare
    t text;
begin
    foreach t in array array['events', 'event_partners', 'performances', 'performers', 'judge_marks', 'ticket_types'] loop
        execute format('create policy admin_writes_insert on %I as restrictive for insert
                        with check ((select soi_role()) not in (''coach'', ''participant''))', t);
        execute format('create policy admin_writes_update on %I as restrictive for update
                        using ((select soi_role()) not in (''coach'', ''participant''))', t);
        execute format('create policy admin_writes_delete on %I as restrictive for delete
                        using ((select soi_role()) not in (''coach'', ''participant''))', t);
    end loop;
    foreach t in array array['ticket_orders', 'ticket_order_lines', 'payments'] loop
        execute format('create policy admins_only on %I as restrictive for all
                        using ((select soi_role()) not in (''coach'', ''participant''))', t);
    end loop;
end
$$;
create policy no_participants on tickets as restrictive for all
    using ((select soi_role()) <> 'participant');

select soi_ensure_city_partitions(id) from cities;
