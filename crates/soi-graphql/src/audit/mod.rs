//! The audit trail of mutations as chapter admins read it. Every root
//! mutation field records itself (see `plumbing::audit_trail`): the
//! operation, the actor and the ids its arguments named, never other
//! argument values.

mod nodes;
mod query;

pub use query::AuditQuery;
