-- Who this database is, for names kept outside it: the gateway's Redis keys
-- carry it, so a database created anew (or another one behind the same Redis
-- prefix) never reads what was cached from the old one — ids cached for a
-- slug, or reports keyed by change counters that start again at 0. Made once,
-- when the database is migrated; the gateway mixes in the database's own oid,
-- so a copy made from this one as a template differs too.
create table database_identity (
    id uuid primary key default gen_random_uuid(),
    only_row boolean not null default true unique check (only_row),
    created_at timestamptz not null default now()
);
insert into database_identity default values;
grant select on database_identity to soi_app;
