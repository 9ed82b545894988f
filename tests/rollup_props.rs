//! Random sequences of program activity over several cities keep every
//! rollup equal to a recomputation from the base tables: applications and
//! decisions, sessions scheduled, cancelled and moved to other months,
//! attendance recorded and corrected, skills passed, ice shows created,
//! moved and held, tickets sold, refunded and scanned, and money given,
//! received, spent and reversed. Everything goes through the soi-db
//! repository functions the GraphQL layer calls; the expected figures are
//! plain SQL over the base tables on the owner's (superuser) connection,
//! following the definitions in the header of the rollups migration. The
//! city and national reports must agree with the recomputation too.
//!
//! One database for the run, fresh cities (in different time zones) per case.

use chrono::{DateTime, Datelike, Days, Duration, Months, NaiveDate, TimeZone, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::{Config, TestCaseError, TestRunner};
use soi_core::program::{AttendanceMark, ConsentMethod, EnrollmentStatus, EventKind, EventStatus};
use soi_core::report::{FIELDS, Field, Figures, Grouping};
use soi_core::*;
use soi_db::cities::NewCity;
use soi_db::funds::causes::NewCause;
use soi_db::funds::contributions::Pledge;
use soi_db::funds::disbursements::NewDisbursement;
use soi_db::funds::expenses::NewExpense;
use soi_db::funds::sponsors::{Contact, NewSponsor};
use soi_db::funds::{ContributionForm, SponsorKind};
use soi_db::funds::{causes, contributions, disbursements, expenses, sponsors};
use soi_db::orders::Buyer;
use soi_db::participants::{Consent, NewParticipant};
use soi_db::payments::{PaymentMethod, Receipt};
use soi_db::reports::{self, ReportQuery, ReportRow};
use soi_db::{
    Db, Error, Page, SystemDb, TenantTx, attendance, coaches, enrollments, events, groups, ledger,
    orders, participants, payments, rinks, seasons, sessions, skills, tickets,
};
use soi_tests::TestDb;
use sqlx::{PgConnection, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

const CITIES: usize = 3;
const ZONES: [&str; CITIES] = ["Asia/Almaty", "America/New_York", "Asia/Tokyo"];
const SEASONS: usize = 2;
const MEMBERS: usize = 3;
const COACHES: usize = 2;
const PRICE: i64 = 150_000;
const STATUSES: [EnrollmentStatus; 6] = [
    EnrollmentStatus::Accepted,
    EnrollmentStatus::Waitlisted,
    EnrollmentStatus::Rejected,
    EnrollmentStatus::Active,
    EnrollmentStatus::Completed,
    EnrollmentStatus::Withdrawn,
];
const MARKS: [AttendanceMark; 4] = [
    AttendanceMark::Present,
    AttendanceMark::Late,
    AttendanceMark::Excused,
    AttendanceMark::Absent,
];

#[derive(Debug, Clone)]
enum Step {
    Apply {
        city: usize,
        season: usize,
    },
    Decide {
        city: usize,
        pick: Index,
        to: usize,
    },
    Schedule {
        city: usize,
        group: usize,
        month: i32,
        late: bool,
    },
    Cancel {
        city: usize,
        pick: Index,
    },
    Reschedule {
        city: usize,
        pick: Index,
        month: i32,
        late: bool,
    },
    Attend {
        city: usize,
        pick: Index,
        coach: Option<usize>,
        marks: Vec<(usize, usize)>,
    },
    Skill {
        city: usize,
        person: Index,
        element: Index,
        coach: usize,
        days_ago: u64,
    },
    CreateEvent {
        city: usize,
        season: usize,
        months_ahead: u32,
        show: bool,
    },
    MoveEvent {
        city: usize,
        pick: Index,
        month: i32,
        late: bool,
    },
    Done {
        city: usize,
        pick: Index,
    },
    Sale {
        city: usize,
        pick: Index,
        quantity: i32,
    },
    Refund {
        city: usize,
        pick: Index,
    },
    CheckIn {
        city: usize,
        pick: Index,
    },
    Contribution {
        city: usize,
        amount: i64,
    },
    Expense {
        city: usize,
        amount: i64,
    },
    Give {
        city: usize,
        amount: i64,
        beneficiaries: i32,
        days_ago: u64,
    },
    Reverse {
        city: usize,
        pick: Index,
    },
}

fn step() -> impl Strategy<Value = Step> {
    let city = 0..CITIES;
    let month = -2..=2i32;
    prop_oneof![
        3 => (city.clone(), 0..SEASONS).prop_map(|(city, season)| Step::Apply { city, season }),
        3 => (city.clone(), any::<Index>(), 0..STATUSES.len())
            .prop_map(|(city, pick, to)| Step::Decide { city, pick, to }),
        3 => (city.clone(), 0..SEASONS, month.clone(), any::<bool>())
            .prop_map(|(city, group, month, late)| Step::Schedule { city, group, month, late }),
        1 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::Cancel { city, pick }),
        2 => (city.clone(), any::<Index>(), month.clone(), any::<bool>())
            .prop_map(|(city, pick, month, late)| Step::Reschedule { city, pick, month, late }),
        4 => (
            city.clone(),
            any::<Index>(),
            prop::option::weighted(0.85, 0..COACHES),
            prop::collection::vec((0..MEMBERS, 0..MARKS.len()), 1..=MEMBERS),
        )
            .prop_map(|(city, pick, coach, marks)| Step::Attend { city, pick, coach, marks }),
        2 => (city.clone(), any::<Index>(), any::<Index>(), 0..COACHES, 0..100u64)
            .prop_map(|(city, person, element, coach, days_ago)| Step::Skill { city, person, element, coach, days_ago }),
        2 => (city.clone(), 0..SEASONS, 0..=2u32, any::<bool>())
            .prop_map(|(city, season, months_ahead, show)| Step::CreateEvent { city, season, months_ahead, show }),
        1 => (city.clone(), any::<Index>(), month.clone(), any::<bool>())
            .prop_map(|(city, pick, month, late)| Step::MoveEvent { city, pick, month, late }),
        1 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::Done { city, pick }),
        3 => (city.clone(), any::<Index>(), 1..=3i32)
            .prop_map(|(city, pick, quantity)| Step::Sale { city, pick, quantity }),
        1 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::Refund { city, pick }),
        2 => (city.clone(), any::<Index>()).prop_map(|(city, pick)| Step::CheckIn { city, pick }),
        2 => (city.clone(), 1..=2_000_000i64).prop_map(|(city, amount)| Step::Contribution { city, amount }),
        1 => (city.clone(), 1..=600_000i64).prop_map(|(city, amount)| Step::Expense { city, amount }),
        2 => (city.clone(), 1..=1_000_000i64, 0..50i32, prop::sample::select(vec![0u64, 35, 70]))
            .prop_map(|(city, amount, beneficiaries, days_ago)| Step::Give { city, amount, beneficiaries, days_ago }),
        1 => (city, any::<Index>()).prop_map(|(city, pick)| Step::Reverse { city, pick }),
    ]
}

