//! City launch: one transaction that creates the city and its partitions,
//! harmless to repeat, safe to run concurrently.

use soi_core::{CityZone, Position, Slug, SystemCtx};
use soi_db::cities::NewCity;
use soi_tests::TestDb;
use sqlx::{Executor, PgConnection};

fn almaty() -> NewCity {
    NewCity {
        slug: Slug::parse("almaty").expect("slug"),
        name_kk: "Алматы".into(),
        name_ru: "Алматы".into(),
        name_en: "Almaty".into(),
        zone: CityZone::parse("Asia/Almaty").expect("zone"),
        launched_on: chrono::NaiveDate::from_ymd_opt(2023, 9, 1).expect("date"),
        position: Some(Position::new(43.2389, 76.8897).expect("position")),
    }
}

async fn partitions_of(conn: &mut PgConnection, city: uuid::Uuid) -> i64 {
    sqlx::query_scalar(
        "select count(*) from pg_class where relispartition and relname like '%' || $1",
    )
    .bind(city.simple().to_string())
    .fetch_one(conn)
    .await
    .expect("count")
}

async fn partitioned_tables(conn: &mut PgConnection) -> i64 {
    sqlx::query_scalar("select count(*) from pg_partitioned_table")
        .fetch_one(conn)
        .await
        .expect("count")
}

#[tokio::test]
async fn launching_twice_creates_one_city_with_all_partitions() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    let ctx = SystemCtx::new("test");
    let first = sys.launch_city(&ctx, &almaty()).await.expect("launch");
    let second = sys
        .launch_city(&ctx, &almaty())
        .await
        .expect("launch again");
    assert!(first.created && !second.created);
    assert_eq!(first.city.id, second.city.id);
    assert_eq!(
        (second.city.latitude, second.city.longitude),
        (Some(43.2389), Some(76.8897)),
        "the position is stored and read back"
    );
    assert_eq!(second.partitions_created, 0);
    let mut conn = t.raw().await;
    let expected = partitioned_tables(&mut conn).await;
    assert!(expected >= 3);
    assert_eq!(i64::from(first.partitions_created), expected);
    assert_eq!(
        partitions_of(&mut conn, first.city.id.as_uuid()).await,
        expected
    );
    assert_eq!(sys.cities().await.expect("cities").len(), 1);
    // A relaunch moves the city when given a position, and keeps it when not.
    let moved = NewCity {
        position: Some(Position::new(43.25, 76.95).expect("position")),
        ..almaty()
    };
    let third = sys.launch_city(&ctx, &moved).await.expect("relaunch");
    assert_eq!(
        (third.city.latitude, third.city.longitude),
        (Some(43.25), Some(76.95))
    );
    let kept = NewCity {
        position: None,
        ..almaty()
    };
    let fourth = sys.launch_city(&ctx, &kept).await.expect("relaunch");
    assert_eq!(
        (fourth.city.latitude, fourth.city.longitude),
        (Some(43.25), Some(76.95))
    );
}

#[tokio::test]
async fn concurrent_launches_of_one_city_agree() {
    let t = TestDb::new().await;
    let sys = std::sync::Arc::new(t.system().await);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let sys = sys.clone();
        tasks.spawn(async move {
            sys.launch_city(&SystemCtx::new("test"), &almaty())
                .await
                .expect("launch")
        });
    }
    let mut outcomes = Vec::new();
    while let Some(r) = tasks.join_next().await {
        outcomes.push(r.expect("task"));
    }
    assert_eq!(outcomes.iter().filter(|o| o.created).count(), 1);
    assert!(outcomes.iter().all(|o| o.city.id == outcomes[0].city.id));
}

#[tokio::test]
async fn a_launch_that_fails_midway_leaves_nothing() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    // A partitioned table whose partition names are too long: the launch
    // creates the other tables' partitions first, then fails on this one.
    conn.execute(
        "create table zzzz_table_with_a_very_long_name (city_id uuid not null, id uuid not null, \
           primary key (city_id, id)) partition by list (city_id)",
    )
    .await
    .expect("create");
    let sys = t.system().await;
    let err = sys
        .launch_city(&SystemCtx::new("test"), &almaty())
        .await
        .expect_err("must fail");
    assert!(!err.to_string().is_empty());
    let cities: i64 = sqlx::query_scalar("select count(*) from cities")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    let parts: i64 = sqlx::query_scalar("select count(*) from pg_class where relispartition")
        .fetch_one(&mut conn)
        .await
        .expect("count");
    assert_eq!(
        (cities, parts),
        (0, 0),
        "a failed launch left a city or partitions behind"
    );
}

#[tokio::test]
async fn relaunching_adds_the_partitions_of_a_table_added_later() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    let ctx = SystemCtx::new("test");
    let city = sys.launch_city(&ctx, &almaty()).await.expect("launch").city;
    let mut conn = t.raw().await;
    conn.execute(
        "create table later_things (city_id uuid not null, id uuid not null, primary key (city_id, id)) \
           partition by list (city_id)",
    )
    .await
    .expect("create");
    let again = sys.launch_city(&ctx, &almaty()).await.expect("relaunch");
    assert_eq!(again.partitions_created, 1);
    let exists: bool = sqlx::query_scalar("select to_regclass($1) is not null")
        .bind(format!("later_things_p_{}", city.id.as_uuid().simple()))
        .fetch_one(&mut conn)
        .await
        .expect("exists");
    assert!(exists);
}

#[test]
fn bad_slugs_and_unknown_zones_are_refused_before_any_write() {
    assert!(Slug::parse("Almaty City").is_err());
    assert!(Slug::parse("almaty").is_ok());
    assert!(CityZone::parse("Asia/Atlantis").is_err());
    assert!(CityZone::parse("Asia/Qyzylorda").is_ok());
}
