-- Withdrawal of consent, erasure and retention (Law No. 94-V).
--
-- * A participant may withdraw consent (themselves, or an admin on their
--   behalf): from then on they get no email but what the law requires, lists
--   and searches leave them out, and their erasure is due after a grace
--   period (erasure_due_at).
-- * Erasure replaces a person's personal fields in place, in one
--   transaction: rows are kept (with their ids, statuses, dates and amounts)
--   so every rollup, report, ledger balance and transparency figure stays
--   exactly as it was. No report or rollup reads a personal field (names,
--   email, phone, university, birth date, guardian): the rollups count
--   enrollments by status and month applied, marks, skills, tickets and
--   money, so nothing derived has to be kept beside them.
-- * The audit logs hold ids and operation names only (see
--   20261125000009_audit_log.sql and the resolvers' audit trail), so erasure
--   leaves them untouched and they stay append-only with no exception.
--
-- Columns are added, never changed, so other work on these tables merges.

alter table participants
    add column consent_withdrawn_at timestamptz,
    add column erasure_due_at timestamptz,
    add column erased_at timestamptz,
    add constraint participants_erasure_due_after_withdrawal
        check (erasure_due_at is null or consent_withdrawn_at is not null);

-- The scheduled run looks for due erasures city by city.
create index participants_erasure_due on participants (city_id, erasure_due_at)
    where erasure_due_at is not null and erased_at is null;

-- Erasure deletes the person's unsent emails. Until now only system work
-- could delete, and only sent rows (retention); chapter admins may now also
-- delete unsent ones (they could already rewrite them: admins_update).
drop policy system_purges_sent on outbox;
create policy purges on outbox as restrictive for delete
    using (((select soi_role()) = 'system' and status = 'sent')
           or ((select soi_role()) in ('system', 'chapter_admin') and status <> 'sent'));

-- Erasure deletes the person's unsubscribe choices (the rows hold nothing
-- but the address): system work and chapter admins only.
grant delete on email_preferences to soi_app;
create policy erasure_deletes on email_preferences as restrictive for delete
    using ((select soi_role()) in ('system', 'chapter_admin'));

-- A participant's account and invitations are reached by soi_app only
-- through narrow functions (it may not change an address). This one erases
-- the account of one participant of the scope's city: a placeholder address,
-- a password hash nothing verifies, disabled (the account trigger ends its
-- sessions); their invitations get the placeholder too and a pending one is
-- revoked. Only a chapter admin's or system work's scope may call it.
-- Returns how many accounts it erased (0 or 1).
grant create on schema public to soi_auth;

create function soi_auth_erase_participant(p_participant uuid) returns integer
language plpgsql security definer set search_path = public, pg_temp as $$
declare
    city uuid := nullif(current_setting('soi.city_id', true), '')::uuid;
    acting text := coalesce(nullif(current_setting('soi.role', true), ''), 'system');
    n integer;
begin
    if city is null or acting not in ('system', 'chapter_admin') then
        raise exception 'only a city''s admins or system work erase an account' using errcode = '42501';
    end if;
    update accounts
        set email = 'erased+' || id || '@erased.invalid', password_hash = '$argon2id$erased', disabled = true
        where home_city_id = city and participant_id = p_participant and role = 'participant'
          and email not like 'erased+%@erased.invalid';
    get diagnostics n = row_count;
    update invitations
        set email = 'erased+' || id || '@erased.invalid',
            revoked_at = case when accepted_at is null then coalesce(revoked_at, now()) else revoked_at end
        where home_city_id = city and participant_id = p_participant
          and email not like 'erased+%@erased.invalid';
    return n;
end
$$;
alter function soi_auth_erase_participant(uuid) owner to soi_auth;
revoke all on function soi_auth_erase_participant(uuid) from public;
grant execute on function soi_auth_erase_participant(uuid) to soi_app;

revoke create on schema public from soi_auth;
