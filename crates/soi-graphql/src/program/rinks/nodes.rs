//! A rink as the city's staff (and, in public events, anyone) see it.

use async_graphql::{ID, Object};
use soi_db::program::rinks::Rink;

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
