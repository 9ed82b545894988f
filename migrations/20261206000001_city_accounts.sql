-- Accounts are city data. Until now `accounts` and `refresh_tokens` were
-- national tables soi_app could read whole: a tenant transaction of one city
-- could list every city's emails and password hashes. From here on:
--
-- * soi_app sees a city's accounts only inside that city's tenant scope, and
--   only as a chapter admin, system work or the account itself; never the
--   password hash, and it never inserts one (accounts are made by accepting an
--   invitation, through the narrow path below);
-- * soi_app has no privilege at all on refresh tokens, invitations' tokens or
--   password resets outside the narrow path;
-- * the narrow path is a set of SECURITY DEFINER functions owned by soi_auth,
--   a role nobody logs in as and soi_app is not a member of. Each function
--   looks up ONE account by its email, a token hash or an id the caller
--   already holds; none returns a list.
--
-- A change that must end sessions (disabled, another role, another password)
-- bumps auth_version and revokes the account's refresh tokens in a trigger,
-- so every path that changes an account revokes, not only the ones we wrote.

do $$
begin
    if not exists (select 1 from pg_roles where rolname = 'soi_auth') then
        begin
            create role soi_auth nologin nosuperuser nobypassrls nocreatedb nocreaterole noinherit;
        exception when duplicate_object or unique_violation then
            null; -- created by a concurrent migration of another database
        end;
    end if;
end
$$;
grant usage on schema public to soi_auth;
-- The migrating role must be able to hand functions to soi_auth (a superuser
-- can; a non-superuser owner needs membership).
do $$
begin
    if not pg_has_role(current_user, 'soi_auth', 'member') then
        execute format('grant soi_auth to %I', current_user);
    end if;
end
$$;

alter table accounts
    add column auth_version integer not null default 1 check (auth_version > 0),
    add column last_sign_in_at timestamptz,
    add column updated_at timestamptz not null default now();

-- The acting account, set by a signed-in user's tenant transaction.
create function soi_acting_account() returns uuid language sql stable as
$$ select nullif(current_setting('soi.account_id', true), '')::uuid $$;

-- Accounts: a city's rows in its own scope; national accounts (no city) in
-- no scope at all.
alter table accounts enable row level security;
alter table accounts force row level security;
create policy city_accounts on accounts for all to soi_app
    using (home_city_id = (select nullif(current_setting('soi.city_id', true), '')::uuid))
    with check (home_city_id = (select nullif(current_setting('soi.city_id', true), '')::uuid));
-- Staff lists are for admins; coaches and participants see their own row.
create policy staff_or_self on accounts as restrictive for all to soi_app
    using ((select soi_role()) in ('system', 'chapter_admin') or id = (select soi_acting_account()));
create policy narrow_path on accounts for all to soi_auth using (true) with check (true);
revoke all on accounts from soi_app;
grant select (id, email, role, home_city_id, coach_id, participant_id, disabled, language,
              created_at, last_sign_in_at, auth_version, updated_at) on accounts to soi_app;
grant update (role, coach_id, disabled, language, updated_at) on accounts to soi_app;
grant select, insert, update on accounts to soi_auth;

-- Refresh tokens: the narrow path only.
alter table refresh_tokens enable row level security;
alter table refresh_tokens force row level security;
create policy narrow_path on refresh_tokens for all to soi_auth using (true) with check (true);
revoke all on refresh_tokens from soi_app;
grant select, insert, update on refresh_tokens to soi_auth;
create index refresh_tokens_account on refresh_tokens (account_id) where revoked_at is null;

-- Invitations: a single-use token (stored as its SHA-256 hash) that lets the
-- holder create the account it names. A city's invitations are its data; a
-- national one (no city) is made by the operator's owner connection.
create table invitations (
    id uuid primary key,
    home_city_id uuid references cities (id),
    email text not null check (email = lower(email) and length(email) between 3 and 254),
    role text not null check (role in ('national', 'chapter_admin', 'coach', 'participant')),
    coach_id uuid,
    participant_id uuid,
    language text not null check (language in ('kk', 'ru', 'en')),
    token_hash bytea not null unique check (length(token_hash) = 32),
    invited_by uuid references accounts (id) on delete set null,
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    accepted_at timestamptz,
    revoked_at timestamptz,
    account_id uuid references accounts (id) on delete set null,
    check ((role = 'national') = (home_city_id is null)),
    check ((role = 'coach') = (coach_id is not null)),
    check ((role = 'participant') = (participant_id is not null)),
    check (accepted_at is null or revoked_at is null),
    check (expires_at > created_at)
);
-- One pending invitation per address and city: inviting again replaces it.
create unique index invitations_pending
    on invitations (coalesce(home_city_id, '00000000-0000-0000-0000-000000000000'::uuid), email)
    where accepted_at is null and revoked_at is null;
