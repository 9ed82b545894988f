//! Building the schema with its limits.

use crate::applications::{ApplicationMutation, ApplicationQuery};
use crate::auth::{AuthMutation, AuthQuery, AuthSettings};
use crate::public::PublicQuery;
use crate::seasons::{SeasonMutation, SeasonQuery};
use async_graphql::{EmptySubscription, MergedObject, Schema};
use soi_db::Db;

/// Every query: one object per area, merged.
#[derive(MergedObject, Default)]
pub struct QueryRoot(PublicQuery, AuthQuery, SeasonQuery, ApplicationQuery);

/// Every mutation: one object per area, merged.
#[derive(MergedObject, Default)]
pub struct MutationRoot(AuthMutation, SeasonMutation, ApplicationMutation);

pub type SoiSchema = Schema<QueryRoot, MutationRoot, EmptySubscription>;

/// Limits on what one request may ask for.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub recursive_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 12,
            complexity: 2_000,
            recursive_depth: 32,
        }
    }
}

pub fn build_schema(db: Db, auth: AuthSettings, limits: Limits) -> SoiSchema {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .data(db)
    .data(auth)
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .limit_recursive_depth(limits.recursive_depth)
    .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        EmptySubscription,
    )
    .finish()
    .sdl()
}
