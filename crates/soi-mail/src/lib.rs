//! Email for the SOI platform: what the program emails ([`kinds`]: payloads,
//! idempotency keys, enqueueing inside the change's tenant transaction), the
//! templates in Kazakh, Russian and English ([`templates`]), and the outbox
//! [`worker`] that sends over SMTP ([`mailer`]). The outbox table and its
//! queries live in `soi_db::mail::outbox`; nothing here writes SQL.

pub mod format;
pub mod kinds;
pub mod mailer;
pub mod qr;
pub mod scheduler;
pub mod sessions;
mod smtp_pool;
pub mod templates;
pub mod unsubscribe;
pub mod worker;

pub use mailer::Mailer;
pub use templates::{CityView, Rendered, Templates};
pub use worker::{Stats, Worker, WorkerConfig};
