//! What the mail worker stands on: the outbox (`outbox`), its wake-ups
//! (`LISTEN`), and who unsubscribed (`email_preferences`).

pub mod email_preferences;
pub mod outbox;
pub mod unsubscribe_links;
pub mod wakeups;
