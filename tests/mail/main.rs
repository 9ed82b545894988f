//! Mail end to end: what the program enqueues in its transactions, the
//! worker sending through the SMTP sink (`deploy/dev test` starts a shared
//! one; every test writes to addresses of its own), and how sending faults
//! are retried. One module per feature that sends mail.

mod applications;
mod fairness;
mod faults;
mod privacy;
mod sessions;
mod tickets;
