//! The runtime pool. Every connection runs as `soi_app` (no superuser, no
//! BYPASSRLS, owns nothing), so row-level security applies to everything the
//! application does. It should also log in as `soi_app`: a privileged login
//! that only `SET ROLE`s to it is refused or warned about at start.

use super::config::{DbConfig, PrivilegedLogin, describe};
use super::error::{Error, Result};
use super::report_tx::ReportTx;
use super::tenant::{NationalTx, TenantTx};
use super::traced::{Operation, Probe, TracedConn};
use super::usage::{Usage, UsageFigures};
use crate::reports::memo::Medians;
use soi_core::{CityId, CityScope};
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use sqlx::{Connection, Executor, Row, SqlSafeStr};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing::Instrument;

/// The runtime database handle: cheap to clone, holds the pool privately.
#[derive(Clone)]
pub struct Db {
    pool: PgPool,
    /// Tenant transactions begun through this handle and its clones, for
    /// metrics (and tests that count them per request).
    tenant_txs: Arc<AtomicU64>,
    /// National medians by version, shared by this handle's clones.
    medians: Medians,
    /// What each city's transactions cost the database, for metrics.
    usage: Usage,
}

impl std::fmt::Debug for Db {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Db")
            .field("size", &self.pool.size())
            .finish()
    }
}

impl Db {
    /// Connects, switches to `soi_app`, and checks that the role really is
    /// bound by row-level security; fails with one clear line otherwise.
    pub async fn connect(cfg: &DbConfig) -> Result<Self> {
        let options = cfg
            .runtime_options()?
            // JIT compiles many functions for plans over many partitions and
            // costs more than it saves on short queries.
            .options([
                ("jit", "off".to_owned()),
                // A generic plan over a table with a partition per city
                // prunes only when it runs, yet is built over every
                // partition: measured at 200 cities, building it took 60–106
                // ms on a connection's sixth run of a statement and kept 2 MB
                // per statement and connection, growing with the cities. A
                // custom plan prunes to the one city while it is planned.
                ("plan_cache_mode", "force_custom_plan".to_owned()),
                (
                    "statement_timeout",
                    format!("{}ms", cfg.statement_timeout.as_millis()),
                ),
            ]);
        let target = describe(&options);
        // The role switch is tried on one connection first: the pool retries a
        // failing after_connect until its deadline and would hide the reason.
        let mut first = probe(&options, &target, cfg.acquire_timeout).await?;
        let login = check_login(&mut first, cfg.privileged_login).await;
        if let Err(e) = login {
            first.close().await.ok();
            return Err(connect_error(&target, e));
        }
        let checked = become_app_role(&mut first, cfg.explain_plans).await;
        first.close().await.ok();
        checked.map_err(|e| connect_error(&target, e))?;
        let explain = cfg.explain_plans;
        let pool = PgPoolOptions::new()
            .max_connections(cfg.max_connections)
            .min_connections(cfg.min_connections)
            .acquire_timeout(cfg.acquire_timeout)
            .after_connect(move |conn, _meta| {
                Box::pin(async move { become_app_role(conn, explain).await })
            })
            .connect_lazy_with(options);
        // Open the warm connections now, and fail now if that cannot be done.
        let warm = (0..cfg.min_connections.max(1)).map(|_| pool.acquire());
        let conns = tokio::time::timeout(cfg.acquire_timeout * 2, join_in_turn(warm))
            .await
            .map_err(|_| {
                Error::Unavailable(format!(
                    "cannot open connections to PostgreSQL at {target}: timed out"
                ))
            })?;
        for c in conns {
            c.map_err(|e| connect_error(&target, e))?;
        }
        Ok(Self {
            pool,
            tenant_txs: Arc::default(),
            medians: Default::default(),
            usage: Usage::default(),
        })
    }

    /// Opens a transaction scoped to one city. `soi.city_id` is set with
    /// `set_config(.., true)`: transaction-local, so the pooled connection
    /// carries no city into the next transaction. For a signed-in user the
    /// role, coach and participant are set the same way, for the policies that
    /// narrow coaches and participants. BEGIN and the settings go in one round
    /// trip.
    pub async fn tenant(&self, scope: &CityScope) -> Result<TenantTx> {
        self.begin_tenant(scope, "begin").await
    }

    /// BEGIN with the scope's settings, timed and traced as the first
    /// statement of the city's transaction (the wait for a pooled
    /// connection included).
    async fn begin_tenant(&self, scope: &CityScope, begin: &str) -> Result<TenantTx> {
        let usage = self.usage.of(scope.city());
        let span = tracing::debug_span!(
            "db.transaction",
            otel.kind = "client",
            db.system = "postgresql",
            soi.city_id = %scope.city().as_uuid(),
        );
        let probe = Probe::start(Some(usage.clone()), &span, Operation::Begin);
        let begin = tenant_begin(scope, begin);
        let tx = begin_whole(&self.pool, begin).await;
        probe.finish(0);
        let tx = tx?;
        self.tenant_txs.fetch_add(1, Ordering::Relaxed);
        Ok(TenantTx::new(
            TracedConn::new(tx, Some(usage), span),
            *scope,
        ))
    }