create index invitations_city on invitations (home_city_id, created_at desc);

alter table invitations enable row level security;
alter table invitations force row level security;
create policy city_invitations on invitations for all to soi_app
    using (home_city_id = (select nullif(current_setting('soi.city_id', true), '')::uuid))
    with check (home_city_id = (select nullif(current_setting('soi.city_id', true), '')::uuid));
create policy admins_only on invitations as restrictive for all to soi_app
    using ((select soi_role()) in ('system', 'chapter_admin'));
create policy narrow_path on invitations for all to soi_auth using (true) with check (true);
-- Never the token's hash: even a hash is for the narrow path only.
grant select (id, home_city_id, email, role, coach_id, participant_id, language, invited_by,
              created_at, expires_at, accepted_at, revoked_at, account_id) on invitations to soi_app;
grant insert on invitations to soi_app;
grant update (revoked_at) on invitations to soi_app;
grant select, insert, update on invitations to soi_auth;

-- Password resets: the narrow path only (a reset is asked for by email,
-- before anyone is signed in).
create table password_resets (
    id uuid primary key,
    account_id uuid not null references accounts (id) on delete cascade,
    token_hash bytea not null unique check (length(token_hash) = 32),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    used_at timestamptz,
    check (expires_at > created_at)
);
create index password_resets_account on password_resets (account_id) where used_at is null;
alter table password_resets enable row level security;
alter table password_resets force row level security;
create policy narrow_path on password_resets for all to soi_auth using (true) with check (true);
grant select, insert, update on password_resets to soi_auth;

-- The audit of national accounts (their sign-ins and invitations) and of
-- sign-in attempts for addresses no account has. Ids and operation names
-- only, never an email.
create table national_audit_log (
    id uuid primary key,
    at timestamptz not null default clock_timestamp(),
    actor_account uuid,
    actor_job text check (length(actor_job) between 1 and 100),
    operation text not null check (length(operation) between 1 and 100),
    target_ids jsonb not null default '{}' check (jsonb_typeof(target_ids) = 'object'),
    request_id text check (length(request_id) <= 100)
);
create index national_audit_log_at on national_audit_log (at desc);
create trigger national_audit_log_append_only before update or delete on national_audit_log
    for each row execute function soi_refuse_change();
grant insert on national_audit_log to soi_app;

-- Sessions end when what they were granted for changes.
create function soi_auth_account_changed() returns trigger
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    if new.disabled is distinct from old.disabled or new.role is distinct from old.role
       or new.password_hash is distinct from old.password_hash
       or new.coach_id is distinct from old.coach_id
       or new.participant_id is distinct from old.participant_id
       or new.home_city_id is distinct from old.home_city_id then
        new.auth_version := old.auth_version + 1;
        new.updated_at := now();
        update refresh_tokens set revoked_at = now()
            where account_id = new.id and revoked_at is null;
    end if;
    return new;
end
$$;
create trigger accounts_end_sessions before update on accounts
    for each row execute function soi_auth_account_changed();

-- ---------------------------------------------------------------------------
-- The narrow path. Every function: SECURITY DEFINER, owned by soi_auth,
-- search_path pinned, one row by key.

-- What sign-in needs about the account with this email (the hash included,
-- verified by the caller off the database), or no row.
create function soi_auth_sign_in_lookup(p_email text)
returns table (id uuid, password_hash text, role text, home_city_id uuid, coach_id uuid,
               participant_id uuid, disabled boolean, auth_version integer, language text)
language sql stable security definer set search_path = public, pg_temp as $$
    select a.id, a.password_hash, a.role, a.home_city_id, a.coach_id, a.participant_id,
           a.disabled, a.auth_version, a.language
    from accounts a where a.email = lower(p_email)
