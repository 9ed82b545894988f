//! City slugs by id, for span attributes and metric labels: a verified
//! token names its city by id, an operator reads slugs. Cities are few and
//! their slugs never change, so the list is read once and again only when an
//! unknown id turns up (a city launched since). Requests that meet the same
//! new city together wait for one read, not one each.

use soi_core::CityId;
use soi_db::Db;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

#[derive(Clone, Default)]
pub struct CityNames {
    slugs: Arc<RwLock<HashMap<CityId, String>>>,
    /// Held while the slugs are read again, so one read serves every
    /// request waiting on it.
    reading: Arc<tokio::sync::Mutex<()>>,
    /// Reads attempted so far: a request that waited while another read
    /// ran takes that read's outcome, found or not, rather than queueing
    /// one more (an id that never turns up, or a database that is down,
    /// would otherwise be read for once per waiting request, in turn).
    reads: Arc<AtomicU64>,
}

impl CityNames {
    /// The slug of `city`, reading the cities again when it is not known.
    pub async fn slug(&self, db: &Db, city: CityId) -> Option<String> {
        if let Some(slug) = self.known(city) {
            return Some(slug);
        }
        let before = self.reads.load(Ordering::Acquire);
        let _reading = self.reading.lock().await;
        // Read by the request this one waited for.
        if self.reads.load(Ordering::Acquire) != before {
            return self.known(city);
        }
        self.reads.fetch_add(1, Ordering::AcqRel);
        if let Err(e) = self.reload(db).await {
            tracing::warn!(error = %e, "city slugs not read");
        }
        self.known(city)
    }

    /// The slug of `city` if already known (no database read).
    pub fn known(&self, city: CityId) -> Option<String> {
        self.slugs.read().ok()?.get(&city).cloned()
    }

    /// Reads every city's slug.
    pub async fn reload(&self, db: &Db) -> soi_db::Result<()> {
        let mut national = db.national().await?;
        let cities = soi_db::cities::list(&mut national).await?;
        national.commit().await?;
        if let Ok(mut slugs) = self.slugs.write() {
            slugs.extend(cities.into_iter().map(|c| (c.id, c.slug)));
        }
        Ok(())
    }
}