    /// Opens a read-only transaction scoped to one city whose every
    /// statement reads the same snapshot (repeatable read): a GraphQL
    /// query's resolvers and loaders share one, so the fields of a response
    /// agree with each other. Begin and scope go in one round trip.
    pub async fn tenant_snapshot(&self, scope: &CityScope) -> Result<TenantTx> {
        self.begin_tenant(scope, "begin isolation level repeatable read read only")
            .await
    }

    /// Opens a read-only transaction scoped to one city, for long reads
    /// (exports): the database refuses any write in it, and the one
    /// snapshot makes a streamed export consistent from first row to last.
    /// A streamed statement runs while its rows are written out, so the
    /// runtime role's short `statement_timeout` is raised to
    /// [`EXPORT_STATEMENT_TIMEOUT`] for this transaction alone.
    pub async fn tenant_read_only(&self, scope: &CityScope) -> Result<TenantTx> {
        let begin = format!(
            "begin isolation level repeatable read read only; set local statement_timeout = '{EXPORT_STATEMENT_TIMEOUT}'"
        );
        self.begin_tenant(scope, &begin).await
    }

    /// The city's change counter (see [`crate::reports::rollups::city_version`]),
    /// read in a tenant transaction begun, read and ended in one round trip:
    /// the cached city reports check it on every request.
    pub async fn city_version(&self, scope: &CityScope) -> Result<i64> {
        let sql = format!(
            "{}; select coalesce((select version from rollup_versions where city_id = '{}'), 0)::bigint; commit",
            tenant_begin(scope, "begin read only"),
            scope.city().as_uuid()
        );
        self.tenant_txs.fetch_add(1, Ordering::Relaxed);
        let usage = self.usage.of(scope.city());
        let probe = Probe::start(Some(usage), &tracing::Span::none(), Operation::Select);
        let version = self.last_number(sql).await;
        probe.finish(0);
        version
    }

    /// A short name of this database, for names kept outside it (the Redis
    /// namespace): the id made when it was migrated, with its oid on the
    /// server, hashed. Another database, or this one dropped and created
    /// again, has another name.
    pub async fn identity(&self) -> Result<String> {
        let hex: String = sqlx::query_scalar(
            "select encode(sha256(convert_to(i.id::text || ':' || d.oid::text, 'UTF8')), 'hex') \
             from database_identity i, pg_database d where d.datname = current_database()",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(hex.chars().take(16).collect())
    }

    /// Tenant transactions begun so far by this handle and its clones (a
    /// counter: it only grows).
    pub fn tenant_transactions(&self) -> u64 {
        self.tenant_txs.load(Ordering::Relaxed)
    }

    /// What each city's tenant transactions through this handle (and its
    /// clones) have cost the database so far: counters that only grow.
    pub fn city_usage(&self) -> Vec<(CityId, UsageFigures)> {
        self.usage.snapshot()
    }

    pub(crate) fn medians(&self) -> &Medians {
        &self.medians
    }

    /// Opens a transaction with no city: national tables and aggregates only.
    /// The setting is cleared explicitly, so every city table shows no rows.
    pub async fn national(&self) -> Result<NationalTx> {
        let tx = begin_whole(
            &self.pool,
            "begin; select set_config('soi.city_id', '', true)",
        )
        .await?;
        Ok(NationalTx::new(TracedConn::new(
            tx,
            None,
            tracing::Span::none(),
        )))
    }

    /// Opens a read-only transaction as the national role (`soi_national`):
    /// rollups, season labels and cities are all it can read. The role lasts
    /// for this transaction only (`set local`), so the pooled connection is
    /// `soi_app` again afterwards.
    pub async fn report(&self) -> Result<ReportTx> {
        let tx = begin_whole(
            &self.pool,
            "begin isolation level repeatable read read only; set local role soi_national; \
             select set_config('soi.city_id', '', true)",
        )
        .await?;
        Ok(ReportTx::new(tx))
    }

    /// The state of every city's figures (see [`crate::reports::rollups::national_version`]),
    /// read as the national role in one round trip: the cached national answers
    /// check it on every request, where a transaction's three round trips
    /// (begin, select, end) were a third of a hit's time.
    pub async fn national_version(&self) -> Result<i64> {
        self.last_number(
            "begin isolation level repeatable read read only; set local role soi_national; \
             select coalesce(sum(version), 0)::bigint from rollup_versions; commit"
                .to_owned(),
        )
        .await
    }

    /// The first column of the last row that a string of statements (a
    /// whole transaction, formatted by us) answers, in one round trip.
    async fn last_number(&self, sql: String) -> Result<i64> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .fetch_all(&mut *conn)
            .await;
        match rows {
            Ok(rows) => match rows.last() {
                Some(row) => Ok(row.try_get(0)?),
                None => Err(sqlx::Error::RowNotFound.into()),
            },
            Err(e) => {
                // The string may have stopped inside its transaction: never
                // hand that connection back to the pool.
                let _ = conn.close().await;
                Err(e.into())
            }
        }
    }