$$;

-- The account a caller already holds the id of (from its own verified token):
-- no password hash.
create function soi_auth_account(p_id uuid)
returns table (id uuid, email text, role text, home_city_id uuid, coach_id uuid,
               participant_id uuid, disabled boolean, auth_version integer, language text)
language sql stable security definer set search_path = public, pg_temp as $$
    select a.id, a.email, a.role, a.home_city_id, a.coach_id, a.participant_id,
           a.disabled, a.auth_version, a.language
    from accounts a where a.id = p_id
$$;

-- The session version of an account: null when it is disabled or gone. The
-- gateway compares it with the version in an access token.
create function soi_auth_session_version(p_id uuid) returns integer
language sql stable security definer set search_path = public, pg_temp as $$
    select a.auth_version from accounts a where a.id = p_id and not a.disabled
$$;

-- The password hash of an account whose id the caller holds (change password).
create function soi_auth_password_hash(p_id uuid) returns text
language sql stable security definer set search_path = public, pg_temp as $$
    select a.password_hash from accounts a where a.id = p_id and not a.disabled
$$;

create function soi_auth_set_password(p_id uuid, p_hash text) returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v integer;
begin
    if p_hash not like '$argon2id$%' then
        raise exception 'not an argon2id hash' using errcode = '22023';
    end if;
    update accounts set password_hash = p_hash where id = p_id and not disabled
        returning auth_version into v;
    return v;
end
$$;

create function soi_auth_signed_in(p_id uuid) returns void
language sql security definer set search_path = public, pg_temp as $$
    update accounts set last_sign_in_at = now() where id = p_id
$$;

create function soi_auth_set_language(p_id uuid, p_language text) returns boolean
language plpgsql security definer set search_path = public, pg_temp as $$
begin
    update accounts set language = p_language where id = p_id;
    return found;
end
$$;

-- Refresh tokens: store, use once (rotating; a reused one revokes its
-- family), revoke a family.
create function soi_auth_store_refresh(p_account uuid, p_family uuid, p_hash bytea, p_expires timestamptz)
returns void
language sql security definer set search_path = public, pg_temp as $$
    insert into refresh_tokens (id, account_id, family, token_hash, expires_at)
    values (gen_random_uuid(), p_account, p_family, p_hash, p_expires)
$$;

