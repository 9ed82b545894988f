//! Scratch databases: every bench measures on a database of its own on the
//! server `SOI_BENCH_DATABASE_URL` names (default: the local server), made
//! fresh and migrated, seeded if the bench wants, and dropped on the way out
//! whatever the bench's outcome.

use anyhow::{Context, Result};
use soi_core::SystemCtx;
use soi_db::{Db, DbConfig, SystemDb, admin};
use soi_seed::scale::{ScaleReport, ScaleSpec};

/// The server the benches make their databases on.
pub fn server_url() -> String {
    std::env::var("SOI_BENCH_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn database_url(server: &str, name: &str) -> Result<String> {
    let (base, _) = server
        .rsplit_once('/')
        .context("SOI_BENCH_DATABASE_URL needs a /database part")?;
    Ok(format!("{base}/{name}"))
}

/// A migrated database of the bench's own.
pub struct Scratch {
    server: String,
    name: String,
    url: String,
}

impl Scratch {
    /// Runs `f` on a fresh database `name`, then drops it, whatever `f` gave.
    pub async fn with<T>(name: &str, f: impl AsyncFnOnce(&Scratch) -> Result<T>) -> Result<T> {
        Self::with_kept(name, (false, false), f).await
    }

    /// [`Scratch::with`] for a bench that may keep its database for a
    /// closer look (psql, perf): with `reuse`, the database a kept run left
    /// is opened as it is (migrated again, which changes nothing) rather
    /// than made anew, and is never dropped (it took a long run to make);
    /// with `keep`, it is left on the server at the end.
    pub async fn with_kept<T>(
        name: &str,
        (reuse, keep): (bool, bool),
        f: impl AsyncFnOnce(&Scratch) -> Result<T>,
    ) -> Result<T> {
        let found = reuse && admin::database_exists(&server_url(), name).await?;
        let scratch = Self::make(name, !found).await?;
        let outcome = f(&scratch).await;
        if keep || found {
            println!("database {name} kept (a run with --reuse opens it; drop it when done)");
        } else {
            scratch.drop().await?;
        }
        outcome
    }

    /// A fresh, migrated database `name` (one left by an earlier run is
    /// dropped first); the caller drops it ([`Scratch::drop`] or [`drop_database`]).
    pub async fn create(name: &str) -> Result<Self> {
        Self::make(name, true).await
    }

    /// The migrated database `name`, made anew when `fresh`.
    async fn make(name: &str, fresh: bool) -> Result<Self> {
        let server = server_url();
        if fresh {
            admin::recreate_database(&server, name, None).await?;
        }
        let scratch = Self {
            url: database_url(&server, name)?,
            server,
            name: name.to_owned(),
        };
        let migrated = async {
            let sys = SystemDb::connect(&scratch.config(1, 1)).await?;
            sys.migrate(&SystemCtx::new("bench")).await?;
            sys.close().await;
            anyhow::Ok(())
        }
        .await;
        if let Err(e) = migrated {
            // A database found, not made, stays as it was found.
            if fresh {
                scratch.drop().await?;
            }
            return Err(e);
        }
        Ok(scratch)
    }

    pub async fn drop(self) -> Result<()> {
        Ok(admin::drop_database(&self.server, &self.name).await?)
    }

    pub fn url(&self) -> &str {
        &self.url
    }

    /// Local settings with a pool of `max` connections, `min` kept open.
    pub fn config(&self, max: u32, min: u32) -> DbConfig {
        let mut cfg = DbConfig::new(self.url.clone());
        cfg.max_connections = max;
        cfg.min_connections = min;
        cfg
    }

    /// The owner's and the runtime pools, each of `max` connections.
    pub async fn pools(&self, max: u32, min: u32) -> Result<Pools> {
        let cfg = self.config(max, min);
        let sys = SystemDb::connect(&cfg).await?;
        let db = Db::connect(&cfg).await?;
        Ok(Pools { sys, db, cfg })
    }
}

/// Drops the bench database `name` if it is there.
pub async fn drop_database(name: &str) -> Result<()> {
    Ok(admin::drop_database(&server_url(), name).await?)
}

/// The owner's pool (migrations, city launch, seeds) and the runtime pool.
pub struct Pools {
    pub sys: SystemDb,
    pub db: Db,
    pub cfg: DbConfig,
}

impl Pools {
    /// The scale dataset with seed 1, two cities at once.
    pub async fn seed_scale(
        &self,
        cities: u32,
        participants: u32,
        sessions: u32,
    ) -> Result<ScaleReport> {
        let spec = ScaleSpec {
            cities,
            participants,
            sessions,
            seed: 1,
            concurrency: 2,
        };
        Ok(soi_seed::scale::run(&self.sys, &self.db, spec, false).await?)
    }

    /// The demo dataset with seed 1.
    pub async fn seed_demo(&self) -> Result<()> {
        soi_seed::demo::run(&self.sys, &self.db, 1, &[]).await?;
        Ok(())
    }

    /// The launched city with this slug (benches act as its admin).
    pub async fn city(&self, slug: &str) -> Result<soi_db::cities::City> {
        self.sys
            .cities()
            .await?
            .into_iter()
            .find(|c| c.slug == slug)
            .with_context(|| format!("no city {slug}"))
    }

    pub async fn close(self) {
        self.db.close().await;
        self.sys.close().await;
    }
}