struct Group {
    id: GroupId,
    members: Vec<ParticipantId>,
}

/// One city of a case and the ids the steps pick from.
struct City {
    id: CityId,
    zone: CityZone,
    seasons: Vec<SeasonId>,
    groups: Vec<Group>,
    coaches: Vec<CoachId>,
    rink: RinkId,
    sponsor: SponsorId,
    cause: CauseId,
    people: Vec<ParticipantId>,
    enrollments: Vec<EnrollmentId>,
    /// (session, index of its group)
    sessions: Vec<(SessionId, usize)>,
    events: Vec<(EventId, TicketTypeId)>,
    orders: Vec<OrderId>,
    codes: Vec<String>,
    entries: Vec<LedgerEntryId>,
    /// Distinct time slots handed out, so no two sessions overlap on the rink.
    slot: i64,
    person: u32,
}

static CITY: AtomicU32 = AtomicU32::new(0);

/// Per step kind: (accepted, refused, one refusal message), printed at the
/// end so a run that refuses everything is seen (and fails).
static STATS: std::sync::Mutex<BTreeMap<&'static str, (u32, u32, String)>> =
    std::sync::Mutex::new(BTreeMap::new());

fn kind(step: &Step) -> &'static str {
    match step {
        Step::Apply { .. } => "apply",
        Step::Decide { .. } => "decide",
        Step::Schedule { .. } => "schedule",
        Step::Cancel { .. } => "cancel",
        Step::Reschedule { .. } => "reschedule",
        Step::Attend { .. } => "attend",
        Step::Skill { .. } => "skill",
        Step::CreateEvent { .. } => "create_event",
        Step::MoveEvent { .. } => "move_event",
        Step::Done { .. } => "done",
        Step::Sale { .. } => "sale",
        Step::Refund { .. } => "refund",
        Step::CheckIn { .. } => "check_in",
        Step::Contribution { .. } => "contribution",
        Step::Expense { .. } => "expense",
        Step::Give { .. } => "give",
        Step::Reverse { .. } => "reverse",
    }
}

fn count(step: &Step, refusal: Option<String>) {
    let mut stats = STATS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let e = stats.entry(kind(step)).or_default();
    match refusal {
        None => e.0 += 1,
        Some(m) => {
            e.1 += 1;
            e.2 = m;
        }
    }
}

fn ctx(city: CityId) -> CityScope {
    SystemCtx::new("rollup-props").in_city(city)
}

async fn tenant(db: &Db, city: CityId) -> TenantTx {
    db.tenant(&ctx(city)).await.expect("tenant")
}

fn person(n: u32, slug: &str) -> NewParticipant {
    NewParticipant {
        first_name: PersonName::parse("firstName", "Aru").expect("name"),
        last_name: PersonName::parse("lastName", "Sarsen").expect("name"),
        email: Email::parse(&format!("p{n}.{slug}@mail.kz")).expect("email"),
        phone: None,
        university: None,
        birth_date: None,
        preferred_language: Language::Ru,
        consent: Consent {
            given_at: Utc::now(),
            text_version: "v1".into(),
            method: ConsentMethod::WebForm,
        },
        guardian_name: None,
    }
}

async fn new_city(db: &Db, sys: &SystemDb, zone_name: &str) -> City {
    let slug = format!("roll-{}", CITY.fetch_add(1, Ordering::Relaxed));
    let zone = CityZone::parse(zone_name).expect("zone");
    let new = NewCity {
        slug: Slug::parse(&slug).expect("slug"),
        name_kk: format!("{slug} kk"),
        name_ru: format!("{slug} ru"),
        name_en: format!("{slug} en"),
        zone,
        launched_on: NaiveDate::from_ymd_opt(2026, 9, 1).expect("date"),
    };
    let id = sys
        .launch_city(&SystemCtx::new("test"), &new)
        .await
        .expect("launch")
        .city
        .id;
    let mut tx = tenant(db, id).await;
    let today = Utc::now().date_naive();
    let mut season_ids = Vec::new();
    for i in 0..SEASONS {
        let s = seasons::NewSeason {
            title: format!("Season {i}"),
            social_theme: "Rollups".into(),
            starts_on: today - Days::new(130),
            ends_on: today + Days::new(130),
            capacity: 50,
            auto_accept: false,
        };
        season_ids.push(
            seasons::insert(&mut tx, SeasonId::new(), &s)
                .await
                .expect("season")
                .id,
        );
    }
    let mut coach_ids = Vec::new();
    for i in 0..COACHES {
        let c = coaches::NewCoach {
            first_name: PersonName::parse("firstName", "Coach").expect("name"),
            last_name: PersonName::parse("lastName", "Ivanov").expect("name"),
            email: Email::parse(&format!("coach{i}.{slug}@mail.kz")).expect("email"),
            phone: None,
            qualification: program::Qualification::CertifiedCoach,
        };
        coach_ids.push(
            coaches::insert(&mut tx, CoachId::new(), &c)
                .await
                .expect("coach")
                .id,
        );
    }
    let mut n = 0;
    let mut people = Vec::new();
    let mut group_list = Vec::new();
    for (i, season) in season_ids.iter().enumerate() {
        let g = groups::insert(&mut tx, GroupId::new(), *season, &format!("Group {i}"))
            .await
            .expect("group");
        let mut members = Vec::new();
        for _ in 0..MEMBERS {
            let p = participants::insert(&mut tx, ParticipantId::new(), &person(n, &slug))
                .await
                .expect("participant");
            n += 1;
            members.push(p.id);
        }
        groups::add_members(&mut tx, g.id, &members)
            .await
            .expect("members");
        for c in &coach_ids {
            groups::add_coach(&mut tx, g.id, *c).await.expect("coach");
        }
        people.extend(members.iter().copied());
        group_list.push(Group { id: g.id, members });
    }
    let rink = rinks::insert(&mut tx, RinkId::new(), "Rollup Arena", "Main street 1")
        .await
        .expect("rink")
        .id;
    let sponsor = sponsors::create(
        &mut tx,
        SponsorId::new(),
        &NewSponsor {
            kind: SponsorKind::Organization,
            name: "Sponsor".into(),
            contact: Contact::default(),
        },
    )
    .await
    .expect("sponsor")
    .id;
    let cause = causes::create(
        &mut tx,
        CauseId::new(),
        &NewCause {
            title: "Cause".into(),
            description: "Help".into(),
            beneficiaries: "People".into(),
            target_tiyn: None,
        },
    )
    .await
    .expect("cause")
    .id;
    // Money to give from the start (a received contribution, as any other).
    let pledge = Pledge {
        sponsor,
        form: ContributionForm::Money,
        amount_tiyn: 3_000_000,
        description: None,
        purpose: "The season".into(),
        pledged_on: today,
    };
    let first = contributions::pledge(&mut tx, ContributionId::new(), &pledge)
        .await
        .expect("pledge");
    let (_, entry) = contributions::receive(&mut tx, first.id, today)
        .await
        .expect("receive");
    tx.commit().await.expect("commit");
    City {
        id,
        zone,
        seasons: season_ids,
        groups: group_list,
        coaches: coach_ids,
        rink,
        sponsor,
        cause,
        people,
        enrollments: Vec::new(),
        sessions: Vec::new(),
        events: Vec::new(),
        orders: Vec::new(),
        codes: Vec::new(),
        entries: entry.map(|e| e.id).into_iter().collect(),
        slot: 0,
        person: n,
    }
}

