//! The database on its own: the tenancy catalog, isolation between cities
//! and roles inside one (enforced by PostgreSQL, whatever the code above
//! asks), the plans of every db-layer statement, launching cities, the
//! national scope and the seeds. Each test gets a fresh database.

mod accounts;
mod append_only;
mod cancelled_begin;
mod catalog;
mod citus;
mod isolation;
mod launch;
mod national_scope;
mod plans;
mod plans_io;
mod public_scope;
mod reservations;
mod retention;
mod roles;
mod runtime_login;
mod seeds;
mod statistics;
