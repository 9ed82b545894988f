//! Participants: the admin's searchable list, one profile, and a
//! participant's own record. Personal fields of `Participant` are hidden
//! from coaches (see `ParticipantNode`); the database lets a participant see
//! only their own row.

use crate::plumbing::{Valid, found, in_city, page, parse_id, parse_opt_id};
use crate::program::applications::ApplicationStatus;
use crate::shared::lang::Lang;
use crate::shared::nodes::ParticipantNode;
use crate::shared::roles::CITY_USERS;
use async_graphql::connection::Connection;
use async_graphql::{Context, ID, Object, Result};
use soi_core::{ParticipantId, Role, text};
use soi_db::program::group_coaches;
use soi_db::program::participants::{self, Filter};

#[derive(Default)]
pub struct ParticipantQuery;

#[Object]
impl ParticipantQuery {
    /// The city's participants in the order they joined, filtered (chapter admins).
    #[allow(clippy::too_many_arguments)]
    async fn participants(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Part of a name or email, any case.")] search: Option<String>,
        #[graphql(desc = "Only those writing in this language.")] language: Option<Lang>,
        #[graphql(desc = "Only applicants to this season.")] season_id: Option<ID>,
        #[graphql(desc = "With `seasonId`: only applications in this status.")] status: Option<
            ApplicationStatus,
        >,
        #[graphql(desc = "At most 100.")] first: Option<i32>,
        after: Option<String>,
    ) -> Result<Connection<String, ParticipantNode>> {
        let (page, pager) = page::<ParticipantId>(first, after.as_deref())?;
        let filter = Filter {
            search: search
                .as_deref()
                .map(|s| text::bounded("search", s, 100))
                .valid()?,
            language: language.map(Into::into),
            season: parse_opt_id("seasonId", season_id.as_ref())?,
            status: status.map(Into::into),
        };
        let rows = in_city(ctx, &[Role::ChapterAdmin], async |tx, _| {
            participants::search(tx, &filter, page).await
        })
        .await?;
        Ok(pager.connection(rows, |p| p.id.to_string(), ParticipantNode))
    }

    /// One participant of the city; null when there is none with this id here
    /// (a participant can read only themselves).
    async fn participant(&self, ctx: &Context<'_>, id: ID) -> Result<Option<ParticipantNode>> {
        let id: ParticipantId = parse_id("id", &id)?;
        in_city(ctx, CITY_USERS, async |tx, who| {
            // A coach reads only the participants of the groups they train.
            let allowed = match who.coach() {
                Some(coach) => group_coaches::coach_trains(tx, coach, id).await?,
                None => true,
            };
            if allowed {
                found(participants::get(tx, id).await)
            } else {
                Ok(None)
            }
        })
        .await
        .map(|p| p.map(ParticipantNode))
    }

    /// The signed-in participant's own record.
    async fn my_profile(&self, ctx: &Context<'_>) -> Result<ParticipantNode> {
        in_city(ctx, &[Role::Participant], async |tx, who| {
            let me = who
                .participant()
                .ok_or(soi_db::Error::NotFound("participant"))?;
            participants::get(tx, me).await
        })
        .await
        .map(ParticipantNode)
    }
}
