//! The connection inside a transaction, as the repositories see it: an
//! `Executor` that runs each statement on the transaction's connection,
//! times it, counts the rows it wrote into the city's [`CityUsage`], and —
//! when a trace subscriber wants them (debug level) — wraps it in a span
//! with `db.system` and `db.operation`. Never the statement's parameters:
//! they are personal data.

use super::usage::CityUsage;
use futures_util::future::BoxFuture;
use futures_util::stream::{BoxStream, Stream};
use futures_util::{FutureExt, StreamExt};
use sqlx::Either;
use sqlx::postgres::{PgArguments, PgConnection, PgQueryResult, PgRow, PgStatement, PgTypeInfo};
use sqlx::{Execute, Executor, Postgres, SqlStr, Transaction};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Instant;

/// A transaction's connection that measures what runs on it.
pub struct TracedConn {
    tx: Transaction<'static, Postgres>,
    /// The city whose usage this work counts to; `None` outside a city.
    usage: Option<Arc<CityUsage>>,
    /// The transaction's span: the parent of every statement's.
    span: tracing::Span,
}

impl std::fmt::Debug for TracedConn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TracedConn").finish_non_exhaustive()
    }
}

impl TracedConn {
    pub(crate) fn new(
        tx: Transaction<'static, Postgres>,
        usage: Option<Arc<CityUsage>>,
        span: tracing::Span,
    ) -> Self {
        Self { tx, usage, span }
    }

    /// The bare connection, for what an `Executor` cannot do (a savepoint);
    /// statements run on it are neither timed nor traced.
    pub(crate) fn raw(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// Commits, timed like a statement.
    pub(crate) async fn commit(self) -> sqlx::Result<()> {
        let probe = Probe::start(self.usage.clone(), &self.span, Operation::Commit);
        let done = self.tx.commit().await;
        probe.finish(0);
        done
    }

    pub(crate) async fn rollback(self) -> sqlx::Result<()> {
        let probe = Probe::start(self.usage.clone(), &self.span, Operation::Rollback);
        let done = self.tx.rollback().await;
        probe.finish(0);
        done
    }
}

/// The first keyword of a statement: the `db.operation` of its span, and
/// whether its rows count as written. Our SQL only, so the set is fixed.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Operation {
    Select,
    Insert,
    Update,
    Delete,
    /// A `with` statement: writes when one of its parts does.
    With {
        writes: bool,
    },
    Begin,
    Commit,
    Rollback,
    Other,
}

impl Operation {
    pub(crate) fn of(sql: &str) -> Self {
        let first = sql
            .trim_start_matches(|c: char| c.is_whitespace() || c == '(')
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("");
        match first.to_ascii_lowercase().as_str() {
            "select" => Self::Select,
            "insert" => Self::Insert,
            "update" => Self::Update,
            "delete" => Self::Delete,
            "with" => Self::With {
                writes: writes_in(sql),
            },
            "begin" => Self::Begin,
            "commit" => Self::Commit,
            "rollback" => Self::Rollback,
            _ => Self::Other,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Self::Select => "SELECT",
            Self::Insert => "INSERT",
            Self::Update => "UPDATE",
            Self::Delete => "DELETE",
            Self::With { .. } => "WITH",
            Self::Begin => "BEGIN",
            Self::Commit => "COMMIT",
            Self::Rollback => "ROLLBACK",
            Self::Other => "OTHER",
        }
    }

    /// Whether PostgreSQL's count of affected rows is rows written.
    fn writes(self) -> bool {
        matches!(
            self,
            Self::Insert | Self::Update | Self::Delete | Self::With { writes: true }
        )
    }
}

/// Whether a `with` statement has a writing part: an `insert into`, a
/// `delete from`, or an `update` that is not a row lock (`for update`,
/// `for no key update`). Matched in place, whatever the case, since it runs
/// on every execution of the statement (no lowered copy of the SQL).
fn writes_in(sql: &str) -> bool {
    let sql = sql.as_bytes();
    let at = |word: &'static [u8]| {
        sql.windows(word.len())
            .enumerate()
            .filter(move |(_, w)| w.eq_ignore_ascii_case(word))
            .map(|(i, _)| i)
    };
    if at(b"insert into").next().is_some() || at(b"delete from").next().is_some() {
        return true;
    }
    at(b"update ").any(|i| {
        let before = sql[..i].trim_ascii_end();
        let ends = |w: &[u8]| {
            before.len() >= w.len() && before[before.len() - w.len()..].eq_ignore_ascii_case(w)
        };
        !(ends(b"for") || ends(b"key"))
    })
}

