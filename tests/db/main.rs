//! The database on its own: the tenancy catalog, isolation between cities
//! and roles inside one (enforced by PostgreSQL, whatever the code above
//! asks), the plans of every db-layer statement, launching cities, the
//! national scope and the seeds. Each test gets a fresh database.

mod accounts;
mod append_only;
mod catalog;
mod isolation;
mod launch;
mod national_scope;
mod plans;
mod plans_io;
mod retention;
mod roles;
mod seeds;
