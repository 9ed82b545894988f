//! Seeds: deterministic for a seed value, harmless to repeat, whole or nothing.

use soi_seed::scale::ScaleSpec;
use soi_tests::TestDb;
use sqlx::PgConnection;

/// A digest of all program data (ids, names, times, marks) in a stable order.
async fn fingerprint(conn: &mut PgConnection) -> String {
    sqlx::query_scalar(
        "select md5(string_agg(x, '|' order by x)) from ( \
           select concat_ws(',', c.slug, p.id, p.first_name, p.last_name, p.email, p.phone, p.university, p.birth_date, \
                            p.preferred_language, p.consent_given_at) as x \
             from participants p join cities c on c.id = p.city_id \
           union all select concat_ws(',', s.id, s.group_id, s.rink_id, s.starts_at, s.ends_at) from training_sessions s \
           union all select concat_ws(',', a.session_id, a.participant_id, a.mark) from attendance a \
           union all select concat_ws(',', e.id, e.status, e.applied_at) from enrollments e \
           union all select concat_ws(',', k.participant_id, k.element_id, k.passed_on) from skill_assessments k \
           union all select concat_ws(',', co.id, co.email, co.qualification) from coaches co) d",
    )
    .fetch_one(conn)
    .await
    .expect("fingerprint")
}

async fn demo_fingerprint(seed: u64) -> String {
    let t = TestDb::new().await;
    t.seed_demo(seed).await;
    fingerprint(&mut t.raw().await).await
}

#[tokio::test]
async fn the_demo_is_the_same_for_the_same_seed() {
    let (a, b, c) = tokio::join!(
        demo_fingerprint(7),
        demo_fingerprint(7),
        demo_fingerprint(8)
    );
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[tokio::test]
async fn seeding_the_demo_twice_changes_nothing() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let first = soi_seed::demo::run(&sys, &db, 3, &[]).await.expect("demo");
    assert!(first.iter().all(|o| {
        o.counts
            .is_some_and(|c| c.participants == 37 && c.attendance > 0)
    }));
    let before = fingerprint(&mut t.raw().await).await;
    let second = soi_seed::demo::run(&sys, &db, 3, &[])
        .await
        .expect("demo again");
    assert!(second.iter().all(|o| o.counts.is_none()));
    assert_eq!(fingerprint(&mut t.raw().await).await, before);
}

#[tokio::test]
async fn seeding_a_city_that_is_not_launched_fails_and_writes_nothing() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let err = soi_seed::demo::run(&sys, &db, 1, &["atyrau".to_owned()])
        .await
        .expect_err("must fail");
    assert!(
        err.to_string().contains("city 'atyrau' is not launched"),
        "{err}"
    );
    let rows: i64 = sqlx::query_scalar(
        "select (select count(*) from cities) + (select count(*) from participants)",
    )
    .fetch_one(&mut t.raw().await)
    .await
    .expect("count");
    assert_eq!(rows, 0);
}

#[tokio::test]
async fn the_scale_seed_fills_every_city_to_size() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let spec = ScaleSpec {
        cities: 3,
        participants: 45,
        sessions: 6,
        seed: 1,
        concurrency: 2,
    };
    let report = soi_seed::scale::run(&sys, &db, spec, false)
        .await
        .expect("scale");
    assert_eq!(report.cities_seeded, 3);
    assert_eq!(report.participants, 3 * 45);
    assert_eq!(report.attendance, 3 * 45 * 6);
    let per_city: Vec<i64> =
        sqlx::query_scalar("select count(*) from attendance group by city_id order by 1")
            .fetch_all(&mut t.raw().await)
            .await
            .expect("counts");
    assert_eq!(per_city, vec![270, 270, 270]);
    // Again: nothing new.
    let again = soi_seed::scale::run(&sys, &db, spec, false)
        .await
        .expect("scale again");
    assert_eq!(again.cities_seeded, 0);
}

#[tokio::test]
async fn scale_sizes_out_of_range_are_refused() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let spec = ScaleSpec {
        cities: 0,
        participants: 1,
        sessions: 1,
        seed: 1,
        concurrency: 1,
    };
    assert!(soi_seed::scale::run(&sys, &db, spec, false).await.is_err());
}
