-- changePassword is a compare-and-swap. It reads the stored hash, checks the
-- current password off the database, hashes the new one and only then
-- writes: a reset, a disable or a role change that commits in between must
-- not be overwritten. So the read returns the session version with the hash,
-- and the write happens only while the account is still at that version
-- (every change that matters bumps it, see soi_auth_account_changed).

grant create on schema public to soi_auth;
do $$
begin
    if not pg_has_role(current_user, 'soi_auth', 'member') then
        execute format('grant soi_auth to %I', current_user);
    end if;
end
$$;

drop function soi_auth_password_hash(uuid);
drop function soi_auth_set_password(uuid, text);

-- The password hash and session version of an enabled account whose id the
-- caller holds; no row when it is disabled or gone.
create function soi_auth_password_hash(p_id uuid)
returns table (password_hash text, auth_version integer)
language sql stable security definer set search_path = public, pg_temp as $$
    select a.password_hash, a.auth_version from accounts a where a.id = p_id and not a.disabled
$$;

-- Sets the password of an enabled account still at session version
-- p_version; returns the new version, null when the account moved on (or is
-- disabled or gone) and nothing was written.
create function soi_auth_set_password(p_id uuid, p_hash text, p_version integer) returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    v integer;
begin
    if p_hash not like '$argon2id$%' then
        raise exception 'not an argon2id hash' using errcode = '22023';
    end if;
    update accounts set password_hash = p_hash
        where id = p_id and not disabled and auth_version = p_version
        returning auth_version into v;
    return v;
end
$$;

-- As for every narrow-path function: soi_auth owns them, soi_app may call them.
do $$
declare
    f regprocedure;
begin
    for f in
        select p.oid::regprocedure from pg_proc p
        where p.pronamespace = 'public'::regnamespace
          and p.proname in ('soi_auth_password_hash', 'soi_auth_set_password')
    loop
        execute format('alter function %s owner to soi_auth', f);
        execute format('revoke all on function %s from public', f);
        execute format('grant execute on function %s to soi_app', f);
    end loop;
end
$$;
revoke create on schema public from soi_auth;
