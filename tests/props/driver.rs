//! The driver shared by the property tests (`ledger`, `rollup`):
//! proptest's runner is synchronous while the database is async, so the
//! cases block on one runtime and share one database for the whole run.

use proptest::strategy::Strategy;
use proptest::test_runner::{Config, TestCaseError, TestError, TestRunner};
use soi_db::{Db, SystemDb};
use soi_tests::TestDb;
use sqlx::PgConnection;

/// The runner settings both property tests start from: `cases` cases and no
/// failure persistence (a failing case names its steps in the panic, and
/// the database it ran against is gone anyway).
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    }
}

/// Maps any error of the code under test into a failed case, so `?` can be
/// used inside a case.
pub fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Runs `config.cases` cases of `strategy` against one fresh database: each
/// case gets the runtime pools and its own raw owner (superuser) connection.
/// The pools are closed and the database dropped before the outcome is
/// returned, so the caller may report and panic afterwards.
pub fn drive<S: Strategy>(
    config: Config,
    strategy: &S,
    case: impl AsyncFn(&Db, &SystemDb, &mut PgConnection, &S::Value) -> Result<(), TestCaseError>,
) -> Result<(), TestError<S::Value>> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (t, db, sys) = rt.block_on(async {
        let t = TestDb::new().await;
        let db = t.db().await;
        let sys = t.system().await;
        (t, db, sys)
    });
    let mut runner = TestRunner::new(config);
    let result = runner.run(strategy, |value| {
        rt.block_on(async {
            let mut owner = t.raw().await;
            case(&db, &sys, &mut owner, &value).await
        })
    });
    rt.block_on(async {
        db.close().await;
        sys.close().await;
    });
    drop(t);
    result
}
