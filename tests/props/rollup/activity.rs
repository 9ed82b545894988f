//! What a step does in a city when it takes more than a line: each records
//! the ids it creates in the [`City`], so later steps can pick them. Also
//! [`race`], two recorders of marks in overlapping transactions.

use super::city::{City, MARKS, PRICE, person, pick, slot};
use chrono::{Days, Duration, NaiveDate, Utc};
use proptest::sample::Index;
use soi_core::states::{AttendanceMark, EventKind, EventStatus};
use soi_core::*;
use soi_db::events::events;
use soi_db::funds::contributions::{self, Pledge};
use soi_db::funds::disbursements::NewDisbursement;
use soi_db::funds::expenses::NewExpense;
use soi_db::funds::{ContributionForm, ledger};
use soi_db::program::{attendance, enrollments, participants, sessions, skill_assessments, skills};
use soi_db::tickets::orders::Buyer;
use soi_db::tickets::payments::{PaymentMethod, Receipt};
use soi_db::tickets::tickets;
use soi_db::{Db, Error, Page, TenantTx};
use soi_tests::tenant;
use std::collections::BTreeMap;

impl City {
    /// Records `marks` (member index, index in [`MARKS`]; the last mark of a
    /// member wins) of a picked session, by coach `coach` or by no coach.
    pub async fn attend(
        &mut self,
        tx: &mut TenantTx,
        i: &Index,
        coach: &Option<usize>,
        marks: &[(usize, usize)],
    ) -> Result<(), Error> {
        if let Some((s, g)) = pick(&self.sessions, i) {
            let mut by: BTreeMap<usize, AttendanceMark> = BTreeMap::new();
            for (m, k) in marks {
                by.insert(*m, MARKS[*k]);
            }
            let rows: Vec<(ParticipantId, AttendanceMark)> = by
                .into_iter()
                .map(|(m, k)| (self.groups[g].members[m], k))
                .collect();
            attendance::record_session(tx, s, coach.map(|k| self.coaches[k]), &rows).await?;
        }
        Ok(())
    }

    /// A new person applies to season `season` (recorded among `people` and
    /// `enrollments`).
    pub async fn enroll_new(&mut self, tx: &mut TenantTx, season: &usize) -> Result<(), Error> {
        let p =
            participants::insert(tx, ParticipantId::new(), &person(self.person, "applied")).await?;
        self.person += 1;
        let e = enrollments::apply(
            tx,
            EnrollmentId::new(),
            self.seasons[*season],
            p.id,
            Some("I want to"),
            &p_consent(&p),
        )
        .await?;
        self.people.push(p.id);
        self.enrollments.push(e.id);
        Ok(())
    }

    /// A session of group `group` in a fresh slot of month `month` (see
    /// [`slot`]), recorded in `sessions`.
    pub async fn schedule(
        &mut self,
        tx: &mut TenantTx,
        group: &usize,
        month: &i32,
        late: &bool,
    ) -> Result<(), Error> {
        let (starts_at, ends_at) = slot(self, *month, *late);
        let s = sessions::schedule(
            tx,
            &sessions::NewSession {
                id: SessionId::new(),
                group: self.groups[*group].id,
                rink: self.rink,
                starts_at,
                ends_at,
            },
        )
        .await?;
        self.sessions.push((s.id, *group));
        Ok(())
    }

    /// A pass of a picked person in a picked catalogue element, `days_ago`
    /// days before `today`.
    pub async fn pass_skill(
        &mut self,
        tx: &mut TenantTx,
        today: NaiveDate,
        p: &Index,
        element: &Index,
        coach: &usize,
        days_ago: &u64,
    ) -> Result<(), Error> {
        let catalogue = skills::catalogue(tx).await?;
        if let (Some(p), false) = (pick(&self.people, p), catalogue.is_empty()) {
            let e = catalogue[element.index(catalogue.len())].id;
            skill_assessments::record_pass(
                tx,
                AssessmentId::new(),
                p,
                e,
                self.coaches[*coach],
                today - Days::new(*days_ago),
            )
            .await?;
        }
        Ok(())
    }

    /// A published ice show or competition `months_ahead` months from now with
    /// one ticket type at [`PRICE`], recorded in `events`.
    pub async fn create_event(
        &mut self,
        tx: &mut TenantTx,
        season: &usize,
        months_ahead: &u32,
        show: &bool,
    ) -> Result<(), Error> {
        let starts_at =
            Utc::now() + Duration::days(30 * i64::from(*months_ahead)) + Duration::hours(3);
        let new = events::NewEvent {
            season_id: self.seasons[*season],
            kind: if *show {
                EventKind::IceShow
            } else {
                EventKind::Competition
            },
            title: "On Ice".into(),
            motto: None,
            social_theme: "Rollups".into(),
            rink_id: self.rink,
            starts_at,
            hold_minutes: 20,
            cause_id: None,
        };
        let ev = soi_service::events::create(tx, EventId::new(), &new).await?;
        let tt = soi_service::tickets::add_ticket_type(
            tx,
            TicketTypeId::new(),
            ev.id,
            "Stalls",
            PRICE,
            1000,
        )
        .await?;
        soi_service::events::set_status(tx, ev.id, EventStatus::Published).await?;
        self.events.push((ev.id, tt.id));
        Ok(())
    }

