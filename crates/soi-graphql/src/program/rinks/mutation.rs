//! Adding rinks: chapter admins only.

use super::inputs::RinkInput;
use super::nodes::RinkNode;
use crate::plumbing::in_city;
use crate::shared::roles::ADMINS;
use async_graphql::{Context, Object, Result};
use soi_core::RinkId;
use soi_db::program::rinks;

#[derive(Default)]
pub struct RinkMutation;

#[Object]
impl RinkMutation {
    /// Adds a rink to the city; the name must be new in the city.
    async fn create_rink(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rink's details.")] input: RinkInput,
    ) -> Result<RinkNode> {
        let (name, address) = input.validate()?;
        in_city(ctx, ADMINS, async |tx, _| {
            rinks::insert(tx, RinkId::new(), &name, &address).await
        })
        .await
        .map(RinkNode)
    }
}
