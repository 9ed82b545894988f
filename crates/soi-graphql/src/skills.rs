//! The national skill catalogue (public) and each participant's progression:
//! coaches record the elements their own participants pass.

use crate::support::{found, in_city, parse_id};
use crate::{RequestCtx, db_error};
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::NaiveDate;
use soi_core::{AssessmentId, ParticipantId, Role, SkillElementId};
use soi_db::{Db, groups, participants, skills};

/// An element of the learn-to-skate catalogue.
#[derive(SimpleObject)]
pub struct SkillElement {
    /// The element's id.
    pub id: ID,
    /// Stable code, e.g. `b2-swizzle`.
    pub code: String,
    /// Code of its level, e.g. `basic-2`.
    pub level: String,
    /// Teaching order of the level.
    pub level_position: i32,
    /// Order within the level.
    pub position: i32,
    /// Name in Kazakh.
    pub name_kk: String,
    /// Name in Russian.
    pub name_ru: String,
    /// Name in English.
    pub name_en: String,
}

/// An element a participant has passed.
#[derive(SimpleObject)]
pub struct PassedElement {
    /// The element's id.
    pub element_id: ID,
    /// The coach who saw it.
    pub coach_id: ID,
    /// When.
    pub passed_on: NaiveDate,
}

#[derive(Default)]
pub struct SkillQuery;

#[Object]
impl SkillQuery {
    /// Every element of the national catalogue, in teaching order (public).
    async fn skill_catalogue(&self, ctx: &Context<'_>) -> Result<Vec<SkillElement>> {
        let (db, req) = (ctx.data::<Db>()?, ctx.data::<RequestCtx>()?);
        let run = async {
            let mut tx = db.national().await?;
            let all = skills::catalogue(&mut tx).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(all)
        };
        let all = run.await.map_err(|e| db_error(e, req.request_id()))?;
        Ok(all
            .into_iter()
            .map(|e| SkillElement {
                id: ID(e.id.to_string()),
                code: e.code,
                level: e.level_code,
                level_position: e.level_position,
                position: e.position,
                name_kk: e.name_kk,
                name_ru: e.name_ru,
                name_en: e.name_en,
            })
            .collect())
    }

    /// The elements a participant has passed, oldest first (participants: their own).
    async fn progression(
        &self,
        ctx: &Context<'_>,
        participant_id: ID,
    ) -> Result<Option<Vec<PassedElement>>> {
        let participant: ParticipantId = parse_id("participantId", &participant_id)?;
        let roles = &[Role::ChapterAdmin, Role::Coach, Role::Participant];
        let passed = in_city!(ctx, roles, |tx, _| match found(
            participants::get(&mut tx, participant).await
        )? {
            Some(_) => Some(skills::progression(&mut tx, participant).await?),
            None => None,
        })?;
        Ok(passed.map(|rows| rows.into_iter().map(passed_element).collect()))
    }
}

fn passed_element(p: skills::Passed) -> PassedElement {
    PassedElement {
        element_id: ID(p.element_id.to_string()),
        coach_id: ID(p.coach_id.to_string()),
        passed_on: p.passed_on,
    }
}

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
        #[graphql(desc = "When it was passed; not in the future.")] passed_on: NaiveDate,
    ) -> Result<Vec<PassedElement>> {
        let participant: ParticipantId = parse_id("participantId", &participant_id)?;
        let element: SkillElementId = parse_id("elementId", &element_id)?;
        if passed_on > chrono::Utc::now().date_naive() {
            return Err(crate::support::bad_input(
                "passedOn",
                "cannot be in the future",
            ));
        }
        let rows = in_city!(ctx, &[Role::Coach], |tx, who| {
            let coach = who.coach().ok_or(soi_db::Error::Forbidden)?;
            participants::get(&mut tx, participant).await?;
            if !groups::coach_trains(&mut tx, coach, participant).await? {
                return Err(soi_db::Error::Forbidden);
            }
            skills::record_pass(
                &mut tx,
                AssessmentId::new(),
                participant,
                element,
                coach,
                passed_on,
            )
            .await?;
            skills::progression(&mut tx, participant).await?
        })?;
        Ok(rows.into_iter().map(passed_element).collect())
    }
}
