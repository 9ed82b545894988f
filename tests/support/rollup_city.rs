//! The cities `rollup_props` drives: each launched in its own time zone with
//! seasons, groups of members, coaches, a rink, a sponsor and a cause, plus
//! the activities of the random steps that take more than a line (each
//! records the ids it creates so later steps can pick them).

use chrono::{DateTime, Datelike, Days, Duration, Months, NaiveDate, TimeZone, Utc};
use proptest::sample::Index;
use soi_core::program::{AttendanceMark, ConsentMethod, EventKind, EventStatus};
use soi_core::*;
use soi_db::cities::NewCity;
use soi_db::funds::causes::NewCause;
use soi_db::funds::contributions::Pledge;
use soi_db::funds::disbursements::NewDisbursement;
use soi_db::funds::expenses::NewExpense;
use soi_db::funds::sponsors::{Contact, NewSponsor};
use soi_db::funds::{ContributionForm, SponsorKind};
use soi_db::funds::{causes, contributions, sponsors};
use soi_db::orders::Buyer;
use soi_db::participants::{Consent, NewParticipant};
use soi_db::payments::{PaymentMethod, Receipt};
use soi_db::{
    Db, Error, Page, SystemDb, TenantTx, attendance, coaches, enrollments, events, groups, ledger,
    participants, rinks, seasons, sessions, skills, tickets,
};
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

/// Seasons of every city (the strategies pick among them).
pub const SEASONS: usize = 2;
/// Members of every group (one group per season).
pub const MEMBERS: usize = 3;
/// Coaches of every city, each training every group.
pub const COACHES: usize = 2;
/// The price of every ticket type.
pub const PRICE: i64 = 150_000;

/// The marks a step may record (the strategies pick an index into it).
pub const MARKS: [AttendanceMark; 4] = [
    AttendanceMark::Present,
    AttendanceMark::Late,
    AttendanceMark::Excused,
    AttendanceMark::Absent,
];

/// A group of a city and its members, for marks to pick from.
pub struct Group {
    pub id: GroupId,
    pub members: Vec<ParticipantId>,
}

/// One city of a case and the ids the steps pick from.
pub struct City {
    pub id: CityId,
    pub zone: CityZone,
    pub seasons: Vec<SeasonId>,
    pub groups: Vec<Group>,
    pub coaches: Vec<CoachId>,
    pub rink: RinkId,
    pub sponsor: SponsorId,
    pub cause: CauseId,
    pub people: Vec<ParticipantId>,
    pub enrollments: Vec<EnrollmentId>,
    /// (session, index of its group)
    pub sessions: Vec<(SessionId, usize)>,
    pub events: Vec<(EventId, TicketTypeId)>,
    pub orders: Vec<OrderId>,
    pub codes: Vec<String>,
    pub entries: Vec<LedgerEntryId>,
    /// Distinct time slots handed out, so no two sessions overlap on the rink.
    pub slot: i64,
    pub person: u32,
}

/// Numbers the cities of the run, so their slugs (and emails) never clash.
static CITY: AtomicU32 = AtomicU32::new(0);

/// The system context of the property tests, scoped to `city`.
pub fn ctx(city: CityId) -> CityScope {
    SystemCtx::new("rollup-props").in_city(city)
}

/// A tenant transaction of `city` (panics if it cannot be opened).
pub async fn tenant(db: &Db, city: CityId) -> TenantTx {
    db.tenant(&ctx(city)).await.expect("tenant")
}

/// A new participant numbered `n` (unique email within the city `slug`).
pub fn person(n: u32, slug: &str) -> NewParticipant {
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

/// Launches a city in `zone_name` and sets it up (see [`City`]), with one
/// received contribution so there is money to give from the start.
pub async fn new_city(db: &Db, sys: &SystemDb, zone_name: &str) -> City {
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
    let (_, entry) = soi_service::funds::receive(&mut tx, first.id, today)
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
pub fn slot(city: &mut City, offset: i32, late: bool) -> (DateTime<Utc>, DateTime<Utc>) {
    city.slot += 1;
    let k = Duration::minutes(61 * city.slot);
    let start = if late {
        month_start(city.zone, offset + 1) - Duration::minutes(60) - k
    } else {
        month_start(city.zone, offset) + Duration::minutes(30) + k
    };
    (start, start + Duration::minutes(60))
}

/// The element `i` picks from `v`, or `None` when there is nothing to pick.
pub fn pick<T: Copy>(v: &[T], i: &Index) -> Option<T> {
    (!v.is_empty()).then(|| v[i.index(v.len())])
}

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
            skills::record_pass(
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
            let issued = tickets::tickets_of(tx, &[r.order.id]).await?;
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
