//! Building the schema with its limits.

use crate::public::PublicQuery;
use async_graphql::{EmptyMutation, EmptySubscription, MergedObject, Schema};
use soi_db::Db;

/// The root query: public operations now; signed-in ones join as they land.
#[derive(MergedObject, Default)]
pub struct QueryRoot(PublicQuery);

pub type SoiSchema = Schema<QueryRoot, EmptyMutation, EmptySubscription>;

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

pub fn build_schema(db: Db, limits: Limits) -> SoiSchema {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .data(db)
        .limit_depth(limits.depth)
        .limit_complexity(limits.complexity)
        .limit_recursive_depth(limits.recursive_depth)
        .finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(QueryRoot::default(), EmptyMutation, EmptySubscription)
        .finish()
        .sdl()
}
