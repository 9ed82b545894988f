//! `soi privacy`: an operator records a withdrawal received on paper,
//! erases a person now, and runs retention; output names ids and counts,
//! never a person; an unknown person is one error line.

use soi_tests::TestDb;
use support::{ok, one_error_line, soi};

mod support;

#[tokio::test]
async fn the_operator_withdraws_consent_erases_and_runs_retention_by_id() {
    let t = TestDb::new().await;
    t.seed_demo(4).await;
    let url = t.url();
    let (id, email): (uuid::Uuid, String) = sqlx::query_as(
        "select p.id, p.email from participants p join cities c on c.id = p.city_id \
         where c.slug = 'almaty' and exists (select 1 from enrollments e \
           where e.participant_id = p.id and e.status = 'active') order by p.id limit 1",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("participant");
    let who = id.to_string();

    let out = ok(&soi(
        &url,
        &["privacy", "withdraw-consent", "--city", "almaty", &who],
    ));
    assert!(
        out.contains("consent withdrawn for") && out.contains("1 applications withdrawn"),
        "{out}"
    );
    let out = ok(&soi(&url, &["privacy", "erase", "--city", "almaty", &who]));
    assert!(out.starts_with(&format!("erased {who}")), "{out}");
    assert!(!out.contains(&email), "no address in the output: {out}");
    let out = ok(&soi(&url, &["privacy", "erase", "--city", "almaty", &who]));
    assert!(out.contains("already erased"), "{out}");
    let (erased, audited): (bool, i64) = sqlx::query_as(
        "select (select erased_at is not null from participants where id = $1), \
                (select count(*) from audit_log where actor_job = 'cli-privacy' \
                   and target_ids ->> 'participantId' = $1::text)",
    )
    .bind(id)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("state");
    assert!(erased);
    assert_eq!(audited, 2, "the withdrawal and the erasure, by id");

    let unknown = uuid::Uuid::now_v7().to_string();
    let err = one_error_line(&soi(
        &url,
        &["privacy", "erase", "--city", "almaty", &unknown],
    ));
    assert!(err.contains("no such participant"), "{err}");
    let out = ok(&soi(&url, &["privacy", "run-retention"]));
    assert!(
        out.contains("retention: 0 erased, 0 cities failed"),
        "{out}"
    );
}

/// The real `soi worker` runs the retention schedule beside the mail
/// worker: a withdrawal whose grace period is over is erased without anyone
/// asking, and SIGTERM stops both cleanly.
#[tokio::test]
async fn the_worker_process_erases_a_withdrawal_whose_grace_period_is_over() {
    let t = TestDb::new().await;
    t.seed_demo(5).await;
    let url = t.url();
    let id: uuid::Uuid = sqlx::query_scalar(
        "select p.id from participants p join cities c on c.id = p.city_id \
         where c.slug = 'astana' order by p.id limit 1",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("participant");
    ok(&soi(
        &url,
        &[
            "privacy",
            "withdraw-consent",
            "--city",
            "astana",
            &id.to_string(),
        ],
    ));
    sqlx::query(
        "update participants set erasure_due_at = now() - interval '1 second' where id = $1",
    )
    .bind(id)
    .execute(&mut t.raw().await)
    .await
    .expect("due");
    let mut worker = support::soi_command(&url)
        .arg("worker")
        .env("SOI_JWT_SECRET", soi_tests::TEST_JWT_SECRET)
        .env("SMTP_URL", soi_tests::mail::Sink::shared().url())
        .env("SOI_RETENTION_SCHEDULE_SECS", "1")
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("run soi worker");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        let erased: bool =
            sqlx::query_scalar("select erased_at is not null from participants where id = $1")
                .bind(id)
                .fetch_one(&mut t.raw().await)
                .await
                .expect("participant");
        if erased {
            break;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "not erased by the worker"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let term = std::process::Command::new("kill")
        .args(["-TERM", &worker.id().to_string()])
        .status()
        .expect("kill -TERM");
    assert!(term.success());
    assert!(worker.wait().expect("reaped").success());
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where actor_job = 'retention' and target_ids ->> 'participantId' = $1::text",
    )
    .bind(id)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}
