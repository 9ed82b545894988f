//! The schema is ready to be distributed by city with Citus: checked over
//! the live catalog, and `deploy/citus/distribute.sql` names every table as
//! the catalog has it (generated from it).

use soi_tests::{TestDb, catalog_citus, launch};
use sqlx::Executor;

const DISTRIBUTE_SQL: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../deploy/citus/distribute.sql"
);

#[tokio::test]
async fn every_table_can_be_distributed_by_city_or_copied_as_reference() {
    let t = TestDb::new().await;
    let sys = t.system().await;
    for slug in ["almaty", "astana"] {
        launch(&sys, slug).await;
    }
    let mut conn = t.raw().await;
    let problems = catalog_citus::violations(&mut conn).await;
    assert!(
        problems.is_empty(),
        "the schema cannot be distributed by city:\n{}",
        problems.join("\n")
    );
}

#[tokio::test]
async fn distribute_sql_covers_every_table() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    let expected = catalog_citus::distribute_sql(&mut conn).await;
    if std::env::var("SOI_WRITE_DISTRIBUTE_SQL").as_deref() == Ok("1") {
        std::fs::write(DISTRIBUTE_SQL, &expected).expect("write distribute.sql");
    }
    let committed = std::fs::read_to_string(DISTRIBUTE_SQL).unwrap_or_default();
    assert!(
        committed == expected,
        "deploy/citus/distribute.sql does not match the schema (a table added, removed or \
         reclassified?); regenerate it with SOI_WRITE_DISTRIBUTE_SQL=1. Expected:\n{expected}"
    );
}

#[tokio::test]
async fn a_key_or_reference_that_crosses_cities_is_caught() {
    let t = TestDb::new().await;
    let mut conn = t.raw().await;
    conn.execute(
        "create table rogue_notes (city_id uuid not null, id uuid not null, participant_id uuid not null, \
           code text not null, primary key (city_id, id)); \
         create unique index rogue_notes_code on rogue_notes (code); \
         create unique index participants_id_only on participants (id); \
         alter table rogue_notes add constraint rogue_notes_participant foreign key (participant_id) \
           references participants (id); \
         create table rogue_national (id uuid primary key); \
         alter table rogue_notes add constraint rogue_notes_national foreign key (id) \
           references rogue_national (id)",
    )
    .await
    .expect("create");
    let problems = catalog_citus::all_violations(&mut conn).await;
    for needle in [
        "rogue_notes: unique index or constraint rogue_notes_code does not include city_id",
        "participants: unique index or constraint participants_id_only does not include city_id",
        "rogue_notes: foreign key rogue_notes_participant to participants crosses cities",
        "rogue_notes: foreign key rogue_notes_national points at rogue_national, not a reference table",
        "rogue_national: neither a city table nor listed",
    ] {
        assert!(
            problems.iter().any(|p| p.starts_with(needle)),
            "missing '{needle}' in {problems:?}"
        );
    }
}
