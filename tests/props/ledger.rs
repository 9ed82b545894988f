//! Random histories of a city's money keep the ledger's promises: the
//! derived balance is the sum of the entries and a model's balance; a gift
//! never leaves the balance negative; refused moves store nothing; and the
//! transparency report equals a recomputation from the raw ledger rows.
//!
//! Ticket sales and refunds go through the ticketing API (`orders::reserve`,
//! `payments::pay`, `payments::refund`) on a published event of each case's
//! city. One database for the run, a fresh city per case.

use crate::driver::{self, fail};
use chrono::{Days, Duration, Utc};
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::test_runner::TestCaseError;
use soi_core::states::{EventKind, EventStatus};
use soi_core::*;
use soi_db::events::events;
use soi_db::funds::causes::{self, NewCause};
use soi_db::funds::contributions::{self, Pledge};
use soi_db::funds::disbursements::NewDisbursement;
use soi_db::funds::expenses::NewExpense;
use soi_db::funds::sponsors::{self, Contact, NewSponsor};
use soi_db::funds::transparency::{self, CauseTotal, Report, TagTotal};
use soi_db::funds::{ContributionForm, SponsorKind, ledger};
use soi_db::program::{rinks, seasons};
use soi_db::tickets::orders::Buyer;
use soi_db::tickets::payments::{PaymentMethod, Receipt};
use soi_db::{Db, Error, Page, SystemDb, TenantTx};
use soi_tests::{launch, tenant};
use sqlx::{PgConnection, Row};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicU32, Ordering};
use uuid::Uuid;

const SPONSORS: usize = 3;
const CAUSES: usize = 2;
const TAGS: [&str; 3] = ["ice", "costumes", "transport"];
const PRICE: i64 = 150_000;

#[derive(Debug, Clone)]
enum Step {
    Contribution {
        sponsor: usize,
        amount: i64,
    },
    InKind {
        sponsor: usize,
        amount: i64,
    },
    Expense {
        tag: usize,
        amount: i64,
    },
    Give {
        cause: usize,
        amount: i64,
        beneficiaries: i32,
    },
    Reverse(Index),
    Sale(i32),
    Refund(Index),
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        3 => (0..SPONSORS, 1..=2_000_000i64).prop_map(|(sponsor, amount)| Step::Contribution { sponsor, amount }),
        1 => (0..SPONSORS, 1..=500_000i64).prop_map(|(sponsor, amount)| Step::InKind { sponsor, amount }),
        2 => (0..TAGS.len(), 1..=600_000i64).prop_map(|(tag, amount)| Step::Expense { tag, amount }),
        3 => (0..CAUSES, 1..=3_000_000i64, 0..50i32)
            .prop_map(|(cause, amount, beneficiaries)| Step::Give { cause, amount, beneficiaries }),
        2 => any::<Index>().prop_map(Step::Reverse),
        2 => (1..=3i32).prop_map(Step::Sale),
        1 => any::<Index>().prop_map(Step::Refund),
    ]
}

/// An entry as the model knows it.
struct Known {
    id: LedgerEntryId,
    kind: &'static str,
    amount: i64,
    reversed: bool,
}

/// One case's city and what the model expects of it.
struct Case {
    city: CityId,
    sponsors: Vec<SponsorId>,
    causes: Vec<CauseId>,
    event: EventId,
    ticket: TicketTypeId,
    balance: i64,
    entries: Vec<Known>,
    /// Paid orders: (id, total, refunded).
    orders: Vec<(OrderId, i64, bool)>,
}

static CITY: AtomicU32 = AtomicU32::new(0);

