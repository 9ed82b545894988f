//! GraphQL behaviour through the real gateway, one module per feature (named
//! as the feature is in `soi-graphql`): each test starts its own gateway on
//! port 0 against a fresh database, so tests run in parallel.

mod applications;
mod attendance;
mod audit;
mod auth;
mod city_usage;
mod coaches;
mod cross_city;
mod events;
mod events_batched;
mod exports;
mod funds;
mod gateway;
mod group_members;
mod groups;
mod invitations;
mod invitations_race;
mod known_applicants;
mod metrics_labels;
mod nul_bytes;
mod participant_accounts;
mod participants;
mod passwords;
mod personal_data;
mod privacy;
mod reports;
mod request_ids;
mod revocation;
mod schema;
mod seasons;
mod skills;
mod snapshot;
mod staff;
mod ticket_race;
mod tickets;
mod transports;
mod web;
mod web_session;
