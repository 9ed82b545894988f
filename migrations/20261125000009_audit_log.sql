-- Who did which mutation, when, on what: one row per mutation, written in
-- the mutation's own transaction (so a change and its record commit or roll
-- back together). Append-only; read by the city's admins. Rows hold ids and
-- operation names, never personal data.

create table audit_log (
    city_id uuid not null,
    id uuid not null,
    at timestamptz not null default clock_timestamp(),
    actor_kind text not null check (actor_kind in ('user', 'system', 'public')),
    actor_account uuid,
    actor_role text check (actor_role in ('chapter_admin', 'coach', 'participant')),
    actor_job text check (length(actor_job) between 1 and 100),
    operation text not null check (length(operation) between 1 and 100),
    target_ids jsonb not null default '{}' check (jsonb_typeof(target_ids) = 'object'),
    request_id text check (length(request_id) <= 100),
    primary key (city_id, id)
) partition by list (city_id);
create index audit_log_at on audit_log (city_id, at desc);
select soi_apply_tenancy('audit_log', 'select, insert');

create trigger audit_log_append_only before update or delete on audit_log
    for each row execute function soi_refuse_change();

-- Everyone's mutations are recorded; only admins (and system work) read them.
create policy admins_read on audit_log as restrictive for select
    using ((select soi_role()) not in ('coach', 'participant'));

select soi_ensure_city_partitions(id) from cities;