async fn new_case(db: &Db, sys: &SystemDb) -> Case {
    let slug = format!("prop-{}", CITY.fetch_add(1, Ordering::Relaxed));
    let city = launch(sys, &slug).await.id;
    let mut tx = tenant(db, city).await;
    let mut sponsor_ids = Vec::new();
    for i in 0..SPONSORS {
        let new = NewSponsor {
            kind: SponsorKind::Organization,
            name: format!("Sponsor {i}"),
            contact: Contact::default(),
        };
        let s = sponsors::create(&mut tx, SponsorId::new(), &new)
            .await
            .expect("sponsor");
        sponsor_ids.push(s.id);
    }
    let mut cause_ids = Vec::new();
    for i in 0..CAUSES {
        let new = NewCause {
            title: format!("cause-{i}"),
            description: "Help".into(),
            beneficiaries: "People".into(),
            target_tiyn: (i == 0).then_some(10_000_000),
        };
        let c = causes::create(&mut tx, CauseId::new(), &new)
            .await
            .expect("cause");
        cause_ids.push(c.id);
    }
    let today = Utc::now().date_naive();
    let season = seasons::NewSeason {
        title: "Props".into(),
        social_theme: "Honest money".into(),
        starts_on: today - Days::new(10),
        ends_on: today + Days::new(60),
        capacity: 10,
        auto_accept: false,
    };
    let season = seasons::insert(&mut tx, SeasonId::new(), &season)
        .await
        .expect("season");
    let rink = rinks::insert(&mut tx, RinkId::new(), "Props Arena", "Main street 1")
        .await
        .expect("rink");
    let new_event = events::NewEvent {
        season_id: season.id,
        kind: EventKind::IceShow,
        title: "Props on Ice".into(),
        motto: None,
        social_theme: "Honest money".into(),
        rink_id: rink.id,
        starts_at: Utc::now() + Duration::days(30),
        hold_minutes: 20,
        cause_id: None,
    };
    let event = soi_service::events::create(&mut tx, EventId::new(), &new_event)
        .await
        .expect("event");
    let ticket = soi_service::tickets::add_ticket_type(
        &mut tx,
        TicketTypeId::new(),
        event.id,
        "Stalls",
        PRICE,
        100_000,
    )
    .await
    .expect("ticket type");
    soi_service::events::set_status(&mut tx, event.id, EventStatus::Published)
        .await
        .expect("publish");
    tx.commit().await.expect("commit");
    Case {
        city,
        sponsors: sponsor_ids,
        causes: cause_ids,
        event: event.id,
        ticket: ticket.id,
        balance: 0,
        entries: Vec::new(),
        orders: Vec::new(),
    }
}

