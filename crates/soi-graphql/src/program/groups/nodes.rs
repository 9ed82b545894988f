//! A training group as the city's staff see it. Its season, rate and
//! members load through the request's loaders: one batch per kind for a
//! whole page of groups, not one statement per group; the members come
//! with their participant rows (and rates, when asked) in one statement.

use crate::plumbing::Load;
use crate::plumbing::loaders::{
    GroupRateOf, MembersOf, ParticipantOf, ParticipantRateOf, SeasonOf,
};
use crate::program::seasons::SeasonNode;
use crate::shared::nodes::ParticipantNode;
use async_graphql::{Context, ID, Object, Result};
use soi_db::program::attendance::Rate;
use soi_db::program::groups::Group;

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
        ctx.load_required(SeasonOf(self.0.season_id), "season")
            .await
            .map(SeasonNode)
    }
    /// Share of marked attendance that was present or late, over the group's
    /// held sessions; 0 when nothing was marked.
    async fn attendance_rate(&self, ctx: &Context<'_>) -> Result<f64> {
        let rate = ctx.load(GroupRateOf(self.0.id)).await?;
        Ok(match rate {
            Some((attended, marked)) if marked > 0 => attended as f64 / marked as f64,
            _ => 0.0,
        })
    }
    /// The group's participants, in id order.
    async fn members(&self, ctx: &Context<'_>) -> Result<Vec<ParticipantNode>> {
        // The members' rows, and their rates when the selection asks for
        // them, come in the membership's own statement; fed to the request's
        // loaders, the members' fields and any other read of these
        // participants in the answer take them from there.
        let rates = ctx.look_ahead().field("attendanceRate").exists();
        let key = MembersOf {
            group: self.0.id,
            rates,
        };
        let members = ctx.load(key).await?.unwrap_or_default();
        let rates: Vec<(ParticipantRateOf, Rate)> = members
            .iter()
            .filter_map(|m| {
                let (attended, marked) = (m.attended?, m.marked?);
                let participant_id = m.participant.id;
                let rate = Rate {
                    participant_id,
                    attended,
                    marked,
                };
                Some((ParticipantRateOf(participant_id), rate))
            })
            .collect();
        ctx.feed(rates).await?;
        let people: Vec<ParticipantNode> = members
            .into_iter()
            .map(|m| ParticipantNode(m.participant))
            .collect();
        ctx.feed(
            people
                .iter()
                .map(|p| (ParticipantOf(p.0.id), p.0.clone()))
                .collect(),
        )
        .await?;
        Ok(people)
    }
}
