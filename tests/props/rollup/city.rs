//! The cities a case drives: each launched in its own time zone with
//! seasons, groups of members, coaches, a rink, a sponsor and a cause, and
//! the ids the steps create there (so later steps can pick them).

use chrono::{DateTime, Datelike, Days, Duration, Months, NaiveDate, TimeZone, Utc};
use proptest::sample::Index;
use soi_core::states::{AttendanceMark, ConsentMethod};
use soi_core::*;
use soi_db::cities::NewCity;
use soi_db::funds::causes::{self, NewCause};
use soi_db::funds::contributions::{self, Pledge};
use soi_db::funds::sponsors::{self, Contact, NewSponsor};
use soi_db::funds::{ContributionForm, SponsorKind};
use soi_db::program::participants::{self, Consent, NewParticipant};
use soi_db::program::{coaches, group_coaches, group_members, groups, rinks, seasons};
use soi_db::{Db, SystemDb};
use soi_tests::tenant;
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
        position: None,
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
            qualification: states::Qualification::CertifiedCoach,
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
        group_members::add_members(&mut tx, g.id, &members)
            .await
            .expect("members");
        for c in &coach_ids {
            group_coaches::add_coach(&mut tx, g.id, *c)
                .await
                .expect("coach");
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