/// The first moment of the city's month `offset` months from now (local
/// midnight of the first day, in UTC).
fn month_start(zone: CityZone, offset: i32) -> DateTime<Utc> {
    let tz = zone.tz();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let first = today.with_day(1).expect("first");
    let first = if offset >= 0 {
        first + Months::new(offset.unsigned_abs())
    } else {
        first - Months::new(offset.unsigned_abs())
    };
    tz.from_local_datetime(&first.and_hms_opt(0, 0, 0).expect("midnight"))
        .earliest()
        .expect("local midnight")
        .with_timezone(&Utc)
}

/// A one-hour slot near a boundary of the city's month `offset`: just after
/// it starts or just before it ends (so a zone mistake moves it a month),
/// distinct from every slot handed out before in this city.
fn slot(city: &mut City, offset: i32, late: bool) -> (DateTime<Utc>, DateTime<Utc>) {
    city.slot += 1;
    let k = Duration::minutes(61 * city.slot);
    let start = if late {
        month_start(city.zone, offset + 1) - Duration::minutes(60) - k
    } else {
        month_start(city.zone, offset) + Duration::minutes(30) + k
    };
    (start, start + Duration::minutes(60))
}

fn pick<T: Copy>(v: &[T], i: &Index) -> Option<T> {
    (!v.is_empty()).then(|| v[i.index(v.len())])
}

fn fail(e: impl std::fmt::Display) -> TestCaseError {
    TestCaseError::fail(e.to_string())
}