    /// The pool, for a single statement that needs no transaction (one
    /// round trip: `auth::sessions` reads a security-definer function).
    pub(crate) fn pool(&self) -> &PgPool {
        &self.pool
    }

    /// One round trip, for readiness checks.
    pub async fn ping(&self) -> Result<()> {
        self.pool.execute("select 1").await?;
        Ok(())
    }

    /// The role the pool's connections act as (always `soi_app`).
    pub async fn role(&self) -> Result<String> {
        Ok(sqlx::query_scalar("select current_user::text")
            .fetch_one(&self.pool)
            .await?)
    }

    /// A server setting as the pool's connections have it (diagnostics).
    pub async fn setting(&self, name: &str) -> Result<String> {
        Ok(sqlx::query_scalar("select current_setting($1)")
            .bind(name)
            .fetch_one(&self.pool)
            .await?)
    }

    /// The role the pool's connections logged in as (the one `RESET ROLE`
    /// would return to): `soi_app` when deployed as documented.
    pub async fn login(&self) -> Result<String> {
        Ok(sqlx::query_scalar("select session_user::text")
            .fetch_one(&self.pool)
            .await?)
    }

    /// Connections open and idle, for metrics.
    pub fn pool_usage(&self) -> (u32, usize) {
        (self.pool.size(), self.pool.num_idle())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }
}

/// Begins a transaction on a pooled connection and sees the BEGIN through
/// even if the caller stops waiting (a client that hung up, a timeout).
/// sqlx counts a transaction as open only once its BEGIN has answered, so a
/// caller dropped in between put the connection back into the pool inside a
/// transaction nobody would end: the next transaction on it ran inside that
/// one (read-only, or as the national role) and failed, or committed with
/// it. The connection is taken here (a caller that gives up while waiting
/// for one leaves nothing behind); only the BEGIN runs on its own task,
/// where it completes, and a transaction nobody takes is dropped, and so
/// rolled back, like any other.
pub(crate) async fn begin_whole(
    pool: &PgPool,
    begin: impl Into<String>,
) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Postgres>> {
    let conn = pool.acquire().await?;
    let begin = begin.into();
    let task = tokio::spawn(
        sqlx::Transaction::begin(conn, Some(sqlx::AssertSqlSafe(begin).into_sql_str()))
            .in_current_span(),
    );
    match task.await {
        Ok(tx) => tx,
        // A panic in the driver is a bug, not an outage: raised again here.
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(e) => Err(sqlx::Error::Io(std::io::Error::other(format!(
            "begin: {e}"
        )))),
    }
}

/// Whether the login (the session user, which `RESET ROLE` returns to) can
/// act as a role that row-level security does not bind: a superuser, a
/// BYPASSRLS role, or the owner of a table (who may turn its policies off),
/// itself or through `SET ROLE`. Such a login is refused or warned about,
/// as `policy` says; `soi_app` logging in as itself passes.
async fn check_login(conn: &mut PgConnection, policy: PrivilegedLogin) -> sqlx::Result<()> {
    let (login, privileged): (String, bool) = sqlx::query_as(
        "select r.rolname::text,                 exists (select 1 from pg_roles o                         where pg_has_role(r.oid, o.oid, 'member') and (o.rolsuper or o.rolbypassrls))                 or exists (select 1 from pg_class c                            where c.relnamespace = 'public'::regnamespace and pg_has_role(r.oid, c.relowner, 'member'))          from pg_roles r where r.rolname = session_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    if !privileged {
        return Ok(());
    }
    match policy {
        PrivilegedLogin::Refuse => Err(sqlx::Error::Configuration(
            format!(
                "DATABASE_URL logs in as '{login}', which can leave soi_app (RESET ROLE) for a role                  that row-level security does not bind; log in as soi_app (see README, Production),                  or set SOI_DB_ALLOW_PRIVILEGED_LOGIN=true to run anyway"
            )
            .into(),
        )),
        PrivilegedLogin::Warn => {
            tracing::warn!(
                login = %login,
                "the runtime logs in as a privileged role and only SET ROLEs to soi_app;                  log in as soi_app outside development"
            );
            Ok(())
        }
    }
}

