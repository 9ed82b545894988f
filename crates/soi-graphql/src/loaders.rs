//! DataLoaders: a nested query costs one statement per kind of row, not one
//! per parent. Each batch runs in its own tenant transaction of the request's
//! city (the scope comes from the verified token).

use async_graphql::dataloader::{DataLoader, Loader};
use soi_core::{CityScope, CoachId, GroupId, ParticipantId, SeasonId};
use soi_db::coaches::{self, Certificate};
use soi_db::participants::{self, Participant};
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
