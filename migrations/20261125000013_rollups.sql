-- Rollups: the program's figures per city × month × season, kept current by
-- triggers in the same transaction as the change (exact after every commit,
-- never a rescan), and the national role that may read them and nothing else.
--
-- Attribution (what a month means for each figure, all months in the city's zone):
--   applications and their outcome (applied … withdrawn): the month applied,
--     counted by the application's status now (a cohort);
--   sessions held (scheduled, attendance taken) / cancelled, attendance marks,
--     coaches active (recorded attendance): the month the session starts;
--   skills passed: the day passed; shows held (ice shows done), tickets sold /
--     checked in: the month of the event;
--   money (ticket revenue net of refunds, sponsor money received, expenses,
--     money given to causes): the month the ledger entry was written;
--     beneficiaries: the day of the disbursement.
-- Season: the season of the application, session (its group), event or ticket
-- order; skills, sponsor money, expenses and disbursements belong to no season
-- (the nil uuid).

-- The national role: reads rollups, season labels and cities. It owns no
-- table and holds no grant on any city table, so every city table and
-- partition refuses it. soi_app may switch to it (SET LOCAL ROLE) for a
-- report transaction; NOINHERIT on soi_app keeps the two roles' rights apart.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'soi_national') then
        begin
            create role soi_national nologin nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
        exception when duplicate_object or unique_violation then
            null; -- created by a concurrent migration of another database
        end;
    end if;
    if not pg_has_role('soi_app', 'soi_national', 'member') then
        begin
            grant soi_national to soi_app;
        exception when unique_violation then
            null;
        end;
    end if;
    if not exists (
        select 1 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
        where r.rolname = 'soi_national' and s.setdatabase = 0 and 'jit=off' = any (s.setconfig)
    ) then
        begin
            alter role soi_national set jit = off;
        exception when unique_violation then
            null;
        end;
    end if;
end
$$;

grant usage on schema public to soi_national;
grant select (id, slug, name_kk, name_ru, name_en, time_zone, status, launched_on) on cities to soi_national;

create table rollups (
    city_id uuid not null references cities (id),
    month date not null check (extract(day from month) = 1),
    season_id uuid not null,
    applicants integer not null default 0,
    accepted integer not null default 0,
    waitlisted integer not null default 0,
    rejected integer not null default 0,
    active integer not null default 0,
    completed integer not null default 0,
    withdrawn integer not null default 0,
    sessions_held integer not null default 0,
    sessions_cancelled integer not null default 0,
    attendance_marks integer not null default 0,
    attendance_present integer not null default 0,
    active_coaches integer not null default 0,
    skills_passed integer not null default 0,
    shows_held integer not null default 0,
    tickets_sold integer not null default 0,
    tickets_checked_in integer not null default 0,
    ticket_revenue_tiyn bigint not null default 0,
    sponsor_money_tiyn bigint not null default 0,
    expenses_tiyn bigint not null default 0,
    given_to_causes_tiyn bigint not null default 0,
    beneficiaries bigint not null default 0,
    primary key (city_id, month, season_id)
);
-- Rewritten in place by every change: room on each page for the new
-- versions (HOT updates, pruned without VACUUM) and a vacuum that does not
-- wait for a fifth of the table to be dead.
alter table rollups set (fillfactor = 50, autovacuum_vacuum_scale_factor = 0,
                         autovacuum_vacuum_threshold = 1000, autovacuum_analyze_scale_factor = 0.05);
select soi_apply_tenancy('rollups', 'select');
create policy national_reads on rollups for select to soi_national using (true);
grant select on rollups to soi_national;

-- A counter per city, raised by every transaction that changes one of its
-- figures. The row lock orders the raises in commit order, so a committed
-- change always shows as a higher number: a city's counter (and for the
-- nation their sum) names the state of the figures, and a cached report
-- keyed by it is never stale. (A sequence would not do: its values are
-- handed out in start order, not commit order.)
create table rollup_versions (
    city_id uuid not null references cities (id),
    version bigint not null default 0,
    primary key (city_id)
);
alter table rollup_versions set (fillfactor = 10, autovacuum_vacuum_scale_factor = 0,
                                 autovacuum_vacuum_threshold = 1000);
