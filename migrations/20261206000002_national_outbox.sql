-- The mail of national accounts: the alliance's invitations and password
-- resets. The outbox is city data (a partition per city, visible only in the
-- city's scope), and a national account belongs to no city; its messages
-- wait here instead, with the same columns, checks and life cycle. Rows hold
-- addresses of the alliance's staff, so no city's scope sees them: only work
-- with no city set (a national transaction of soi_app, the mail worker's
-- national pass, the operator's connection).

create table national_outbox (like outbox including defaults including constraints);
alter table national_outbox drop column city_id;
alter table national_outbox add primary key (id);
alter table national_outbox add unique (idempotency_key);
create index national_outbox_due on national_outbox (next_attempt_at) where status in ('pending', 'sending');

alter table national_outbox enable row level security;
alter table national_outbox force row level security;
-- For every role (the operator's connection included): never inside a city.
create policy no_city on national_outbox for all
    using (nullif(current_setting('soi.city_id', true), '') is null)
    with check (nullif(current_setting('soi.city_id', true), '') is null);
grant select, insert, update, delete on national_outbox to soi_app;

-- Wakes the workers like a city's message does; the payload names no city.
create function soi_national_outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('soi_outbox', 'national');
    return null;
end
$$;
create trigger national_outbox_wake after insert or update of status, next_attempt_at on national_outbox
    for each row when (new.status = 'pending' and new.next_attempt_at <= now())
    execute function soi_national_outbox_notify();

-- National invitations are the operator's (owner connection only). Replaces
-- the general writer: refuses an address that has an account already, so
-- the operator hears it at once instead of the invitee at acceptance.
grant create on schema public to soi_auth;
drop function soi_auth_create_invitation(text, text, uuid, uuid, uuid, text, bytea, timestamptz);
create function soi_auth_invite_national(p_email text, p_language text, p_hash bytea,
                                         p_expires timestamptz)
returns table (outcome text, invitation_id uuid)
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v uuid := gen_random_uuid();
begin
    if exists (select 1 from accounts a where a.email = lower(p_email)) then
        return query select 'email_taken'::text, null::uuid;
        return;
    end if;
    update invitations set revoked_at = now()
        where home_city_id is null and email = lower(p_email)
          and accepted_at is null and revoked_at is null;
    insert into invitations (id, home_city_id, email, role, language, token_hash, expires_at)
        values (v, null, lower(p_email), 'national', p_language, p_hash, p_expires);
    return query select 'ok'::text, v;
end
$$;
alter function soi_auth_invite_national(text, text, bytea, timestamptz) owner to soi_auth;
revoke all on function soi_auth_invite_national(text, text, bytea, timestamptz) from public;
do $$
begin
    execute format('grant execute on function soi_auth_invite_national(text, text, bytea, timestamptz) to %I',
                   current_user);
end
$$;
revoke create on schema public from soi_auth;
