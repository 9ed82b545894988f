//! Reports read from the rollups: a city's own (in its [`crate::TenantTx`])
//! and every city's (in a [`crate::ReportTx`], as the national role), with
//! the national median each city's report compares against.

mod medians;
pub(crate) mod memo;
pub mod rollups;
