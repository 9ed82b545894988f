//! Every statement the db layer runs on a partitioned table touches only the
//! partition of its city, with many cities launched. The plans come from
//! PostgreSQL itself (auto_explain, sent back as notices), so a new query is
//! checked as soon as this test runs it.

use chrono::{Duration, NaiveDate, TimeZone, Utc};
use soi_core::states::{AttendanceMark, EnrollmentStatus};
use soi_core::*;
use soi_db::auth::accounts;
use soi_db::events::{event_partners, events, judge_marks, performances, performers};
use soi_db::mail::outbox;
use soi_db::program::enrollments::{self, EnrollmentRow};
use soi_db::program::sessions::{self, NewSession};
use soi_db::program::skill_assessments::{self, PassRow};
use soi_db::program::{
    attendance, coach_certificates, coaches, group_coaches, group_members, groups, participants,
    rinks, seasons, skills,
};
use soi_db::tickets::{order_lines, orders, payments, sales, ticket_types, tickets};
use soi_db::{Db, Page, TenantTx};
use soi_tests::{TestDb, launch, notices, plans};
use sqlx::Executor;

const CITIES: usize = 40;

/// Runs every db-layer function that touches a city table, in one city.
async fn exercise(db: &Db, city: CityId) {
    // Outside any transaction: the gateway's session check.
    soi_db::auth::sessions::current_version(db, uuid::Uuid::new_v4())
        .await
        .expect("session version");
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
    coach_certificates::of_coaches(&mut tx, &[coach, coaches[1].id])
        .await
        .expect("certificates of coaches");
    coach_certificates::certificates_expiring(
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
        .find(|s| s.phase == soi_core::states::SeasonPhase::Training)
        .expect("a season in training")
        .id;
    seasons::open_for_applications(&mut tx)
        .await
        .expect("open seasons");
    seasons::lock(&mut tx, season).await.expect("lock");
    enrollments::first_waitlisted(&mut tx, season)
        .await
        .expect("first waitlisted");
    enrollments::seats_taken_of_seasons(&mut tx, &[season])
        .await
        .expect("seats of many");
    seasons::get(&mut tx, season).await.expect("season");
    seasons::by_ids(&mut tx, &[season])
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
    group_coaches::coach_trains(&mut tx, coach, p)
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
    group_members::members(&mut tx, group)
        .await
        .expect("members");
    for rates in [false, true] {
        participants::of_groups(&mut tx, &[group, groups[1].id], rates)
            .await
            .expect("members of groups");
    }
    groups::of_coach(&mut tx, coach).await.expect("of coach");
    let sessions = sessions::list_by_group(&mut tx, group, Page::first(20))
        .await
        .expect("sessions");
    let session = sessions[0].id;
    sessions::get(&mut tx, session).await.expect("session");
    sessions::upcoming(&mut tx, Utc::now(), 10)
        .await
        .expect("upcoming sessions");
    attendance::of_session(&mut tx, session)
        .await
        .expect("marks");
    attendance::rates_for_group(&mut tx, group)
        .await
        .expect("group rates");
    attendance::rates_of_groups(&mut tx, &[group])
        .await
        .expect("rates of groups");
    attendance::rates_of_participants(&mut tx, &[p, people[1].id])
        .await
        .expect("rates");
    attendance::record_session(&mut tx, session, Some(coach), &[(p, AttendanceMark::Late)])
        .await
        .expect("record");
    skill_assessments::progression(&mut tx, p)
        .await
        .expect("progression");
    let catalogue = skills::catalogue(&mut tx).await.expect("catalogue");

    // Writes: a new participant with an application, a session, marks and a pass.
    let newcomer = ParticipantId::new();
    let new = soi_db::program::participants::NewParticipant {
        email: Email::parse(&format!(
            "plan.{}@mail.soi.test",
            newcomer.as_uuid().simple()
        ))
        .expect("email"),
        ..soi_db::program::participants::NewParticipant::clone(&template(&people[0]))
    };
    participants::insert(&mut tx, newcomer, &new)
        .await
        .expect("insert participant");
    participants::by_email(&mut tx, &new.email)
        .await
        .expect("by email");
    participants::by_ids(&mut tx, &[newcomer, p])
        .await
        .expect("many");
    enrollments::of_participant(&mut tx, season, newcomer)
        .await
        .expect("of participant");
    enrollments::statuses_of_participant(&mut tx, p)
        .await
        .expect("statuses of participant");
    enrollments::apply(
        &mut tx,
        EnrollmentId::new(),
        season,
        newcomer,
        Some("I want to skate"),
        &participants::Consent {
            given_at: chrono::Utc::now(),
            text_version: "2026-09".into(),
            method: soi_core::states::ConsentMethod::WebForm,
        },
    )
    .await
    .expect("apply");
    let request = soi_db::program::application_requests::NewApplicationRequest {
        id: EnrollmentId::new(),
        season,
        participant: p,
        token_hash: &[7u8; 32],
        motivation: None,
        consent_text_version: "2026-09",
        expires_at: Utc::now() + Duration::hours(1),
    };
    soi_db::program::application_requests::replace(&mut tx, &request)
        .await
        .expect("request");
    soi_db::program::application_requests::of_participant(&mut tx, p)
        .await
        .expect("requests of");
    soi_db::program::application_requests::take(&mut tx, &[7u8; 32])
        .await
        .expect("take");
    soi_db::program::application_requests::delete_of_participant(&mut tx, p)
        .await
        .expect("delete requests");
    soi_db::personal_data::of_participant(&mut tx, p)
        .await
        .expect("personal data");
    participants::record_consent(
        &mut tx,
        p,
        &participants::Consent {
            given_at: Utc::now(),
            text_version: "2026-10".into(),
            method: soi_core::states::ConsentMethod::WebForm,
        },
    )
    .await
    .expect("record consent");
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
        soi_core::states::SeasonPhase::Training,
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
    soi_service::program::seasons::update(&mut tx, next_season.id, &renamed)
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
    group_members::add_members(&mut tx, group, &[newcomer])
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
    skill_assessments::record_pass(
        &mut tx,
        AssessmentId::new(),
        newcomer,
        catalogue[0].id,
        coach,
        at.date_naive(),
    )
    .await
    .expect("pass");
    skill_assessments::insert_many(
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
    soi_db::audit::record(&mut tx, "planTest", &serde_json::json!({}), None)
        .await
        .expect("audit");
    soi_db::audit::list(&mut tx, Some("planTest"), Page::first(5))
        .await
        .expect("audit list");
    exercise_events(&mut tx, season, rinks[0].id, &[p, people[1].id]).await;
    exercise_funds(&mut tx).await;
    exercise_tickets(&mut tx, season, rinks[0].id).await;
    exercise_outbox(&mut tx).await;
    sessions::starting_between(&mut tx, at, at + Duration::days(2))
        .await
        .expect("sessions in a window");
    accounts::city_admins(&mut tx).await.expect("city admins");
    super::plans_io::exercise_imports_exports(&mut tx, season).await;
    exercise_privacy(&mut tx, people[2].id).await;
    tx.commit().await.expect("commit");
}

/// Every db fn of events, their programme and ticket types.
async fn exercise_events(
    tx: &mut TenantTx,
    season: SeasonId,
    rink: RinkId,
    people: &[ParticipantId],
) {
    use soi_core::states::{EventKind, EventStatus};
    let starts_at = Utc
        .with_ymd_and_hms(2027, 3, 28, 13, 0, 0)
        .single()
        .expect("time");
    let new = events::NewEvent {
        season_id: season,
        kind: EventKind::Competition,
        title: "Plan Cup".into(),
        motto: None,
        social_theme: "Clean water".into(),
        rink_id: rink,
        starts_at,
        hold_minutes: 20,
        cause_id: None,
    };
    let event = soi_service::events::create(tx, EventId::new(), &new)
        .await
        .expect("event")
        .id;
    events::get(tx, event).await.expect("get event");
    events::lock(tx, event).await.expect("lock event");
    let edit = events::EventEdit {
        title: "Plan Cup II".into(),
        motto: Some("Go".into()),
        social_theme: new.social_theme.clone(),
        rink_id: rink,
        starts_at,
        hold_minutes: 30,
        cause_id: None,
    };
    soi_service::events::update(tx, event, &edit)
        .await
        .expect("update event");
    events::list(tx, Some(season)).await.expect("events");
    events::city_zone(tx).await.expect("zone");
    let tt = soi_service::tickets::add_ticket_type(
        tx,
        TicketTypeId::new(),
        event,
        "Stalls",
        100_000,
        50,
    )
    .await
    .expect("ticket type")
    .id;
    ticket_types::get(tx, tt).await.expect("ticket type");
    ticket_types::list_for_event(tx, event)
        .await
        .expect("types");
    ticket_types::remaining(tx, tt).await.expect("remaining");
    ticket_types::list_with_remaining(tx, event)
        .await
        .expect("with remaining");
    soi_service::tickets::set_quota(tx, tt, 60)
        .await
        .expect("quota");
    let partner = event_partners::NewPartner {
        name: "Eco".into(),
        contribution: None,
        website: None,
    };
    let partner = soi_service::events::add_partner(tx, PartnerId::new(), event, &partner)
        .await
        .expect("partner")
        .id;
    event_partners::get(tx, partner).await.expect("partner");
    event_partners::list(tx, event).await.expect("partners");
    soi_service::events::remove_partner(tx, partner)
        .await
        .expect("remove partner");
    let number = performances::NewPerformance {
        title: "One".into(),
        social_issue: "Stray animals".into(),
        music: None,
    };
    let one = soi_service::events::add_number(tx, PerformanceId::new(), event, &number)
        .await
        .expect("number")
        .id;
    let two = soi_service::events::add_number(tx, PerformanceId::new(), event, &number)
        .await
        .expect("number")
        .id;
    performances::get(tx, one).await.expect("number");
    soi_service::events::update_number(tx, one, &number)
        .await
        .expect("update number");
    performances::list(tx, event).await.expect("numbers");
    soi_service::events::reorder_numbers(tx, event, &[two, one])
        .await
        .expect("reorder");
    soi_service::events::set_performers(tx, one, people)
        .await
        .expect("performers");
    performers::of_performances(tx, &[one, two])
        .await
        .expect("performers of");
    performers::counts_of_performances(tx, &[one, two])
        .await
        .expect("counts");
    soi_service::events::set_status(tx, event, EventStatus::Published)
        .await
        .expect("publish");
    soi_service::events::published_with_remaining(tx)
        .await
        .expect("published");
    soi_service::events::mark(tx, one, "Judge", 850)
        .await
        .expect("mark");
    judge_marks::of_performance(tx, one).await.expect("marks");
    judge_marks::results(tx, event).await.expect("results");
    soi_service::events::delete_number(tx, two)
        .await
        .expect("delete number");
    soi_service::events::set_status(tx, event, EventStatus::Done)
        .await
        .expect("done");
}

/// Every db fn of the city's money: sponsors, contributions, causes,
/// expenses, gifts, the ledger and the transparency report.
async fn exercise_funds(tx: &mut TenantTx) {
    use soi_db::funds::*;
    let day = NaiveDate::from_ymd_opt(2027, 1, 15).expect("date");
    let new = sponsors::NewSponsor {
        kind: SponsorKind::Organization,
        name: "Plan Sponsor".into(),
        contact: sponsors::Contact::default(),
    };
    let sponsor = sponsors::create(tx, SponsorId::new(), &new)
        .await
        .expect("sponsor")
        .id;
    sponsors::update_contact(tx, sponsor, &sponsors::Contact::default())
        .await
        .expect("contact");
    sponsors::get(tx, sponsor).await.expect("sponsor");
    sponsors::list(tx).await.expect("sponsors");
    let mut pledge = contributions::Pledge {
        sponsor,
        form: ContributionForm::Money,
        amount_tiyn: 5_000_000,
        description: None,
        purpose: "The show".into(),
        pledged_on: day,
    };
    let money = contributions::pledge(tx, ContributionId::new(), &pledge)
        .await
        .expect("pledge");
    let (_, entry) = soi_service::funds::receive(tx, money.id, day)
        .await
        .expect("receive");
    pledge.form = ContributionForm::InKind;
    let goods = contributions::pledge(tx, ContributionId::new(), &pledge)
        .await
        .expect("pledge in kind");
    soi_service::funds::receive(tx, goods.id, day)
        .await
        .expect("receive in kind");
    contributions::get(tx, money.id)
        .await
        .expect("contribution");
    contributions::list(tx, Some(sponsor), Page::first(10))
        .await
        .expect("of sponsor");
    contributions::list(tx, None, Page::first(10))
        .await
        .expect("contributions");
    let cause = causes::NewCause {
        title: "Plan cause".into(),
        description: "Help".into(),
        beneficiaries: "People".into(),
        target_tiyn: Some(1_000_000),
    };
    let cause = causes::create(tx, CauseId::new(), &cause)
        .await
        .expect("cause")
        .id;
    causes::get(tx, cause).await.expect("cause");
    causes::list(tx).await.expect("causes");
    let spend = expenses::NewExpense {
        tag: "ice_rent".into(),
        amount_tiyn: 100_000,
        spent_on: day,
        description: "Ice".into(),
        receipt_url: None,
    };
    let (spent, spent_entry) = soi_service::funds::record_expense(tx, ExpenseId::new(), &spend)
        .await
        .expect("expense");
    expenses::get(tx, spent.id).await.expect("expense");
    let gift = disbursements::NewDisbursement {
        cause,
        amount_tiyn: 1_000_000,
        paid_on: day,
        evidence_url: "https://bank.kz/t/1".into(),
        beneficiaries: 3,
        description: "Meals".into(),
    };
    let (given, _) = soi_service::funds::give(tx, DisbursementId::new(), &gift)
        .await
        .expect("give");
    disbursements::get(tx, given.id).await.expect("gift");
    soi_service::funds::reverse(tx, spent_entry.id, "recorded twice")
        .await
        .expect("reverse");
    ledger::reversed_by(tx, spent_entry.id)
        .await
        .expect("reversed by");
    ledger::get(tx, entry.expect("money entry").id)
        .await
        .expect("entry");
    ledger::list(tx, None, Page::first(10))
        .await
        .expect("ledger");
    ledger::list(tx, Some(ledger::Kind::Expense), Page::first(10))
        .await
        .expect("expenses in ledger");
    ledger::balance(tx).await.expect("balance");
    transparency::report(tx, None, None).await.expect("report");
    transparency::report(tx, Some(day), Some(day))
        .await
        .expect("report of a day");
}

/// Every db fn of ticketing: reserve, pay (and a repeated notification),
/// tickets and check-in, sales, cancel, refund, the sweeper's expiry.
async fn exercise_tickets(tx: &mut TenantTx, season: SeasonId, rink: RinkId) {
    use soi_db::tickets::payments::{PaymentMethod, Receipt};
    let starts_at = Utc::now() + Duration::days(30);
    let new = events::NewEvent {
        season_id: season,
        kind: soi_core::states::EventKind::IceShow,
        title: "Plan Show".into(),
        motto: None,
        social_theme: "Clean air".into(),
        rink_id: rink,
        starts_at: starts_at.min(
            Utc.with_ymd_and_hms(2027, 3, 28, 13, 0, 0)
                .single()
                .expect("time"),
        ),
        hold_minutes: 20,
        cause_id: None,
    };
    let event = soi_service::events::create(tx, EventId::new(), &new)
        .await
        .expect("event")
        .id;
    let tt = soi_service::tickets::add_ticket_type(
        tx,
        TicketTypeId::new(),
        event,
        "Stalls",
        100_000,
        50,
    )
    .await
    .expect("ticket type")
    .id;
    soi_service::events::set_status(tx, event, soi_core::states::EventStatus::Published)
        .await
        .expect("publish");
    let buyer = orders::Buyer {
        name: "Plan Buyer".into(),
        email: Email::parse("buyer@plan.kz").expect("email"),
        language: Language::Ru,
    };
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(
            soi_service::tickets::reserve(tx, event, &buyer, &[(tt, 2)])
                .await
                .expect("reserve"),
        );
    }
    // A reservation looks for lapsed holds only when a wanted type has
    // some; the lookup is checked here, as the next reservation after a
    // hold lapses runs it.
    soi_db::tickets::seats::release_lapsed(tx, event, &[tt])
        .await
        .expect("release lapsed");
    let (a, b, c) = (held[0].order.id, held[1].order.id, held[2].order.id);
    orders::get(tx, a).await.expect("order");
    orders::by_access_key(tx, a, &held[0].access_key)
        .await
        .expect("by key");
    orders::list_for_event(tx, event, None, Page::first(10))
        .await
        .expect("orders");
    order_lines::of_orders(tx, &[a, b]).await.expect("lines");
    let receipt = |txn| Receipt {
        method: PaymentMethod::Provider,
        amount_tiyn: 200_000,
        reference: None,
        provider_txn_id: Some(txn),
    };
    soi_service::tickets::settle(tx, a, receipt("plan-a"))
        .await
        .expect("pay");
    soi_service::tickets::settle(tx, a, receipt("plan-a"))
        .await
        .expect("repeat");
    soi_service::tickets::settle(tx, b, receipt("plan-b"))
        .await
        .expect("pay");
    payments::of_orders(tx, &[a, b]).await.expect("payments");
    let issued = tickets::of_orders(tx, &[b]).await.expect("tickets");
    soi_service::tickets::check_in(tx, &issued[0].code)
        .await
        .expect("scan");
    soi_service::tickets::check_in(tx, &issued[0].code)
        .await
        .expect("second scan");
    sales::for_event(tx, event).await.expect("sales");
    soi_service::tickets::refund(tx, a, "plan")
        .await
        .expect("refund");
    soi_service::tickets::cancel_hold(tx, c, None)
        .await
        .expect("cancel");
    soi_service::tickets::expire(tx, 10).await.expect("expire");
}

fn template(
    p: &soi_db::program::participants::Participant,
) -> soi_db::program::participants::NewParticipant {
    soi_db::program::participants::NewParticipant {
        first_name: PersonName::parse("firstName", &p.first_name).expect("name"),
        last_name: PersonName::parse("lastName", &p.last_name).expect("name"),
        email: Email::parse(&p.email).expect("email"),
        phone: None,
        university: p.university.clone(),
        birth_date: p.birth_date,
        preferred_language: p.preferred_language,
        consent: soi_db::program::participants::Consent {
            given_at: p.consent_given_at,
            text_version: p.consent_text_version.clone(),
            method: p.consent_method,
        },
        guardian_name: None,
    }
}

#[tokio::test]
async fn every_db_layer_query_touches_only_its_citys_partition() {
    let _capture = notices::install().await;
    let t = TestDb::new().await;
    let sys = t.system().await;
    t.seed_demo(5).await;
    for i in 0..CITIES {
        launch(&sys, &format!("extra-{i}")).await;
    }
    let mut cfg = t.superuser_config();
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
    // Every partitioned table is exercised, so none escapes the check.
    for table in soi_tests::catalog::GROWTH_TABLES {
        assert!(
            seen_tables.contains(*table),
            "no statement read {table}: {seen_tables:?}"
        );
    }
}

#[tokio::test]
async fn a_query_that_forgets_city_id_fails_the_plan_check() {
    let _capture = notices::install().await;
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

/// Every db fn of the email outbox: enqueue, claim, each outcome, the admins' list.
async fn exercise_outbox(tx: &mut TenantTx) {
    use std::time::Duration;
    let payload = serde_json::json!({ "first_name": "Plan" });
    for key in ["plan:a", "plan:b", "plan:c"] {
        outbox::enqueue(
            tx,
            "application_received",
            key,
            "plan@mail.soi.test",
            Language::Ru,
            &payload,
        )
        .await
        .expect("enqueue");
    }
    let claimed = outbox::claim(tx, "plan-worker", 10, Duration::from_secs(60))
        .await
        .expect("claim");
    let [a, b, c] = [claimed[0].id, claimed[1].id, claimed[2].id];
    outbox::mark_sent(tx, a, "<a@soi.kz>", "250 OK")
        .await
        .expect("sent");
    outbox::mark_retry(
        tx,
        b,
        "plan-worker",
        Utc::now() + Duration::from_secs(60),
        "451",
    )
    .await
    .expect("retry");
    outbox::release(tx, c, "plan-worker")
        .await
        .expect("release");
    outbox::claim(tx, "plan-worker", 10, Duration::from_secs(60))
        .await
        .expect("claim again");
    outbox::park(tx, c, "plan-worker", "550")
        .await
        .expect("park");
    outbox::list_parked(tx, Page::first(10))
        .await
        .expect("parked");
    outbox::requeue(tx, c).await.expect("requeue");
    outbox::get(tx, c).await.expect("get");
    outbox::counts(tx).await.expect("counts");
    soi_db::mail::email_preferences::unsubscribe(tx, "Plan@Mail.kz")
        .await
        .expect("unsubscribe");
    soi_db::mail::email_preferences::unsubscribed_among(tx, &["plan@mail.kz".to_owned()])
        .await
        .expect("unsubscribed");
    let links = soi_db::mail::unsubscribe_links::ids_for(tx, &["plan@mail.kz".to_owned()])
        .await
        .expect("links");
    soi_db::mail::unsubscribe_links::email_of(tx, links[0].1)
        .await
        .expect("link");
    soi_db::mail::unsubscribe_links::revoke(tx, "plan@mail.kz")
        .await
        .expect("revoke");
}

/// Withdrawal of consent, erasure and the retention query (their statements
/// in every table they touch).
async fn exercise_privacy(tx: &mut TenantTx, p: ParticipantId) {
    use soi_db::program::participant_privacy::{self, Cutoffs};
    let now = Utc::now();
    participant_privacy::due_for_erasure(
        tx,
        now,
        Cutoffs {
            applicants: now - Duration::days(365),
            participants: now.date_naive(),
        },
        10,
    )
    .await
    .expect("due for erasure");
    participant_privacy::withdrawn_among(tx, &["plan@mail.kz".to_owned()])
        .await
        .expect("withdrawn among");
    let policy = soi_service::privacy::Policy::default();
    soi_service::privacy::withdraw_consent(tx, &policy, p)
        .await
        .expect("withdraw consent");
    let erased = soi_service::privacy::erase(tx, p).await.expect("erase");
    assert!(erased.erased);
}