/// Runs one step; `Ok(true)` when it was accepted, `Ok(false)` when the db
/// refused it with `Conflict` (and the transaction was rolled back).
async fn apply(db: &Db, case: &mut Case, step: &Step) -> Result<bool, TestCaseError> {
    let today = Utc::now().date_naive();
    let mut tx = tenant(db, case.city).await;
    let outcome: Result<(), Error> = async {
        match step {
            Step::Contribution { sponsor, amount } | Step::InKind { sponsor, amount } => {
                let form = match step {
                    Step::InKind { .. } => ContributionForm::InKind,
                    _ => ContributionForm::Money,
                };
                let pledge = Pledge {
                    sponsor: case.sponsors[*sponsor],
                    form,
                    amount_tiyn: *amount,
                    description: None,
                    purpose: "The show".into(),
                    pledged_on: today,
                };
                let c = contributions::pledge(&mut tx, ContributionId::new(), &pledge).await?;
                let (_, entry) = soi_service::funds::receive(&mut tx, c.id, today).await?;
                if let Some(e) = entry {
                    case.entries.push(Known {
                        id: e.id,
                        kind: "contribution",
                        amount: *amount,
                        reversed: false,
                    });
                }
            }
            Step::Expense { tag, amount } => {
                let new = NewExpense {
                    tag: TAGS[*tag].into(),
                    amount_tiyn: *amount,
                    spent_on: today,
                    description: "Spent".into(),
                    receipt_url: None,
                };
                let (_, e) =
                    soi_service::funds::record_expense(&mut tx, ExpenseId::new(), &new).await?;
                case.entries.push(Known {
                    id: e.id,
                    kind: "expense",
                    amount: -amount,
                    reversed: false,
                });
            }
            Step::Give {
                cause,
                amount,
                beneficiaries,
            } => {
                let new = NewDisbursement {
                    cause: case.causes[*cause],
                    amount_tiyn: *amount,
                    paid_on: today,
                    evidence_url: "https://bank.kz/t/1".into(),
                    beneficiaries: *beneficiaries,
                    description: "Given".into(),
                };
                let (_, e) = soi_service::funds::give(&mut tx, DisbursementId::new(), &new).await?;
                case.entries.push(Known {
                    id: e.id,
                    kind: "disbursement",
                    amount: -amount,
                    reversed: false,
                });
            }
            Step::Reverse(pick) => {
                if case.entries.is_empty() {
                    return Ok(());
                }
                let i = pick.index(case.entries.len());
                let e =
                    soi_service::funds::reverse(&mut tx, case.entries[i].id, "Correction").await?;
                case.entries.push(Known {
                    id: e.id,
                    kind: "reversal",
                    amount: e.amount_tiyn,
                    reversed: false,
                });
            }
            Step::Sale(q) => {
                let buyer = Buyer {
                    name: "Buyer".into(),
                    email: Email::parse("buyer@mail.kz").map_err(Error::Invalid)?,
                    language: Language::Ru,
                };
                let r = soi_service::tickets::reserve(
                    &mut tx,
                    case.event,
                    &buyer,
                    &[(case.ticket, *q)],
                )
                .await?;
                let total = r.order.total_tiyn;
                let receipt = Receipt {
                    method: PaymentMethod::Cash,
                    amount_tiyn: total,
                    reference: None,
                    provider_txn_id: None,
                };
                soi_service::tickets::settle(&mut tx, r.order.id, receipt).await?;
                case.orders.push((r.order.id, total, false));
                let e = newest(&mut tx, ledger::Kind::TicketSale).await?;
                case.entries.push(Known {
                    id: e,
                    kind: "ticket_sale",
                    amount: total,
                    reversed: false,
                });
            }
            Step::Refund(pick) => {
                if case.orders.is_empty() {
                    return Ok(());
                }
                let i = pick.index(case.orders.len());
                soi_service::tickets::refund(&mut tx, case.orders[i].0, "Changed plans").await?;
                let e = newest(&mut tx, ledger::Kind::Refund).await?;
                case.entries.push(Known {
                    id: e,
                    kind: "refund",
                    amount: -case.orders[i].1,
                    reversed: false,
                });
            }
        }
        Ok(())
    }
    .await;
    match outcome {
        Ok(()) => {
            tx.commit().await.map_err(fail)?;
            Ok(true)
        }
        Err(Error::Conflict(_)) => Ok(false),
        Err(e) => Err(fail(e)),
    }
}

/// The id of the city's newest entry of this kind.
async fn newest(tx: &mut TenantTx, kind: ledger::Kind) -> Result<LedgerEntryId, Error> {
    let rows = ledger::list(tx, Some(kind), Page::first(1)).await?;
    rows.first()
        .map(|e| e.id)
        .ok_or(Error::NotFound("ledger entry"))
}

/// What the model says a step does: `Some(delta)` of the balance when it
/// must be accepted, `None` when it must be refused.
fn expect(case: &Case, step: &Step) -> Option<i64> {
    match step {
        Step::Contribution { amount, .. } => Some(*amount),
        Step::InKind { .. } => Some(0),
        Step::Expense { amount, .. } => Some(-amount),
        Step::Give { amount, .. } => (*amount <= case.balance).then_some(-amount),
        Step::Reverse(pick) => {
            if case.entries.is_empty() {
                return Some(0);
            }
            let e = &case.entries[pick.index(case.entries.len())];
            let reversible = matches!(e.kind, "contribution" | "expense" | "disbursement");
            let delta = -e.amount;
            (reversible && !e.reversed && (delta > 0 || case.balance + delta >= 0)).then_some(delta)
        }
        Step::Sale(q) => Some(PRICE * i64::from(*q)),
        Step::Refund(pick) => {
            if case.orders.is_empty() {
                return Some(0);
            }
            let (_, total, refunded) = case.orders[pick.index(case.orders.len())];
            (!refunded).then_some(-total)
        }
    }
}

