//! The one list of step kinds: [`Act`] names each kind once, [`Act::kinds`]
//! is the generator's table (every kind with its weight and how its data is
//! drawn) and [`Act::apply`] the applier's one match. The compiler holds the
//! three together: a kind missing from the table is a variant never
//! constructed (a warning, so clippy fails), one missing from the match does
//! not compile.

use super::city::{COACHES, City, MARKS, MEMBERS, SEASONS, pick, slot};
use super::history::ZONES;
use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::Index;
use proptest::strategy::Union;
use soi_core::states::{EnrollmentStatus, EventStatus};
use soi_db::program::{enrollments, sessions};
use soi_db::{Error, TenantTx};

/// The statuses a decision may set (the strategy picks an index into it).
const STATUSES: [EnrollmentStatus; 6] = [
    EnrollmentStatus::Accepted,
    EnrollmentStatus::Waitlisted,
    EnrollmentStatus::Rejected,
    EnrollmentStatus::Active,
    EnrollmentStatus::Completed,
    EnrollmentStatus::Withdrawn,
];

/// One step of a history: an act in one of the case's cities.
#[derive(Debug, Clone)]
pub struct Step {
    pub city: usize,
    pub act: Act,
}

/// Every kind of program activity a history is made of.
#[derive(Debug, Clone)]
pub enum Act {
    Apply {
        season: usize,
    },
    Decide {
        pick: Index,
        to: usize,
    },
    Schedule {
        group: usize,
        month: i32,
        late: bool,
    },
    Cancel {
        pick: Index,
    },
    Reschedule {
        pick: Index,
        month: i32,
        late: bool,
    },
    Attend {
        pick: Index,
        coach: Option<usize>,
        marks: Vec<(usize, usize)>,
    },
    Skill {
        person: Index,
        element: Index,
        coach: usize,
        days_ago: u64,
    },
    CreateEvent {
        season: usize,
        months_ahead: u32,
        show: bool,
    },
    MoveEvent {
        pick: Index,
        month: i32,
        late: bool,
    },
    Done {
        pick: Index,
    },
    Sale {
        pick: Index,
        quantity: i32,
    },
    Refund {
        pick: Index,
    },
    CheckIn {
        pick: Index,
    },
    Contribution {
        amount: i64,
    },
    Expense {
        amount: i64,
    },
    Give {
        amount: i64,
        beneficiaries: i32,
        days_ago: u64,
    },
    Reverse {
        pick: Index,
    },
}

/// Histories of 10 to 40 steps over the case's cities.
pub fn histories() -> impl Strategy<Value = Vec<Step>> {
    let step = (0..ZONES.len(), Union::new_weighted(Act::kinds()))
        .prop_map(|(city, act)| Step { city, act });
    prop::collection::vec(step, 10..=40)
}

/// A row of the table: a kind's weight and its strategy.
fn kind(weight: u32, s: impl Strategy<Value = Act> + 'static) -> (u32, BoxedStrategy<Act>) {
    (weight, s.boxed())
}

impl Act {
    /// Every kind once, with its weight and how its data is drawn.
    pub fn kinds() -> Vec<(u32, BoxedStrategy<Act>)> {
        use Act::*;
        let month = || -2..=2i32;
        let coach = prop::option::weighted(0.85, 0..COACHES);
        let marks = prop::collection::vec((0..MEMBERS, 0..MARKS.len()), 1..=MEMBERS);
        let given = prop::sample::select(vec![0u64, 35, 70]);
        let index = any::<Index>;
        vec![
            kind(3, (0..SEASONS).prop_map(|season| Apply { season })),
            kind(
                3,
                (index(), 0..STATUSES.len()).prop_map(|(pick, to)| Decide { pick, to }),
            ),
            kind(
                3,
                (0..SEASONS, month(), any::<bool>()).prop_map(|(group, month, late)| Schedule {
                    group,
                    month,
                    late,
                }),
            ),
            kind(1, index().prop_map(|pick| Cancel { pick })),
            kind(
                2,
                (index(), month(), any::<bool>()).prop_map(|(pick, month, late)| Reschedule {
                    pick,
                    month,
                    late,
                }),
            ),
            kind(
                4,
                (index(), coach, marks).prop_map(|(pick, coach, marks)| Attend {
                    pick,
                    coach,
                    marks,
                }),
            ),
            kind(
                2,
                (index(), index(), 0..COACHES, 0..100u64).prop_map(
                    |(person, element, coach, days_ago)| Skill {
                        person,
                        element,
                        coach,
                        days_ago,
                    },
                ),
            ),
            kind(
                2,
                (0..SEASONS, 0..=2u32, any::<bool>()).prop_map(|(season, months_ahead, show)| {
                    CreateEvent {
                        season,
                        months_ahead,
                        show,
                    }
                }),
            ),
            kind(
                1,
                (index(), month(), any::<bool>()).prop_map(|(pick, month, late)| MoveEvent {
                    pick,
                    month,
                    late,
                }),
            ),
            kind(1, index().prop_map(|pick| Done { pick })),
            kind(
                3,
                (index(), 1..=3i32).prop_map(|(pick, quantity)| Sale { pick, quantity }),
            ),
            kind(1, index().prop_map(|pick| Refund { pick })),
            kind(2, index().prop_map(|pick| CheckIn { pick })),
            kind(
                2,
                (1..=2_000_000i64).prop_map(|amount| Contribution { amount }),
            ),
            kind(1, (1..=600_000i64).prop_map(|amount| Expense { amount })),
            kind(
                2,
                (1..=1_000_000i64, 0..50i32, given).prop_map(
                    |(amount, beneficiaries, days_ago)| Give {
                        amount,
                        beneficiaries,
                        days_ago,
                    },
                ),
            ),
            kind(1, index().prop_map(|pick| Reverse { pick })),
        ]
    }

