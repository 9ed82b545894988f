-- The tenancy contract: the runtime role and the helpers that give every city
-- table the same row-level security and every partitioned table its per-city
-- partitions. Migrations run as the owner; the application runs as soi_app.

-- Roles are cluster-wide: another database on this server (a test database, a
-- second deployment) may have created soi_app already, possibly concurrently.
do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'soi_app') then
        begin
            create role soi_app nologin nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
        exception when duplicate_object or unique_violation then
            null; -- created by a concurrent migration of another database
        end;
    end if;
    -- JIT compiles hundreds of functions for queries over many partitions and
    -- costs more than it saves on our short OLTP queries (the pool also sets it).
    if not exists (
        select 1 from pg_db_role_setting s join pg_roles r on r.oid = s.setrole
        where r.rolname = 'soi_app' and s.setdatabase = 0 and 'jit=off' = any (s.setconfig)
    ) then
        begin
            alter role soi_app set jit = off;
        exception when unique_violation then
            null;
        end;
    end if;
end
$$;

-- soi_app may use the schema but never create in it.
grant usage on schema public to soi_app;
revoke create on schema public from public;

-- Every city table gets the same policy: rows of the city named by the
-- transaction-local setting soi.city_id, and none when it is unset (fail
-- closed). The (select ...) wrapper makes Postgres evaluate it once per query,
-- not per row. FORCE makes the table owner obey it too.
create function soi_apply_tenancy(tbl regclass, privileges text) returns void
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
end
$$;

-- Creates the missing partitions of one city for every table partitioned by
-- LIST (city_id). Called by city launch, and by any later migration that adds a
-- partitioned table (for the cities that exist by then). Partitions have RLS
-- enabled and forced with no policy, and soi_app has no privilege on them: the
-- only way in is through the parent and its policy.
create function soi_ensure_city_partitions(city uuid) returns integer
language plpgsql as $$
declare
    parent record;
    part text;
    created integer := 0;
begin
    for parent in
        select c.oid::regclass as tbl, c.relname
        from pg_partitioned_table p
        join pg_class c on c.oid = p.partrelid
        join pg_attribute a on a.attrelid = c.oid and a.attnum = p.partattrs[0]
        where c.relnamespace = 'public'::regnamespace
          and p.partstrat = 'l'
          and a.attname = 'city_id'
          and not c.relispartition
        order by c.relname
    loop
        part := parent.relname || '_p_' || replace(city::text, '-', '');
        if length(part) > 63 then
            raise exception 'partition name % is too long; shorten table %', part, parent.relname;
        end if;
        if to_regclass(format('public.%I', part)) is null then
            execute format('create table public.%I partition of %s for values in (%L)', part, parent.tbl, city);
            execute format('alter table public.%I enable row level security', part);
            execute format('alter table public.%I force row level security', part);
            execute format('revoke all on public.%I from public, soi_app', part);
            created := created + 1;
        end if;
    end loop;
    return created;
end
$$;

revoke all on function soi_apply_tenancy(regclass, text) from public;
revoke all on function soi_ensure_city_partitions(uuid) from public;
