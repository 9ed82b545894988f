-- Consent per application (law No. 94-V), and applications from a known
-- address that wait for that address to confirm them.

-- Every application records the consent given with it: when, which text
-- version, how. A repeat applicant consents again to the text they were
-- shown this time; the participant's own columns keep the latest consent.
alter table enrollments
    add column consent_given_at timestamptz,
    add column consent_text_version text check (length(consent_text_version) between 1 and 40),
    add column consent_method text check (consent_method in ('web_form', 'paper', 'email'));

-- Applications made before this migration consented with their participant
-- record; copy that consent city by city (the policies need soi.city_id,
-- and an owner that is not a superuser is bound by them too).
do $$
declare
    c uuid;
begin
    for c in select id from cities loop
        perform set_config('soi.city_id', c::text, true);
        update enrollments e
        set consent_given_at = p.consent_given_at,
            consent_text_version = p.consent_text_version,
            consent_method = p.consent_method
        from participants p
        where e.city_id = c and p.city_id = c and p.id = e.participant_id
          and e.consent_given_at is null;
    end loop;
    perform set_config('soi.city_id', '', true);
end
$$;

alter table enrollments
    alter column consent_given_at set not null,
    alter column consent_text_version set not null,
    alter column consent_method set not null;

-- An application typed with an address the city already knows. Whoever typed
-- it may not own the address, so it changes nothing of that person's record
-- until the address confirms it through the emailed link (a single-use
-- token, stored as its SHA-256 hash). On confirmation the row becomes an
-- application with the same id and is deleted; unconfirmed rows expire.
-- Only the person's id is kept, not the details the form carried: the
-- stored details stay as they are.
create table application_requests (
    city_id uuid not null references cities (id),
    id uuid not null,
    season_id uuid not null,
    participant_id uuid not null,
    token_hash bytea not null check (length(token_hash) = 32),
    motivation text check (length(motivation) <= 4000),
    consent_text_version text not null check (length(consent_text_version) between 1 and 40),
    created_at timestamptz not null default now(),
    expires_at timestamptz not null,
    primary key (city_id, id),
    -- The token is only ever taken with its city (the link names both).
    unique (city_id, token_hash),
    -- One pending request per person and season: applying again replaces it.
    unique (city_id, season_id, participant_id),
    foreign key (city_id, season_id) references seasons (city_id, id),
    foreign key (city_id, participant_id) references participants (city_id, id) on delete cascade,
    check (expires_at > created_at)
);
create index application_requests_expiry on application_requests (city_id, expires_at);
select soi_apply_tenancy('application_requests', 'select, insert, delete');

-- The public application flow, system work and the city's admins (who erase
-- a person's data) touch these rows; coaches and participants never do.
create policy public_flow_only on application_requests as restrictive for all to soi_app
    using ((select soi_role()) in ('public', 'system', 'chapter_admin'));
