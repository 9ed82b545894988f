//! Loaders of the program's rows: seasons and their seats, participants and
//! their attendance, coaches' certificates, groups' members and rates, rinks.

use super::batch::{CityLoader, LoadError, grouped};
use async_graphql::dataloader::Loader;
use soi_core::{CoachId, GroupId, ParticipantId, RinkId, SeasonId};
use soi_db::program::attendance::{self, Rate};
use soi_db::program::coach_certificates::{self, Certificate};
use soi_db::program::enrollments;
use soi_db::program::participants::{self, Member, Participant};
use soi_db::program::rinks::{self, Rink};
use soi_db::program::seasons::{self, Season};
use std::collections::HashMap;

/// The seats taken in a season (accepted, active and completed).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeatsTaken(pub SeasonId);

impl Loader<SeatsTaken> for CityLoader {
    type Value = i64;
    type Error = LoadError;

    async fn load(&self, keys: &[SeatsTaken]) -> Result<HashMap<SeatsTaken, i64>, LoadError> {
        let ids: Vec<SeasonId> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .batch(async |tx| enrollments::seats_taken_of_seasons(tx, &ids).await)
            .await?;
        let mut out: HashMap<SeatsTaken, i64> = keys.iter().map(|k| (*k, 0)).collect();
        out.extend(rows.into_iter().map(|(s, n)| (SeatsTaken(s), n)));
        Ok(out)
    }
}

/// A participant's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParticipantOf(pub ParticipantId);

impl Loader<ParticipantOf> for CityLoader {
    type Value = Participant;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ParticipantOf],
    ) -> Result<HashMap<ParticipantOf, Participant>, LoadError> {
        let ids: Vec<ParticipantId> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .batch(async |tx| participants::by_ids(tx, &ids).await)
            .await?;
        Ok(rows.into_iter().map(|p| (ParticipantOf(p.id), p)).collect())
    }
}

/// A coach's certificates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct CertificatesOf(pub CoachId);

impl Loader<CertificatesOf> for CityLoader {
    type Value = Vec<Certificate>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CertificatesOf],
    ) -> Result<HashMap<CertificatesOf, Vec<Certificate>>, LoadError> {
        let ids: Vec<CoachId> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .batch(async |tx| coach_certificates::of_coaches(tx, &ids).await)
            .await?;
        Ok(grouped(
            keys,
            rows.into_iter().map(|c| (CertificatesOf(c.coach_id), c)),
        ))
    }
}

/// A group's members with their participant rows and, with `rates`, their
/// attendance rates. One statement for every group of the batch; when any
/// key asks for rates, every group's members come with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MembersOf {
    pub group: GroupId,
    pub rates: bool,
}

impl Loader<MembersOf> for CityLoader {
    type Value = Vec<Member>;
    type Error = LoadError;

    async fn load(&self, keys: &[MembersOf]) -> Result<HashMap<MembersOf, Vec<Member>>, LoadError> {
        let ids: Vec<GroupId> = keys.iter().map(|k| k.group).collect();
        let rates = keys.iter().any(|k| k.rates);
        let rows = self
            .batch(async |tx| participants::of_groups(tx, &ids, rates).await)
            .await?;
        let mut by_group: HashMap<GroupId, Vec<Member>> = HashMap::new();
        for m in rows {
            by_group.entry(m.group_id).or_default().push(m);
        }
        Ok(keys
            .iter()
            .map(|k| (*k, by_group.get(&k.group).cloned().unwrap_or_default()))
            .collect())
    }
}

/// A participant's attendance rate over all their sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ParticipantRateOf(pub ParticipantId);

impl Loader<ParticipantRateOf> for CityLoader {
    type Value = Rate;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[ParticipantRateOf],
    ) -> Result<HashMap<ParticipantRateOf, Rate>, LoadError> {
        let ids: Vec<ParticipantId> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .batch(async |tx| attendance::rates_of_participants(tx, &ids).await)
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| (ParticipantRateOf(r.participant_id), r))
            .collect())
    }
}

/// A season's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeasonOf(pub SeasonId);

impl Loader<SeasonOf> for CityLoader {
    type Value = Season;
    type Error = LoadError;

    async fn load(&self, keys: &[SeasonOf]) -> Result<HashMap<SeasonOf, Season>, LoadError> {
        let ids: Vec<SeasonId> = keys.iter().map(|k| k.0).collect();
        let rows = self
            .batch(async |tx| seasons::by_ids(tx, &ids).await)
            .await?;
        Ok(rows.into_iter().map(|s| (SeasonOf(s.id), s)).collect())
    }
}

/// A group's attendance over its held sessions: (attended, marked).
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
        let rows = self
            .batch(async |tx| attendance::rates_of_groups(tx, &ids).await)
            .await?;
        Ok(rows
            .into_iter()
            .map(|(g, a, m)| (GroupRateOf(g), (a, m)))
            .collect())
    }
}

/// A rink's row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RinkOf(pub RinkId);

impl Loader<RinkOf> for CityLoader {
    type Value = Rink;
    type Error = LoadError;

    async fn load(&self, keys: &[RinkOf]) -> Result<HashMap<RinkOf, Rink>, LoadError> {
        let ids: Vec<RinkId> = keys.iter().map(|k| k.0).collect();
        let rows = self.batch(async |tx| rinks::by_ids(tx, &ids).await).await?;
        Ok(rows.into_iter().map(|r| (RinkOf(r.id), r)).collect())
    }
}