/// Runs one step in one transaction of its city. A refusal the program
/// expects (a move its rules forbid, a sale after the event began, a gift
/// beyond the balance…) rolls back and is no failure: the rollups must
/// simply match whatever the base tables hold.
async fn apply(db: &Db, cities: &mut [City], step: &Step) -> Result<bool, TestCaseError> {
    let today = Utc::now().date_naive();
    let c = match step {
        Step::Apply { city, .. }
        | Step::Decide { city, .. }
        | Step::Schedule { city, .. }
        | Step::Cancel { city, .. }
        | Step::Reschedule { city, .. }
        | Step::Attend { city, .. }
        | Step::Skill { city, .. }
        | Step::CreateEvent { city, .. }
        | Step::MoveEvent { city, .. }
        | Step::Done { city, .. }
        | Step::Sale { city, .. }
        | Step::Refund { city, .. }
        | Step::CheckIn { city, .. }
        | Step::Contribution { city, .. }
        | Step::Expense { city, .. }
        | Step::Give { city, .. }
        | Step::Reverse { city, .. } => &mut cities[*city],
    };
    let mut tx = tenant(db, c.id).await;
    let outcome: Result<(), Error> = async {
        match step {
            Step::Apply { season, .. } => {
                let p = participants::insert(
                    &mut tx,
                    ParticipantId::new(),
                    &person(c.person, "applied"),
                )
                .await?;
                c.person += 1;
                let e = enrollments::apply(
                    &mut tx,
                    EnrollmentId::new(),
                    c.seasons[*season],
                    p.id,
                    Some("I want to"),
                )
                .await?;
                c.people.push(p.id);
                c.enrollments.push(e.id);
            }
            Step::Decide { pick: i, to, .. } => {
                if let Some(e) = pick(&c.enrollments, i) {
                    enrollments::set_status(&mut tx, e, STATUSES[*to]).await?;
                }
            }
            Step::Schedule {
                group, month, late, ..
            } => {
                let (starts_at, ends_at) = slot(c, *month, *late);
                let s = sessions::schedule(
                    &mut tx,
                    &sessions::NewSession {
                        id: SessionId::new(),
                        group: c.groups[*group].id,
                        rink: c.rink,
                        starts_at,
                        ends_at,
                    },
                )
                .await?;
                c.sessions.push((s.id, *group));
            }
            Step::Cancel { pick: i, .. } => {
                if let Some((s, _)) = pick(&c.sessions, i) {
                    sessions::cancel(&mut tx, s, "Ice is melting").await?;
                }
            }
            Step::Reschedule {
                pick: i,
                month,
                late,
                ..
            } => {
                if let Some((s, _)) = pick(&c.sessions, i) {
                    let (starts_at, ends_at) = slot(c, *month, *late);
                    sessions::reschedule(&mut tx, s, starts_at, ends_at).await?;
                }
            }
            Step::Attend {
                pick: i,
                coach,
                marks,
                ..
            } => {
                if let Some((s, g)) = pick(&c.sessions, i) {
                    let mut by: BTreeMap<usize, AttendanceMark> = BTreeMap::new();
                    for (m, k) in marks {
                        by.insert(*m, MARKS[*k]);
                    }
                    let rows: Vec<(ParticipantId, AttendanceMark)> = by
                        .into_iter()
                        .map(|(m, k)| (c.groups[g].members[m], k))
                        .collect();
                    attendance::record_session(&mut tx, s, coach.map(|k| c.coaches[k]), &rows)
                        .await?;
                }
            }
            Step::Skill {
                person: p,
                element,
                coach,
                days_ago,
                ..
            } => {
                let catalogue = skills::catalogue(&mut tx).await?;
                if let (Some(p), false) = (pick(&c.people, p), catalogue.is_empty()) {
                    let e = catalogue[element.index(catalogue.len())].id;
                    skills::record_pass(
                        &mut tx,
                        AssessmentId::new(),
                        p,
                        e,
                        c.coaches[*coach],
                        today - Days::new(*days_ago),
                    )
                    .await?;
                }
            }
            Step::CreateEvent {
                season,
                months_ahead,
                show,
                ..
            } => {
                let starts_at =
                    Utc::now() + Duration::days(30 * i64::from(*months_ahead)) + Duration::hours(3);
                let new = events::NewEvent {
                    season_id: c.seasons[*season],
                    kind: if *show {
                        EventKind::IceShow
                    } else {
                        EventKind::Competition
                    },
                    title: "On Ice".into(),
                    motto: None,
                    social_theme: "Rollups".into(),
                    rink_id: c.rink,
                    starts_at,
                    hold_minutes: 20,
                    cause_id: None,
                };
                let ev = events::insert(&mut tx, EventId::new(), &new).await?;
                let tt = soi_db::ticket_types::insert(
                    &mut tx,
                    TicketTypeId::new(),
                    ev.id,
                    "Stalls",
                    PRICE,
                    1000,
                )
                .await?;
                events::set_status(&mut tx, ev.id, EventStatus::Published).await?;
                c.events.push((ev.id, tt.id));
            }
            Step::MoveEvent {
                pick: i,
                month,
                late,
                ..
            } => {
                if let Some((e, _)) = pick(&c.events, i) {
                    let ev = events::get(&mut tx, e).await?;
                    let (starts_at, _) = slot(c, *month, *late);
                    let edit = events::EventEdit {
                        title: ev.title.clone(),
                        motto: ev.motto.clone(),
                        social_theme: ev.social_theme.clone(),
                        rink_id: ev.rink_id,
                        starts_at,
                        hold_minutes: ev.hold_minutes,
                        cause_id: ev.cause_id,
                    };
                    events::update(&mut tx, e, &edit).await?;
                }
            }
            Step::Done { pick: i, .. } => {
                if let Some((e, _)) = pick(&c.events, i) {
                    events::set_status(&mut tx, e, EventStatus::Done).await?;
                }
            }
            Step::Sale {
                pick: i, quantity, ..
            } => {
                if let Some((e, tt)) = pick(&c.events, i) {
                    let buyer = Buyer {
                        name: "Buyer".into(),
                        email: Email::parse("buyer@mail.kz").map_err(Error::Invalid)?,
                        language: Language::Ru,
                    };
                    let r = orders::reserve(&mut tx, e, &buyer, &[(tt, *quantity)]).await?;
                    let receipt = Receipt {
                        method: PaymentMethod::Cash,
                        amount_tiyn: r.order.total_tiyn,
                        reference: None,
                        provider_txn_id: None,
                    };
                    payments::pay(&mut tx, r.order.id, receipt).await?;
                    let issued = tickets::tickets_of(&mut tx, &[r.order.id]).await?;
                    c.orders.push(r.order.id);
                    c.codes.extend(issued.into_iter().map(|t| t.code));
                    let sale =
                        ledger::list(&mut tx, Some(ledger::Kind::TicketSale), Page::first(1))
                            .await?;
                    c.entries.extend(sale.first().map(|e| e.id));
                }
            }
            Step::Refund { pick: i, .. } => {
                if let Some(o) = pick(&c.orders, i) {
                    payments::refund(&mut tx, o, "Changed plans").await?;
                }
            }
            Step::CheckIn { pick: i, .. } => {
                if !c.codes.is_empty() {
                    let code = c.codes[i.index(c.codes.len())].clone();
                    tickets::check_in(&mut tx, &code).await?;
                }
            }
            Step::Contribution { amount, .. } => {
                let pledge = Pledge {
                    sponsor: c.sponsor,
                    form: ContributionForm::Money,
                    amount_tiyn: *amount,
                    description: None,
                    purpose: "The show".into(),
                    pledged_on: today,
                };
                let p = contributions::pledge(&mut tx, ContributionId::new(), &pledge).await?;
                let (_, entry) = contributions::receive(&mut tx, p.id, today).await?;
                c.entries.extend(entry.map(|e| e.id));
            }
            Step::Expense { amount, .. } => {
                let new = NewExpense {
                    tag: "ice".into(),
                    amount_tiyn: *amount,
                    spent_on: today,
                    description: "Spent".into(),
                    receipt_url: None,
                };
                let (_, e) = expenses::record(&mut tx, ExpenseId::new(), &new).await?;
                c.entries.push(e.id);
            }
            Step::Give {
                amount,
                beneficiaries,
                days_ago,
                ..
            } => {
                let new = NewDisbursement {
                    cause: c.cause,
                    amount_tiyn: *amount,
                    paid_on: today - Days::new(*days_ago),
                    evidence_url: "https://bank.kz/t/1".into(),
                    beneficiaries: *beneficiaries,
                    description: "Given".into(),
                };
                let (_, e) = disbursements::give(&mut tx, DisbursementId::new(), &new).await?;
                c.entries.push(e.id);
            }
            Step::Reverse { pick: i, .. } => {
                if let Some(e) = pick(&c.entries, i) {
                    let r = ledger::reverse(&mut tx, e, "Correction").await?;
                    c.entries.push(r.id);
                }
            }
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            tx.commit().await.map_err(fail)?;
            count(step, None);
            Ok(true)
        }
        Err(e @ (Error::Conflict(_) | Error::Invalid(_) | Error::NotFound(_))) => {
            count(step, Some(e.to_string()));
            Ok(false)
        }
        Err(e) => Err(fail(format!("{step:?}: {e}"))),
    }
}

