//! Every statement the db layer runs on a partitioned table touches only the
//! partition of its city, with many cities launched. The plans come from
//! PostgreSQL itself (auto_explain, sent back as notices), so a new query is
//! checked as soon as this test runs it.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use soi_core::program::{AttendanceMark, EnrollmentStatus};
use soi_core::*;
use soi_db::enrollments::EnrollmentRow;
use soi_db::sessions::NewSession;
use soi_db::skills::PassRow;
use soi_db::*;
use soi_tests::{TestDb, launch, notices, plans};
use sqlx::Executor;

const CITIES: usize = 40;

/// Runs every db-layer function that touches a city table, in one city.
async fn exercise(db: &Db, city: CityId) {
    let ctx = SystemCtx::new("plan-test");
    let mut tx = db.tenant(&ctx.in_city(city)).await.expect("tenant");
    let people = participants::list(&mut tx, Page::first(50))
        .await
        .expect("participants");
    let p = people[0].id;
    participants::get(&mut tx, p).await.expect("participant");
    participants::count(&mut tx).await.expect("count");
    let coaches = coaches::list(&mut tx, Page::first(10))
        .await
        .expect("coaches");
    let coach = coaches[0].id;
    coaches::get(&mut tx, coach).await.expect("coach");
    coaches::certificates_of(&mut tx, &[coach, coaches[1].id])
        .await
        .expect("certificates of coaches");
    coaches::certificates_expiring(
        &mut tx,
        NaiveDate::from_ymd_opt(2027, 12, 31).expect("date"),
    )
    .await
    .expect("certs");
    let rinks = rinks::list(&mut tx).await.expect("rinks");
    rinks::get(&mut tx, rinks[0].id).await.expect("rink");
    let all_seasons = seasons::list(&mut tx, Page::first(5))
        .await
        .expect("seasons");
    let season = all_seasons
        .iter()
        .find(|s| s.phase == soi_core::program::SeasonPhase::Training)
        .expect("a season in training")
        .id;
    seasons::open_for_applications(&mut tx)
        .await
        .expect("open seasons");
    seasons::lock(&mut tx, season).await.expect("lock");
    enrollments::first_waitlisted(&mut tx, season)
        .await
        .expect("first waitlisted");
    enrollments::seats_taken_many(&mut tx, &[season])
        .await
        .expect("seats of many");
    seasons::get(&mut tx, season).await.expect("season");
    seasons::many(&mut tx, &[season])
        .await
        .expect("many seasons");
    let filter = participants::Filter {
        search: Some("а".into()),
        season: Some(season),
        ..Default::default()
    };
    participants::search(&mut tx, &filter, Page::first(20))
        .await
        .expect("search");
    groups::coach_trains(&mut tx, coach, p)
        .await
        .expect("coach trains");
    let enrolled = enrollments::list_by_season(&mut tx, season, None, Page::first(100))
        .await
        .expect("enrollments");
    enrollments::list_by_season(
        &mut tx,
        season,
        Some(EnrollmentStatus::Waitlisted),
        Page::first(10),
    )
    .await
    .expect("waitlist");
    enrollments::get(&mut tx, enrolled[0].id)
        .await
        .expect("enrollment");
    enrollments::seats_taken(&mut tx, season)
        .await
        .expect("seats");
    let waiting = enrolled
        .iter()
        .find(|e| e.status == EnrollmentStatus::Waitlisted)
        .expect("a waitlisted one");
    enrollments::set_status(&mut tx, waiting.id, EnrollmentStatus::Accepted)
        .await
        .expect("accept");
    let groups = groups::list_by_season(&mut tx, season)
        .await
        .expect("groups");
    let group = groups[0].id;
    groups::get(&mut tx, group).await.expect("group");
    groups::members(&mut tx, group).await.expect("members");
    groups::members_of(&mut tx, &[group, groups[1].id])
        .await
        .expect("members of groups");
    groups::of_coach(&mut tx, coach).await.expect("of coach");
    let sessions = sessions::list_by_group(&mut tx, group, Page::first(20))
        .await
        .expect("sessions");
    let session = sessions[0].id;
    sessions::get(&mut tx, session).await.expect("session");
    attendance::of_session(&mut tx, session)
        .await
        .expect("marks");
    attendance::rates_for_group(&mut tx, group)
        .await
        .expect("group rates");
    attendance::rates_of_groups(&mut tx, &[group])
        .await
        .expect("rates of groups");
    attendance::rates_for_participants(&mut tx, &[p, people[1].id])
        .await
        .expect("rates");
    attendance::record_session(&mut tx, session, Some(coach), &[(p, AttendanceMark::Late)])
        .await
        .expect("record");
    skills::progression(&mut tx, p).await.expect("progression");
    let catalogue = skills::catalogue(&mut tx).await.expect("catalogue");

    // Writes: a new participant with an application, a session, marks and a pass.
    let newcomer = ParticipantId::new();
    let new = soi_db::participants::NewParticipant {
        email: Email::parse(&format!(
            "plan.{}@mail.soi.test",
            newcomer.as_uuid().simple()
        ))
        .expect("email"),
        ..soi_db::participants::NewParticipant::clone(&template(&people[0]))
    };
    participants::insert(&mut tx, newcomer, &new)
        .await
        .expect("insert participant");
    participants::by_email(&mut tx, &new.email)
        .await
        .expect("by email");
    participants::many(&mut tx, &[newcomer, p])
        .await
        .expect("many");
    enrollments::of_participant(&mut tx, season, newcomer)
        .await
        .expect("of participant");
    enrollments::apply(
        &mut tx,
        EnrollmentId::new(),
        season,
        newcomer,
        Some("I want to skate"),
    )
    .await
    .expect("apply");
    let next_season = seasons::insert(
        &mut tx,
        SeasonId::new(),
        &seasons::NewSeason {
            title: "Next".into(),
            social_theme: "Clean air".into(),
            starts_on: NaiveDate::from_ymd_opt(2027, 10, 1).expect("date"),
            ends_on: NaiveDate::from_ymd_opt(2028, 3, 1).expect("date"),
            capacity: 10,
            auto_accept: false,
        },
    )
    .await
    .expect("season");
    seasons::move_to_phase(
        &mut tx,
        next_season.id,
        soi_core::program::SeasonPhase::Training,
    )
    .await
    .expect("phase");
    let renamed = seasons::NewSeason {
        title: "Next, renamed".into(),
        social_theme: "Clean air".into(),
        starts_on: NaiveDate::from_ymd_opt(2027, 10, 1).expect("date"),
        ends_on: NaiveDate::from_ymd_opt(2028, 3, 1).expect("date"),
        capacity: 12,
        auto_accept: true,
    };
    seasons::update(&mut tx, next_season.id, &renamed)
        .await
        .expect("update season");
    let row = EnrollmentRow {
        id: EnrollmentId::new(),
        season: next_season.id,
        participant: newcomer,
        status: EnrollmentStatus::Applied,
        applied_at: Utc::now(),
    };
    enrollments::insert_many(&mut tx, &[row])
        .await
        .expect("bulk enrollments");
    groups::add_members(&mut tx, group, &[newcomer])
        .await
        .expect("add member");
    let at = Utc
        .with_ymd_and_hms(2027, 6, 1, 3, 0, 0)
        .single()
        .expect("time");
    let new_session = NewSession {
        id: SessionId::new(),
        group,
        rink: rinks[0].id,
        starts_at: at,
        ends_at: at + Duration::minutes(60),
    };
    sessions::schedule(&mut tx, &new_session)
        .await
        .expect("schedule");
    attendance::insert_many(
        &mut tx,
        &[(new_session.id, newcomer, AttendanceMark::Present)],
    )
    .await
    .expect("bulk marks");
    sessions::reschedule(
        &mut tx,
        new_session.id,
        at + Duration::minutes(30),
        at + Duration::minutes(90),
    )
    .await
    .expect("reschedule");
    sessions::cancel(&mut tx, new_session.id, "ice maintenance")
        .await
        .expect("cancel");
    skills::record_pass(
        &mut tx,
        AssessmentId::new(),
        newcomer,
        catalogue[0].id,
        coach,
        at.date_naive(),
    )
    .await
    .expect("pass");
    skills::insert_many(
        &mut tx,
        &[PassRow {
            id: AssessmentId::new(),
            participant: newcomer,
            element: catalogue[1].id,
            coach,
            passed_on: at.date_naive(),
        }],
    )
    .await
    .expect("bulk passes");
    tx.commit().await.expect("commit");
}

