//! Accounts and what signs them in: city data behind row-level security,
//! reached before a city is known only through the narrow path of
//! `soi_auth_*` functions (one account by email, token or held id; never a
//! list). See migrations/20261206000001_city_accounts.sql.

pub mod accounts;
pub mod invitations;
pub mod national_audit;
pub mod password_resets;
pub mod refresh_tokens;
pub mod sessions;