type Key = (Uuid, NaiveDate, Uuid);
type Table = BTreeMap<Key, [i64; FIELDS]>;

fn columns(prefix: &str) -> String {
    Field::ALL
        .iter()
        .map(|f| format!("{prefix}{c}::bigint as {c}", c = f.column()))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_table(rows: &[sqlx::postgres::PgRow]) -> Table {
    rows.iter()
        .map(|r| {
            let mut v = [0i64; FIELDS];
            for f in Field::ALL {
                v[f.index()] = r.get::<i64, _>(f.column());
            }
            (
                (
                    r.get::<Uuid, _>("city_id"),
                    r.get::<NaiveDate, _>("month"),
                    r.get::<Uuid, _>("season_id"),
                ),
                v,
            )
        })
        .collect()
}

async fn stored(owner: &mut PgConnection) -> Table {
    let sql = format!(
        "select city_id, month, season_id, {} from rollups",
        columns("")
    );
    to_table(
        &sqlx::query(sqlx::AssertSqlSafe(sql))
            .fetch_all(owner)
            .await
            .expect("rollups"),
    )
}

/// Each part yields (city_id, month, season_id) and some figures; missing
/// figures are zero.
const PARTS: &[(&str, &[&str])] = &[
    (
        // Applications: the cohort of the month applied, by status now.
        "select e.city_id, date_trunc('month', e.applied_at at time zone z.time_zone)::date as month, e.season_id, \
           count(*) as applicants, \
           count(*) filter (where e.status = 'accepted') as accepted, \
           count(*) filter (where e.status = 'waitlisted') as waitlisted, \
           count(*) filter (where e.status = 'rejected') as rejected, \
           count(*) filter (where e.status = 'active') as active, \
           count(*) filter (where e.status = 'completed') as completed, \
           count(*) filter (where e.status = 'withdrawn') as withdrawn \
         from enrollments e join z on z.city_id = e.city_id where e.city_id = any($1) group by 1, 2, 3",
        &[
            "applicants",
            "accepted",
            "waitlisted",
            "rejected",
            "active",
            "completed",
            "withdrawn",
        ],
    ),
    (
        // Sessions: held = scheduled with attendance taken; cancelled.
        "select s.city_id, date_trunc('month', s.starts_at at time zone z.time_zone)::date as month, g.season_id, \
           count(*) filter (where s.status = 'scheduled' and exists \
             (select 1 from attendance a where a.city_id = s.city_id and a.session_id = s.id and a.city_id = any($1))) as sessions_held, \
           count(*) filter (where s.status = 'cancelled') as sessions_cancelled \
         from training_sessions s join groups g on g.city_id = s.city_id and g.id = s.group_id \
         join z on z.city_id = s.city_id where s.city_id = any($1) group by 1, 2, 3",
        &["sessions_held", "sessions_cancelled"],
    ),
    (
        // Attendance marks, present or late, coaches who recorded them.
        "select s.city_id, date_trunc('month', s.starts_at at time zone z.time_zone)::date as month, g.season_id, \
           count(*) as attendance_marks, \
           count(*) filter (where a.mark in ('present', 'late')) as attendance_present, \
           count(distinct a.recorded_by) as active_coaches \
         from attendance a join training_sessions s on s.city_id = a.city_id and s.id = a.session_id \
         join groups g on g.city_id = s.city_id and g.id = s.group_id \
         join z on z.city_id = s.city_id where a.city_id = any($1) group by 1, 2, 3",
        &["attendance_marks", "attendance_present", "active_coaches"],
    ),
    (
        "select k.city_id, date_trunc('month', k.passed_on)::date as month, \
           '00000000-0000-0000-0000-000000000000'::uuid as season_id, count(*) as skills_passed \
         from skill_assessments k where k.city_id = any($1) group by 1, 2, 3",
        &["skills_passed"],
    ),
    (
        "select e.city_id, date_trunc('month', e.starts_at at time zone z.time_zone)::date as month, e.season_id, \
           count(*) filter (where e.kind = 'ice_show' and e.status = 'done') as shows_held \
         from events e join z on z.city_id = e.city_id where e.city_id = any($1) group by 1, 2, 3",
        &["shows_held"],
    ),
    (
        "select e.city_id, date_trunc('month', e.starts_at at time zone z.time_zone)::date as month, e.season_id, \
           count(*) filter (where t.status = 'valid') as tickets_sold, \
           count(*) filter (where t.status = 'valid' and t.checked_in_at is not null) as tickets_checked_in \
         from tickets t join ticket_types tt on tt.city_id = t.city_id and tt.id = t.ticket_type_id \
         join events e on e.city_id = tt.city_id and e.id = tt.event_id \
         join z on z.city_id = e.city_id where t.city_id = any($1) group by 1, 2, 3",
        &["tickets_sold", "tickets_checked_in"],
    ),
    (
        // Money by the month written; a reversal counts against the kind of
        // the entry it reverses; ticket money carries the event's season.
        "select l.city_id, date_trunc('month', l.recorded_at at time zone z.time_zone)::date as month, \
           case when root.kind in ('ticket_sale', 'refund') then ev.season_id \
                else '00000000-0000-0000-0000-000000000000'::uuid end as season_id, \
           coalesce(sum(l.amount_tiyn) filter (where root.kind in ('ticket_sale', 'refund')), 0) as ticket_revenue_tiyn, \
           coalesce(sum(l.amount_tiyn) filter (where root.kind = 'contribution'), 0) as sponsor_money_tiyn, \
           coalesce(-sum(l.amount_tiyn) filter (where root.kind = 'expense'), 0) as expenses_tiyn, \
           coalesce(-sum(l.amount_tiyn) filter (where root.kind = 'disbursement'), 0) as given_to_causes_tiyn \
         from ledger_entries l \
         join ledger_entries root on root.city_id = l.city_id and root.id = coalesce(l.reverses_id, l.id) \
         left join ticket_orders o on o.city_id = root.city_id and o.id = root.order_id \
         left join events ev on ev.city_id = o.city_id and ev.id = o.event_id \
         join z on z.city_id = l.city_id where l.city_id = any($1) group by 1, 2, 3",
        &[
            "ticket_revenue_tiyn",
            "sponsor_money_tiyn",
            "expenses_tiyn",
            "given_to_causes_tiyn",
        ],
    ),
    (
        "select d.city_id, date_trunc('month', d.paid_on)::date as month, \
           '00000000-0000-0000-0000-000000000000'::uuid as season_id, sum(d.beneficiaries) as beneficiaries \
         from disbursements d where d.city_id = any($1) \
           and not exists (select 1 from ledger_entries x join ledger_entries r \
                           on r.city_id = x.city_id and r.reverses_id = x.id \
                           where x.city_id = d.city_id and x.disbursement_id = d.id) \
         group by 1, 2, 3",
        &["beneficiaries"],
    ),
];

/// The figures recomputed from the base tables, for the given cities.
async fn recompute(owner: &mut PgConnection, cities: &[Uuid]) -> Table {
    let parts = PARTS
        .iter()
        .map(|(sql, cols)| {
            let figures = Field::ALL
                .iter()
                .map(|f| {
                    if cols.contains(&f.column()) {
                        format!("p.{c}::bigint as {c}", c = f.column())
                    } else {
                        format!("0::bigint as {}", f.column())
                    }
                })
                .collect::<Vec<_>>()
                .join(", ");
            format!("select p.city_id, p.month, p.season_id, {figures} from ({sql}) p")
        })
        .collect::<Vec<_>>()
        .join(" union all ");
    let sums = Field::ALL
        .iter()
        .map(|f| format!("sum(u.{c})::bigint as {c}", c = f.column()))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!(
        "with z as (select id as city_id, time_zone from cities) \
         select u.city_id, u.month, u.season_id, {sums} from ({parts}) u group by 1, 2, 3"
    );
    to_table(
        &sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(cities)
            .fetch_all(owner)
            .await
            .expect("recompute"),
    )
}

fn named(v: &[i64; FIELDS]) -> String {
    Field::ALL
        .iter()
        .filter(|f| v[f.index()] != 0)
        .map(|f| format!("{}={}", f.column(), v[f.index()]))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Every key with a figure on either side must agree; rows of zeros in the
/// rollups are allowed where nothing is left to count.
fn diff(want: &Table, got: &Table) -> Vec<String> {
    let keys: BTreeSet<&Key> = want.keys().chain(got.keys()).collect();
    let zero = [0i64; FIELDS];
    let mut out = Vec::new();
    for k in keys {
        let w = want.get(k).unwrap_or(&zero);
        let g = got.get(k).unwrap_or(&zero);
        if w != g {
            let delta: Vec<String> = Field::ALL
                .iter()
                .filter(|f| w[f.index()] != g[f.index()])
                .map(|f| format!("{}: want {} got {}", f.column(), w[f.index()], g[f.index()]))
                .collect();
            out.push(format!(
                "city {} month {} season {}: {} (want [{}], got [{}])",
                k.0,
                k.1,
                k.2,
                delta.join(", "),
                named(w),
                named(g)
            ));
        }
    }
    out
}

/// A report row's key: (city, month, season), the parts the grouping uses.
type RowKey = (Option<Uuid>, Option<NaiveDate>, Option<Uuid>);

fn row_key(by: Option<Grouping>, (city, month, season): &Key) -> RowKey {
    match by {
        None => (None, None, None),
        Some(Grouping::City) => (Some(*city), None, None),
        Some(Grouping::Month) => (None, Some(*month), None),
        Some(Grouping::Season) => (Some(*city), None, Some(*season)),
    }
}

/// What a report over `from..=to` keyed by `by` must show, from recomputed
/// figures: sums, and for coaches the busiest month's sum (the definition in
/// reports.rs).
fn expected_report(
    t: &Table,
    from: NaiveDate,
    to: NaiveDate,
    by: Option<Grouping>,
) -> BTreeMap<RowKey, Figures> {
    let mut per_month: BTreeMap<(RowKey, NaiveDate), [i64; FIELDS]> = BTreeMap::new();
    for (key, v) in t {
        if key.1 < from || key.1 > to {
            continue;
        }
        let acc = per_month
            .entry((row_key(by, key), key.1))
            .or_insert([0; FIELDS]);
        for i in 0..FIELDS {
            acc[i] += v[i];
        }
    }
    let mut out: BTreeMap<RowKey, Figures> = BTreeMap::new();
    for ((key, _), v) in per_month {
        let acc = out.entry(key).or_default();
        for f in Field::ALL {
            let i = f.index();
            if f == Field::ActiveCoaches {
                acc.0[i] = acc.0[i].max(v[i]);
            } else {
                acc.0[i] += v[i];
            }
        }
    }
    nonzero(out)
}

fn report_map(rows: &[ReportRow]) -> BTreeMap<RowKey, Figures> {
    nonzero(
        rows.iter()
            .map(|r| {
                (
                    (
                        r.city.as_ref().map(|c| c.id.as_uuid()),
                        r.month,
                        r.season.as_ref().map(|s| s.id),
                    ),
                    r.figures,
                )
            })
            .collect(),
    )
}

fn nonzero(m: BTreeMap<RowKey, Figures>) -> BTreeMap<RowKey, Figures> {
    m.into_iter()
        .filter(|(_, f)| f.0.iter().any(|v| *v != 0))
        .collect()
}

const GROUPINGS: [Option<Grouping>; 4] = [
    None,
    Some(Grouping::City),
    Some(Grouping::Month),
    Some(Grouping::Season),
];

/// Season rows name their season (from the labels), and figures of no
/// season have no title.
fn labels_ok(rows: &[ReportRow], titles: &BTreeMap<Uuid, String>) -> Result<(), String> {
    for r in rows {
        if let Some(s) = &r.season {
            let want = titles.get(&s.id).cloned();
            if s.title != want {
                return Err(format!(
                    "season {} labelled {:?}, want {:?}",
                    s.id, s.title, want
                ));
            }
        }
    }
    Ok(())
}

async fn check(
    db: &Db,
    owner: &mut PgConnection,
    cities: &[City],
    when: &str,
) -> Result<(), TestCaseError> {
    // The case's cities are recomputed; the rollups of earlier cases' cities
    // were checked when their case ended and nothing has touched them since,
    // so together they are what the national report must show.
    let ids: Vec<Uuid> = cities.iter().map(|c| c.id.as_uuid()).collect();
    let mine = recompute(owner, &ids).await;
    let all = stored(owner).await;
    let got: Table = all
        .iter()
        .filter(|(k, _)| ids.contains(&k.0))
        .map(|(k, v)| (*k, *v))
        .collect();
    let d = diff(&mine, &got);
    prop_assert!(
        d.is_empty(),
        "rollups differ from the base tables {}:\n{}",
        when,
        d.join("\n")
    );
    let want: Table = all
        .into_iter()
        .filter(|(k, _)| !ids.contains(&k.0))
        .chain(mine)
        .collect();

    // The reports over a range of months, in every grouping.
    let titles: BTreeMap<Uuid, String> = sqlx::query_as("select id, title from seasons")
        .fetch_all(&mut *owner)
        .await
        .map_err(fail)?
        .into_iter()
        .collect();
    let this = Utc::now().date_naive().with_day(1).expect("first");
    let (from, to) = (this - Months::new(2), this + Months::new(1));
    let mut national = db.report().await.map_err(fail)?;
    for by in GROUPINGS {
        let q = ReportQuery { from, to, by };
        let rows = reports::national(&mut national, &q).await.map_err(fail)?;
        prop_assert_eq!(
            report_map(&rows),
            expected_report(&want, from, to, by),
            "national report by {:?} {}",
            by,
            when
        );
        labels_ok(&rows, &titles).map_err(fail)?;
    }
    national.finish().await.map_err(fail)?;
    for c in cities {
        let mine: Table = want
            .iter()
            .filter(|((city, _, _), _)| *city == c.id.as_uuid())
            .map(|(k, v)| (*k, *v))
            .collect();
        let mut tx = tenant(db, c.id).await;
        for by in GROUPINGS {
            let q = ReportQuery { from, to, by };
            let rows = reports::city(&mut tx, &q).await.map_err(fail)?;
            prop_assert_eq!(
                report_map(&rows),
                expected_report(&mine, from, to, by),
                "city report of {} by {:?} {}",
                c.id,
                by,
                when
            );
            labels_ok(&rows, &titles).map_err(fail)?;
        }
        tx.rollback().await.map_err(fail)?;
    }
    Ok(())
}

async fn run(
    db: &Db,
    sys: &SystemDb,
    owner: &mut PgConnection,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let mut cities = Vec::new();
    for zone in ZONES {
        cities.push(new_city(db, sys, zone).await);
    }
    let half = steps.len() / 2;
    for (i, step) in steps.iter().enumerate() {
        apply(db, &mut cities, step).await?;
        if i + 1 == half {
            check(
                db,
                owner,
                &cities,
                &format!("at step {} of {} ({step:?})", i + 1, steps.len()),
            )
            .await?;
        }
    }
    check(db, owner, &cities, "after the history").await
}

#[test]
fn random_activity_keeps_every_rollup_equal_to_the_base_tables() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let (t, db, sys) = rt.block_on(async {
        let t = TestDb::new().await;
        let db = t.db().await;
        let sys = t.system().await;
        (t, db, sys)
    });
    let cases: u32 = std::env::var("ROLLUP_PROPS_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(24);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        max_shrink_iters: 200,
        ..Config::default()
    });
    let result = runner.run(&prop::collection::vec(step(), 10..=40), |steps| {
        rt.block_on(async {
            let mut owner = t.raw().await;
            run(&db, &sys, &mut owner, &steps).await
        })
    });
    rt.block_on(async {
        db.close().await;
        sys.close().await;
    });
    drop(t);
    let stats = STATS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for (k, (ok, refused, last)) in stats.iter() {
        eprintln!("{k:>13}: {ok:>4} accepted, {refused:>4} refused  {last}");
    }
    if let Err(e) = result {
        panic!("{e}");
    }
    // Every kind of activity happened for real somewhere in the run.
    for k in [
        "apply",
        "decide",
        "schedule",
        "cancel",
        "reschedule",
        "attend",
        "skill",
        "create_event",
        "move_event",
        "done",
        "sale",
        "refund",
        "check_in",
        "contribution",
        "expense",
        "give",
        "reverse",
    ] {
        assert!(
            stats.get(k).is_some_and(|s| s.0 > 0),
            "no {k} step was ever accepted: {stats:?}"
        );
    }
}

