//! An event's programme, for admins: numbers, their running order and
//! performers, and judges' marks. A done event no longer changes
//! (`CONFLICT`).

use super::inputs::{PerformanceInput, score_hundredths};
use super::nodes::{JudgeMarkNode, PerformanceNode, performance_nodes, with_details};
use crate::plumbing::{Valid, bad_input, in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{EventId, ParticipantId, PerformanceId, text};
use soi_db::TenantTx;
use soi_db::events::performances::{self, Performance};

/// Most ids one list argument may hold.
const MAX_IDS: usize = 1000;

fn ids<T: From<uuid::Uuid>>(field: &str, list: &[ID]) -> Result<Vec<T>> {
    if list.len() > MAX_IDS {
        return Err(bad_input(field, format!("may hold at most {MAX_IDS} ids")));
    }
    list.iter().map(|i| parse_id(field, i)).collect()
}

/// One number with its performers and result.
async fn node(tx: &mut TenantTx, p: Performance) -> soi_db::Result<PerformanceNode> {
    let event = p.event_id;
    let mut nodes = with_details(tx, event, vec![p]).await?;
    nodes.pop().ok_or(soi_db::Error::NotFound("performance"))
}

#[derive(Default)]
pub struct PerformanceMutation;

#[Object]
impl PerformanceMutation {
    /// Adds a number at the end of the event's running order.
    async fn add_performance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] event_id: ID,
        #[graphql(desc = "The number.")] input: PerformanceInput,
    ) -> Result<PerformanceNode> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            let p = soi_service::events::add_number(tx, PerformanceId::new(), event, &new).await?;
            node(tx, p).await
        })
        .await
    }

    /// Changes a number's title, social issue and music.
    async fn update_performance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The number's id.")] id: ID,
        #[graphql(desc = "The number's new details.")] input: PerformanceInput,
    ) -> Result<PerformanceNode> {
        let id: PerformanceId = parse_id("id", &id)?;
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            let p = soi_service::events::update_number(tx, id, &new).await?;
            node(tx, p).await
        })
        .await
    }

    /// Removes a number (with its performers and marks); the later numbers
    /// move up. Returns the removed number's id.
    async fn remove_performance(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The number's id.")] id: ID,
    ) -> Result<ID> {
        let id: PerformanceId = parse_id("id", &id)?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::events::delete_number(tx, id).await
        })
        .await
        .map(|p| ID(p.id.to_string()))
    }

    /// Puts the event's numbers in a new running order. The list must hold
    /// each of the event's numbers exactly once (`BAD_USER_INPUT`).
    async fn reorder_performances(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The event's id.")] event_id: ID,
        #[graphql(desc = "All of the event's numbers, in the new order.")] performance_ids: Vec<ID>,
    ) -> Result<Vec<PerformanceNode>> {
        let event: EventId = parse_id("eventId", &event_id)?;
        let order: Vec<PerformanceId> = ids("performanceIds", &performance_ids)?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::events::reorder_numbers(tx, event, &order).await?;
            performance_nodes(tx, event).await
        })
        .await
    }

    /// Replaces who skates in a number: participants of the city (an
    /// unknown one is `NOT_FOUND` and nothing changes).
    async fn set_performers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The number's id.")] performance_id: ID,
        #[graphql(desc = "The participants, in any order; repeats are ignored.")]
        participant_ids: Vec<ID>,
    ) -> Result<PerformanceNode> {
        let id: PerformanceId = parse_id("performanceId", &performance_id)?;
        let people: Vec<ParticipantId> = ids("participantIds", &participant_ids)?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::events::set_performers(tx, id, &people).await?;
            let p = performances::get(tx, id).await?;
            node(tx, p).await
        })
        .await
    }

    /// Records a judge's score of a competition's number, or replaces the
    /// judge's earlier score. Only while the competition is published; an
    /// ice show is not judged (`CONFLICT`).
    async fn record_judge_mark(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The number's id.")] performance_id: ID,
        #[graphql(desc = "The judge's name, 1–200 characters.")] judge: String,
        #[graphql(desc = "Score 0.00–10.00, at most two decimals.")] score: f64,
    ) -> Result<JudgeMarkNode> {
        let id: PerformanceId = parse_id("performanceId", &performance_id)?;
        let judge = text::bounded("judge", &judge, text::MAX_LINE).valid()?;
        let hundredths = score_hundredths(score)?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::events::mark(tx, id, &judge, hundredths).await
        })
        .await
        .map(JudgeMarkNode)
    }
}
