//! Races driven by locks, not by timing: a test holds a lock from a
//! connection of its own, waits until the statement it is racing is seen
//! waiting for that lock, changes what it likes, and lets go.

use crate::TestDb;
use std::time::Duration;

/// Waits (up to 30 s) until a backend of the test's database is waiting
/// for a lock while running a statement that contains `statement`.
pub async fn wait_until_blocked(t: &TestDb, statement: &str) {
    let mut conn = t.raw().await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(30);
    loop {
        // The fragment is a parameter, so this query never matches itself.
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity \
             where datname = current_database() and wait_event_type = 'Lock' \
               and position($1 in query) > 0",
        )
        .bind(statement)
        .fetch_one(&mut conn)
        .await
        .expect("pg_stat_activity");
        if waiting > 0 {
            return;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "nothing waited for a lock in `{statement}` within 30 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