/// Brings the model up to date after an accepted step.
fn settle(case: &mut Case, step: &Step, delta: i64) {
    case.balance += delta;
    match step {
        Step::Reverse(pick) if !case.entries.is_empty() => {
            // The reversal was pushed last; the reversed one is among the others.
            let n = case.entries.len() - 1;
            let i = pick.index(n);
            case.entries[i].reversed = true;
        }
        Step::Refund(pick) if !case.orders.is_empty() => {
            let n = case.orders.len();
            case.orders[pick.index(n)].2 = true;
        }
        _ => {}
    }
}

async fn ledger_rows(owner: &mut PgConnection, city: CityId) -> Vec<sqlx::postgres::PgRow> {
    sqlx::query("select * from ledger_entries where city_id = $1")
        .bind(city.as_uuid())
        .fetch_all(owner)
        .await
        .expect("ledger rows")
}

/// The report recomputed in Rust from the owner's raw rows.
async fn recompute(owner: &mut PgConnection, city: CityId) -> Report {
    let rows = ledger_rows(owner, city).await;
    let kind_of: BTreeMap<Uuid, String> = rows
        .iter()
        .map(|r| (r.get::<Uuid, _>("id"), r.get::<String, _>("kind")))
        .collect();
    let expense_of: BTreeMap<Uuid, Uuid> = rows
        .iter()
        .filter_map(|r| Some((r.get("id"), r.get::<Option<Uuid>, _>("expense_id")?)))
        .collect();
    let gift_of: BTreeMap<Uuid, Uuid> = rows
        .iter()
        .filter_map(|r| Some((r.get("id"), r.get::<Option<Uuid>, _>("disbursement_id")?)))
        .collect();
    let reversed: BTreeSet<Uuid> = rows
        .iter()
        .filter_map(|r| r.get::<Option<Uuid>, _>("reverses_id"))
        .collect();
    let mut r = Report::default();
    let mut by_tag: BTreeMap<String, i64> = BTreeMap::new();
    let mut by_gift: BTreeMap<Uuid, i64> = BTreeMap::new();
    let tags: BTreeMap<Uuid, String> =
        sqlx::query_as("select id, tag from expenses where city_id = $1")
            .bind(city.as_uuid())
            .fetch_all(&mut *owner)
            .await
            .expect("expenses")
            .into_iter()
            .collect();
    for row in &rows {
        let id: Uuid = row.get("id");
        let amount: i64 = row.get("amount_tiyn");
        let root = row.get::<Option<Uuid>, _>("reverses_id").unwrap_or(id);
        r.closing_balance_tiyn += amount;
        match kind_of[&root].as_str() {
            "contribution" => r.raised_tiyn += amount,
            "ticket_sale" => r.ticket_sales_tiyn += amount,
            "refund" => r.refunds_tiyn -= amount,
            "expense" => {
                r.spent_tiyn -= amount;
                *by_tag.entry(tags[&expense_of[&root]].clone()).or_default() -= amount;
            }
            "disbursement" => {
                r.given_tiyn -= amount;
                *by_gift.entry(gift_of[&root]).or_default() -= amount;
            }
            other => panic!("a reversal reverses a {other}"),
        }
    }
    r.expenses = by_tag
        .into_iter()
        .map(|(tag, spent_tiyn)| TagTotal { tag, spent_tiyn })
        .collect();
    // Gifts by cause, counting the people of gifts not reversed.
    let root_of_gift: BTreeMap<Uuid, Uuid> = gift_of.iter().map(|(e, d)| (*d, *e)).collect();
    let gifts: Vec<(Uuid, Uuid, i32)> =
        sqlx::query_as("select id, cause_id, beneficiaries from disbursements where city_id = $1")
            .bind(city.as_uuid())
            .fetch_all(&mut *owner)
            .await
            .expect("gifts");
    let causes: Vec<(Uuid, String, Option<i64>)> =
        sqlx::query_as("select id, title, target_tiyn from social_causes where city_id = $1")
            .bind(city.as_uuid())
            .fetch_all(&mut *owner)
            .await
            .expect("causes");
    r.causes = causes
        .into_iter()
        .map(|(cause, title, target_tiyn)| {
            let mine = gifts.iter().filter(|(_, c, _)| *c == cause);
            let (mut given_tiyn, mut beneficiaries_helped) = (0, 0);
            for (gift, _, people) in mine {
                given_tiyn += by_gift.get(gift).copied().unwrap_or(0);
                if !reversed.contains(&root_of_gift[gift]) {
                    beneficiaries_helped += i64::from(*people);
                }
            }
            CauseTotal {
                title,
                target_tiyn,
                given_tiyn,
                beneficiaries_helped,
            }
        })
        .collect();
    r.causes.sort_by(|a, b| a.title.cmp(&b.title));
    let received: Vec<(Uuid, String, i64)> = sqlx::query_as(
        "select sponsor_id, form, amount_tiyn from contributions where city_id = $1 and status = 'received'",
    )
    .bind(city.as_uuid())
    .fetch_all(&mut *owner)
    .await
    .expect("contributions");
    r.in_kind_tiyn = received
        .iter()
        .filter(|c| c.1 == "in_kind")
        .map(|c| c.2)
        .sum();
    r.sponsors = received.iter().map(|c| c.0).collect::<BTreeSet<_>>().len() as i64;
    r
}

