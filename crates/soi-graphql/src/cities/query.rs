//! The list of city chapters: public, no sign-in.

use super::nodes::City;
use crate::plumbing::run::national;
use async_graphql::{Context, Object, Result};
use soi_db::cities;

#[derive(Default)]
pub struct CityQuery;

#[Object]
impl CityQuery {
    /// Every city chapter.
    async fn cities(&self, ctx: &Context<'_>) -> Result<Vec<City>> {
        let list = national(ctx, async |tx| cities::list(tx).await).await?;
        Ok(list.into_iter().map(City::from).collect())
    }
}