fn template(p: &soi_db::participants::Participant) -> soi_db::participants::NewParticipant {
    soi_db::participants::NewParticipant {
        first_name: PersonName::parse("firstName", &p.first_name).expect("name"),
        last_name: PersonName::parse("lastName", &p.last_name).expect("name"),
        email: Email::parse(&p.email).expect("email"),
        phone: None,
        university: p.university.clone(),
        birth_date: p.birth_date,
        preferred_language: p.preferred_language,
        consent: soi_db::participants::Consent {
            given_at: p.consent_given_at,
            text_version: p.consent_text_version.clone(),
            method: p.consent_method,
        },
        guardian_name: None,
    }
}

#[tokio::test]
async fn every_db_layer_query_touches_only_its_citys_partition() {
    notices::install();
    let t = TestDb::new().await;
    let sys = t.system().await;
    soi_seed::demo::run(&sys, &t.db().await, 5, &[])
        .await
        .expect("demo");
    for i in 0..CITIES {
        launch(&sys, &format!("extra-{i}")).await;
    }
    let mut cfg = t.config();
    cfg.explain_plans = true;
    let db = Db::connect(&cfg).await.expect("pool");
    let cities: Vec<_> = sys
        .cities()
        .await
        .expect("cities")
        .into_iter()
        .filter(|c| !c.slug.starts_with("extra"))
        .collect();
    assert_eq!(cities.len(), 3);

    let mut seen_tables = std::collections::BTreeSet::new();
    let mut statements = 0;
    for city in &cities {
        notices::take();
        exercise(&db, city.id).await;
        let mut problems = Vec::new();
        for notice in notices::take() {
            let Some(plan) = plans::parse(&notice) else {
                continue;
            };
            statements += 1;
            seen_tables.extend(plan.partitions.iter().map(|(t, _)| t.clone()));
            problems.extend(plans::problems(&plan, city.id.as_uuid()));
        }
        assert!(
            problems.is_empty(),
            "in {}:\n{}",
            city.slug,
            problems.join("\n")
        );
    }
    assert!(statements > 60, "only {statements} plans were captured");
    for table in ["enrollments", "attendance", "skill_assessments"] {
        assert!(
            seen_tables.contains(table),
            "no statement read {table}: {seen_tables:?}"
        );
    }
}

