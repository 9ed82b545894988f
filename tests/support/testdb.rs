//! One fresh database per test. The first test of a run migrates a template
//! database (named by a hash of the embedded migrations, under an advisory lock so
//! parallel test processes wait for one another); every test then clones it.

use soi_db::{Db, DbConfig, PrivilegedLogin, SystemDb, admin};
use sqlx::{Connection, Executor, PgConnection};
use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: AtomicU32 = AtomicU32::new(0);

pub struct TestDb {
    pub name: String,
    server: String,
}

/// The server's maintenance URL: `SOI_TEST_DATABASE_URL`, or local defaults.
fn server_url() -> String {
    std::env::var("SOI_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn with_database(server: &str, name: &str) -> String {
    let (base, _) = server.rsplit_once('/').expect("URL with a database");
    format!("{base}/{name}")
}

/// The migrations this build embeds (not the folder, which may have moved
/// on while the build ran), so a template always holds what its name says.
fn migrations_hash() -> String {
    SystemDb::migrations_fingerprint()
}

async fn ensure_template(server: &str) -> String {
    let template = format!("soi_tpl_{}", migrations_hash());
    let mut conn = PgConnection::connect(server)
        .await
        .expect("connect to the test server");
    conn.execute("select pg_advisory_lock(727274)")
        .await
        .expect("lock");
    let exists: bool =
        sqlx::query_scalar("select exists (select 1 from pg_database where datname = $1)")
            .bind(&template)
            .fetch_one(&mut conn)
            .await
            .expect("query");
    if !exists {
        // Templates of other migrations are left alone: another checkout's
        // run may be cloning them right now. `deploy/dev test` drops them
        // all at its end (unless SOI_KEEP_TEMPLATES=1).
        let building = format!("{template}_build");
        admin::recreate_database(server, &building, None)
            .await
            .expect("create template");
        let sys = SystemDb::connect(&DbConfig::new(with_database(server, &building)))
            .await
            .expect("connect");
        sys.migrate(&soi_core::SystemCtx::new("test-template"))
            .await
            .expect("migrate template");
        sys.close().await;
        conn.execute(sqlx::AssertSqlSafe(format!(
            "alter database \"{building}\" rename to \"{template}\""
        )))
        .await
        .expect("rename template");
    }
    conn.execute("select pg_advisory_unlock(727274)")
        .await
        .expect("unlock");
    conn.close().await.ok();
    template
}

impl TestDb {
    pub async fn new() -> Self {
        let server = server_url();
        let template = ensure_template(&server).await;
        let name = format!(
            "soi_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..8)
                .unwrap_or("x")
        );
        // Concurrent clones of one template can collide briefly; retry.
        let mut last = None;
        for attempt in 0..20 {
            match admin::recreate_database(&server, &name, Some(&template)).await {
                Ok(()) => return Self { name, server },
                Err(e) => last = Some(e),
            }
            tokio::time::sleep(std::time::Duration::from_millis(50 * (attempt + 1))).await;
        }
        panic!("cannot create test database: {last:?}");
    }

    pub fn url(&self) -> String {
        with_database(&self.server, &self.name)
    }

    /// The URL with another user (no password: local trust authentication).
    pub fn url_as(&self, user: &str) -> String {
        let url = self.url();
        let (scheme, rest) = url.split_once("://").expect("scheme");
        let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
        format!("{scheme}://{user}@{host}")
    }

    /// The runtime logs in as soi_app itself (local trust authentication),
    /// the owner's connection as the server URL's (super)user: as deployed.
    /// A privileged runtime login is refused, as in production.
    pub fn config(&self) -> DbConfig {
        let mut cfg = DbConfig::new(self.url_as("soi_app"));
        cfg.owner_url = Some(self.url().into());
        cfg.privileged_login = PrivilegedLogin::Refuse;
        cfg.max_connections = 4;
        cfg.min_connections = 0;
        cfg
    }

    /// A runtime that logs in as the server URL's superuser and switches to
    /// soi_app (for diagnostics that need a superuser, e.g. `auto_explain`).
    pub fn superuser_config(&self) -> DbConfig {
        let mut cfg = DbConfig::new(self.url());
        cfg.max_connections = 4;
        cfg.min_connections = 0;
        cfg
    }

    pub async fn db(&self) -> Db {
        Db::connect(&self.config()).await.expect("runtime pool")
    }

    pub async fn system(&self) -> SystemDb {
        SystemDb::connect(&self.config()).await.expect("owner pool")
    }

    /// A raw connection as the configured (super)user, for catalog checks.
    pub async fn raw(&self) -> PgConnection {
        PgConnection::connect(&self.url())
            .await
            .expect("raw connection")
    }

    /// A raw connection logged in as the runtime role, with no city set.
    pub async fn raw_app(&self) -> PgConnection {
        PgConnection::connect(&self.url_as("soi_app"))
            .await
            .expect("raw connection as soi_app")
    }

    /// Seeds the demo dataset with `seed` (launching the demo cities), on
    /// pools of its own that it closes.
    pub async fn seed_demo(&self, seed: u64) {
        let (sys, db) = (self.system().await, self.db().await);
        soi_seed::demo::run(&sys, &db, seed, &[])
            .await
            .expect("demo seed");
        sys.close().await;
        db.close().await;
    }

    /// The city `slug` (panics when there is none).
    pub async fn city(&self, slug: &str) -> soi_db::cities::City {
        self.system()
            .await
            .city_by_slug(slug)
            .await
            .expect("city query")
            .unwrap_or_else(|| panic!("no city {slug}"))
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        // Drop runs inside the test's runtime; use a thread with its own.
        let (server, name) = (self.server.clone(), self.name.clone());
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(rt) = rt {
                let _ = rt.block_on(admin::drop_database(&server, &name));
                // Gateways on this database keep their Redis keys under its
                // name (see `TestApp`); counters without an expiry would stay.
                let _ = rt.block_on(async {
                    tokio::time::timeout(
                        std::time::Duration::from_secs(3),
                        forget_redis_keys(&name),
                    )
                    .await
                });
            }
        });
        let _ = done.join();
    }
}

/// Deletes the shared Redis's keys under `prefix:` (best effort).
async fn forget_redis_keys(prefix: &str) -> redis::RedisResult<()> {
    let url = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    soi_cache::delete_prefixed(&url, prefix).await.map(drop)
}
