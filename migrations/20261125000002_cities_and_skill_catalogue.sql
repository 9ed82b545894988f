-- National tables: the cities (tenants) and the skill catalogue every city
-- shares. They hold no personal data; soi_app may only read them. City launch
-- writes cities through the owner's connection.

create table cities (
    id uuid primary key,
    slug text not null unique
        check (slug ~ '^[a-z][a-z0-9]*(-[a-z0-9]+)*$' and length(slug) between 2 and 40),
    name_kk text not null check (length(name_kk) between 1 and 200),
    name_ru text not null check (length(name_ru) between 1 and 200),
    name_en text not null check (length(name_en) between 1 and 200),
    time_zone text not null check (length(time_zone) between 3 and 64),
    status text not null default 'active' check (status in ('planned', 'active', 'paused')),
    launched_on date,
    created_at timestamptz not null default now()
);
grant select on cities to soi_app;

-- Levels of skating (e.g. "Basic 1") in order, each with its elements.
create table skill_levels (
    id uuid primary key,
    code text not null unique,
    position integer not null unique check (position > 0),
    name_kk text not null,
    name_ru text not null,
    name_en text not null
);

create table skill_elements (
    id uuid primary key,
    level_id uuid not null references skill_levels (id),
    code text not null unique,
    position integer not null check (position > 0),
    name_kk text not null,
    name_ru text not null,
    name_en text not null,
    unique (level_id, position)
);
grant select on skill_levels, skill_elements to soi_app;
