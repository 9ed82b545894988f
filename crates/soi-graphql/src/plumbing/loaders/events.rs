//! Loaders of an event's parts: partners, ticket types with seats left, and
//! the programme (numbers, performers, results).

use super::batch::{CityLoader, LoadError, grouped};
use async_graphql::dataloader::Loader;
use soi_core::EventId;
use soi_db::events::event_partners::{self, Partner};
use soi_db::events::judge_marks::{self, Standing};
use soi_db::events::performances::{self, Performance};
use soi_db::events::performers::{self, Performer};
use soi_db::tickets::ticket_types::{self, Seats};
use std::collections::HashMap;

/// An event's partners, by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PartnersOf(pub EventId);

impl Loader<PartnersOf> for CityLoader {
    type Value = Vec<Partner>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PartnersOf],
    ) -> Result<HashMap<PartnersOf, Vec<Partner>>, LoadError> {
        let ids: Vec<EventId> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .batch(async |tx| event_partners::of_events(tx, &ids).await)
            .await?;
        // Rows come in order, so each event's list stays by name.
        Ok(grouped(
            keys,
            rows.into_iter().map(|p| (PartnersOf(p.event_id), p)),
        ))
    }
}

/// An event's ticket types with the seats left, cheapest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct TicketTypesOf(pub EventId);

impl Loader<TicketTypesOf> for CityLoader {
    type Value = Vec<Seats>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[TicketTypesOf],
    ) -> Result<HashMap<TicketTypesOf, Vec<Seats>>, LoadError> {
        let ids: Vec<EventId> = keys.iter().map(|k| k.0).collect();
        let mut by_event = self
            .batch(async |tx| ticket_types::with_remaining_of_events(tx, &ids).await)
            .await?;
        Ok(keys
            .iter()
            .map(|k| (*k, by_event.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}

/// An event's programme: its numbers with performers and results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ProgrammeOf(pub EventId);

/// An event's numbers in running order, their performers (by number, then
/// name) and the results of its judged numbers.
#[derive(Debug, Clone, Default)]
pub struct Programme {
    pub performances: Vec<Performance>,
    pub performers: Vec<Performer>,
    pub standings: Vec<Standing>,
}

impl Loader<ProgrammeOf> for CityLoader {
    type Value = Programme;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ProgrammeOf],
    ) -> Result<HashMap<ProgrammeOf, Programme>, LoadError> {
        let ids: Vec<EventId> = keys.iter().map(|k| k.0).collect();
        let (list, people, standings) = self
            .batch(async |tx| {
                let list = performances::of_events(tx, &ids).await?;
                let numbers: Vec<_> = list.iter().map(|p| p.id).collect();
                let people = performers::of_performances(tx, &numbers).await?;
                let standings = judge_marks::results_of_events(tx, &ids).await?;
                Ok((list, people, standings))
            })
            .await?;
        let mut out: HashMap<ProgrammeOf, Programme> =
            keys.iter().map(|k| (*k, Programme::default())).collect();
        // Performers and standings name only the number; its event comes
        // from the number's row.
        let event_of: HashMap<_, _> = list.iter().map(|p| (p.id, p.event_id)).collect();
        for f in people {
            if let Some(e) = event_of.get(&f.performance_id) {
                out.entry(ProgrammeOf(*e)).or_default().performers.push(f);
            }
        }
        for s in standings {
            if let Some(e) = event_of.get(&s.performance_id) {
                out.entry(ProgrammeOf(*e)).or_default().standings.push(s);
            }
        }
        for p in list {
            out.entry(ProgrammeOf(p.event_id))
                .or_default()
                .performances
                .push(p);
        }
        Ok(out)
    }
}