select soi_apply_tenancy('rollup_versions', 'select');
create policy national_reads on rollup_versions for select to soi_national using (true);
grant select on rollup_versions to soi_national;

-- Season names for reports grouped by season (no personal data).
create table rollup_seasons (
    city_id uuid not null references cities (id),
    season_id uuid not null,
    title text not null,
    starts_on date not null,
    primary key (city_id, season_id)
);
select soi_apply_tenancy('rollup_seasons', 'select');
create policy national_reads on rollup_seasons for select to soi_national using (true);
grant select on rollup_seasons to soi_national;

-- Coaches who recorded attendance per month: the helper behind
-- rollups.active_coaches (a distinct count cannot be kept by addition alone).
-- Holds coach ids, so only the triggers touch it.
create table rollup_coach_months (
    city_id uuid not null references cities (id),
    month date not null,
    season_id uuid not null,
    coach_id uuid not null,
    marks integer not null check (marks >= 0),
    primary key (city_id, month, season_id, coach_id)
);
alter table rollup_coach_months set (fillfactor = 50, autovacuum_vacuum_scale_factor = 0,
                                     autovacuum_vacuum_threshold = 1000);
select soi_apply_tenancy('rollup_coach_months', 'select');
revoke all on rollup_coach_months from soi_app;

-- Counters on the rows whose figures depend on their children, so each row's
-- share of a rollup is a function of the row alone and a move (a session
-- rescheduled to another month) carries its figures along.
alter table training_sessions
    add column marks_total integer not null default 0 check (marks_total >= 0),
    add column marks_present integer not null default 0 check (marks_present >= 0);
alter table events
    add column tickets_sold integer not null default 0 check (tickets_sold >= 0),
    add column tickets_checked_in integer not null default 0 check (tickets_checked_in >= 0);
-- Only the triggers (running as the owner) write the counters: soi_app's
-- insert and update rights name every other column.
revoke insert, update on training_sessions from soi_app;
grant insert (city_id, id, group_id, rink_id, starts_at, ends_at, status, cancel_reason, created_at, updated_at),
      update (group_id, rink_id, starts_at, ends_at, status, cancel_reason, updated_at)
    on training_sessions to soi_app;
revoke insert, update on events from soi_app;
grant insert (city_id, id, season_id, kind, title, motto, social_theme, rink_id, starts_at, status,
              hold_minutes, created_at, cause_id),
      update (season_id, kind, title, motto, social_theme, rink_id, starts_at, status, hold_minutes, cause_id)
    on events to soi_app;

create function soi_city_month(city uuid, at timestamptz) returns date
language sql stable security definer set search_path = public as
$$ select date_trunc('month', at at time zone (select c.time_zone from cities c where c.id = city))::date $$;