/// The demo seed writes in bulk (insert_many of sessions, attendance without
/// a recorder, skills, tickets…): the triggers keep up with that too.
#[tokio::test]
async fn the_demo_seed_leaves_rollups_equal_to_the_base_tables() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    soi_seed::demo::run(&sys, &db, 7, &[])
        .await
        .expect("demo seed");
    let mut owner = t.raw().await;
    let every: Vec<Uuid> = sqlx::query_scalar("select id from cities")
        .fetch_all(&mut owner)
        .await
        .expect("cities");
    let want = recompute(&mut owner, &every).await;
    let got = stored(&mut owner).await;
    assert!(
        want.values().any(|v| v.iter().any(|x| *x != 0)),
        "the seed left nothing to count"
    );
    let d = diff(&want, &got);
    assert!(
        d.is_empty(),
        "rollups differ after the demo seed:\n{}",
        d.join("\n")
    );
    db.close().await;
    sys.close().await;
}

/// A cached report is keyed by the newest rollup version, so every change of
/// a figure must leave a newer newest version once committed. Two
/// transactions that change figures concurrently commit in the order
/// opposite to the one in which they drew their versions.
#[tokio::test]
async fn every_committed_change_of_figures_moves_the_version() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let a = new_city(&db, &sys, "Asia/Almaty").await;
    let b = new_city(&db, &sys, "Asia/Almaty").await;
    let today = Utc::now().date_naive();
    let expense = move |amount| NewExpense {
        tag: "ice".into(),
        amount_tiyn: amount,
        spent_on: today,
        description: "Spent".into(),
        receipt_url: None,
    };
    let national_version = || async {
        let mut r = db.report().await.expect("report");
        let v = reports::national_version(&mut r).await.expect("version");
        r.finish().await.expect("finish");
        v
    };
    let city_version = |city: CityId| {
        let db = &db;
        async move {
            let mut tx = tenant(db, city).await;
            let v = reports::city_version(&mut tx).await.expect("version");
            tx.rollback().await.expect("rollback");
            v
        }
    };

    // Across cities (the national version).
    let mut first = tenant(&db, a.id).await;
    expenses::record(&mut first, ExpenseId::new(), &expense(1_000))
        .await
        .expect("expense a");
    let mut second = tenant(&db, b.id).await;
    expenses::record(&mut second, ExpenseId::new(), &expense(2_000))
        .await
        .expect("expense b");
    second.commit().await.expect("commit b");
    let cached_at = national_version().await;
    first.commit().await.expect("commit a");
    let now = national_version().await;
    let national_moved = now != cached_at;

    // Within one city (the city version): the second writer waits for the
    // first (the city's counter row orders them), and each commit shows.
    let before = city_version(a.id).await;
    let mut first = tenant(&db, a.id).await;
    let (p, coach) = (a.people[0], a.coaches[0]);
    let element = skills::catalogue(&mut first).await.expect("catalogue")[0].id;
    skills::record_pass(
        &mut first,
        AssessmentId::new(),
        p,
        element,
        coach,
        today - Days::new(65),
    )
    .await
    .expect("pass");
    let second = {
        let db = db.clone();
        let city = a.id;
        tokio::spawn(async move {
            let mut second = tenant(&db, city).await;
            expenses::record(&mut second, ExpenseId::new(), &expense(3_000))
                .await
                .expect("expense");
            second.commit().await.expect("commit second");
        })
    };
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    first.commit().await.expect("commit first");
    let city_cached_at = city_version(a.id).await;
    second.await.expect("second");
    let city_now = city_version(a.id).await;
    assert!(city_cached_at > before, "the first commit moved nothing");
    // Each of the two commits raised the counter once.
    let city_moved = city_now == before + 2;

    // The transaction that started first commits last: its change must still
    // show as a new version (a sequence drawn at start would not), or a report
    // cached under the newest version would stay stale.
    assert!(
        national_moved && city_moved,
        "a committed change left the version as it was: national {cached_at} -> {now}, \
         city {city_cached_at} -> {city_now}"
    );
    db.close().await;
    sys.close().await;
}

