//! Who is signed in (`me`): any signed-in role.

use super::nodes::Me;
use crate::plumbing::request::RequestCtx;
use crate::plumbing::run::national;
use crate::shared::roles::ANY_ROLE;
use async_graphql::{Context, Object, Result};
use soi_db::auth::accounts;
use soi_db::cities;

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let req = ctx.data::<RequestCtx>()?;
        let p = *req.require(ANY_ROLE)?;
        let (account, city) = national(ctx, async |tx| {
            let account = accounts::get(tx, p.account()).await?;
            let city = match p.city() {
                Some(id) => cities::list(tx)
                    .await?
                    .into_iter()
                    .find(|c| c.id == id)
                    .map(|c| c.slug),
                None => None,
            };
            Ok((account, city))
        })
        .await?;
        Ok(Me {
            email: account.email,
            role: p.role().into(),
            city,
        })
    }
}
