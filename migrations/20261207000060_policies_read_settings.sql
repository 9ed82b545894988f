-- Policies read the request's settings directly instead of through the small
-- SQL functions soi_role(), soi_acting_participant(), soi_acting_coach() and
-- soi_acting_account().
--
-- Why: PostgreSQL inlines such a function wherever a policy calls it, and
-- inlining parses the function's text again, on every plan. The runtime
-- plans every statement for its city (plan_cache_mode = force_custom_plan,
-- docs/scale-out.md), and a chapter admin's page of participants carries six
-- such calls (the restrictive policies of two tables). Measured at 200 cities
-- (pgbench -M prepared, one client, custom plans, as soi_app with an admin's
-- settings), the page statement ran 1584 and 1599 tx/s before, 1764 and 1772
-- after, alternated (docs/benchmarks.md).
--
-- What a policy allows does not change: each call is replaced by the body of
-- its function, still inside the policy's sub-select, so it is read once per
-- statement as before. The functions stay for the SQL that calls them
-- elsewhere. soi_coaches_group, which coaches' write policies call, is not
-- inlined (PostgreSQL does not inline a body with a sub-query); it is
-- planned as a function of its own.

-- Its body reads the acting coach directly too: it called
-- soi_acting_coach(), inlined and parsed again whenever the body is planned.
create or replace function soi_coaches_group(city uuid, grp uuid) returns boolean language sql stable as
$$ select exists (select 1 from group_coaches gc
                  where gc.city_id = city and gc.group_id = grp
                    and gc.coach_id = nullif(current_setting('soi.coach_id', true), '')::uuid) $$;

-- Public policies made from now on read the role the same way.
create or replace function soi_public_may(tbl regclass, cmd text, allowed text, allowed_after text default null)
returns void language plpgsql as $$
declare
    name text := 'public_' || cmd;
    role text := '(select coalesce(nullif(current_setting(''soi.role'', true), ''''), ''system''))';
    guard text := format('(%s <> %L or (%s))', role, 'public', allowed);
    guard_after text := format('(%s <> %L or (%s))', role, 'public', coalesce(allowed_after, allowed));
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

-- Every existing policy: each call replaced by its function's body.
do $$
declare
    p record;
    q text;
    c text;
    calls constant text[][] := array[
        ['soi_role()', '(coalesce(nullif(current_setting(''soi.role'', true), ''''), ''system''))'],
        ['soi_acting_participant()', '(nullif(current_setting(''soi.participant_id'', true), '''')::uuid)'],
        ['soi_acting_coach()', '(nullif(current_setting(''soi.coach_id'', true), '''')::uuid)'],
        ['soi_acting_account()', '(nullif(current_setting(''soi.account_id'', true), '''')::uuid)']];
    i int;
begin
    for p in
        select pol.polname, pol.polrelid::regclass as tbl,
               pg_get_expr(pol.polqual, pol.polrelid) as qual,
               pg_get_expr(pol.polwithcheck, pol.polrelid) as with_check
        from pg_policy pol join pg_class cl on cl.oid = pol.polrelid
        where cl.relnamespace = 'public'::regnamespace
    loop
        q := p.qual;
        c := p.with_check;
        for i in 1 .. array_length(calls, 1) loop
            q := replace(q, calls[i][1], calls[i][2]);
            c := replace(c, calls[i][1], calls[i][2]);
        end loop;
        if q is distinct from p.qual then
            execute format('alter policy %I on %s using (%s)', p.polname, p.tbl, q);
        end if;
        if c is distinct from p.with_check then
            execute format('alter policy %I on %s with check (%s)', p.polname, p.tbl, c);
        end if;
    end loop;
end
$$;

-- A call the text replacement missed (spelled another way) fails the
-- migration here rather than staying behind unnoticed: the catalog records
-- which functions a policy calls.
do $$
declare
    left_over text;
begin
    select string_agg(format('%s on %s calls %s', pol.polname, pol.polrelid::regclass, pr.proname), '; ')
    into left_over
    from pg_depend d
    join pg_policy pol on d.classid = 'pg_policy'::regclass and d.objid = pol.oid
    join pg_proc pr on d.refclassid = 'pg_proc'::regclass and d.refobjid = pr.oid
    where pr.proname in ('soi_role', 'soi_acting_participant', 'soi_acting_coach', 'soi_acting_account');
    if left_over is not null then
        raise exception 'policies still call an inlined setting function: %', left_over;
    end if;
end
$$;