/// Records `marks` of `sessions[0]` in one transaction and, while it is
/// open, those of `sessions[1]` in another; commits the first, then returns
/// how the second ended.
async fn race(
    db: &Db,
    city: CityId,
    sessions: [SessionId; 2],
    coach: Option<CoachId>,
    marks: [(ParticipantId, AttendanceMark); 2],
) -> Result<(), Error> {
    let mut first = tenant(db, city).await;
    attendance::record_session(&mut first, sessions[0], coach, &marks[..1])
        .await
        .expect("first recorder");
    let db2 = db.clone();
    let second = tokio::spawn(async move {
        let mut tx = tenant(&db2, city).await;
        attendance::record_session(&mut tx, sessions[1], coach, &marks[1..]).await?;
        tx.commit().await
    });
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    first.commit().await.expect("commit first");
    second.await.expect("task")
}

/// Two recorders of one coach's first marks of a month at once (two sessions
/// of one group and month, in overlapping transactions): both must succeed,
/// and the coach counts once. First as new marks, then as a coach taking
/// over marks recorded without a coach (the marks themselves unchanged).
#[tokio::test]
async fn concurrent_first_marks_of_one_coach_both_succeed() {
    let t = TestDb::new().await;
    let (sys, db) = (t.system().await, t.db().await);
    let mut city = new_city(&db, &sys, "Asia/Almaty").await;
    let mut tx = tenant(&db, city.id).await;
    let mut ids = Vec::new();
    for g in [0, 0, 1, 1] {
        let (starts_at, ends_at) = slot(&mut city, 0, false);
        let s = sessions::schedule(
            &mut tx,
            &sessions::NewSession {
                id: SessionId::new(),
                group: city.groups[g].id,
                rink: city.rink,
                starts_at,
                ends_at,
            },
        )
        .await
        .expect("session");
        ids.push(s.id);
    }
    // The second pair already has marks, recorded by no coach.
    let other = city.groups[1].members.clone();
    for (s, p) in [(ids[2], other[0]), (ids[3], other[1])] {
        attendance::record_session(&mut tx, s, None, &[(p, AttendanceMark::Present)])
            .await
            .expect("marks without a coach");
    }
    tx.commit().await.expect("commit");
    let members = city.groups[0].members.clone();

    let new_marks = race(
        &db,
        city.id,
        [ids[0], ids[1]],
        Some(city.coaches[0]),
        [
            (members[0], AttendanceMark::Present),
            (members[1], AttendanceMark::Late),
        ],
    )
    .await;
    let taken_over = race(
        &db,
        city.id,
        [ids[2], ids[3]],
        Some(city.coaches[1]),
        [
            (other[0], AttendanceMark::Present),
            (other[1], AttendanceMark::Present),
        ],
    )
    .await;
    let mut owner = t.raw().await;
    let want = recompute(&mut owner, &[city.id.as_uuid()]).await;
    let got: Table = stored(&mut owner)
        .await
        .into_iter()
        .filter(|(k, _)| k.0 == city.id.as_uuid())
        .collect();
    // New marks serialize: the session counters' rollup row (same city, month
    // and season) is updated before `soi_rollup_coach` runs, so the second
    // recorder waits for the first to commit.
    assert!(
        new_marks.is_ok(),
        "second recorder of new marks failed: {new_marks:?}"
    );
    // Only recorded_by changes (a coach takes over marks recorded without
    // one): no session counter moves, so nothing orders the two recorders
    // but the coach-month row itself, which must be created under its lock.
    assert!(
        taken_over.is_ok(),
        "second recorder taking over marks failed: {taken_over:?}"
    );
    let d = diff(&want, &got);
    assert!(d.is_empty(), "{}", d.join("\n"));
    db.close().await;
    sys.close().await;
}