#[tokio::test]
async fn a_query_that_forgets_city_id_fails_the_plan_check() {
    notices::install();
    let t = TestDb::new().await;
    let sys = t.system().await;
    let mut city = None;
    for i in 0..CITIES {
        city = Some(launch(&sys, &format!("c-{i}")).await);
    }
    let city = city.expect("a city");
    let mut conn = t.raw().await;
    conn.execute(
        "load 'auto_explain'; set auto_explain.log_min_duration = 0; set auto_explain.log_format = 'json'; \
         set auto_explain.log_level = 'notice'; set role soi_app",
    )
    .await
    .expect("setup");
    notices::take();
    sqlx::query("select set_config('soi.city_id', $1, false)")
        .bind(city.id.to_string())
        .execute(&mut conn)
        .await
        .expect("set");
    // RLS alone: the policy hides other cities' rows but nothing is pruned.
    sqlx::query("select count(*) from attendance")
        .execute(&mut conn)
        .await
        .expect("forgetful query");
    let found: Vec<String> = notices::take()
        .iter()
        .filter_map(|n| plans::parse(n))
        .filter(|p| p.query.contains("from attendance"))
        .flat_map(|p| plans::problems(&p, city.id.as_uuid()))
        .collect();
    assert!(
        !found.is_empty(),
        "the checker missed a query without city_id"
    );
}