/// One statement being measured: its span, its start, its city.
pub(crate) struct Probe {
    usage: Option<Arc<CityUsage>>,
    span: tracing::Span,
    started: Instant,
    operation: Operation,
    rows: u64,
    done: bool,
}

impl Probe {
    pub(crate) fn start(
        usage: Option<Arc<CityUsage>>,
        parent: &tracing::Span,
        operation: Operation,
    ) -> Self {
        // A statement outside a traced transaction (a one-round-trip read)
        // hangs under whatever span is current.
        macro_rules! statement_span {
            ($($parent:tt)*) => {
                tracing::debug_span!(
                    $($parent)*
                    "db.statement",
                    otel.name = operation.name(),
                    otel.kind = "client",
                    db.system = "postgresql",
                    db.operation = operation.name(),
                    db.rows_affected = tracing::field::Empty,
                )
            };
        }
        let span = if parent.is_none() {
            statement_span!()
        } else {
            statement_span!(parent: parent,)
        };
        Self {
            usage,
            span,
            started: Instant::now(),
            operation,
            rows: 0,
            done: false,
        }
    }

    fn add(&mut self, result: &PgQueryResult) {
        self.rows += result.rows_affected();
    }

    /// Counts the statement's time and, for writes, its rows.
    pub(crate) fn finish(mut self, extra_rows: u64) {
        self.rows += extra_rows;
        self.record();
    }

    fn record(&mut self) {
        if self.done {
            return;
        }
        self.done = true;
        let written = if self.operation.writes() {
            self.rows
        } else {
            0
        };
        self.span.record("db.rows_affected", self.rows);
        if let Some(usage) = &self.usage {
            usage.add(self.started.elapsed(), written);
        }
    }
}

impl Drop for Probe {
    /// A statement whose stream was dropped early still took its time.
    fn drop(&mut self) {
        self.record();
    }
}

/// The statement's parts, taken apart so its text can be read before it runs.
struct Parts {
    sql: SqlStr,
    arguments: Option<PgArguments>,
    statement: Option<PgStatement>,
    persistent: bool,
}

impl Parts {
    fn of<'q>(mut query: impl Execute<'q, Postgres>) -> (Self, Option<sqlx::Error>) {
        let statement = query.statement().cloned();
        let persistent = query.persistent();
        let (arguments, error) = match query.take_arguments() {
            Ok(a) => (a, None),
            Err(e) => (None, Some(sqlx::Error::Encode(e))),
        };
        let sql = query.sql();
        (
            Self {
                sql,
                arguments,
                statement,
                persistent,
            },
            error,
        )
    }
}

impl<'q> Execute<'q, Postgres> for Parts {
    fn sql(self) -> SqlStr {
        self.sql
    }

    fn statement(&self) -> Option<&PgStatement> {
        self.statement.as_ref()
    }

    fn take_arguments(&mut self) -> Result<Option<PgArguments>, sqlx::error::BoxDynError> {
        Ok(self.arguments.take())
    }

    fn persistent(&self) -> bool {
        self.persistent
    }
}

/// A statement's results, passed through while they are counted.
struct Measured<'e> {
    inner: BoxStream<'e, sqlx::Result<Either<PgQueryResult, PgRow>>>,
    probe: Probe,
}

impl Stream for Measured<'_> {
    type Item = sqlx::Result<Either<PgQueryResult, PgRow>>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let next = {
            let _entered = this.probe.span.enter();
            this.inner.poll_next_unpin(cx)
        };
        match &next {
            Poll::Ready(Some(Ok(Either::Left(result)))) => this.probe.add(result),
            Poll::Ready(None) => this.probe.record(),
            _ => {}
        }
        next
    }
}

