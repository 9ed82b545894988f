//! The owner's connection, for system work only: migrations and city launch.
//! It is opened by the CLI and by tests, never by a request.

use super::config::{DbConfig, describe};
use super::error::Result;
use super::pool::{connect_error, probe};
use crate::cities::{self, City, NewCity};
use soi_core::SystemCtx;
use sqlx::postgres::{PgPool, PgPoolOptions};

static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations");

pub struct SystemDb {
    pool: PgPool,
}

/// What a city launch did.
#[derive(Debug, Clone)]
pub struct Launched {
    pub city: City,
    /// False when the city existed already (the launch then only adds any
    /// partitions it was missing).
    pub created: bool,
    pub partitions_created: i32,
}

impl SystemDb {
    pub async fn connect(cfg: &DbConfig) -> Result<Self> {
        let options = cfg.owner_options()?;
        let target = describe(&options);
        sqlx::Connection::close(probe(&options, &target, cfg.acquire_timeout).await?)
            .await
            .ok();
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(cfg.acquire_timeout)
            .connect_with(options)
            .await
            .map_err(|e| connect_error(&target, e))?;
        Ok(Self { pool })
    }

    /// Applies pending migrations (under sqlx's advisory lock, so concurrent
    /// runs wait for each other) and returns how many were applied; 0 when the
    /// database is current.
    pub async fn migrate(&self, _ctx: &SystemCtx) -> Result<usize> {
        let before = cities::applied_migrations(&self.pool).await?;
        MIGRATOR.run(&self.pool).await?;
        let after = cities::applied_migrations(&self.pool).await?;
        Ok(after.saturating_sub(before))
    }

    /// How many migrations this build carries.
    pub fn known_migrations() -> usize {
        MIGRATOR.iter().count()
    }

    /// A fingerprint of the migrations this build carries (versions and
    /// checksums, FNV-1a): what a migrated copy is the result of, whatever
    /// the source folder holds by now.
    pub fn migrations_fingerprint() -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for m in MIGRATOR.iter() {
            for b in m.version.to_be_bytes().iter().chain(m.checksum.iter()) {
                h = (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
        format!("{h:016x}")
    }

    /// Creates the city and all its partitions in one transaction. Running it
    /// again for the same slug changes nothing but adds missing partitions.
    pub async fn launch_city(&self, ctx: &SystemCtx, new: &NewCity) -> Result<Launched> {
        let mut tx = super::pool::begin_whole(&self.pool, "begin").await?;
        let (city, created) = cities::insert_or_get(&mut tx, new).await?;
        let partitions_created = cities::ensure_partitions(&mut tx, city.id).await?;
        tx.commit().await?;
        tracing::info!(job = ctx.job(), city = %city.slug, created, partitions_created, "city launched");
        Ok(Launched {
            city,
            created,
            partitions_created,
        })
    }

    /// After a bulk load: compacts the tables the rollup triggers rewrote
    /// (each row of a big insert rewrites its counter and rollup rows, and
    /// none of those versions can be pruned before the load commits: 1,400
    /// rollup rows took 160 MB after 400,000 marks, and every national read
    /// scanned it) and refreshes the planner's statistics. Plain VACUUM frees
    /// the versions but keeps the file; FULL rewrites these small tables in
    /// moments, holding their lock meanwhile — a load's work, not a live one.
    /// Every table the load wrote is analysed, so the first reads after it
    /// are planned from the data, not from guesses.
    pub async fn tidy_after_bulk_load(&self) -> Result<()> {
        // One statement per call: VACUUM refuses a multi-statement string.
        for sql in [
            "vacuum (full, analyze) rollups, rollup_versions, rollup_coach_months, \
             training_sessions, events",
            // Every other table a load writes: a table never analysed is
            // planned from guesses, and the page of participants flipped
            // between an ordered index scan that stops at its page and
            // reading and sorting the whole city (0.13 against 0.70 ms),
            // depending on whether autovacuum had come by yet.
            "vacuum (analyze) attendance, enrollments, participants, group_members, groups, \
             group_coaches, coaches, coach_certificates, seasons, rinks, skill_assessments, \
             rollup_seasons",
        ] {
            sqlx::raw_sql(sql).execute(&self.pool).await?;
        }
        Ok(())
    }

    pub async fn cities(&self) -> Result<Vec<City>> {
        cities::list_all(&self.pool).await
    }

    pub async fn city_by_slug(&self, slug: &str) -> Result<Option<City>> {
        cities::by_slug_on(&self.pool, slug).await
    }

    /// For the benchmark: the owner's pool (a superuser locally, bypassing RLS).
    #[cfg(feature = "bench")]
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// The owner's pool, for this crate's few owner-only statements (seeding
    /// accounts, national invitations).
    pub(crate) fn owner_pool(&self) -> &PgPool {
        &self.pool
    }

    /// A transaction of the owner's with no city set, for the operator's
    /// few writes that must commit together (a national invitation and its
    /// email).
    pub async fn begin(&self) -> Result<SystemTx> {
        let tx = super::pool::begin_whole(
            &self.pool,
            "begin; select set_config('soi.city_id', '', true)",
        )
        .await?;
        Ok(SystemTx {
            tx: super::traced::TracedConn::new(tx, None, tracing::Span::none()),
        })
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// The owner's transaction ([`SystemDb::begin`]): no city is set, so it
/// holds national mail; dropped without [`SystemTx::commit`], it rolls back.
pub struct SystemTx {
    tx: super::traced::TracedConn,
}

impl SystemTx {
    pub(crate) fn conn(&mut self) -> &mut sqlx::PgConnection {
        self.tx.raw()
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

impl super::tenant::MailTx for SystemTx {
    fn mail_parts(&mut self) -> (super::tenant::Mailbox, &mut super::traced::TracedConn) {
        (super::tenant::Mailbox::National, &mut self.tx)
    }
}

/// Databases on a server, for tests and benchmarks that need a fresh one.
pub mod admin {
    use crate::Result;
    use sqlx::postgres::PgConnection;
    use sqlx::{Connection, Executor};

    fn quoted(name: &str) -> String {
        format!("\"{}\"", name.replace('"', "\"\""))
    }

    /// Drops (if present) and creates `name`, optionally from a template.
    pub async fn recreate_database(
        server_url: &str,
        name: &str,
        template: Option<&str>,
    ) -> Result<()> {
        let mut conn = PgConnection::connect(server_url).await?;
        conn.execute(sqlx::AssertSqlSafe(format!(
            "drop database if exists {} with (force)",
            quoted(name)
        )))
        .await?;
        let sql = match template {
            Some(t) => format!("create database {} template {}", quoted(name), quoted(t)),
            None => format!("create database {}", quoted(name)),
        };
        conn.execute(sqlx::AssertSqlSafe(sql)).await?;
        conn.close().await?;
        Ok(())
    }

    /// Whether the server has a database `name`.
    pub async fn database_exists(server_url: &str, name: &str) -> Result<bool> {
        let mut conn = PgConnection::connect(server_url).await?;
        let found: bool =
            sqlx::query_scalar("select exists (select from pg_database where datname = $1)")
                .bind(name)
                .fetch_one(&mut conn)
                .await?;
        conn.close().await?;
        Ok(found)
    }

    pub async fn drop_database(server_url: &str, name: &str) -> Result<()> {
        let mut conn = PgConnection::connect(server_url).await?;
        conn.execute(sqlx::AssertSqlSafe(format!(
            "drop database if exists {} with (force)",
            quoted(name)
        )))
        .await?;
        conn.close().await?;
        Ok(())
    }
}