    /// Moves a picked event to a fresh slot of month `month`, all else kept.
    pub async fn move_event(
        &mut self,
        tx: &mut TenantTx,
        i: &Index,
        month: &i32,
        late: &bool,
    ) -> Result<(), Error> {
        if let Some((e, _)) = pick(&self.events, i) {
            let ev = events::get(tx, e).await?;
            let (starts_at, _) = slot(self, *month, *late);
            let edit = events::EventEdit {
                title: ev.title.clone(),
                motto: ev.motto.clone(),
                social_theme: ev.social_theme.clone(),
                rink_id: ev.rink_id,
                starts_at,
                hold_minutes: ev.hold_minutes,
                cause_id: ev.cause_id,
            };
            soi_service::events::update(tx, e, &edit).await?;
        }
        Ok(())
    }

    /// Sells and pays `quantity` tickets of a picked event; the order, its
    /// ticket codes and the sale's ledger entry are recorded.
    pub async fn sell(
        &mut self,
        tx: &mut TenantTx,
        i: &Index,
        quantity: &i32,
    ) -> Result<(), Error> {
        if let Some((e, tt)) = pick(&self.events, i) {
            let buyer = Buyer {
                name: "Buyer".into(),
                email: Email::parse("buyer@mail.kz").map_err(Error::Invalid)?,
                language: Language::Ru,
            };
            let r = soi_service::tickets::reserve(tx, e, &buyer, &[(tt, *quantity)]).await?;
            let receipt = Receipt {
                method: PaymentMethod::Cash,
                amount_tiyn: r.order.total_tiyn,
                reference: None,
                provider_txn_id: None,
            };
            soi_service::tickets::settle(tx, r.order.id, receipt).await?;
            let issued = tickets::of_orders(tx, &[r.order.id]).await?;
            self.orders.push(r.order.id);
            self.codes.extend(issued.into_iter().map(|t| t.code));
            let sale = ledger::list(tx, Some(ledger::Kind::TicketSale), Page::first(1)).await?;
            self.entries.extend(sale.first().map(|e| e.id));
        }
        Ok(())
    }

    /// A money contribution of the city's sponsor, pledged and received today.
    pub async fn contribute(
        &mut self,
        tx: &mut TenantTx,
        today: NaiveDate,
        amount: &i64,
    ) -> Result<(), Error> {
        let pledge = Pledge {
            sponsor: self.sponsor,
            form: ContributionForm::Money,
            amount_tiyn: *amount,
            description: None,
            purpose: "The show".into(),
            pledged_on: today,
        };
        let p = contributions::pledge(tx, ContributionId::new(), &pledge).await?;
        let (_, entry) = soi_service::funds::receive(tx, p.id, today).await?;
        self.entries.extend(entry.map(|e| e.id));
        Ok(())
    }

    /// An expense spent today.
    pub async fn spend(
        &mut self,
        tx: &mut TenantTx,
        today: NaiveDate,
        amount: &i64,
    ) -> Result<(), Error> {
        let new = NewExpense {
            tag: "ice".into(),
            amount_tiyn: *amount,
            spent_on: today,
            description: "Spent".into(),
            receipt_url: None,
        };
        let (_, e) = soi_service::funds::record_expense(tx, ExpenseId::new(), &new).await?;
        self.entries.push(e.id);
        Ok(())
    }

    /// A gift to the city's cause paid `days_ago` days before `today`.
    pub async fn give(
        &mut self,
        tx: &mut TenantTx,
        today: NaiveDate,
        amount: &i64,
        beneficiaries: &i32,
        days_ago: &u64,
    ) -> Result<(), Error> {
        let new = NewDisbursement {
            cause: self.cause,
            amount_tiyn: *amount,
            paid_on: today - Days::new(*days_ago),
            evidence_url: "https://bank.kz/t/1".into(),
            beneficiaries: *beneficiaries,
            description: "Given".into(),
        };
        let (_, e) = soi_service::funds::give(tx, DisbursementId::new(), &new).await?;
        self.entries.push(e.id);
        Ok(())
    }
}

/// Records `marks` of `sessions[0]` in one transaction and, while it is
/// open, those of `sessions[1]` in another; commits the first, then returns
/// how the second ended.
pub async fn race(
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

/// The consent an application records: the person's own.
fn p_consent(p: &participants::Participant) -> participants::Consent {
    participants::Consent {
        given_at: p.consent_given_at,
        text_version: p.consent_text_version.clone(),
        method: p.consent_method,
    }
}