impl<'c> Executor<'c> for &'c mut TracedConn {
    type Database = Postgres;

    fn fetch_many<'e, 'q: 'e, E>(
        self,
        query: E,
    ) -> BoxStream<'e, sqlx::Result<Either<PgQueryResult, PgRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        let (parts, error) = Parts::of(query);
        if let Some(e) = error {
            return futures_util::stream::once(async move { Err(e) }).boxed();
        }
        let operation = Operation::of(parts.sql.as_str());
        let probe = Probe::start(self.usage.clone(), &self.span, operation);
        let inner = {
            let _entered = probe.span.enter();
            (&mut *self.tx).fetch_many(parts)
        };
        Measured { inner, probe }.boxed()
    }

    fn fetch_optional<'e, 'q: 'e, E>(self, query: E) -> BoxFuture<'e, sqlx::Result<Option<PgRow>>>
    where
        'c: 'e,
        E: 'q + Execute<'q, Postgres>,
    {
        let (parts, error) = Parts::of(query);
        if let Some(e) = error {
            return async move { Err(e) }.boxed();
        }
        let operation = Operation::of(parts.sql.as_str());
        if operation.writes() {
            // A write's count of rows comes only with its completion, which
            // a one-row fetch never reads: run it whole (a write returns few
            // rows) and keep the first row.
            let mut rows = self.fetch_many(parts);
            return async move {
                let mut first = None;
                while let Some(step) = rows.next().await {
                    if let Either::Right(row) = step? {
                        first.get_or_insert(row);
                    }
                }
                Ok::<_, sqlx::Error>(first)
            }
            .boxed();
        }
        let probe = Probe::start(self.usage.clone(), &self.span, operation);
        let span = probe.span.clone();
        let inner = (&mut *self.tx).fetch_optional(parts);
        async move {
            let row = tracing::Instrument::instrument(inner, span).await;
            probe.finish(0);
            row
        }
        .boxed()
    }

    fn prepare_with<'e>(
        self,
        sql: SqlStr,
        parameters: &'e [PgTypeInfo],
    ) -> BoxFuture<'e, sqlx::Result<PgStatement>>
    where
        'c: 'e,
    {
        (&mut *self.tx).prepare_with(sql, parameters)
    }

    fn describe<'e>(self, sql: SqlStr) -> BoxFuture<'e, sqlx::Result<sqlx::Describe<Postgres>>>
    where
        'c: 'e,
    {
        (&mut *self.tx).describe(sql)
    }
}

#[cfg(test)]
mod tests {
    use super::Operation;

    #[test]
    fn statements_are_named_by_their_first_keyword() {
        assert_eq!(Operation::of("  select 1"), Operation::Select);
        assert_eq!(Operation::of("INSERT into t values (1)"), Operation::Insert);
        assert_eq!(
            Operation::of("(select 1) union (select 2)"),
            Operation::Select
        );
        assert_eq!(
            Operation::of("with x as (update t set a = 1 returning *) select * from x"),
            Operation::With { writes: true }
        );
        assert_eq!(
            Operation::of("with x as (select 1) select * from x"),
            Operation::With { writes: false }
        );
        assert_eq!(
            Operation::of("with x as (select id from t for no key update) select * from x"),
            Operation::With { writes: false }
        );
        assert_eq!(
            Operation::of("with x as (select id from t for update) delete from t using x"),
            Operation::With { writes: true }
        );
        assert_eq!(
            Operation::of("WITH x AS (SELECT id FROM t FOR NO KEY UPDATE) SELECT * FROM x"),
            Operation::With { writes: false }
        );
        assert_eq!(
            Operation::of("WITH x AS (SELECT 1) UPDATE t SET a = 1"),
            Operation::With { writes: true }
        );
        assert_eq!(Operation::of("begin; select 1"), Operation::Begin);
        assert_eq!(Operation::of("savepoint a"), Operation::Other);
    }

    #[test]
    fn only_writes_count_rows_written() {
        assert!(Operation::Insert.writes() && Operation::Delete.writes());
        assert!(!Operation::Select.writes() && !Operation::Commit.writes());
        assert!(!Operation::With { writes: false }.writes());
    }
}
