//! A transaction whose caller stops waiting while its BEGIN is on the wire
//! (a client that hangs up, a timeout) must not leave the pooled connection
//! inside that transaction: the next transaction on the connection would
//! run inside it — read-only, or as another role — and fail, or commit
//! together with it.

use soi_core::{RinkId, SystemCtx};
use soi_db::Db;
use soi_db::program::rinks;
use soi_tests::{TestDb, launch};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_begin_given_up_half_way_leaves_no_transaction_on_the_connection() {
    let t = TestDb::new().await;
    let city = launch(&t.system().await, "almaty").await;
    // One connection, so every attempt below reuses the one the last left.
    let mut cfg = t.config();
    cfg.max_connections = 1;
    let db = Db::connect(&cfg).await.expect("pool");
    let scope = SystemCtx::new("cancel-test").in_city(city.id);
    let mut cancelled = 0;
    let started = Arc::new(AtomicBool::new(false));
    for step in 0..300u64 {
        // Give up on a read-only snapshot's begin after 0–3 ms, busy-waiting
        // so the moment is finer than the timer's millisecond.
        let (db2, scope2, ran) = (db.clone(), scope, started.clone());
        let begin = tokio::spawn(async move {
            ran.store(true, Ordering::SeqCst);
            db2.tenant_snapshot(&scope2).await
        });
        let until = Instant::now() + Duration::from_micros(step * 10);
        while Instant::now() < until && !begin.is_finished() {
            std::hint::spin_loop();
        }
        begin.abort();
        // Counted only when the begin had started: an abort before the task
        // first ran gives nothing up.
        if begin.await.is_err() && started.swap(false, Ordering::SeqCst) {
            cancelled += 1;
        }
        started.store(false, Ordering::SeqCst);
        // The next transaction writes: it must be a transaction of its own.
        let mut tx = db.tenant(&scope).await.expect("tenant");
        rinks::insert(&mut tx, RinkId::new(), &format!("Rink {step}"), "Abay 1")
            .await
            .unwrap_or_else(|e| panic!("a write after a begin given up at {} µs: {e}", step * 10));
        tx.commit().await.expect("commit");
    }
    assert!(
        cancelled > 0,
        "no begin was given up after it started; the test shows nothing"
    );
}
