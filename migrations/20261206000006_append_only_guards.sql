-- Append-only, for the owner too, as far as the database can hold it. Row
-- triggers already refuse UPDATE and DELETE on the ledger and the audit logs;
-- TRUNCATE skips row triggers, and detaching or dropping a partition skips
-- every trigger. So:
--
-- * a statement trigger refuses TRUNCATE of each append-only table and of
--   each of its partitions (new cities' partitions get it at launch);
-- * where the migrating role is a superuser (as in development and CI), an
--   event trigger refuses detaching or dropping their partitions and
--   dropping the tables. A non-superuser owner cannot create event triggers:
--   there, and against anyone who may disable triggers or drop these guards
--   (the owner, a superuser), only operational discipline holds — see
--   README "Tenancy, in short".

create function soi_refuse_truncate() returns trigger language plpgsql as
$$ begin raise exception '% is append-only: it cannot be truncated', tg_table_name using errcode = '42501'; end $$;

-- The append-only tables: the city ones (partitioned) and the national log.
create function soi_append_only(p_table text) returns boolean language sql immutable as $$
    select p_table in ('ledger_entries', 'audit_log', 'national_audit_log')
        or p_table like 'ledger\_entries\_p\_%' or p_table like 'audit\_log\_p\_%'
$$;

do $$
declare
    t regclass;
begin
    for t in
        select c.oid::regclass from pg_class c
        where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
          and soi_append_only(c.relname)
    loop
        execute format('create trigger append_only_no_truncate before truncate on %s '
                       'for each statement execute function soi_refuse_truncate()', t);
    end loop;
end
$$;

-- City launch, as before, and partitions carry their parent's TRUNCATE guard.
create or replace function soi_ensure_city_partitions(city uuid) returns integer
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
            if exists (select 1 from pg_trigger
                       where tgrelid = parent.tbl and tgname = 'append_only_no_truncate') then
                execute format('create trigger append_only_no_truncate before truncate on public.%I '
                               'for each statement execute function soi_refuse_truncate()', part);
            end if;
            created := created + 1;
        end if;
    end loop;
    return created;
end
$$;
revoke all on function soi_ensure_city_partitions(uuid) from public;

-- Detaching a partition (it stops being one) or dropping an append-only
-- table is refused when the command ends, which rolls it back.
create function soi_guard_append_only_ddl() returns event_trigger language plpgsql as $$
declare
    gone text;
begin
    if tg_event = 'sql_drop' then
        select o.object_name into gone from pg_event_trigger_dropped_objects() o
        where o.object_type = 'table' and o.schema_name = 'public' and soi_append_only(o.object_name)
        limit 1;
        if gone is not null then
            raise exception '% is append-only: it cannot be dropped', gone using errcode = '42501';
        end if;
    elsif exists (select 1 from pg_class c
                  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                    and not c.relispartition and soi_append_only(c.relname)
                    and c.relname not in ('ledger_entries', 'audit_log', 'national_audit_log')) then
        raise exception 'a partition of an append-only table cannot be detached' using errcode = '42501';
    end if;
end
$$;

do $$
begin
    if (select rolsuper from pg_roles where rolname = current_user) then
        create event trigger soi_append_only_drop on sql_drop
            execute function soi_guard_append_only_ddl();
        create event trigger soi_append_only_detach on ddl_command_end
            when tag in ('ALTER TABLE')
            execute function soi_guard_append_only_ddl();
    else
        raise notice 'not a superuser: detaching or dropping append-only partitions is guarded by discipline only';
    end if;
end
$$;
