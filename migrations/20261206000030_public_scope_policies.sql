-- Anonymous work (applying, buying tickets, public pages, accepting an
-- invitation) runs in a tenant transaction with soi.role = 'public'. Until
-- now most tables let 'public' do whatever system work may. From here on
-- every city table carries four restrictive policies for soi_app, one per
-- command (public_select, public_insert, public_update, public_delete): each
-- is true for any other role and, for 'public', only as far as a public
-- operation needs. A new city table is shut to 'public' by soi_apply_tenancy
-- until a migration opens what its public operation needs.
--
-- Two transaction-local settings name the one row a public operation may
-- see where a whole table would be too much (the db layer sets them):
--   soi.public_email  the address an applicant applies with (participants);
--   soi.public_order  the order a buyer made or holds the key of (orders,
--                     their lines, tickets and payment).

-- (Re)creates the restrictive policy public_<cmd> on tbl: 'public' may do
-- cmd only on rows where `allowed` holds (`allowed_after`, for the new row of
-- an UPDATE, defaults to `allowed`); 'false' shuts the command.
create function soi_public_may(tbl regclass, cmd text, allowed text, allowed_after text default null)
returns void language plpgsql as $$
declare
    name text := 'public_' || cmd;
    guard text := format('((select soi_role()) <> %L or (%s))', 'public', allowed);
    guard_after text := format('((select soi_role()) <> %L or (%s))', 'public', coalesce(allowed_after, allowed));
begin
    if cmd not in ('select', 'insert', 'update', 'delete') then
        raise exception 'unknown command %', cmd;
    end if;
    if exists (select 1 from pg_policy where polrelid = tbl and polname = name) then
        execute format('drop policy %I on %s', name, tbl);
    end if;
    execute format('create policy %I on %s as restrictive for %s to soi_app %s', name, tbl, cmd,
        case cmd
            when 'insert' then format('with check %s', guard)
            when 'update' then format('using %s with check %s', guard, guard_after)
            else format('using %s', guard)
        end);
end
$$;
revoke all on function soi_public_may(regclass, text, text, text) from public;

-- Every command shut to 'public'.
create function soi_public_shut(tbl regclass) returns void language plpgsql as $$
declare
    cmd text;
begin
    foreach cmd in array array['select', 'insert', 'update', 'delete'] loop
        perform soi_public_may(tbl, cmd, 'false');
    end loop;
end
$$;
revoke all on function soi_public_shut(regclass) from public;

-- New city tables start shut to 'public'.
create or replace function soi_apply_tenancy(tbl regclass, privileges text) returns void
language plpgsql as $$
begin
    execute format('alter table %s enable row level security', tbl);
    execute format('alter table %s force row level security', tbl);
    if exists (select 1 from pg_policy where polrelid = tbl and polname = 'city_isolation') then
        execute format('drop policy city_isolation on %s', tbl);
    end if;
    execute format(
        'create policy city_isolation on %s for all '
        'using (city_id = (select nullif(current_setting(''soi.city_id'', true), '''')::uuid)) '
        'with check (city_id = (select nullif(current_setting(''soi.city_id'', true), '''')::uuid))',
        tbl);
    execute format('revoke all on %s from soi_app', tbl);
    execute format('grant %s on %s to soi_app', privileges, tbl);
    perform soi_public_shut(tbl);
end
$$;
revoke all on function soi_apply_tenancy(regclass, text) from public;

-- Shut every city table (and the home-city tables) first ...
do $$
declare
    t regclass;
begin
    for t in
        select c.oid::regclass from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
          and exists (select 1 from pg_attribute a where a.attrelid = c.oid and not a.attisdropped
                      and a.attname in ('city_id', 'home_city_id'))
    loop
        perform soi_public_shut(t);
    end loop;
end
$$;

-- ... then open what the public operations need. Lookups in other tables go
-- through functions (never inlined, so plans of other roles carry no
-- subquery), evaluated only for 'public' and under its own policies.
create function soi_season_recruits(city uuid, season uuid) returns boolean
language sql stable set search_path = public, pg_temp as
$$ select exists (select 1 from seasons s where s.city_id = city and s.id = season and s.phase = 'recruiting') $$;

