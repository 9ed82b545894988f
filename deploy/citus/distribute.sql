-- Distributes the SOI schema by city with Citus. Generated from the live catalog by the
-- test `db::citus::distribute_sql_covers_every_table` (tests/support/catalog_citus.rs
-- holds the reference and local lists with their reasons); regenerate with
--   SOI_WRITE_DISTRIBUTE_SQL=1 deploy/dev test -- -E 'test(distribute_sql)'
-- Run once, as the owner, on the Citus coordinator of a database `soi migrate` made, with the
-- workers added (citus_add_node) and before the platform is started. Read docs/scale-out.md
-- first: the per-city partitions, the rollup triggers and the tenant setting need the changes
-- it lists. Not run on this machine (no Citus here); the test checks only its coverage.
\set ON_ERROR_STOP on
begin;
-- One shard group per city is not the aim: 32 shards spread the cities, and a big city is
-- moved to its own shard with isolate_tenant_to_new_shard (see docs/scale-out.md).
set local citus.shard_count = 32;
-- Foreign keys to reference tables made in this same transaction need one connection per node.
set local citus.multi_shard_modify_mode = 'sequential';

-- Reference tables: a copy on every node (why each is one).
select create_reference_table('cities');  -- the city directory; every city table points at it
select create_reference_table('database_identity');  -- one row every gateway reads for its Redis prefix
select create_reference_table('skill_levels');  -- the national skill catalogue, joined to city rows
select create_reference_table('accounts');  -- keyed by home_city_id, null for national accounts (a distribution column cannot be null); found by email before a city is known
select create_reference_table('skill_elements');  -- the national skill catalogue; skill_assessments point at it
select create_reference_table('invitations');  -- keyed by home_city_id, null for national invitations; found by token before a city is known

-- Local tables: kept on the coordinator (why each is one).
-- _sqlx_migrations stays a plain table: the migration runner's bookkeeping, read by `soi migrate` alone
select citus_add_local_table_to_metadata('national_audit_log');  -- the national audit log; no city row points at it
select citus_add_local_table_to_metadata('national_outbox');  -- national mail, claimed by the worker with no city set
select citus_add_local_table_to_metadata('password_resets');  -- written per reset, read only by the sign-in functions
select citus_add_local_table_to_metadata('refresh_tokens');  -- written per sign-in and refresh, read only by the sign-in functions

-- City tables: sharded by city_id, all in one colocation group, so a city's rows
-- of every table sit on the same node and its joins and foreign keys stay local.
select create_distributed_table('participants', 'city_id', colocate_with => 'none');
select create_distributed_table('audit_log', 'city_id', colocate_with => 'participants');
select create_distributed_table('coaches', 'city_id', colocate_with => 'participants');
select create_distributed_table('email_preferences', 'city_id', colocate_with => 'participants');
select create_distributed_table('expenses', 'city_id', colocate_with => 'participants');
select create_distributed_table('outbox', 'city_id', colocate_with => 'participants');
select create_distributed_table('rinks', 'city_id', colocate_with => 'participants');
select create_distributed_table('rollup_coach_months', 'city_id', colocate_with => 'participants');
select create_distributed_table('rollup_seasons', 'city_id', colocate_with => 'participants');
select create_distributed_table('rollup_versions', 'city_id', colocate_with => 'participants');
select create_distributed_table('rollups', 'city_id', colocate_with => 'participants');
select create_distributed_table('seasons', 'city_id', colocate_with => 'participants');
select create_distributed_table('social_causes', 'city_id', colocate_with => 'participants');
select create_distributed_table('sponsors', 'city_id', colocate_with => 'participants');
select create_distributed_table('unsubscribe_links', 'city_id', colocate_with => 'participants');
select create_distributed_table('application_requests', 'city_id', colocate_with => 'participants');
select create_distributed_table('coach_certificates', 'city_id', colocate_with => 'participants');
select create_distributed_table('contributions', 'city_id', colocate_with => 'participants');
select create_distributed_table('disbursements', 'city_id', colocate_with => 'participants');
select create_distributed_table('enrollments', 'city_id', colocate_with => 'participants');
select create_distributed_table('events', 'city_id', colocate_with => 'participants');
select create_distributed_table('groups', 'city_id', colocate_with => 'participants');
select create_distributed_table('skill_assessments', 'city_id', colocate_with => 'participants');
select create_distributed_table('event_partners', 'city_id', colocate_with => 'participants');
select create_distributed_table('group_coaches', 'city_id', colocate_with => 'participants');
select create_distributed_table('group_members', 'city_id', colocate_with => 'participants');
select create_distributed_table('performances', 'city_id', colocate_with => 'participants');
select create_distributed_table('ticket_orders', 'city_id', colocate_with => 'participants');
select create_distributed_table('ticket_types', 'city_id', colocate_with => 'participants');
select create_distributed_table('training_sessions', 'city_id', colocate_with => 'participants');
select create_distributed_table('attendance', 'city_id', colocate_with => 'participants');
select create_distributed_table('judge_marks', 'city_id', colocate_with => 'participants');
select create_distributed_table('ledger_entries', 'city_id', colocate_with => 'participants');
select create_distributed_table('payments', 'city_id', colocate_with => 'participants');
select create_distributed_table('performers', 'city_id', colocate_with => 'participants');
select create_distributed_table('ticket_order_lines', 'city_id', colocate_with => 'participants');
select create_distributed_table('ticket_seat_buckets', 'city_id', colocate_with => 'participants');
select create_distributed_table('tickets', 'city_id', colocate_with => 'participants');

commit;
