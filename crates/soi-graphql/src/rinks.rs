//! Rinks, the city's venues, for chapter admins (and, read-only, coaches).
//! Every resolver opens a tenant transaction for the city of the signed-in user.

use crate::seasons::{ADMINS, READERS};
use crate::support::{Valid, bad_input, found, in_city, parse_id};
use async_graphql::{Context, ID, InputObject, Object, Result};
use soi_core::{RinkId, text};
use soi_db::rinks::{self, Rink};

/// Longest address kept.
const MAX_ADDRESS: usize = 300;

pub struct RinkNode(pub Rink);

/// An ice rink where the city's groups train.
#[Object(name = "Rink")]
impl RinkNode {
    /// The rink's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Name, unique in the city.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Street address.
    async fn address(&self) -> &str {
        &self.0.address
    }
}

/// A new rink.
#[derive(InputObject)]
pub struct RinkInput {
    /// Name, 1–200 characters, unique in the city.
    pub name: String,
    /// Street address, 1–300 characters on one line.
    pub address: String,
}

impl RinkInput {
    fn validate(&self) -> Result<(String, String)> {
        let name = text::bounded("name", &self.name, text::MAX_LINE).valid()?;
        let address = text::bounded("address", &self.address, MAX_ADDRESS).valid()?;
        // `bounded` lets new lines through above MAX_LINE; an address is one line.
        if address.contains(['\n', '\t']) {
            return Err(bad_input("address", "must be one line"));
        }
        Ok((name, address))
    }
}

#[derive(Default)]
pub struct RinkQuery;

#[Object]
impl RinkQuery {
    /// The city's rinks by name (a city has a handful, so no pages).
    async fn rinks(&self, ctx: &Context<'_>) -> Result<Vec<RinkNode>> {
        let rows = in_city!(ctx, READERS, |tx, _| rinks::list(&mut tx).await?)?;
        Ok(rows.into_iter().map(RinkNode).collect())
    }

    /// One rink of the city; null when there is none with this id here.
    async fn rink(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The rink's id.")] id: ID,
    ) -> Result<Option<RinkNode>> {
        let id: RinkId = parse_id("id", &id)?;
        in_city!(ctx, READERS, |tx, _| found(rinks::get(&mut tx, id).await)?)
            .map(|r| r.map(RinkNode))
    }
}

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
        in_city!(ctx, ADMINS, |tx, _| rinks::insert(
            &mut tx,
            RinkId::new(),
            &name,
            &address
        )
        .await?)
        .map(RinkNode)
    }
}
