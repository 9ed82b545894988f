-- The email outbox: one row per email to send, written in the same transaction
-- as the change that causes it, so a committed change always has its email and
-- a rolled-back one never does. The mail worker claims due rows city by city
-- (FOR UPDATE SKIP LOCKED, so several workers never take the same row), sends
-- them and marks them sent; failures wait with backoff, and a message that
-- cannot be delivered is parked for an admin to look at and resend.
--
-- status: pending (waits until next_attempt_at) → sending (claimed by
-- claimed_by until claimed_until; a worker that dies leaves it due again when
-- the lease runs out) → sent | pending again (retry) | parked.
-- While sending, next_attempt_at equals claimed_until, so "due" is one test:
-- status in (pending, sending) and next_attempt_at <= now().

create table outbox (
    city_id uuid not null,
    id uuid not null,
    kind text not null check (kind ~ '^[a-z][a-z0-9_]{0,62}$'),
    -- the same key twice in a city is one email (on conflict do nothing)
    idempotency_key text not null check (length(idempotency_key) between 1 and 200),
    recipient_email text not null check (length(recipient_email) <= 254 and recipient_email like '%_@_%'),
    language text not null check (language in ('kk', 'ru', 'en')),
    -- what the template needs and no more personal data than that
    payload jsonb not null default '{}' check (jsonb_typeof(payload) = 'object'),
    status text not null default 'pending' check (status in ('pending', 'sending', 'sent', 'parked')),
    attempts integer not null default 0 check (attempts >= 0),
    next_attempt_at timestamptz not null default now(),
    claimed_until timestamptz,
    claimed_by text check (length(claimed_by) <= 100),
    last_error text check (length(last_error) <= 2000),
    smtp_response text check (length(smtp_response) <= 1000),
    message_id text check (length(message_id) <= 300),
    created_at timestamptz not null default now(),
    sent_at timestamptz,
    primary key (city_id, id),
    unique (city_id, idempotency_key),
    check ((status = 'sending') = (claimed_until is not null)),
    check ((status = 'sent') = (sent_at is not null))
) partition by list (city_id);

-- The worker's claim: due rows of one city, oldest due first.
create index outbox_due on outbox (city_id, next_attempt_at) where status in ('pending', 'sending');
-- The admins' list of parked messages.
create index outbox_parked on outbox (city_id, id) where status = 'parked';

select soi_apply_tenancy('outbox', 'select, insert, update');

-- Messages hold participants' addresses: only admins and system work (the
-- worker, public operations) read or change them. Any role may add one,
-- because any role's change may cause an email (a participant's withdrawal
-- promotes someone from the waitlist); adding needs no read (no RETURNING).
create policy admins_read on outbox as restrictive for select
    using ((select soi_role()) not in ('coach', 'participant'));
create policy admins_update on outbox as restrictive for update
    using ((select soi_role()) not in ('coach', 'participant'));

-- Wakes the workers (LISTEN soi_outbox) when a message becomes due now. The
-- payload is the city id only, never personal data. A notification is sent at
-- commit and dropped on rollback, and repeats in one transaction are merged.
create function soi_outbox_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('soi_outbox', new.city_id::text);
    return null;
end
$$;

create trigger outbox_wake after insert or update of status, next_attempt_at on outbox
    for each row when (new.status = 'pending' and new.next_attempt_at <= now())
    execute function soi_outbox_notify();

select soi_ensure_city_partitions(id) from cities;