    /// The kind's name (the variant's), for the statistics.
    pub fn name(&self) -> String {
        let debug = format!("{self:?}");
        debug
            .split([' ', '{'])
            .next()
            .unwrap_or_default()
            .to_owned()
    }

    /// Does the act in city `c` inside `tx`.
    pub async fn apply(
        &self,
        c: &mut City,
        tx: &mut TenantTx,
        today: NaiveDate,
    ) -> Result<(), Error> {
        match self {
            Act::Apply { season } => c.enroll_new(tx, season).await?,
            Act::Decide { pick: i, to } => {
                if let Some(e) = pick(&c.enrollments, i) {
                    enrollments::set_status(tx, e, STATUSES[*to]).await?;
                }
            }
            Act::Schedule { group, month, late } => c.schedule(tx, group, month, late).await?,
            Act::Cancel { pick: i } => {
                if let Some((s, _)) = pick(&c.sessions, i) {
                    sessions::cancel(tx, s, "Ice is melting").await?;
                }
            }
            Act::Reschedule {
                pick: i,
                month,
                late,
            } => {
                if let Some((s, _)) = pick(&c.sessions, i) {
                    let (starts_at, ends_at) = slot(c, *month, *late);
                    sessions::reschedule(tx, s, starts_at, ends_at).await?;
                }
            }
            Act::Attend {
                pick: i,
                coach,
                marks,
            } => c.attend(tx, i, coach, marks).await?,
            Act::Skill {
                person,
                element,
                coach,
                days_ago,
            } => {
                c.pass_skill(tx, today, person, element, coach, days_ago)
                    .await?
            }
            Act::CreateEvent {
                season,
                months_ahead,
                show,
            } => c.create_event(tx, season, months_ahead, show).await?,
            Act::MoveEvent {
                pick: i,
                month,
                late,
            } => c.move_event(tx, i, month, late).await?,
            Act::Done { pick: i } => {
                if let Some((e, _)) = pick(&c.events, i) {
                    soi_service::events::set_status(tx, e, EventStatus::Done).await?;
                }
            }
            Act::Sale { pick: i, quantity } => c.sell(tx, i, quantity).await?,
            Act::Refund { pick: i } => {
                if let Some(o) = pick(&c.orders, i) {
                    soi_service::tickets::refund(tx, o, "Changed plans").await?;
                }
            }
            Act::CheckIn { pick: i } => {
                if !c.codes.is_empty() {
                    let code = c.codes[i.index(c.codes.len())].clone();
                    soi_service::tickets::check_in(tx, &code).await?;
                }
            }
            Act::Contribution { amount } => c.contribute(tx, today, amount).await?,
            Act::Expense { amount } => c.spend(tx, today, amount).await?,
            Act::Give {
                amount,
                beneficiaries,
                days_ago,
            } => c.give(tx, today, amount, beneficiaries, days_ago).await?,
            Act::Reverse { pick: i } => {
                if let Some(e) = pick(&c.entries, i) {
                    let r = soi_service::funds::reverse(tx, e, "Correction").await?;
                    c.entries.push(r.id);
                }
            }
        }
        Ok(())
    }
}
