-- The program's city tables. Every one carries city_id (the tenant and the
-- future Citus distribution column), a primary key that starts with city_id,
-- foreign keys that include city_id (so no row can point into another city),
-- and the city_isolation policy. Tables that grow with activity are
-- partitioned by LIST (city_id); their partitions are created at city launch.

create extension if not exists btree_gist;

create table participants (
    city_id uuid not null references cities (id),
    id uuid not null,
    first_name text not null check (length(first_name) between 1 and 100),
    last_name text not null check (length(last_name) between 1 and 100),
    email text not null check (email = lower(email) and length(email) <= 254 and email like '%_@_%'),
    phone text check (phone ~ '^\+[1-9][0-9]{7,14}$'),
    university text check (length(university) <= 200),
    birth_date date check (birth_date > date '1900-01-01'),
    preferred_language text not null default 'kk' check (preferred_language in ('kk', 'ru', 'en')),
    -- consent to personal-data processing (law No. 94-V): when, which text, how,
    -- and a guardian's name when the participant is a minor
    consent_given_at timestamptz not null,
    consent_text_version text not null check (length(consent_text_version) between 1 and 40),
    consent_method text not null check (consent_method in ('web_form', 'paper', 'email')),
    guardian_name text check (length(guardian_name) <= 200),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (city_id, id),
    unique (city_id, email)
);
select soi_apply_tenancy('participants', 'select, insert, update, delete');

create table coaches (
    city_id uuid not null references cities (id),
    id uuid not null,
    first_name text not null check (length(first_name) between 1 and 100),
    last_name text not null check (length(last_name) between 1 and 100),
    email text not null check (email = lower(email) and length(email) <= 254),
    phone text check (phone ~ '^\+[1-9][0-9]{7,14}$'),
    qualification text not null
        check (qualification in ('master_of_sport', 'candidate_master_of_sport', 'certified_coach')),
    active boolean not null default true,
    created_at timestamptz not null default now(),
    primary key (city_id, id),
    unique (city_id, email)
);
select soi_apply_tenancy('coaches', 'select, insert, update, delete');

create table coach_certificates (
    city_id uuid not null,
    id uuid not null,
    coach_id uuid not null,
    title text not null check (length(title) between 1 and 200),
    issuer text not null check (length(issuer) between 1 and 200),
    issued_on date not null,
    expires_on date,
    primary key (city_id, id),
    foreign key (city_id, coach_id) references coaches (city_id, id) on delete cascade,
    check (expires_on is null or expires_on > issued_on)
);
create index coach_certificates_expiry on coach_certificates (city_id, expires_on);
select soi_apply_tenancy('coach_certificates', 'select, insert, update, delete');

create table rinks (
    city_id uuid not null references cities (id),
    id uuid not null,
    name text not null check (length(name) between 1 and 200),
    address text not null check (length(address) between 1 and 300),
    primary key (city_id, id),
    unique (city_id, name)
);
select soi_apply_tenancy('rinks', 'select, insert, update, delete');

create table seasons (
    city_id uuid not null references cities (id),
    id uuid not null,
    title text not null check (length(title) between 1 and 200),
    social_theme text not null check (length(social_theme) between 1 and 4000),
    starts_on date not null,
    ends_on date not null,
    capacity integer not null check (capacity > 0 and capacity <= 10000),
    phase text not null default 'recruiting' check (phase in ('recruiting', 'training', 'show', 'closed')),
    -- accept applicants automatically while seats are free (else an admin decides)
    auto_accept boolean not null default false,
    created_at timestamptz not null default now(),
    primary key (city_id, id),
    check (ends_on > starts_on)
);
select soi_apply_tenancy('seasons', 'select, insert, update, delete');