-- outcome: 'fresh' (account and family returned), 'invalid' or 'reused'.
create function soi_auth_use_refresh(p_hash bytea)
returns table (outcome text, account_id uuid, family uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
    t record;
begin
    select r.account_id, r.family, r.expires_at <= now() as expired,
           r.used_at is not null as used, r.revoked_at is not null as revoked
        into t from refresh_tokens r where r.token_hash = p_hash for update;
    if not found then
        return query select 'invalid'::text, null::uuid, null::uuid;
        return;
    end if;
    if t.used and not t.revoked then
        update refresh_tokens set revoked_at = now() where refresh_tokens.family = t.family and revoked_at is null;
        return query select 'reused'::text, null::uuid, null::uuid;
        return;
    end if;
    if t.expired or t.revoked or t.used then
        return query select 'invalid'::text, null::uuid, null::uuid;
        return;
    end if;
    update refresh_tokens set used_at = now() where token_hash = p_hash;
    return query select 'fresh'::text, t.account_id, t.family;
end
$$;

create function soi_auth_revoke_refresh(p_hash bytea) returns boolean
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    f uuid;
begin
    select r.family into f from refresh_tokens r where r.token_hash = p_hash;
    if not found then
        return false;
    end if;
    update refresh_tokens set revoked_at = now() where family = f and revoked_at is null;
    return true;
end
$$;

-- The city and address of the invitation with this token, so acceptance
-- can check the password against the address and open the city's tenant
-- transaction (the token's holder is the invitee: the address is theirs).
-- No row for an unknown token.
create function soi_auth_invitation_target(p_hash bytea)
returns table (city_id uuid, email text)
language sql stable security definer set search_path = public, pg_temp as $$
    select i.home_city_id, i.email from invitations i where i.token_hash = p_hash
$$;

-- The address of the account a reset token is for, while the token is
-- usable (the new password is checked against it); null otherwise.
create function soi_auth_reset_email(p_hash bytea) returns text
language sql stable security definer set search_path = public, pg_temp as $$
    select a.email from password_resets r join accounts a on a.id = r.account_id
    where r.token_hash = p_hash and r.used_at is null and r.expires_at > now() and not a.disabled
$$;

-- Accepts an invitation: creates its account with the password hash given,
-- marks the invitation used. outcome: 'ok' (the account's fields follow),
-- 'unknown', 'used', 'revoked', 'expired', 'email_taken', 'wrong_city'.
-- Inside a tenant transaction the invitation must belong to its city.
create function soi_auth_accept_invitation(p_hash bytea, p_password_hash text, p_language text)
returns table (outcome text, id uuid, email text, role text, home_city_id uuid, coach_id uuid,
               participant_id uuid, auth_version integer, invitation_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
    inv invitations;
    scope uuid := nullif(current_setting('soi.city_id', true), '')::uuid;
    acc accounts;
begin
    if p_password_hash not like '$argon2id$%' then
        raise exception 'not an argon2id hash' using errcode = '22023';
    end if;
    select * into inv from invitations i where i.token_hash = p_hash for update;
    if not found then
        return query select 'unknown'::text, null::uuid, null::text, null::text, null::uuid,
            null::uuid, null::uuid, null::integer, null::uuid;
        return;
    end if;
    if inv.home_city_id is distinct from scope then
        return query select 'wrong_city'::text, null::uuid, null::text, null::text, null::uuid,
            null::uuid, null::uuid, null::integer, inv.id;
        return;
    end if;
    if inv.accepted_at is not null or inv.revoked_at is not null or inv.expires_at <= now() then
        return query select (case when inv.accepted_at is not null then 'used'
                                  when inv.revoked_at is not null then 'revoked'
                                  else 'expired' end)::text,
            null::uuid, null::text, null::text, null::uuid, null::uuid, null::uuid, null::integer, inv.id;
        return;
    end if;
    insert into accounts (id, email, password_hash, role, home_city_id, coach_id, participant_id, language)
        values (gen_random_uuid(), inv.email, p_password_hash, inv.role, inv.home_city_id, inv.coach_id,
                inv.participant_id, coalesce(p_language, inv.language))
        on conflict on constraint accounts_email_key do nothing
        returning * into acc;
    if acc.id is null then
        return query select 'email_taken'::text, null::uuid, null::text, null::text, null::uuid,
            null::uuid, null::uuid, null::integer, inv.id;
        return;
    end if;
    update invitations set accepted_at = now(), account_id = acc.id where invitations.id = inv.id;
    return query select 'ok'::text, acc.id, acc.email, acc.role, acc.home_city_id, acc.coach_id,
        acc.participant_id, acc.auth_version, inv.id;
end
$$;

-- Starts a password reset for the enabled account with this email: stores
-- the token's hash and returns what the email needs; no row when there is no
-- such account (the caller answers the same either way). Earlier unused
-- resets of the account stop working.
create function soi_auth_request_reset(p_email text, p_hash bytea, p_expires timestamptz)
returns table (account_id uuid, home_city_id uuid, email text, language text)
language plpgsql security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
    acc accounts;
begin
    select * into acc from accounts a where a.email = lower(p_email) and not a.disabled;
    if not found then
        return;
    end if;
    update password_resets set used_at = now() where password_resets.account_id = acc.id and used_at is null;
    insert into password_resets (id, account_id, token_hash, expires_at)
        values (gen_random_uuid(), acc.id, p_hash, p_expires);
    return query select acc.id, acc.home_city_id, acc.email, acc.language;
end
$$;

-- Uses a reset token once: sets the new password hash (the trigger ends every
-- session). outcome: 'ok' (account and city follow), 'invalid' (unknown,
-- used or expired).
create function soi_auth_reset_password(p_hash bytea, p_password_hash text)
returns table (outcome text, account_id uuid, home_city_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
#variable_conflict use_column
declare
    r password_resets;
    acc accounts;
begin
    if p_password_hash not like '$argon2id$%' then
        raise exception 'not an argon2id hash' using errcode = '22023';
    end if;
    select * into r from password_resets p where p.token_hash = p_hash for update;
    if not found or r.used_at is not null or r.expires_at <= now() then
        return query select 'invalid'::text, null::uuid, null::uuid;
        return;
    end if;
    update password_resets set used_at = now() where id = r.id;
    update accounts set password_hash = p_password_hash where id = r.account_id and not disabled
        returning * into acc;
    if acc.id is null then
        return query select 'invalid'::text, null::uuid, null::uuid;
        return;
    end if;
    return query select 'ok'::text, acc.id, acc.home_city_id;
end
$$;

-- For the operator's owner connection only (seeds, benchmarks, national
-- invitations): not granted to soi_app.
create function soi_auth_create_account(p_email text, p_hash text, p_role text, p_city uuid,
                                        p_coach uuid, p_participant uuid, p_language text)
returns uuid
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v uuid;
begin
    insert into accounts (id, email, password_hash, role, home_city_id, coach_id, participant_id, language)
        values (gen_random_uuid(), lower(p_email), p_hash, p_role, p_city, p_coach, p_participant, p_language)
        on conflict (email) do nothing returning id into v;
    if v is null then
        select a.id into v from accounts a where a.email = lower(p_email);
    end if;
    return v;
end
$$;

create function soi_auth_create_invitation(p_email text, p_role text, p_city uuid, p_coach uuid,
                                           p_participant uuid, p_language text, p_hash bytea,
                                           p_expires timestamptz)
returns uuid
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v uuid := gen_random_uuid();
begin
    update invitations set revoked_at = now()
        where home_city_id is not distinct from p_city and email = lower(p_email)
          and accepted_at is null and revoked_at is null;
    insert into invitations (id, home_city_id, email, role, coach_id, participant_id, language, token_hash, expires_at)
        values (v, p_city, lower(p_email), p_role, p_coach, p_participant, p_language, p_hash, p_expires);
    return v;
end
$$;

do $$
declare
    f text;
begin
    foreach f in array array[
        'soi_auth_account_changed()',
        'soi_auth_sign_in_lookup(text)',
        'soi_auth_account(uuid)',
        'soi_auth_session_version(uuid)',
        'soi_auth_password_hash(uuid)',
        'soi_auth_set_password(uuid, text)',
        'soi_auth_signed_in(uuid)',
        'soi_auth_set_language(uuid, text)',
        'soi_auth_store_refresh(uuid, uuid, bytea, timestamptz)',
        'soi_auth_use_refresh(bytea)',
        'soi_auth_revoke_refresh(bytea)',
        'soi_auth_invitation_target(bytea)',
        'soi_auth_reset_email(bytea)',
        'soi_auth_accept_invitation(bytea, text, text)',
        'soi_auth_request_reset(text, bytea, timestamptz)',
        'soi_auth_reset_password(bytea, text)',
        'soi_auth_create_account(text, text, text, uuid, uuid, uuid, text)',
        'soi_auth_create_invitation(text, text, uuid, uuid, uuid, text, bytea, timestamptz)'
    ] loop
        execute format('alter function %s owner to soi_auth', f);
        execute format('revoke all on function %s from public', f);
    end loop;
    foreach f in array array[
        'soi_auth_sign_in_lookup(text)',
        'soi_auth_account(uuid)',
        'soi_auth_session_version(uuid)',
        'soi_auth_password_hash(uuid)',
        'soi_auth_set_password(uuid, text)',
        'soi_auth_signed_in(uuid)',
        'soi_auth_set_language(uuid, text)',
        'soi_auth_store_refresh(uuid, uuid, bytea, timestamptz)',
        'soi_auth_use_refresh(bytea)',
        'soi_auth_revoke_refresh(bytea)',
        'soi_auth_invitation_target(bytea)',
        'soi_auth_reset_email(bytea)',
        'soi_auth_accept_invitation(bytea, text, text)',
        'soi_auth_request_reset(text, bytea, timestamptz)',
        'soi_auth_reset_password(bytea, text)'
    ] loop
        execute format('grant execute on function %s to soi_app', f);
    end loop;
    -- the owner keeps the operator's functions (a superuser needs no grant)
    execute format('grant execute on function soi_auth_create_account(text, text, text, uuid, uuid, uuid, text) to %I', current_user);
    execute format('grant execute on function soi_auth_create_invitation(text, text, uuid, uuid, uuid, text, bytea, timestamptz) to %I', current_user);
end
$$;
