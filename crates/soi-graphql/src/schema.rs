//! Building the schema with its limits.

use crate::applications::{ApplicationMutation, ApplicationQuery};
use crate::attendance::{AttendanceMutation, AttendanceQuery};
use crate::audit::AuditQuery;
use crate::auth::{AuthMutation, AuthQuery, AuthSettings};
use crate::coaches::{CoachMutation, CoachQuery};
use crate::events::{EventMutation, EventQuery, PublicEventQuery};
use crate::funds::{FundsMutation, FundsQuery, TransparencyQuery};
use crate::groups::{GroupMutation, GroupQuery};
use crate::limits::Limits;
use crate::live::SubscriptionRoot;
use crate::mail::{MailMutation, MailQuery};
use crate::participants::ParticipantQuery;
use crate::public::PublicQuery;
use crate::reports::ReportQuery;
use crate::rinks::{RinkMutation, RinkQuery};
use crate::seasons::{SeasonMutation, SeasonQuery};
use crate::sessions::{SessionMutation, SessionQuery};
use crate::skills::{SkillMutation, SkillQuery};
use crate::tickets::{TicketMutation, TicketPublicMutation, TicketPublicQuery, TicketQuery};
use async_graphql::{MergedObject, Schema};
use soi_db::Db;

/// Every query: one object per area, merged.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    PublicQuery,
    AuthQuery,
    SeasonQuery,
    ApplicationQuery,
    ParticipantQuery,
    AttendanceQuery,
    SkillQuery,
    CoachQuery,
    RinkQuery,
    EventQuery,
    PublicEventQuery,
    GroupQuery,
    SessionQuery,
    AuditQuery,
    MailQuery,
    TicketPublicQuery,
    TicketQuery,
    FundsQuery,
    TransparencyQuery,
    ReportQuery,
);

/// Every mutation: one object per area, merged.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AuthMutation,
    SeasonMutation,
    ApplicationMutation,
    AttendanceMutation,
    SkillMutation,
    CoachMutation,
    RinkMutation,
    EventMutation,
    GroupMutation,
    SessionMutation,
    MailMutation,
    TicketPublicMutation,
    TicketMutation,
    FundsMutation,
);

pub type SoiSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// The schema; `redis` (optional: without it everything is read from
/// PostgreSQL) caches reports and keeps rate limits and persisted queries.
pub fn build_schema(
    db: Db,
    auth: AuthSettings,
    limits: Limits,
    redis: Option<soi_cache::Redis>,
) -> SoiSchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .data(db)
    .data(auth)
    .data(redis)
    .data(limits)
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .limit_recursive_depth(limits.recursive_depth);
    // Suggestions would list field names to anyone probing the API.
    let builder = if limits.suggestions {
        builder
    } else {
        builder.disable_suggestions()
    };
    builder.finish()
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot,
    )
    .finish()
    .sdl()
}
