//! Reading skills: the national catalogue (public) and a participant's
//! progression (staff, and a participant their own).

use super::nodes::{PassedElement, SkillElement};
use crate::plumbing::run::national;
use crate::plumbing::{found, in_city, parse_id};
use crate::shared::roles::CITY_USERS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::ParticipantId;
use soi_db::program::{participants, skill_assessments, skills};

#[derive(Default)]
pub struct SkillQuery;

#[Object]
impl SkillQuery {
    /// Every element of the national catalogue, in teaching order (public).
    async fn skill_catalogue(&self, ctx: &Context<'_>) -> Result<Vec<SkillElement>> {
        let all = national(ctx, async |tx| skills::catalogue(tx).await).await?;
        Ok(all.into_iter().map(SkillElement::from).collect())
    }

    /// The elements a participant has passed, oldest first (participants: their own).
    async fn progression(
        &self,
        ctx: &Context<'_>,
        participant_id: ID,
    ) -> Result<Option<Vec<PassedElement>>> {
        let participant: ParticipantId = parse_id("participantId", &participant_id)?;
        let passed = in_city(ctx, CITY_USERS, async |tx, _| {
            match found(participants::get(tx, participant).await)? {
                Some(_) => Ok(Some(skill_assessments::progression(tx, participant).await?)),
                None => Ok(None),
            }
        })
        .await?;
        Ok(passed.map(|rows| rows.into_iter().map(PassedElement::from).collect()))
    }
}