async fn check(
    db: &Db,
    owner: &mut PgConnection,
    case: &Case,
    step: &Step,
    accepted: bool,
) -> Result<(), TestCaseError> {
    let mut tx = tenant(db, case.city).await;
    let derived = ledger::balance(&mut tx).await.map_err(fail)?;
    let got = transparency::report(&mut tx, None, None)
        .await
        .map_err(fail)?;
    let today = Utc::now().date_naive();
    let future = transparency::report(&mut tx, Some(today + Days::new(2)), None)
        .await
        .map_err(fail)?;
    let past = transparency::report(&mut tx, None, Some(today - Days::new(2)))
        .await
        .map_err(fail)?;
    tx.rollback().await.map_err(fail)?;
    let sum: i64 = ledger_rows(owner, case.city)
        .await
        .iter()
        .map(|r| r.get::<i64, _>("amount_tiyn"))
        .sum();
    prop_assert_eq!(
        derived,
        sum,
        "derived balance vs Σ entries after {:?}",
        step
    );
    prop_assert_eq!(
        derived,
        case.balance,
        "derived balance vs the model after {:?}",
        step
    );
    if matches!(step, Step::Give { .. }) && accepted {
        prop_assert!(derived >= 0, "a gift left the balance at {}", derived);
    }
    prop_assert_eq!(
        &got,
        &recompute(owner, case.city).await,
        "report after {:?}",
        step
    );
    prop_assert_eq!(future.opening_balance_tiyn, derived);
    prop_assert_eq!(future.closing_balance_tiyn, derived);
    prop_assert_eq!(
        (future.raised_tiyn, future.spent_tiyn, future.given_tiyn),
        (0, 0, 0)
    );
    prop_assert_eq!(
        (
            past.closing_balance_tiyn,
            past.raised_tiyn,
            past.ticket_sales_tiyn
        ),
        (0, 0, 0)
    );
    Ok(())
}

async fn run(
    db: &Db,
    sys: &SystemDb,
    owner: &mut PgConnection,
    steps: &[Step],
) -> Result<(), TestCaseError> {
    let mut case = new_case(db, sys).await;
    for step in steps {
        let want = expect(&case, step);
        let rows_before = ledger_rows(owner, case.city).await.len();
        let accepted = apply(db, &mut case, step).await?;
        prop_assert_eq!(
            accepted,
            want.is_some(),
            "{:?} with balance {}",
            step,
            case.balance
        );
        match want {
            Some(delta) => settle(&mut case, step, delta),
            None => prop_assert_eq!(
                ledger_rows(owner, case.city).await.len(),
                rows_before,
                "a refused step wrote"
            ),
        }
        check(db, owner, &case, step, accepted).await?;
    }
    Ok(())
}

#[test]
fn random_histories_keep_the_ledger_and_the_report_honest() {
    let strategy = prop::collection::vec(step(), 20..=40);
    let result = driver::drive(
        driver::config(24),
        &strategy,
        async |db, sys, owner, steps| run(db, sys, owner, steps).await,
    );
    if let Err(e) = result {
        panic!("{e}");
    }
}
