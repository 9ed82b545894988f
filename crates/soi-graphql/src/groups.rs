//! Training groups of a season for chapter admins (and, read-only, coaches):
//! list, read, create, add members, assign coaches. Members of a page of
//! groups come from one DataLoader batch, not one statement per group.

use crate::applications::ParticipantNode;
use crate::loaders::CityLoader;
use crate::seasons::{ADMINS, READERS, SeasonNode, clone_error};
use crate::support::{Valid, bad_input, found, in_city, parse_id};
use crate::{RequestCtx, db_error};
use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{CoachId, GroupId, ParticipantId, Role, SeasonId, text};
use soi_db::groups::{self, Group};

/// Most participants one `addGroupMembers` call takes.
const MAX_NEW_MEMBERS: usize = 100;

pub struct GroupNode(pub Group);

/// A training group of a season: its participants train together.
#[Object(name = "Group")]
impl GroupNode {
    /// The group's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name, unique in the season.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The season the group trains in.
    async fn season(&self, ctx: &Context<'_>) -> Result<SeasonNode> {
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let season = loader
            .load_one(crate::loaders::SeasonOf(self.0.season_id))
            .await
            .map_err(|e| db_error(clone_error(&e), req.request_id()))?;
        season
            .map(SeasonNode)
            .ok_or_else(|| db_error(soi_db::Error::NotFound("season"), req.request_id()))
    }
    /// Share of marked attendance that was present or late, over the group's
    /// held sessions; 0 when nothing was marked.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let rate = loader
            .load_one(crate::loaders::GroupRateOf(self.0.id))
            .await
            .map_err(|e| db_error(clone_error(&e), req.request_id()))?;
        Ok(match rate {
            Some((attended, marked)) if marked > 0 => attended as f64 / marked as f64,
            _ => 0.0,
        })
    }
    /// The group's participants, in id order.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<ParticipantNode>> {
        let (loader, req) = (
            ctx.data::<DataLoader<CityLoader>>()?,
            ctx.data::<RequestCtx>()?,
        );
        let fail = |e: std::sync::Arc<soi_db::Error>| db_error(clone_error(&e), req.request_id());
        let ids: Vec<ParticipantId> = loader
            .load_one(self.0.id)
            .await
            .map_err(fail)?
            .unwrap_or_default();
        let mut people = loader.load_many(ids.iter().copied()).await.map_err(fail)?;
        Ok(ids
            .iter()
            .filter_map(|id| people.remove(id))
            .map(ParticipantNode)
            .collect())
    }
}

#[derive(Default)]
pub struct GroupQuery;

#[Object]
impl GroupQuery {
    /// A season's groups by name; empty for a season of another city.
    async fn groups(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The season's id.")] season_id: ID,
    ) -> Result<Vec<GroupNode>> {
        let season: SeasonId = parse_id("seasonId", &season_id)?;
        let rows = in_city!(ctx, READERS, |tx, _| groups::list_by_season(
            &mut tx, season
        )
        .await?)?;
        Ok(rows.into_iter().map(GroupNode).collect())
    }

    /// One group of the city; null when there is none with this id here.
    async fn group(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The group's id.")] id: ID,
    ) -> Result<Option<GroupNode>> {
        let id: GroupId = parse_id("id", &id)?;
        in_city!(ctx, READERS, |tx, _| found(groups::get(&mut tx, id).await)?)
            .map(|g| g.map(GroupNode))
    }

    /// The groups the signed-in coach trains, by name.
    async fn my_groups(&self, ctx: &Context<'_>) -> Result<Vec<GroupNode>> {
        let rows = in_city!(ctx, &[Role::Coach], |tx, who| match who.coach() {
            Some(coach) => groups::of_coach(&mut tx, coach).await?,
            // A coach's token always names their coach row.
            None => return Err(soi_db::Error::Forbidden),
        })?;
        Ok(rows.into_iter().map(GroupNode).collect())
    }
}

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
        in_city!(ctx, ADMINS, |tx, _| groups::insert(
            &mut tx,
            GroupId::new(),
            season,
            &name
        )
        .await?)
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
        in_city!(ctx, ADMINS, |tx, _| {
            groups::add_members(&mut tx, group, &people).await?;
            groups::get(&mut tx, group).await?
        })
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
        in_city!(ctx, ADMINS, |tx, _| {
            groups::add_coach(&mut tx, group, coach).await?;
            groups::get(&mut tx, group).await?
        })
        .map(GroupNode)
    }
}
