//! The plumbing every table file stands on, and no SQL of any city table:
//! the pool ([`Db`]), the transactions that are the only doors to data
//! ([`TenantTx`], [`NationalTx`], [`ReportTx`]), the owner's connection for
//! migrations and city launch ([`SystemDb`]), configuration, the error type
//! and keyset pages.

mod config;
pub(crate) mod error;
mod page;
mod pool;
mod report_tx;
mod system;
mod tenant;
mod traced;
mod usage;

pub(crate) use config::describe;
pub use config::{DbConfig, PrivilegedLogin};
pub use error::{Error, Result};
pub use page::Page;
pub use pool::Db;
pub(crate) use pool::{connect_error, probe};
pub use report_tx::ReportTx;
pub use system::{Launched, SystemDb, SystemTx, admin};
pub(crate) use tenant::PublicRow;
pub use tenant::{MailTx, Mailbox, NationalRead, NationalTx, TenantTx};
pub use traced::TracedConn;
pub use usage::UsageFigures;
