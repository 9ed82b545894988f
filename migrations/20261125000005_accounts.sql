-- Sign-in accounts and refresh tokens. National tables: signing in comes
-- before a city is known (login takes an email and a password only). They
-- hold an email and a password hash per account; soi_app reads and writes them
-- for authentication only, and nothing national reports on them. The account
-- names its city (home_city_id) and, for coaches and participants, the city
-- row it acts as; those rows stay behind the city policy.

create table accounts (
    id uuid primary key,
    email text not null unique check (email = lower(email) and length(email) between 3 and 254),
    password_hash text not null check (password_hash like '$argon2id$%'),
    role text not null check (role in ('national', 'chapter_admin', 'coach', 'participant')),
    home_city_id uuid references cities (id),
    coach_id uuid,
    participant_id uuid,
    disabled boolean not null default false,
    created_at timestamptz not null default now(),
    check ((role = 'national') = (home_city_id is null)),
    check ((role = 'coach') = (coach_id is not null)),
    check ((role = 'participant') = (participant_id is not null))
);

-- Refresh tokens are stored hashed (SHA-256); a token is used once and
-- replaced, and reusing a replaced one revokes its whole family.
create table refresh_tokens (
    id uuid primary key,
    account_id uuid not null references accounts (id) on delete cascade,
    family uuid not null,
    token_hash bytea not null unique,
    expires_at timestamptz not null,
    used_at timestamptz,
    revoked_at timestamptz,
    created_at timestamptz not null default now()
);
create index refresh_tokens_family on refresh_tokens (family);

grant select, insert, update on accounts, refresh_tokens to soi_app;