-- Adds (or with negative values removes) one row's share of the figures.
create function soi_rollup_add(
    city uuid, in_month date, season uuid,
    applicants integer default 0, accepted integer default 0, waitlisted integer default 0,
    rejected integer default 0, active integer default 0, completed integer default 0,
    withdrawn integer default 0, sessions_held integer default 0, sessions_cancelled integer default 0,
    attendance_marks integer default 0, attendance_present integer default 0,
    active_coaches integer default 0, skills_passed integer default 0, shows_held integer default 0,
    tickets_sold integer default 0, tickets_checked_in integer default 0,
    ticket_revenue_tiyn bigint default 0, sponsor_money_tiyn bigint default 0,
    expenses_tiyn bigint default 0, given_to_causes_tiyn bigint default 0, beneficiaries bigint default 0
) returns void
language sql security definer set search_path = public as $$
    insert into rollups as r (city_id, month, season_id, applicants, accepted, waitlisted, rejected,
        active, completed, withdrawn, sessions_held, sessions_cancelled, attendance_marks,
        attendance_present, active_coaches, skills_passed, shows_held, tickets_sold,
        tickets_checked_in, ticket_revenue_tiyn, sponsor_money_tiyn, expenses_tiyn,
        given_to_causes_tiyn, beneficiaries)
    values (city, in_month, season, applicants, accepted, waitlisted, rejected, active, completed,
        withdrawn, sessions_held, sessions_cancelled, attendance_marks, attendance_present,
        active_coaches, skills_passed, shows_held, tickets_sold, tickets_checked_in,
        ticket_revenue_tiyn, sponsor_money_tiyn, expenses_tiyn, given_to_causes_tiyn, beneficiaries)
    on conflict (city_id, month, season_id) do update set
        applicants = r.applicants + excluded.applicants,
        accepted = r.accepted + excluded.accepted,
        waitlisted = r.waitlisted + excluded.waitlisted,
        rejected = r.rejected + excluded.rejected,
        active = r.active + excluded.active,
        completed = r.completed + excluded.completed,
        withdrawn = r.withdrawn + excluded.withdrawn,
        sessions_held = r.sessions_held + excluded.sessions_held,
        sessions_cancelled = r.sessions_cancelled + excluded.sessions_cancelled,
        attendance_marks = r.attendance_marks + excluded.attendance_marks,
        attendance_present = r.attendance_present + excluded.attendance_present,
        active_coaches = r.active_coaches + excluded.active_coaches,
        skills_passed = r.skills_passed + excluded.skills_passed,
        shows_held = r.shows_held + excluded.shows_held,
        tickets_sold = r.tickets_sold + excluded.tickets_sold,
        tickets_checked_in = r.tickets_checked_in + excluded.tickets_checked_in,
        ticket_revenue_tiyn = r.ticket_revenue_tiyn + excluded.ticket_revenue_tiyn,
        sponsor_money_tiyn = r.sponsor_money_tiyn + excluded.sponsor_money_tiyn,
        expenses_tiyn = r.expenses_tiyn + excluded.expenses_tiyn,
        given_to_causes_tiyn = r.given_to_causes_tiyn + excluded.given_to_causes_tiyn,
        beneficiaries = r.beneficiaries + excluded.beneficiaries;
    -- Once per transaction is enough to name a new state; the setting is
    -- transaction-local and reverts with a rolled-back savepoint.
    insert into rollup_versions as v (city_id, version)
    select city, 1 where current_setting('soi.rollup_raised', true) is distinct from city::text
    on conflict (city_id) do update set version = v.version + 1;
    select set_config('soi.rollup_raised', city::text, true);
$$;

-- A coach's attendance marks in a month; the coach counts as active while
-- they have at least one.
create function soi_rollup_coach(city uuid, in_month date, season uuid, coach uuid, delta integer)
returns void language plpgsql security definer set search_path = public as $$
declare
    after integer;
    created boolean;
    before integer;
begin
    if coach is null or delta = 0 then
        return;
    end if;
    -- One statement takes the row (or creates it) under its lock, so two
    -- recorders of one coach never both see "no row".
    insert into rollup_coach_months as r (city_id, month, season_id, coach_id, marks)
    values (city, in_month, season, coach, greatest(delta, 0))
    on conflict (city_id, month, season_id, coach_id) do update set marks = r.marks + delta
    returning r.marks, (r.xmax = 0) into after, created;
    before := case when created then 0 else after - delta end;
    if after <= 0 then
        delete from rollup_coach_months
        where city_id = city and month = in_month and season_id = season and coach_id = coach;
    end if;
    if before <= 0 and after > 0 then
        perform soi_rollup_add(city, in_month, season, active_coaches => 1);
    elsif before > 0 and after <= 0 then
        perform soi_rollup_add(city, in_month, season, active_coaches => -1);
    end if;
end
$$;

-- Applications: the cohort of the month applied, by status now.
create function soi_rollup_enrollment(e enrollments, sign integer) returns void
language plpgsql security definer set search_path = public as $$
begin
    perform soi_rollup_add(e.city_id, soi_city_month(e.city_id, e.applied_at), e.season_id,
        applicants => sign,
        accepted => sign * (e.status = 'accepted')::integer,
        waitlisted => sign * (e.status = 'waitlisted')::integer,
        rejected => sign * (e.status = 'rejected')::integer,
        active => sign * (e.status = 'active')::integer,
        completed => sign * (e.status = 'completed')::integer,
        withdrawn => sign * (e.status = 'withdrawn')::integer);
