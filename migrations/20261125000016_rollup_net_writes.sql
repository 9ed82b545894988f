-- Fewer rollup writes: one per counter change instead of two, and one per
-- attendance statement instead of one per mark.
--
-- A session's or an event's counters (attendance marks, tickets) change on
-- every mark and every ticket. The triggers of migration 13 took the row's
-- share out of its rollup row and put the new share back: two row versions
-- per mark, ~960,000 for a 400,000-mark load, all of them unprunable until
-- the load commits. When the session or event stays in the same rollup row
-- (same month, same group or season) the difference is written once.

create or replace function soi_rollup_sessions() returns trigger
language plpgsql security definer set search_path = public as $$
declare
    moved boolean;
    held integer;
begin
    if tg_op = 'INSERT' then
        perform soi_rollup_session(new, 1, false);
        return null;
    end if;
    moved := soi_city_month(new.city_id, new.starts_at) <> soi_city_month(old.city_id, old.starts_at)
             or new.group_id is distinct from old.group_id;
    if moved then
        -- Coaches' marks move with the session; attendance changes adjust
        -- them in the attendance trigger.
        perform soi_rollup_session(old, -1, true);
        perform soi_rollup_session(new, 1, true);
        return null;
    end if;
    held := (new.status = 'scheduled' and new.marks_total > 0)::integer
            - (old.status = 'scheduled' and old.marks_total > 0)::integer;
    if held = 0 and new.status = old.status and new.marks_total = old.marks_total
       and new.marks_present = old.marks_present then
        return null;
    end if;
    perform soi_rollup_add(new.city_id, soi_city_month(new.city_id, new.starts_at),
        (select g.season_id from groups g where g.city_id = new.city_id and g.id = new.group_id),
        sessions_held => held,
        sessions_cancelled => (new.status = 'cancelled')::integer - (old.status = 'cancelled')::integer,
        attendance_marks => new.marks_total - old.marks_total,
        attendance_present => new.marks_present - old.marks_present);
    return null;
end
$$;

create or replace function soi_rollup_events() returns trigger
language plpgsql security definer set search_path = public as $$
begin
    if tg_op = 'INSERT' then
        perform soi_rollup_event(new, 1);
        return null;
    end if;
    if new.status = old.status and new.kind = old.kind
       and new.starts_at = old.starts_at and new.season_id is not distinct from old.season_id
       and new.tickets_sold = old.tickets_sold and new.tickets_checked_in = old.tickets_checked_in then
        return null;
    end if;
    if soi_city_month(new.city_id, new.starts_at) <> soi_city_month(old.city_id, old.starts_at)
       or new.season_id is distinct from old.season_id then
        perform soi_rollup_event(old, -1);
        perform soi_rollup_event(new, 1);
        return null;
    end if;
    perform soi_rollup_add(new.city_id, soi_city_month(new.city_id, new.starts_at), new.season_id,
        shows_held => (new.kind = 'ice_show' and new.status = 'done')::integer
                      - (old.kind = 'ice_show' and old.status = 'done')::integer,
        tickets_sold => new.tickets_sold - old.tickets_sold,
        tickets_checked_in => new.tickets_checked_in - old.tickets_checked_in);
    return null;
end
$$;

-- Attendance marks, per statement: a session's marks are recorded in one
-- statement (and a bulk load in a few), so the session's counters, its
-- rollup row and each recorder's coach-month are written once per statement
-- instead of once per mark. The session row's lock still orders concurrent
-- recorders of one session.

-- A coach's marks in a session, added (or with a negative count removed).
create function soi_rollup_coach_of_session(city uuid, session uuid, coach uuid, delta integer)
returns void language plpgsql security definer set search_path = public as $$
declare
    s training_sessions;
begin
    select * into s from training_sessions where city_id = city and id = session;
    perform soi_rollup_coach(city, soi_city_month(city, s.starts_at),
        (select g.season_id from groups g where g.city_id = city and g.id = s.group_id),
        coach, delta);
end
$$;

create function soi_rollup_attendance_inserted() returns trigger
language plpgsql security definer set search_path = public as $$
declare
    r record;
begin
    update training_sessions s
    set marks_total = s.marks_total + d.total,
        marks_present = s.marks_present + d.present
    from (select city_id, session_id, count(*)::integer as total,
                 count(*) filter (where mark in ('present', 'late'))::integer as present
          from new_rows group by city_id, session_id) d
    where s.city_id = d.city_id and s.id = d.session_id;
    for r in
        select city_id, session_id, recorded_by, count(*)::integer as marks
        from new_rows where recorded_by is not null
        group by city_id, session_id, recorded_by
    loop
        perform soi_rollup_coach_of_session(r.city_id, r.session_id, r.recorded_by, r.marks);
    end loop;
    return null;
end
$$;

-- A changed mark moves the present count; a changed recorder moves a mark
-- from one coach to another. (Marks are never moved between sessions.)
create function soi_rollup_attendance_updated() returns trigger
language plpgsql security definer set search_path = public as $$
declare
    r record;
begin
    update training_sessions s
    set marks_present = s.marks_present + d.present
    from (select city_id, session_id, sum(present)::integer as present
          from (select city_id, session_id, (mark in ('present', 'late'))::integer as present
                from new_rows
                union all
                select city_id, session_id, -(mark in ('present', 'late'))::integer
                from old_rows) x
          group by city_id, session_id) d
    where s.city_id = d.city_id and s.id = d.session_id and d.present <> 0;
    for r in
        select city_id, session_id, coach, sum(n)::integer as marks
        from (select city_id, session_id, recorded_by as coach, 1 as n
              from new_rows where recorded_by is not null
              union all
              select city_id, session_id, recorded_by, -1
              from old_rows where recorded_by is not null) x
        group by city_id, session_id, coach
        having sum(n) <> 0
    loop
        perform soi_rollup_coach_of_session(r.city_id, r.session_id, r.coach, r.marks);
    end loop;
    return null;
end
$$;

drop trigger rollup on attendance;
drop function soi_rollup_attendance();
create trigger rollup_inserted after insert on attendance
    referencing new table as new_rows
    for each statement execute function soi_rollup_attendance_inserted();
create trigger rollup_updated after update on attendance
    referencing old table as old_rows new table as new_rows
    for each statement execute function soi_rollup_attendance_updated();

-- Not for direct calls, as the functions of migration 13.
revoke all on function soi_rollup_coach_of_session(uuid, uuid, uuid, integer) from public;
revoke all on function soi_rollup_attendance_inserted() from public;
revoke all on function soi_rollup_attendance_updated() from public;
