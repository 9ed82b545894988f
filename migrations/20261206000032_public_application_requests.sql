-- What the public application flow needs of application_requests and of the
-- participant whose application is confirmed (see public_scope_policies and
-- application_consent). Two more transaction-local names, set by the db
-- layer in a public scope only:
--   soi.public_token        the hash (hex) of the confirmation token held;
--   soi.public_participant  the participant the taken request was for.

-- A request public work may see or remove: the one its token names, or one
-- of the applicant named by address (applying again replaces it).
create function soi_public_request(city uuid, participant uuid, hash bytea) returns boolean
language sql stable set search_path = public, pg_temp as
$$ select hash = decode(nullif(current_setting('soi.public_token', true), ''), 'hex')
       or exists (select 1 from participants p
                  where p.city_id = city and p.id = participant
                    and p.email = nullif(current_setting('soi.public_email', true), '')) $$;
revoke all on function soi_public_request(uuid, uuid, bytea) from public;
grant execute on function soi_public_request(uuid, uuid, bytea) to soi_app;

-- applyToSeason with a known address: its pending request is replaced (and
-- the city's expired ones dropped); confirmApplication: the token's request
-- is taken.
select soi_public_may('application_requests', 'select',
    'expires_at <= now() or soi_public_request(city_id, participant_id, token_hash)');
select soi_public_may('application_requests', 'delete',
    'expires_at <= now() or soi_public_request(city_id, participant_id, token_hash)');
select soi_public_may('application_requests', 'insert',
    'soi_public_request(city_id, participant_id, null)');

-- confirmApplication: the participant the token's request is for is read
-- (their "received" email) and records the consent just given; nobody else.
select soi_public_may('participants', 'select',
    'email = (select nullif(current_setting(''soi.public_email'', true), '''')) '
    'or id = (select nullif(current_setting(''soi.public_participant'', true), '''')::uuid)');
select soi_public_may('participants', 'update',
    'id = (select nullif(current_setting(''soi.public_participant'', true), '''')::uuid)');
