//! A season's events (ice shows and competitions) and their programme:
//! partners, numbers, performers and judges' marks. One file per table; a
//! file does SQL for its own table and imports no sibling (the rules that
//! span tables — an event must be editable, a season's window, publishing —
//! are `soi_service::events`).

pub mod event_partners;
// The `events` table's file in the `events` feature.
#[allow(clippy::module_inception)]
pub mod events;
pub mod judge_marks;
pub mod performances;
pub mod performers;
