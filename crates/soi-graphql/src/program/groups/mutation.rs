//! Changing training groups: chapter admins open groups, add members and
//! assign coaches.

use super::nodes::GroupNode;
use crate::plumbing::{Valid, bad_input, in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{CoachId, GroupId, ParticipantId, SeasonId, text};
use soi_db::program::{group_coaches, group_members, groups};

/// Most participants one `addGroupMembers` call takes.
const MAX_NEW_MEMBERS: usize = 100;

#[derive(Default)]
pub struct GroupMutation;

#[Object]
impl GroupMutation {
    /// Opens a group in a season of the city; the name must be new in the season.
    async fn create_group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The season the group trains in.")] season_id: ID,
        #[graphql(desc = "Name, 1–200 characters, unique in the season.")] name: String,
    ) -> Result<GroupNode> {
        let season: SeasonId = parse_id("seasonId", &season_id)?;
        let name = text::bounded("name", &name, text::MAX_LINE).valid()?;
        in_city(ctx, ADMINS, async |tx, _| {
            groups::insert(tx, GroupId::new(), season, &name).await
        })
        .await
        .map(GroupNode)
    }

    /// Adds participants of the city to a group; ones already in it stay.
    async fn add_group_members(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group's id.")] group_id: ID,
        #[graphql(desc = "Participants to add, at most 100.")] participant_ids: Vec<ID>,
    ) -> Result<GroupNode> {
        let group: GroupId = parse_id("groupId", &group_id)?;
        if participant_ids.len() > MAX_NEW_MEMBERS {
            return Err(bad_input(
                "participantIds",
                format!("at most {MAX_NEW_MEMBERS} at once"),
            ));
        }
        let people = participant_ids
            .iter()
            .map(|id| parse_id("participantIds", id))
            .collect::<Result<Vec<ParticipantId>>>()?;
        // A group or participant of another city fails a foreign key: NOT_FOUND.
        in_city(ctx, ADMINS, async |tx, _| {
            group_members::add_members(tx, group, &people).await?;
            groups::get(tx, group).await
        })
        .await
        .map(GroupNode)
    }

    /// Makes a coach of the city a coach of the group.
    async fn assign_coach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group's id.")] group_id: ID,
        #[graphql(desc = "The coach's id.")] coach_id: ID,
    ) -> Result<GroupNode> {
        let group: GroupId = parse_id("groupId", &group_id)?;
        let coach: CoachId = parse_id("coachId", &coach_id)?;
        in_city(ctx, ADMINS, async |tx, _| {
            group_coaches::add_coach(tx, group, coach).await?;
            groups::get(tx, group).await
        })
        .await
        .map(GroupNode)
    }
}
