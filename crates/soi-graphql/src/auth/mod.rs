//! Accounts: signing in and out (`login`, `refreshToken`, `logout`, `me`,
//! `changePassword`), invitations (the only way to an account), a city's
//! staff, and forgotten passwords. Before a city is known, accounts are
//! reached through the database's narrow path; a city's staff in its own
//! tenant transaction.

mod invitations;
mod mutation;
mod nodes;
mod passwords;
mod query;
mod staff;
mod tokens;

pub use invitations::{InvitationMutation, InvitationPublicMutation};
pub use mutation::AuthMutation;
pub use passwords::PasswordMutation;
pub use query::AuthQuery;
pub use staff::{StaffMutation, StaffQuery};
pub use tokens::AuthSettings;
