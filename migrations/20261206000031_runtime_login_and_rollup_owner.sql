-- The runtime logs in as soi_app itself, and the rollup functions belong to a
-- role of their own.
--
-- * soi_app may log in. A runtime that logged in as a superuser and then SET
--   ROLE soi_app could be taken back with RESET ROLE by anything that reached
--   SQL; logged in as soi_app there is nothing to go back to. It gets no
--   password here: the operator sets one (ALTER ROLE soi_app PASSWORD ...),
--   or the server trusts local connections (deploy/dev's cluster does).
-- * The SECURITY DEFINER rollup functions (triggers and their helpers) ran as
--   the migrating role: a superuser in development, which row-level security
--   does not bind. They now belong to soi_rollup: no login, no superuser, no
--   BYPASSRLS, privileges for exactly the tables the figures are computed
--   from and kept in. City isolation (a policy for every role) holds for it:
--   it sees and writes the rows of the transaction's city, all of them, since
--   the role-narrowing restrictive policies apply to soi_app only.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'soi_app' and rolcanlogin) then
        begin
            alter role soi_app login;
        exception when others then
            -- a concurrent migration of another database did it
            if not exists (select 1 from pg_roles where rolname = 'soi_app' and rolcanlogin) then
                raise;
            end if;
        end;
    end if;
    if not exists (select 1 from pg_roles where rolname = 'soi_rollup') then
        begin
            create role soi_rollup nologin nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
        exception when duplicate_object or unique_violation then
            null; -- created by a concurrent migration of another database
        end;
    end if;
end
$$;

-- The role-narrowing policies were written for everyone (no TO clause); they
-- are about the runtime role's users, so they now name soi_app alone and a
-- definer role's work is bound by city isolation and its own grants.
do $$
declare
    p record;
begin
    for p in
        select pol.polname, pol.polrelid::regclass as tbl
        from pg_policy pol join pg_class c on c.oid = pol.polrelid
        where c.relnamespace = 'public'::regnamespace and not pol.polpermissive and pol.polroles = '{0}'
    loop
        execute format('alter policy %I on %s to soi_app', p.polname, p.tbl);
    end loop;
end
$$;

grant usage on schema public to soi_rollup;
grant select (id, time_zone) on cities to soi_rollup;
grant select, insert, update on rollups, rollup_versions, rollup_seasons to soi_rollup;
grant select, insert, update, delete on rollup_coach_months to soi_rollup;
grant select, update (marks_total, marks_present) on training_sessions to soi_rollup;
grant select, update (tickets_sold, tickets_checked_in) on events to soi_rollup;
grant select on groups, attendance, ledger_entries, ticket_orders, ticket_types, disbursements to soi_rollup;

-- ALTER ... OWNER TO needs the new owner to be able to create in the schema
-- and the migrating role to be a member of it (a superuser needs neither);
-- the first is granted for this migration only.
grant create on schema public to soi_rollup;
do $$
begin
    if not pg_has_role(current_user, 'soi_rollup', 'member') then
        execute format('grant soi_rollup to %I', current_user);
    end if;
end
$$;

-- Every rollup function (and the month helper they share) belongs to
-- soi_rollup, with its search_path pinned, and is called by no one directly
-- (a trigger fires without EXECUTE on its function).
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure from pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and (p.proname like 'soi\_rollup\_%' or p.proname = 'soi_city_month')
    loop
        execute format('alter function %s owner to soi_rollup', f);
        execute format('alter function %s set search_path = public, pg_temp', f);
        execute format('revoke all on function %s from public', f);
    end loop;
end
$$;
revoke create on schema public from soi_rollup;
