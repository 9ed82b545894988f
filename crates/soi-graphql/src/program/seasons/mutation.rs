//! Changing the city's seasons: chapter admins only.

use super::inputs::SeasonInput;
use super::nodes::{Phase, SeasonNode};
use crate::plumbing::{in_city, parse_id};
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result};
use soi_core::SeasonId;
use soi_db::program::seasons;

#[derive(Default)]
pub struct SeasonMutation;

#[Object]
impl SeasonMutation {
    /// Opens a new season in the recruiting phase.
    async fn create_season(&self, ctx: &Context<'_>, input: SeasonInput) -> Result<SeasonNode> {
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            seasons::insert(tx, SeasonId::new(), &new).await
        })
        .await
        .map(SeasonNode)
    }

    /// Changes a season's fields; capacity cannot drop below the seats taken.
    async fn update_season(
        &self,
        ctx: &Context<'_>,
        id: ID,
        input: SeasonInput,
    ) -> Result<SeasonNode> {
        let id: SeasonId = parse_id("id", &id)?;
        let new = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            soi_service::program::seasons::update(tx, id, &new).await
        })
        .await
        .map(SeasonNode)
    }

    /// Moves a season one phase forward.
    async fn move_season_phase(
        &self,
        ctx: &Context<'_>,
        id: ID,
        phase: Phase,
    ) -> Result<SeasonNode> {
        let id: SeasonId = parse_id("id", &id)?;
        in_city(ctx, ADMINS, async |tx, _| {
            seasons::move_to_phase(tx, id, phase.into()).await
        })
        .await
        .map(SeasonNode)
    }
}
