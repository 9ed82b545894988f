//! Growing the bench database: cities launched as the operator launches
//! them, one at a time and timed, then seeded through tenant transactions.

use super::Args;
use crate::scratch::{Pools, Scratch};
use anyhow::{Context, Result};
use soi_core::SystemCtx;
use soi_db::cities::City;
use soi_seed::scale::{self, ScaleSpec};
use std::time::{Duration, Instant};

/// The database as the steps grow it.
pub(super) struct Site {
    pools: Pools,
    launched: u32,
    /// Launched, not seeded yet.
    unseeded: Vec<City>,
}

impl Site {
    /// The database as it is: fresh, or as a kept run left it (its scale
    /// cities launched and seeded).
    pub(super) async fn open(scratch: &Scratch) -> Result<Self> {
        let pools = scratch.pools(4, 1).await?;
        let launched = pools.sys.cities().await?;
        let launched = launched
            .iter()
            .filter(|c| c.slug.starts_with("scale-"))
            .count();
        Ok(Self {
            pools,
            launched: u32::try_from(launched)?,
            unseeded: Vec::new(),
        })
    }

    /// Cities launched so far.
    pub(super) fn launched(&self) -> u32 {
        self.launched
    }

    pub(super) fn pools(&self) -> &Pools {
        &self.pools
    }

    /// Launches `scale-<k>` for every k up to `n` not launched yet, one
    /// after another as `soi city launch` does; the time of each.
    pub(super) async fn launch_up_to(&mut self, n: u32) -> Result<Vec<Duration>> {
        let ctx = SystemCtx::new("bench-scale");
        let mut times = Vec::new();
        for i in self.launched + 1..=n {
            let new = scale::new_city(i)?;
            let t = Instant::now();
            let launched = self.pools.sys.launch_city(&ctx, &new).await?;
            times.push(t.elapsed());
            anyhow::ensure!(
                launched.created && launched.partitions_created > 0,
                "{} was launched before, or got no partitions",
                launched.city.slug
            );
            self.unseeded.push(launched.city);
            self.launched = i;
        }
        Ok(times)
    }

    /// Seeds the cities launched since the last call: `scale-0001` (the
    /// measured chapter) a full season, the others a small one; then tidies
    /// as the seed command does after a load.
    pub(super) async fn seed_new(&mut self, args: &Args) -> Result<()> {
        let cities = std::mem::take(&mut self.unseeded);
        let (chapter, others): (Vec<City>, Vec<City>) =
            cities.into_iter().partition(|c| c.slug == scale::slug(1));
        let started = Instant::now();
        let spec = |participants, sessions| ScaleSpec {
            cities: 0,
            participants,
            sessions,
            seed: 1,
            concurrency: 2,
        };
        let db = &self.pools.db;
        let full = scale::seed_launched(db, chapter, spec(args.participants, args.sessions), false)
            .await
            .context("seeding the chapter city")?;
        let small = scale::seed_launched(
            db,
            others,
            spec(args.other_participants, args.other_sessions),
            false,
        )
        .await
        .context("seeding the other cities")?;
        self.pools.sys.tidy_after_bulk_load().await?;
        println!(
            "seeded {} cities ({} participants, {} attendance marks) in {:.0} s",
            full.cities_seeded + small.cities_seeded,
            full.participants + small.participants,
            full.attendance + small.attendance,
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// The measured chapter city.
    pub(super) async fn chapter_city(&self) -> Result<City> {
        self.pools.city(&scale::slug(1)).await
    }

    pub(super) async fn close(self) {
        self.pools.close().await;
    }
}
