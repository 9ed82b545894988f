//! The national report transaction: runs as the `soi_national` role, which
//! may read rollups, season labels and cities and nothing else. A query here
//! that named a city table would fail with a permission error, whatever it
//! asked for: the database, not this code, keeps people out of national work.

use super::error::Result;
use sqlx::Transaction;
use sqlx::postgres::{PgConnection, Postgres};

/// A read-only transaction as `soi_national`, with no city set.
pub struct ReportTx {
    tx: Transaction<'static, Postgres>,
}

impl ReportTx {
    pub(crate) fn new(tx: Transaction<'static, Postgres>) -> Self {
        Self { tx }
    }

    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        &mut self.tx
    }

    /// The role statements run as here (always `soi_national`), for tests.
    pub async fn database_role(&mut self) -> Result<String> {
        Ok(sqlx::query_scalar("select current_user::text")
            .fetch_one(&mut *self.tx)
            .await?)
    }

    /// Runs one statement as the national role and reports whether the
    /// database allowed it: the isolation tests probe city tables with it.
    pub async fn probe(&mut self, sql: &str) -> Result<std::result::Result<(), String>> {
        sqlx::query("savepoint probe")
            .execute(&mut *self.tx)
            .await?;
        let outcome = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_owned()))
            .execute(&mut *self.tx)
            .await;
        let answer = match outcome {
            Ok(_) => Ok(()),
            Err(e) => {
                sqlx::query("rollback to savepoint probe")
                    .execute(&mut *self.tx)
                    .await?;
                Err(e.to_string())
            }
        };
        Ok(answer)
    }

    /// Ends the transaction (it only ever reads).
    pub async fn finish(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}
