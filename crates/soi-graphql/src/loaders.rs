//! DataLoaders: a nested query costs one statement per kind of row, not one
//! per parent. Each batch runs in its own tenant transaction of the request's
//! city (the scope comes from the verified token).

use async_graphql::dataloader::{DataLoader, Loader};
use soi_core::{CityScope, CoachId, EventId, GroupId, ParticipantId, RinkId, SeasonId};
use soi_db::coaches::{self, Certificate};
use soi_db::event_partners::{self, Partner};
use soi_db::judge_marks::{self, Standing};
use soi_db::participants::{self, Participant};
use soi_db::performances::{self, Performance};
use soi_db::performers::{self, Performer};
use soi_db::rinks::{self, Rink};
use soi_db::ticket_types::{self, Seats};
use soi_db::{Db, enrollments, groups};
use std::collections::HashMap;
use std::sync::Arc;

pub struct CityLoader {
    db: Db,
    scope: CityScope,
}

/// The loaders of one request, for a signed-in city user.
pub fn for_request(db: &Db, scope: CityScope) -> DataLoader<CityLoader> {
    DataLoader::new(
        CityLoader {
            db: db.clone(),
            scope,
        },
        tokio::spawn,
    )
}

type LoadError = Arc<soi_db::Error>;

impl Loader<SeasonId> for CityLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[SeasonId]) -> Result<HashMap<SeasonId, i64>, LoadError> {
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = enrollments::seats_taken_many(&mut tx, keys)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        let mut out: HashMap<SeasonId, i64> = keys.iter().map(|k| (*k, 0)).collect();
        out.extend(rows);
        Ok(out)
    }
}

impl Loader<ParticipantId> for CityLoader {
    type Value = Participant;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ParticipantId],
    ) -> Result<HashMap<ParticipantId, Participant>, LoadError> {
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = participants::many(&mut tx, keys).await.map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|p| (p.id, p)).collect())
    }
}

impl Loader<CoachId> for CityLoader {
    type Value = Vec<Certificate>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CoachId],
    ) -> Result<HashMap<CoachId, Vec<Certificate>>, LoadError> {
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = coaches::certificates_of(&mut tx, keys)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        // Every key gets an entry: a coach without certificates has an empty list.
        let mut out: HashMap<CoachId, Vec<Certificate>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for c in rows {
            out.entry(c.coach_id).or_default().push(c);
        }
        Ok(out)
    }
}

impl Loader<GroupId> for CityLoader {
    type Value = Vec<ParticipantId>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[GroupId],
    ) -> Result<HashMap<GroupId, Vec<ParticipantId>>, LoadError> {
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = groups::members_of(&mut tx, keys).await.map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        // An empty group gets an empty list, like a coach without certificates.
        let mut out: HashMap<GroupId, Vec<ParticipantId>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for (g, p) in rows {
            out.entry(g).or_default().push(p);
        }
        Ok(out)
    }
}

/// Key of a participant's attendance rate (a participant id, loaded as a rate).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RateOf(pub ParticipantId);

impl Loader<RateOf> for CityLoader {
    type Value = soi_db::attendance::Rate;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[RateOf],
    ) -> Result<HashMap<RateOf, soi_db::attendance::Rate>, LoadError> {
        let ids: Vec<ParticipantId> = keys.iter().map(|k| k.0).collect();
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = soi_db::attendance::rates_for_participants(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|r| (RateOf(r.participant_id), r))
            .collect())
    }
}

/// Key of a season row (a season id, loaded as the season itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeasonOf(pub SeasonId);

impl Loader<SeasonOf> for CityLoader {
    type Value = soi_db::seasons::Season;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SeasonOf],
    ) -> Result<HashMap<SeasonOf, soi_db::seasons::Season>, LoadError> {
        let ids: Vec<SeasonId> = keys.iter().map(|k| k.0).collect();
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = soi_db::seasons::many(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|s| (SeasonOf(s.id), s)).collect())
    }
}

/// Key of a group's attendance rate: (attended, marked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GroupRateOf(pub GroupId);

impl Loader<GroupRateOf> for CityLoader {
    type Value = (i64, i64);
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[GroupRateOf],
    ) -> Result<HashMap<GroupRateOf, (i64, i64)>, LoadError> {
        let ids: Vec<GroupId> = keys.iter().map(|k| k.0).collect();
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = soi_db::attendance::rates_of_groups(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|(g, a, m)| (GroupRateOf(g), (a, m)))
            .collect())
    }
}

/// Key of a rink row (a rink id, loaded as the rink itself).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RinkOf(pub RinkId);

impl Loader<RinkOf> for CityLoader {
    type Value = Rink;
    type Error = LoadError;

    async fn load(&self, keys: &[RinkOf]) -> Result<HashMap<RinkOf, Rink>, LoadError> {
        let ids: Vec<RinkId> = keys.iter().map(|k| k.0).collect();
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = rinks::get_many(&mut tx, &ids).await.map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        Ok(rows.into_iter().map(|r| (RinkOf(r.id), r)).collect())
    }
}

/// Key of an event's partners, by name.
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
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let rows = event_partners::list_for(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        // An event without partners gets an empty list; rows come in order.
        let mut out: HashMap<PartnersOf, Vec<Partner>> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for p in rows {
            out.entry(PartnersOf(p.event_id)).or_default().push(p);
        }
        Ok(out)
    }
}

/// Key of an event's ticket types with the seats left, cheapest first.
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
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let mut by_event = ticket_types::with_remaining_many(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
        Ok(keys
            .iter()
            .map(|k| (*k, by_event.remove(&k.0).unwrap_or_default()))
            .collect())
    }
}

/// Key of an event's programme: its numbers with performers and results.
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
        let mut tx = self.db.tenant(&self.scope).await.map_err(Arc::new)?;
        let list = performances::list_for(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        let numbers: Vec<_> = list.iter().map(|p| p.id).collect();
        let people = performers::of_performances(&mut tx, &numbers)
            .await
            .map_err(Arc::new)?;
        let standings = judge_marks::results_for(&mut tx, &ids)
            .await
            .map_err(Arc::new)?;
        tx.commit().await.map_err(Arc::new)?;
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