/// Runs on every new connection before the pool hands it out.
async fn become_app_role(conn: &mut PgConnection, explain: bool) -> sqlx::Result<()> {
    if explain {
        // Plans come back as notices (a superuser-only setting, so before SET ROLE).
        conn.execute(
            "load 'auto_explain'; set auto_explain.log_min_duration = 0; \
             set auto_explain.log_format = 'json'; set auto_explain.log_level = 'notice'; \
             set auto_explain.log_nested_statements = on",
        )
        .await?;
    }
    let user: String = sqlx::query_scalar("select current_user::text")
        .fetch_one(&mut *conn)
        .await?;
    if user != "soi_app" {
        conn.execute("set role soi_app").await.map_err(|e| {
            sqlx::Error::Configuration(
                format!(
                    "database user '{user}' cannot act as soi_app ({}); run `soi migrate` first, \
                     or grant soi_app to {user}, or connect as soi_app",
                    db_message(&e)
                )
                .into(),
            )
        })?;
    }
    let (superuser, bypass, owns): (bool, bool, bool) = sqlx::query_as(
        "select r.rolsuper, r.rolbypassrls, \
                exists (select 1 from pg_class c where c.relowner = r.oid) \
         from pg_roles r where r.rolname = current_user",
    )
    .fetch_one(&mut *conn)
    .await?;
    if superuser || bypass || owns {
        return Err(sqlx::Error::Configuration(
            "role soi_app must be NOSUPERUSER, NOBYPASSRLS and own no table; fix the role before starting".into(),
        ));
    }
    conn.ping().await
}

fn db_message(e: &sqlx::Error) -> String {
    match e {
        sqlx::Error::Database(db) => db.message().to_owned(),
        other => other.to_string(),
    }
}

/// One direct connection first: the pool retries until its timeout and then
/// reports only "timed out", where this reports the cause (refused, unknown
/// host, bad password).
pub(crate) async fn probe(
    options: &PgConnectOptions,
    target: &str,
    timeout: std::time::Duration,
) -> Result<PgConnection> {
    match tokio::time::timeout(timeout, PgConnection::connect_with(options)).await {
        Err(_) => Err(Error::Unavailable(format!(
            "cannot reach PostgreSQL at {target}: timed out"
        ))),
        Ok(Err(e)) => Err(connect_error(target, e)),
        Ok(Ok(conn)) => Ok(conn),
    }
}

/// Awaits the futures (a handful, at start-up) one after another.
async fn join_in_turn<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let mut out = Vec::new();
    for f in futures {
        out.push(f.await);
    }
    out
}

/// One line an operator can act on; never the URL's password.
pub(crate) fn connect_error(target: &str, e: sqlx::Error) -> Error {
    match e {
        sqlx::Error::Configuration(msg) => Error::Config(msg.to_string()),
        sqlx::Error::Io(io) => {
            Error::Unavailable(format!("cannot reach PostgreSQL at {target}: {io}"))
        }
        sqlx::Error::PoolTimedOut => {
            Error::Unavailable(format!("cannot reach PostgreSQL at {target}: timed out"))
        }
        sqlx::Error::Database(db) => {
            Error::Unavailable(format!("PostgreSQL at {target} refused: {}", db.message()))
        }
        other => Error::Unavailable(format!("cannot connect to PostgreSQL at {target}: {other}")),
    }
}

/// The longest one statement of a read-only tenant transaction may run
/// (an export of a million rows to a slow client).
pub const EXPORT_STATEMENT_TIMEOUT: &str = "30min";

/// The statements that begin a tenant transaction (`begin` is `begin` or
/// `begin read only`). Typed UUIDs and fixed role codes, formatted by us:
/// nothing from a client reaches this string, so it cannot inject SQL.
fn tenant_begin(scope: &CityScope, begin: &str) -> String {
    let id = |v: Option<uuid::Uuid>| v.map(|u| u.to_string()).unwrap_or_default();
    format!(
        "{begin}; select set_config('soi.city_id', '{}', true), set_config('soi.role', '{}', true), \
         set_config('soi.coach_id', '{}', true), set_config('soi.participant_id', '{}', true), \
         set_config('soi.account_id', '{}', true)",
        scope.city().as_uuid(),
        // A public operation acts as 'public', which the accounts and
        // invitations policies shut out (an empty role means system work).
        match (scope.role(), scope.actor()) {
            (Some(role), _) => role.code(),
            (None, soi_core::Actor::Public) => "public",
            (None, _) => "",
        },
        id(scope.coach().map(|c| c.as_uuid())),
        id(scope.participant().map(|p| p.as_uuid())),
        id(match scope.actor() {
            soi_core::Actor::User(account) => Some(account),
            _ => None,
        }),
    )
}
