//! The retention schedule (`soi_service::privacy::run_retention`): who is
//! erased when, and who is kept.

use chrono::{Duration, Utc};
use soi_service::privacy::{Policy, run_retention, withdraw_consent};
use soi_tests::{TestDb, tenant};
use sqlx::PgConnection;
use uuid::Uuid;

async fn ids(owner: &mut PgConnection, sql: &'static str, city: Uuid) -> Vec<Uuid> {
    sqlx::query_scalar(sql)
        .bind(city)
        .fetch_all(owner)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn erased(owner: &mut PgConnection, id: Uuid) -> bool {
    sqlx::query_scalar("select erased_at is not null from participants where id = $1")
        .bind(id)
        .fetch_one(owner)
        .await
        .expect("participant")
}

#[tokio::test]
async fn the_scheduled_run_erases_due_withdrawals_old_applicants_and_participants_of_long_closed_seasons()
 {
    let t = TestDb::new().await;
    t.seed_demo(3).await;
    let db = t.db().await;
    let mut owner = t.raw().await;
    let (almaty, astana) = (t.city("almaty").await.id, t.city("astana").await.id);
    let policy = Policy {
        erasure_grace: Duration::days(30),
        applicants: Duration::days(365),
        participants: Duration::days(730),
    };

    // Almaty, a season in training: three undecided applicants, of whom one
    // stays undecided (kept: it waits in an open season), one was rejected
    // long ago (erased) and one lately (kept).
    let undecided = ids(
        &mut owner,
        "select participant_id from enrollments where city_id = $1 and status = 'applied' order by participant_id",
        almaty.as_uuid(),
    )
    .await;
    assert_eq!(undecided.len(), 3, "the demo's undecided applicants");
    let (waiting, old, recent) = (undecided[0], undecided[1], undecided[2]);
    // The rollup triggers run as soi_rollup, which row-level security binds:
    // the owner's changes name their city like the platform's do.
    name_city(&mut owner, almaty.as_uuid()).await;
    for (who, days) in [(old, 400), (recent, 10)] {
        sqlx::query(
            "update enrollments set status = 'rejected', applied_at = now() - make_interval(days => $2 + 5), \
             decided_at = now() - make_interval(days => $2) where participant_id = $1",
        )
        .bind(who)
        .bind(days)
        .execute(&mut owner)
        .await
        .expect("rejected");
    }
    // Two trainees withdraw consent: one's grace period is over, the other's not.
    let trainees = ids(
        &mut owner,
        "select e.participant_id from enrollments e where e.city_id = $1 and e.status = 'active' \
         and exists (select 1 from attendance a where a.participant_id = e.participant_id) \
         order by e.participant_id limit 3",
        almaty.as_uuid(),
    )
    .await;
    let (due, not_yet, training) = (trainees[0], trainees[1], trainees[2]);
    let mut tx = tenant(&db, almaty).await;
    for who in [due, not_yet] {
        withdraw_consent(&mut tx, &policy, who.into())
            .await
            .expect("withdraw");
    }
    tx.commit().await.expect("commit");
    sqlx::query(
        "update participants set erasure_due_at = now() - interval '1 minute' where id = $1",
    )
    .bind(due)
    .execute(&mut owner)
    .await
    .expect("due");

    // Astana: its season closed and ended more than the period ago.
    name_city(&mut owner, astana.as_uuid()).await;
    sqlx::query(
        "update seasons set phase = 'closed', ends_on = current_date - 800, starts_on = current_date - 1000 \
         where city_id = $1",
    )
    .bind(astana.as_uuid())
    .execute(&mut owner)
    .await
    .expect("closed");
    let took_part = ids(
        &mut owner,
        "select p.id from participants p where p.city_id = $1 and (exists (select 1 from enrollments e \
           where e.participant_id = p.id and e.status in ('accepted', 'active', 'completed')) \
           or exists (select 1 from attendance a where a.participant_id = p.id))",
        astana.as_uuid(),
    )
    .await;
    let never_accepted = ids(
        &mut owner,
        "select p.id from participants p where p.city_id = $1 and not exists (select 1 from enrollments e \
           where e.participant_id = p.id and e.status in ('accepted', 'active', 'completed')) \
           and not exists (select 1 from attendance a where a.participant_id = p.id)",
        astana.as_uuid(),
    )
    .await;
    assert!(!took_part.is_empty() && !never_accepted.is_empty());

    let run = run_retention(&db, &policy, Utc::now()).await.expect("run");
    assert_eq!(run.failed_cities, 0);
    assert_eq!(run.erased, 2 + took_part.len() as u64, "{run:?}");
    for (who, want, what) in [
        (old, true, "an applicant rejected 400 days ago"),
        (due, true, "a withdrawal whose grace period is over"),
        (waiting, false, "an applicant waiting in an open season"),
        (recent, false, "an applicant rejected 10 days ago"),
        (not_yet, false, "a withdrawal still in its grace period"),
        (training, false, "a participant in training"),
    ] {
        assert_eq!(erased(&mut owner, who).await, want, "{what}");
    }
    for who in &took_part {
        assert!(
            erased(&mut owner, *who).await,
            "a participant of a long-closed season"
        );
    }
    for who in &never_accepted {
        // Their applications came this year: within the applicants' period.
        assert!(!erased(&mut owner, *who).await, "a recent applicant");
    }
    let audited: i64 = sqlx::query_scalar(
        "select count(*) from audit_log where operation = 'eraseParticipant' and actor_job = 'retention' \
         and target_ids ? 'participantId'",
    )
    .fetch_one(&mut owner)
    .await
    .expect("audit");
    assert_eq!(audited as u64, run.erased, "each erasure is audited by id");

    // A second run finds nothing more.
    let again = run_retention(&db, &policy, Utc::now())
        .await
        .expect("again");
    assert_eq!(again.erased, 0);
    db.close().await;
}

/// Whatever the resolvers do, a coach's or a participant's transaction
/// erases nobody: the participant row cannot be locked for it, and the
/// narrow function that erases accounts refuses their scopes.
#[tokio::test]
async fn a_coach_or_participant_scope_cannot_erase_in_the_database() {
    use soi_core::{Principal, Role};
    let t = TestDb::new().await;
    t.seed_demo(6).await;
    let db = t.db().await;
    let city = t.city("almaty").await.id;
    let mut owner = t.raw().await;
    let (person, coach): (Uuid, Uuid) = sqlx::query_as(
        "select (select participant_id from accounts where email = 'student@almaty.soi.test'), \
                (select coach_id from accounts where email = 'coach@almaty.soi.test')",
    )
    .fetch_one(&mut owner)
    .await
    .expect("ids");
    let scopes = [
        (Role::Coach, Some(coach.into()), None),
        (Role::Participant, None, Some(person.into())),
    ];
    for (role, coach, participant) in scopes {
        let scope = Principal::new(Uuid::new_v4(), role, Some(city), coach, participant)
            .and_then(|p| p.city_scope())
            .expect("scope");
        let mut tx = db.tenant(&scope).await.expect("tx");
        let erased = soi_service::privacy::erase(&mut tx, person.into()).await;
        assert!(erased.is_err(), "{role:?} erased someone: {erased:?}");
        tx.rollback().await.expect("rollback");
        let mut tx = db.tenant(&scope).await.expect("tx");
        let account = soi_db::auth::accounts::erase_of_participant(&mut tx, person.into()).await;
        assert!(account.is_err(), "{role:?} erased an account: {account:?}");
        tx.rollback().await.expect("rollback");
    }
    let intact: bool = sqlx::query_scalar(
        "select erased_at is null and not disabled from participants p \
         join accounts a on a.participant_id = p.id where p.id = $1",
    )
    .bind(person)
    .fetch_one(&mut owner)
    .await
    .expect("row");
    assert!(intact);
    db.close().await;
}

/// Sets the city the owner's connection acts in (for the rollup triggers).
async fn name_city(conn: &mut sqlx::PgConnection, city: uuid::Uuid) {
    sqlx::query("select set_config('soi.city_id', $1, false)")
        .bind(city.to_string())
        .execute(conn)
        .await
        .expect("city");
}
