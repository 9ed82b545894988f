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
