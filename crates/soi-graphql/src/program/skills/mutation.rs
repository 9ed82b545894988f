//! Recording skills: a coach records the elements their own participants pass.

use super::nodes::PassedElement;
use crate::plumbing::{bad_input, in_city, parse_id};
use crate::shared::date::Date;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{AssessmentId, ParticipantId, Role, SkillElementId};
use soi_db::program::{group_coaches, participants, skill_assessments};

#[derive(Default)]
pub struct SkillMutation;

#[Object]
impl SkillMutation {
    /// Records that a participant passed an element; a coach only for the
    /// participants of their groups. Recording it again keeps the first date.
    async fn record_skill_pass(
        &self,
        ctx: &Context<'_>,
        participant_id: ID,
        element_id: ID,
        #[graphql(desc = "When it was passed; not in the future.")] passed_on: Date,
    ) -> Result<Vec<PassedElement>> {
        let participant: ParticipantId = parse_id("participantId", &participant_id)?;
        let element: SkillElementId = parse_id("elementId", &element_id)?;
        let passed_on = passed_on.0;
        if passed_on > chrono::Utc::now().date_naive() {
            return Err(bad_input("passedOn", "cannot be in the future"));
        }
        let rows = in_city(ctx, &[Role::Coach], async |tx, who| {
            let coach = who.coach().ok_or(soi_db::Error::Forbidden)?;
            participants::get(tx, participant).await?;
            if !group_coaches::coach_trains(tx, coach, participant).await? {
                return Err(soi_db::Error::Forbidden);
            }
            skill_assessments::record_pass(
                tx,
                AssessmentId::new(),
                participant,
                element,
                coach,
                passed_on,
            )
            .await?;
            skill_assessments::progression(tx, participant).await
        })
        .await?;
        Ok(rows.into_iter().map(PassedElement::from).collect())
    }
}
