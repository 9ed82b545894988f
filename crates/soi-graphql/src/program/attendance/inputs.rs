//! Marks as a coach sends them for a whole session.

use super::nodes::Mark;
use async_graphql::{ID, InputObject};

/// One participant's mark.
#[derive(InputObject)]
pub struct MarkInput {
    /// The participant.
    pub participant_id: ID,
    /// Their attendance.
    pub mark: Mark,
}
