-- The planner learns that a parent's key names its city.
--
-- A city table that is not partitioned keeps one set of statistics for
-- every city. Its statements name the city and a parent, e.g. a season's
-- groups' members: `city_id = $1 and group_id = any($2)`. PostgreSQL takes
-- the two conditions as independent and multiplies their selectivities,
-- so a big city's 15 groups of 300 members were estimated at 2 rows once
-- 2,000 cities shared the table (the city's share of the rows times the
-- groups' share). The plan that followed (300 index probes into the
-- attendance partition, a sort of 6,000 marks) made the groups-with-rates
-- request 1.16 times as slow as in a database of 5 cities (soi-bench
-- scale, docs/scale-out.md).
--
-- A parent's key determines its city (the foreign keys are `(city_id,
-- parent_id)`), which a functional-dependency statistic tells the planner:
-- the estimate becomes the groups' share alone (282 of 300 there). One per
-- two-column foreign key of every unpartitioned city table; partitions
-- hold one city each, so their statistics are the city's already. The
-- schema test `every_parent_key_has_its_city_statistics` keeps new tables
-- to this.
do $$
declare
    fk record;
    analysed regclass[] := '{}';
begin
    for fk in
        select t.oid::regclass as tab, t.relname, a.attname as parent
        from pg_constraint c
        join pg_class t on t.oid = c.conrelid
        join pg_attribute a on a.attrelid = c.conrelid and a.attnum = any (c.conkey)
        join pg_attribute city on city.attrelid = c.conrelid and city.attname = 'city_id'
        where c.contype = 'f'
          and t.relkind = 'r'
          and not t.relispartition
          and t.relnamespace = 'public'::regnamespace
          and cardinality(c.conkey) = 2
          and city.attnum = any (c.conkey)
          and a.attname <> 'city_id'
        order by t.relname, a.attname
    loop
        execute format(
            'create statistics if not exists %I (dependencies) on %I, city_id from %s',
            fk.relname || '_' || fk.parent || '_city', fk.parent, fk.tab
        );
        -- Filled by the next ANALYZE; now (once per table), so a database
        -- already in use plans with them at once rather than when
        -- autovacuum next comes by.
        if not fk.tab = any (analysed) then
            analysed := analysed || fk.tab;
        end if;
    end loop;
    for i in 1 .. coalesce(array_length(analysed, 1), 0) loop
        execute format('analyze %s', analysed[i]);
    end loop;
end
$$;