create function soi_order_visible(city uuid, ord uuid, held boolean default false) returns boolean
language sql stable set search_path = public, pg_temp as
$$ select exists (select 1 from ticket_orders o where o.city_id = city and o.id = ord
                  and (not held or o.status = 'held')) $$;

revoke all on function soi_season_recruits(uuid, uuid), soi_order_visible(uuid, uuid, boolean) from public;
grant execute on function soi_season_recruits(uuid, uuid), soi_order_visible(uuid, uuid, boolean) to soi_app;

-- openSeasons, applyToSeason: seasons are read, and the one applied to is
-- locked (FOR UPDATE checks the update policy's USING) but never changed.
select soi_public_may('seasons', 'select', 'true');
select soi_public_may('seasons', 'update', 'true', 'false');

-- applyToSeason: the participant with the applicant's address (found by that
-- address, or added); nobody else.
select soi_public_may('participants', 'select',
    'email = (select nullif(current_setting(''soi.public_email'', true), ''''))');
select soi_public_may('participants', 'insert',
    'email = (select nullif(current_setting(''soi.public_email'', true), ''''))');

-- applyToSeason, openSeasons: applications to seasons that recruit (seats
-- taken, the applicant's own); a new one, and its automatic decision.
select soi_public_may('enrollments', 'select', 'soi_season_recruits(city_id, season_id)');
select soi_public_may('enrollments', 'insert', 'status = ''applied'' and soi_season_recruits(city_id, season_id)');
select soi_public_may('enrollments', 'update', 'status = ''applied'' and soi_season_recruits(city_id, season_id)',
    'status in (''accepted'', ''waitlisted'')');

-- publicEvents, publicEvent, reserveTickets: the event pages.
select soi_public_may('events', 'select', 'true');
select soi_public_may('rinks', 'select', 'true');
select soi_public_may('event_partners', 'select', 'true');
select soi_public_may('performances', 'select', 'true');
select soi_public_may('performers', 'select', 'true');
select soi_public_may('judge_marks', 'select', 'true');

-- reserveTickets: seats are taken (and lapsed holds' seats given back).
select soi_public_may('ticket_types', 'select', 'true');
select soi_public_may('ticket_types', 'update', 'true');

-- reserveTickets, ticketOrder: the buyer's own order; and lapsed holds of
-- others, which a reservation expires (held past their time, and expired).
select soi_public_may('ticket_orders', 'select',
    'id = (select nullif(current_setting(''soi.public_order'', true), '''')::uuid) '
    'or (status in (''held'', ''expired'') and expires_at <= now())');
select soi_public_may('ticket_orders', 'insert',
    'id = (select nullif(current_setting(''soi.public_order'', true), '''')::uuid) and status = ''held''');
select soi_public_may('ticket_orders', 'update',
    'status = ''held'' and expires_at <= now()', 'status = ''expired''');
-- Lines, tickets and the payment of an order public may see.
select soi_public_may('ticket_order_lines', 'select', 'soi_order_visible(city_id, order_id)');
select soi_public_may('ticket_order_lines', 'insert', 'soi_order_visible(city_id, order_id, true)');
select soi_public_may('tickets', 'select', 'soi_order_visible(city_id, order_id)');
select soi_public_may('payments', 'select', 'soi_order_visible(city_id, order_id)');

-- transparencyReport: totals over the ledger and what it points at.
select soi_public_may('ledger_entries', 'select', 'true');
select soi_public_may('contributions', 'select', 'true');
select soi_public_may('expenses', 'select', 'true');
select soi_public_may('disbursements', 'select', 'true');
select soi_public_may('social_causes', 'select', 'true');

-- Every public mutation is audited, and applying sends an email.
select soi_public_may('audit_log', 'insert', 'true');
select soi_public_may('outbox', 'insert', 'true');
