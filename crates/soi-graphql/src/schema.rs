//! The schema: every feature's query, mutation and subscription objects
//! merged in one order (the order of `schema.graphql`), and its limits.

use crate::audit::AuditQuery;
use crate::auth::{
    AuthMutation, AuthQuery, AuthSettings, InvitationMutation, InvitationPublicMutation,
    PasswordMutation, StaffMutation, StaffQuery,
};
use crate::cities::CityQuery;
use crate::events::{EventMutation, EventPublicQuery, EventQuery, PerformanceMutation};
use crate::funds::{FundsMutation, FundsPublicQuery, FundsQuery, LedgerMutation, LedgerQuery};
use crate::mail::{MailMutation, MailQuery};
use crate::plumbing::gate::Gated;
use crate::plumbing::limits::Limits;
use crate::privacy::PrivacyMutation;
use crate::program::applications::{
    ApplicationMutation, ApplicationPublicMutation, ApplicationQuery,
};
use crate::program::attendance::{AttendanceMutation, AttendanceQuery, AttendanceSubscription};
use crate::program::coaches::{CoachMutation, CoachQuery};
use crate::program::groups::{GroupMutation, GroupQuery};
use crate::program::participants::ParticipantQuery;
use crate::program::rinks::{RinkMutation, RinkQuery};
use crate::program::seasons::{SeasonMutation, SeasonPublicQuery, SeasonQuery};
use crate::program::sessions::{SessionMutation, SessionQuery};
use crate::program::skills::{SkillMutation, SkillQuery};
use crate::reports::{ReportQuery, ReportSubscription};
use crate::tickets::{
    SalesQuery, SalesSubscription, TicketMutation, TicketPublicMutation, TicketPublicQuery,
    TicketQuery,
};
use async_graphql::{MergedObject, MergedSubscription, Schema};
use soi_db::Db;

/// Every query: one object per area, merged.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    CityQuery,
    SeasonPublicQuery,
    AuthQuery,
    StaffQuery,
    SeasonQuery,
    ApplicationQuery,
    ParticipantQuery,
    AttendanceQuery,
    SkillQuery,
    CoachQuery,
    RinkQuery,
    EventQuery,
    EventPublicQuery,
    GroupQuery,
    SessionQuery,
    AuditQuery,
    MailQuery,
    TicketPublicQuery,
    TicketQuery,
    SalesQuery,
    FundsQuery,
    LedgerQuery,
    FundsPublicQuery,
    ReportQuery,
);

/// Every mutation: one object per area, merged.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    AuthMutation,
    PasswordMutation,
    InvitationPublicMutation,
    InvitationMutation,
    StaffMutation,
    SeasonMutation,
    ApplicationPublicMutation,
    ApplicationMutation,
    PrivacyMutation,
    AttendanceMutation,
    SkillMutation,
    CoachMutation,
    RinkMutation,
    EventMutation,
    PerformanceMutation,
    GroupMutation,
    SessionMutation,
    MailMutation,
    TicketPublicMutation,
    TicketMutation,
    FundsMutation,
    LedgerMutation,
);

/// Live updates over WebSocket at `/graphql/ws`. Sign in when the connection
/// starts, with the access token in the `connection_init` payload.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    SalesSubscription,
    AttendanceSubscription,
    ReportSubscription,
);

/// The schema behind its gate (`plumbing::gate`): the executor every
/// transport runs operations through.
pub type SoiSchema = Gated<Schema<QueryRoot, MutationRoot, SubscriptionRoot>>;

/// The schema; `redis` (optional: without it everything is read from
/// PostgreSQL) caches reports and keeps rate limits and persisted queries.
pub fn build_schema(
    db: Db,
    auth: AuthSettings,
    limits: Limits,
    redis: Option<soi_cache::Redis>,
    privacy: soi_service::privacy::Policy,
) -> SoiSchema {
    let builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .data(db)
    .data(auth)
    .data(redis)
    .data(limits)
    .data(privacy)
    .data(crate::tickets::ReserveMany::default())
    .limit_depth(limits.depth)
    .limit_complexity(limits.complexity)
    .limit_recursive_depth(limits.recursive_depth);
    // Suggestions would list field names to anyone probing the API.
    let builder = if limits.suggestions {
        builder
    } else {
        builder.disable_suggestions()
    };
    // Document limits and error codes for every transport alike.
    Gated::new(builder.finish(), limits)
}

/// The schema in SDL, as committed in `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    // `@specifiedBy` on the scalars that follow a published format
    // (Date, DateTime, YearMonth, UUID), for clients and code generators.
    .sdl_with_options(async_graphql::SDLExportOptions::new().include_specified_by())
}
