-- City launch got slower with every city: each ALTER TABLE fires the guard
-- against detaching append-only partitions, and the guard scanned all of
-- pg_class (about sixty relations per city) calling soi_append_only on every
-- row. A launch runs two ALTER TABLEs per partitioned table, so the cost of
-- launching the n-th city grew with n.
--
-- A partition stops being one only by ALTER TABLE <parent> DETACH PARTITION,
-- whose command names the parent. So the scan now runs only when a command
-- of the statement altered one of the append-only parents; an ALTER TABLE
-- on anything else (a new partition, another table) looks at its own
-- command list and nothing more.

create or replace function soi_guard_append_only_ddl() returns event_trigger language plpgsql as $$
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
    elsif exists (select 1 from pg_event_trigger_ddl_commands() d
                  join pg_class p on p.oid = d.objid
                  where d.classid = 'pg_class'::regclass
                    and p.relkind = 'p' and soi_append_only(p.relname))
      and exists (select 1 from pg_class c
                  where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p')
                    and not c.relispartition and soi_append_only(c.relname)
                    and c.relname not in ('ledger_entries', 'audit_log', 'national_audit_log')) then
        raise exception 'a partition of an append-only table cannot be detached' using errcode = '42501';
    end if;
end
$$;