end
$$;

create function soi_rollup_enrollments() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    if tg_op = 'UPDATE' and new.status = old.status and new.applied_at = old.applied_at
       and new.season_id = old.season_id then
        return null;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        perform soi_rollup_enrollment(old, -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform soi_rollup_enrollment(new, 1);
    end if;
    return null;
end
$$;
create trigger rollup after insert or update or delete on enrollments
    for each row execute function soi_rollup_enrollments();

-- Sessions: held (scheduled with attendance taken) or cancelled, their
-- attendance marks, and the coaches who recorded them.
create function soi_rollup_session(s training_sessions, sign integer, with_coaches boolean)
returns void language plpgsql security definer set search_path = public as $$
declare
    m date := soi_city_month(s.city_id, s.starts_at);
    season uuid := (select g.season_id from groups g where g.city_id = s.city_id and g.id = s.group_id);
    r record;
begin
    perform soi_rollup_add(s.city_id, m, season,
        sessions_held => sign * (s.status = 'scheduled' and s.marks_total > 0)::integer,
        sessions_cancelled => sign * (s.status = 'cancelled')::integer,
        attendance_marks => sign * s.marks_total,
        attendance_present => sign * s.marks_present);
    if with_coaches then
        for r in
            select a.recorded_by, count(*)::integer as marks from attendance a
            where a.city_id = s.city_id and a.session_id = s.id and a.recorded_by is not null
            group by a.recorded_by
        loop
            perform soi_rollup_coach(s.city_id, m, season, r.recorded_by, sign * r.marks);
        end loop;
    end if;
end
$$;

create function soi_rollup_sessions() returns trigger
language plpgsql security definer set search_path = public as $$
declare
    moved boolean;
begin
    if tg_op = 'INSERT' then
        perform soi_rollup_session(new, 1, false);
        return null;
    end if;
    moved := soi_city_month(new.city_id, new.starts_at) <> soi_city_month(old.city_id, old.starts_at)
             or new.group_id <> old.group_id;
    if not moved and new.status = old.status and new.marks_total = old.marks_total
       and new.marks_present = old.marks_present then
        return null;
    end if;
    -- Coaches' marks move only with the session; attendance changes adjust
    -- them in the attendance trigger.
    perform soi_rollup_session(old, -1, moved);
    perform soi_rollup_session(new, 1, moved);
    return null;
end
$$;
create trigger rollup after insert or update on training_sessions
    for each row execute function soi_rollup_sessions();

create function soi_rollup_attendance() returns trigger
language plpgsql security definer set search_path = public as $$
declare
    s training_sessions;
    m date;
    season uuid;
    present_old integer := 0;
    present_new integer := 0;
begin
    if tg_op = 'UPDATE' then
        present_old := (old.mark in ('present', 'late'))::integer;
    end if;
    present_new := (new.mark in ('present', 'late'))::integer;
    -- The session row carries the counts (and its row lock orders concurrent
    -- recorders of one session).
    update training_sessions
    set marks_total = marks_total + (tg_op = 'INSERT')::integer,
        marks_present = marks_present + present_new - present_old
    where city_id = new.city_id and id = new.session_id
    returning * into s;
    if tg_op = 'UPDATE' and new.recorded_by is not distinct from old.recorded_by then
        return null;
    end if;
    m := soi_city_month(s.city_id, s.starts_at);
    season := (select g.season_id from groups g where g.city_id = s.city_id and g.id = s.group_id);
    if tg_op = 'UPDATE' then
        perform soi_rollup_coach(s.city_id, m, season, old.recorded_by, -1);
    end if;
    perform soi_rollup_coach(s.city_id, m, season, new.recorded_by, 1);
    return null;
end
$$;
create trigger rollup after insert or update on attendance
    for each row execute function soi_rollup_attendance();

create function soi_rollup_skills() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    if tg_op = 'UPDATE' and new.passed_on = old.passed_on then
        return null;
    end if;
    if tg_op in ('UPDATE', 'DELETE') then
        perform soi_rollup_add(old.city_id, date_trunc('month', old.passed_on)::date,
            '00000000-0000-0000-0000-000000000000', skills_passed => -1);
    end if;
    if tg_op in ('INSERT', 'UPDATE') then
        perform soi_rollup_add(new.city_id, date_trunc('month', new.passed_on)::date,
            '00000000-0000-0000-0000-000000000000', skills_passed => 1);
    end if;
    return null;
end
$$;
create trigger rollup after insert or update or delete on skill_assessments
    for each row execute function soi_rollup_skills();

-- Events: ice shows done, and the tickets counted on the event row.
create function soi_rollup_event(e events, sign integer) returns void
language plpgsql security definer set search_path = public as $$
begin
    perform soi_rollup_add(e.city_id, soi_city_month(e.city_id, e.starts_at), e.season_id,
        shows_held => sign * (e.kind = 'ice_show' and e.status = 'done')::integer,
        tickets_sold => sign * e.tickets_sold,
        tickets_checked_in => sign * e.tickets_checked_in);
end
$$;

create function soi_rollup_events() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    if tg_op = 'UPDATE' and new.status = old.status and new.kind = old.kind
       and new.starts_at = old.starts_at and new.season_id = old.season_id
       and new.tickets_sold = old.tickets_sold and new.tickets_checked_in = old.tickets_checked_in then
        return null;
    end if;
    if tg_op = 'UPDATE' then
        perform soi_rollup_event(old, -1);
    end if;
    perform soi_rollup_event(new, 1);
    return null;
end
$$;
create trigger rollup after insert or update on events
    for each row execute function soi_rollup_events();

-- A ticket counts as sold while valid, and as checked in once scanned.
create function soi_rollup_tickets() returns trigger
language plpgsql security definer set search_path = public as $$
declare
    sold integer := (new.status = 'valid')::integer;
    checked integer := (new.status = 'valid' and new.checked_in_at is not null)::integer;
begin
    if tg_op = 'UPDATE' then
        sold := sold - (old.status = 'valid')::integer;
        checked := checked - (old.status = 'valid' and old.checked_in_at is not null)::integer;
    end if;
    if sold = 0 and checked = 0 then
        return null;
    end if;
    update events e
    set tickets_sold = e.tickets_sold + sold,
        tickets_checked_in = e.tickets_checked_in + checked
    from ticket_types tt
    where tt.city_id = new.city_id and tt.id = new.ticket_type_id
      and e.city_id = new.city_id and e.id = tt.event_id;
    return null;
end
$$;
create trigger rollup after insert or update on tickets
    for each row execute function soi_rollup_tickets();

-- Money, from the append-only ledger: a reversal counts against the figure
-- of the entry it reverses.
create function soi_rollup_ledger_entry(l ledger_entries) returns void
language plpgsql security definer set search_path = public as $$
declare
    kind text := l.kind;
    order_id uuid := l.order_id;
    season uuid := '00000000-0000-0000-0000-000000000000';
    m date := soi_city_month(l.city_id, l.recorded_at);
begin
    if kind = 'reversal' then
        select x.kind, x.order_id into kind, order_id from ledger_entries x
        where x.city_id = l.city_id and x.id = l.reverses_id;
    end if;
    if kind in ('ticket_sale', 'refund') then
        select e.season_id into season from ticket_orders o
        join events e on e.city_id = o.city_id and e.id = o.event_id
        where o.city_id = l.city_id and o.id = order_id;
        perform soi_rollup_add(l.city_id, m, season, ticket_revenue_tiyn => l.amount_tiyn);
    elsif kind = 'contribution' then
        perform soi_rollup_add(l.city_id, m, season, sponsor_money_tiyn => l.amount_tiyn);
    elsif kind = 'expense' then
        perform soi_rollup_add(l.city_id, m, season, expenses_tiyn => -l.amount_tiyn);
    elsif kind = 'disbursement' then
        perform soi_rollup_add(l.city_id, m, season, given_to_causes_tiyn => -l.amount_tiyn);
        -- A gift taken back helped nobody: its beneficiaries go too (from
        -- the month of the gift), as in the transparency report.
        if l.kind = 'reversal' then
            perform soi_rollup_add(d.city_id, date_trunc('month', d.paid_on)::date, season,
                                   beneficiaries => -d.beneficiaries)
            from ledger_entries x join disbursements d
              on d.city_id = x.city_id and d.id = x.disbursement_id
            where x.city_id = l.city_id and x.id = l.reverses_id;
        end if;
    end if;
end
$$;

create function soi_rollup_ledger() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    perform soi_rollup_ledger_entry(new);
    return null;
end
$$;
create trigger rollup after insert on ledger_entries
    for each row execute function soi_rollup_ledger();

create function soi_rollup_disbursements() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    perform soi_rollup_add(new.city_id, date_trunc('month', new.paid_on)::date,
        '00000000-0000-0000-0000-000000000000', beneficiaries => new.beneficiaries);
    return null;
end
$$;
create trigger rollup after insert on disbursements
    for each row execute function soi_rollup_disbursements();

create function soi_rollup_season_labels() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    insert into rollup_seasons (city_id, season_id, title, starts_on)
    values (new.city_id, new.id, new.title, new.starts_on)
    on conflict (city_id, season_id) do update set title = excluded.title, starts_on = excluded.starts_on;
    return null;
end
$$;
create trigger rollup_label after insert or update of title, starts_on on seasons
    for each row execute function soi_rollup_season_labels();

-- The triggers and their helpers are not for direct calls (a trigger fires
-- without EXECUTE on its function).
do $$
declare
    f regprocedure;
begin
    for f in select p.oid::regprocedure from pg_proc p
             where p.pronamespace = 'public'::regnamespace
               and (p.proname like 'soi\_rollup\_%' or p.proname = 'soi_city_month') loop
        execute format('revoke all on function %s from public', f);
    end loop;
end
$$;

-- Figures of what exists already (a database migrated with data in it): the
-- triggers are paused while the counters are filled, then every row's share
-- is added once, city by city (the owner obeys the city policy too).
alter table training_sessions disable trigger rollup;
alter table events disable trigger rollup;
do $$
declare
    c uuid;
    e enrollments;
    s training_sessions;
    ev events;
    l ledger_entries;
    sk skill_assessments;
    d disbursements;
begin
    for c in select id from cities loop
        perform set_config('soi.city_id', c::text, true);
        insert into rollup_seasons (city_id, season_id, title, starts_on)
        select city_id, id, title, starts_on from seasons where city_id = c;
        update training_sessions ts set marks_total = a.total, marks_present = a.present
        from (select session_id, count(*)::integer as total,
                     count(*) filter (where mark in ('present', 'late'))::integer as present
              from attendance where city_id = c group by session_id) a
        where ts.city_id = c and ts.id = a.session_id;
        update events x set tickets_sold = t.sold, tickets_checked_in = t.checked
        from (select tt.event_id, count(*) filter (where t.status = 'valid')::integer as sold,
                     count(*) filter (where t.status = 'valid' and t.checked_in_at is not null)::integer as checked
              from tickets t join ticket_types tt on tt.city_id = t.city_id and tt.id = t.ticket_type_id
              where t.city_id = c group by tt.event_id) t
        where x.city_id = c and x.id = t.event_id;
        for e in select * from enrollments where city_id = c loop
            perform soi_rollup_enrollment(e, 1);
        end loop;
        for s in select * from training_sessions where city_id = c loop
            perform soi_rollup_session(s, 1, true);
        end loop;
        for ev in select * from events where city_id = c loop
            perform soi_rollup_event(ev, 1);
        end loop;
        for l in select * from ledger_entries where city_id = c loop
            perform soi_rollup_ledger_entry(l);
        end loop;
        for sk in select * from skill_assessments where city_id = c loop
            perform soi_rollup_add(c, date_trunc('month', sk.passed_on)::date,
                '00000000-0000-0000-0000-000000000000', skills_passed => 1);
        end loop;
        for d in select * from disbursements where city_id = c loop
            perform soi_rollup_add(c, date_trunc('month', d.paid_on)::date,
                '00000000-0000-0000-0000-000000000000', beneficiaries => d.beneficiaries);
        end loop;
        perform set_config('soi.city_id', '', true);
    end loop;
end
$$;
alter table training_sessions enable trigger rollup;
alter table events enable trigger rollup;