-- Applications and enrollments: one row per participant and season, moving
-- applied → accepted | waitlisted | rejected → active → completed | withdrawn.
create table enrollments (
    city_id uuid not null,
    id uuid not null,
    season_id uuid not null,
    participant_id uuid not null,
    status text not null default 'applied'
        check (status in ('applied', 'accepted', 'waitlisted', 'rejected', 'active', 'completed', 'withdrawn')),
    motivation text check (length(motivation) <= 4000),
    applied_at timestamptz not null default now(),
    decided_at timestamptz,
    updated_at timestamptz not null default now(),
    primary key (city_id, id),
    unique (city_id, season_id, participant_id),
    foreign key (city_id, season_id) references seasons (city_id, id),
    foreign key (city_id, participant_id) references participants (city_id, id)
) partition by list (city_id);
create index enrollments_season_status on enrollments (city_id, season_id, status, applied_at);
create index enrollments_participant on enrollments (city_id, participant_id);
select soi_apply_tenancy('enrollments', 'select, insert, update');

create table groups (
    city_id uuid not null,
    id uuid not null,
    season_id uuid not null,
    name text not null check (length(name) between 1 and 200),
    primary key (city_id, id),
    unique (city_id, season_id, name),
    foreign key (city_id, season_id) references seasons (city_id, id)
);
select soi_apply_tenancy('groups', 'select, insert, update, delete');

create table group_members (
    city_id uuid not null,
    group_id uuid not null,
    participant_id uuid not null,
    added_at timestamptz not null default now(),
    primary key (city_id, group_id, participant_id),
    foreign key (city_id, group_id) references groups (city_id, id) on delete cascade,
    foreign key (city_id, participant_id) references participants (city_id, id)
);
create index group_members_participant on group_members (city_id, participant_id);
select soi_apply_tenancy('group_members', 'select, insert, delete');

create table group_coaches (
    city_id uuid not null,
    group_id uuid not null,
    coach_id uuid not null,
    primary key (city_id, group_id, coach_id),
    foreign key (city_id, group_id) references groups (city_id, id) on delete cascade,
    foreign key (city_id, coach_id) references coaches (city_id, id)
);
create index group_coaches_coach on group_coaches (city_id, coach_id);
select soi_apply_tenancy('group_coaches', 'select, insert, delete');

-- Training sessions: a group on a rink for a time. Two scheduled sessions may
-- not overlap on one rink; the exclusion constraint holds under concurrency.
create table training_sessions (
    city_id uuid not null,
    id uuid not null,
    group_id uuid not null,
    rink_id uuid not null,
    starts_at timestamptz not null,
    ends_at timestamptz not null,
    status text not null default 'scheduled' check (status in ('scheduled', 'cancelled')),
    cancel_reason text check (length(cancel_reason) <= 1000),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    primary key (city_id, id),
    foreign key (city_id, group_id) references groups (city_id, id),
    foreign key (city_id, rink_id) references rinks (city_id, id),
    check (ends_at > starts_at and ends_at <= starts_at + interval '12 hours'),
    constraint training_sessions_no_overlap exclude using gist (
        city_id with =, rink_id with =, tstzrange(starts_at, ends_at) with &&
    ) where (status = 'scheduled')
);
create index training_sessions_group on training_sessions (city_id, group_id, starts_at);
select soi_apply_tenancy('training_sessions', 'select, insert, update');

-- Attendance: the largest table, one row per session and participant.
create table attendance (
    city_id uuid not null,
    session_id uuid not null,
    participant_id uuid not null,
    mark text not null check (mark in ('present', 'late', 'excused', 'absent')),
    recorded_by uuid,
    recorded_at timestamptz not null default now(),
    primary key (city_id, session_id, participant_id),
    foreign key (city_id, session_id) references training_sessions (city_id, id),
    foreign key (city_id, participant_id) references participants (city_id, id),
    foreign key (city_id, recorded_by) references coaches (city_id, id)
) partition by list (city_id);
create index attendance_participant on attendance (city_id, participant_id);
select soi_apply_tenancy('attendance', 'select, insert, update');

-- Elements of the national catalogue a participant has passed, and who saw it.
create table skill_assessments (
    city_id uuid not null,
    id uuid not null,
    participant_id uuid not null,
    element_id uuid not null references skill_elements (id),
    coach_id uuid not null,
    passed_on date not null,
    note text check (length(note) <= 1000),
    primary key (city_id, id),
    unique (city_id, participant_id, element_id),
    foreign key (city_id, participant_id) references participants (city_id, id),
    foreign key (city_id, coach_id) references coaches (city_id, id)
) partition by list (city_id);
select soi_apply_tenancy('skill_assessments', 'select, insert, update, delete');
