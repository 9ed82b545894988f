//! One city's generated program: coaches, rinks, a season, participants,
//! groups, sessions, attendance and skills; and the writer that stores it in
//! one tenant transaction, so a city is seeded whole or not at all.

use crate::names::{FAMILY, FEMALE, MALE};
use crate::rng::Rng;
use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use soi_core::states::{AttendanceMark, ConsentMethod, EnrollmentStatus, Qualification};
use soi_core::*;
use soi_db::TenantTx;
use soi_db::program::coach_certificates::{self, NewCertificate};
use soi_db::program::coaches::{self, NewCoach};
use soi_db::program::enrollments::{self, EnrollmentRow};
use soi_db::program::participants::{self, Consent, NewParticipant};
use soi_db::program::seasons::{self, NewSeason};
use soi_db::program::sessions::{self, NewSession};
use soi_db::program::skill_assessments::{self, PassRow};
use soi_db::program::skills::Element;
use soi_db::program::{attendance, group_coaches, group_members, groups, rinks};

/// The shape of a city's data.
pub struct Spec<'a> {
    pub city_slug: &'a str,
    pub zone: CityZone,
    pub rinks: Vec<(String, String)>,
    pub universities: &'a [&'a str],
    pub theme: &'a str,
    pub coaches: usize,
    pub participants: usize,
    /// Applicants beyond the groups: waitlisted and still undecided.
    pub waitlisted: usize,
    pub undecided: usize,
    pub group_size: usize,
    pub sessions_per_group: usize,
    pub season_start: NaiveDate,
    /// Sessions starting before this have attendance marks and skill passes.
    pub marked_until: DateTime<Utc>,
}

/// One attendance mark: session, participant, mark.
pub type Mark = (SessionId, ParticipantId, AttendanceMark);

pub struct GroupPlan {
    pub id: GroupId,
    pub name: String,
    pub coach: CoachId,
    pub members: Vec<ParticipantId>,
}

pub struct CityPlan {
    pub rinks: Vec<(RinkId, String, String)>,
    pub coaches: Vec<(CoachId, NewCoach, Vec<NewCertificate>)>,
    pub season: (SeasonId, NewSeason),
    pub participants: Vec<(ParticipantId, NewParticipant)>,
    pub enrollments: Vec<EnrollmentRow>,
    pub groups: Vec<GroupPlan>,
    pub sessions: Vec<NewSession>,
    /// Marks by the coach who recorded them (the group's coach).
    pub attendance: Vec<(CoachId, Vec<Mark>)>,
    pub passes: Vec<PassRow>,
}

/// What was stored.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub participants: u64,
    pub sessions: u64,
    pub attendance: u64,
}

fn person(rng: &mut Rng, i: usize) -> (PersonName, PersonName, String) {
    let female = rng.chance(55);
    let (first, first_latin) = *rng.pick(if female { FEMALE } else { MALE });
    let (male_family, female_family, family_latin) = *rng.pick(FAMILY);
    let family = if female { female_family } else { male_family };
    let latin = format!(
        "{first_latin}.{family_latin}{}",
        if female { "a" } else { "" }
    );
    // Our own name lists: a failure here is a typo in names.rs, caught by the seed tests.
    let first = PersonName::parse("firstName", first).expect("names.rs holds valid names");
    let family = PersonName::parse("lastName", family).expect("names.rs holds valid names");
    (first, family, format!("{latin}.{i}"))
}

fn local_time(zone: CityZone, day: NaiveDate, hour: u32, minute: u32) -> DateTime<Utc> {
    let t = NaiveTime::from_hms_opt(hour, minute, 0).unwrap_or(NaiveTime::MIN);
    zone.tz()
        .from_local_datetime(&day.and_time(t))
        .earliest()
        .map(|d| d.with_timezone(&Utc))
        .unwrap_or_else(|| Utc.from_utc_datetime(&day.and_time(t)))
}

pub fn build(rng: &mut Rng, spec: &Spec<'_>, catalogue: &[Element]) -> CityPlan {
    let rinks: Vec<(RinkId, String, String)> = spec
        .rinks
        .iter()
        .map(|(name, address)| (RinkId::from_uuid(rng.uuid()), name.clone(), address.clone()))
        .collect();

    let qualifications = [
        Qualification::MasterOfSport,
        Qualification::CandidateMasterOfSport,
        Qualification::CertifiedCoach,
    ];
    let coaches: Vec<_> = (0..spec.coaches)
        .map(|i| {
            let (first, last, latin) = person(rng, i);
            let issued = spec.season_start - Duration::days(365 + rng.below(700) as i64);
            // One coach in three has a certificate that runs out within weeks.
            let expires = if i % 3 == 0 {
                spec.season_start + Duration::days(70 + rng.below(20) as i64)
            } else {
                spec.season_start + Duration::days(200 + rng.below(500) as i64)
            };
            let coach = NewCoach {
                first_name: first,
                last_name: last,
                email: Email::parse(&format!("{latin}@{}.soi.test", spec.city_slug))
                    .expect("generated email"),
                phone: Phone::parse(&format!("+7701{:07}", rng.below(10_000_000))).ok(),
                qualification: qualifications[i % qualifications.len()],
            };
            let cert = NewCertificate {
                title: "Figure skating coach certificate".into(),
                issuer: "Kazakhstan Skating Union".into(),
                issued_on: issued,
                expires_on: Some(expires),
            };
            (CoachId::from_uuid(rng.uuid()), coach, vec![cert])
        })
        .collect();

    let season_id = SeasonId::from_uuid(rng.uuid());
    let in_groups = spec.participants;
    let total = in_groups + spec.waitlisted + spec.undecided;
    let season = NewSeason {
        title: format!(
            "Students on Ice {}–{}",
            spec.season_start.format("%Y"),
            (spec.season_start + Duration::days(183)).format("%Y")
        ),
        social_theme: spec.theme.to_owned(),
        starts_on: spec.season_start,
        ends_on: spec.season_start + Duration::days(183),
        capacity: i32::try_from(in_groups.max(1)).unwrap_or(i32::MAX),
        auto_accept: false,
    };

    let recruiting_start = local_time(spec.zone, spec.season_start - Duration::days(40), 10, 0);
    let mut participants = Vec::with_capacity(total);
    let mut enrollment_rows = Vec::with_capacity(total);
    for i in 0..total {
        let (first, last, latin) = person(rng, i);
        let applied_at = recruiting_start + Duration::minutes(rng.below(30 * 24 * 60) as i64);
        let lang = match rng.below(10) {
            0..=4 => Language::Kk,
            5..=8 => Language::Ru,
            _ => Language::En,
        };
        let id = ParticipantId::from_uuid(rng.uuid());
        participants.push((
            id,
            NewParticipant {
                first_name: first,
                last_name: last,
                email: Email::parse(&format!("{latin}@mail.soi.test")).expect("generated email"),
                phone: Phone::parse(&format!("+7707{:07}", rng.below(10_000_000))).ok(),
                university: Some((*rng.pick(spec.universities)).to_owned()),
                birth_date: NaiveDate::from_ymd_opt(
                    2003 + rng.below(5) as i32,
                    1 + rng.below(12) as u32,
                    1 + rng.below(28) as u32,
                ),
                preferred_language: lang,
                consent: Consent {
                    given_at: applied_at,
                    text_version: "2026-09".into(),
                    method: ConsentMethod::WebForm,
                },
                guardian_name: None,
            },
        ));
        let status = if i < in_groups {
            EnrollmentStatus::Active
        } else if i < in_groups + spec.waitlisted {
            EnrollmentStatus::Waitlisted
        } else {
            EnrollmentStatus::Applied
        };
        enrollment_rows.push(EnrollmentRow {
            id: EnrollmentId::from_uuid(rng.uuid()),
            season: season_id,
            participant: id,
            status,
            applied_at,
        });
    }

    let group_count = in_groups.div_ceil(spec.group_size.max(1));
    let groups: Vec<GroupPlan> = (0..group_count)
        .map(|g| GroupPlan {
            id: GroupId::from_uuid(rng.uuid()),
            name: format!("Group {}", g + 1),
            coach: coaches[g % coaches.len().max(1)].0,
            members: participants[g * spec.group_size..((g + 1) * spec.group_size).min(in_groups)]
                .iter()
                .map(|(id, _)| *id)
                .collect(),
        })
        .collect();

    // Three sessions a week (Mon, Wed, Fri); groups sharing a rink take
    // consecutive 90-minute slots from 07:00 local, so none overlap.
    let mut sessions_out = Vec::new();
    let mut marks: Vec<(CoachId, Vec<_>)> = Vec::new();
    let mut passes = Vec::new();
    for (g, group) in groups.iter().enumerate() {
        let rink = rinks[g % rinks.len()].0;
        let slot = (g / rinks.len()) as u32;
        let mut group_marks = Vec::new();
        let minutes = 7 * 60 + slot * 90;
        for k in 0..spec.sessions_per_group {
            let day = spec.season_start + Duration::days(((k / 3) * 7 + [0, 2, 4][k % 3]) as i64);
            let starts_at = local_time(spec.zone, day, minutes / 60 % 24, minutes % 60);
            let id = SessionId::from_uuid(rng.uuid());
            sessions_out.push(NewSession {
                id,
                group: group.id,
                rink,
                starts_at,
                ends_at: starts_at + Duration::minutes(90),
            });
            if starts_at < spec.marked_until {
                for p in &group.members {
                    let mark = match rng.below(100) {
                        0..=79 => AttendanceMark::Present,
                        80..=87 => AttendanceMark::Late,
                        88..=93 => AttendanceMark::Excused,
                        _ => AttendanceMark::Absent,
                    };
                    group_marks.push((id, *p, mark));
                }
            }
        }
        // The group's coach runs its sessions and records their marks, so the
        // coach counts as active.
        marks.push((group.coach, group_marks));
        // Elements passed so far, in teaching order, one every few sessions held.
        let held = sessions_out
            .iter()
            .filter(|s| s.group == group.id && s.starts_at < spec.marked_until)
            .count();
        for p in &group.members {
            let passed = (held / 4 + rng.below(3) as usize).min(catalogue.len());
            for (n, element) in catalogue.iter().take(passed).enumerate() {
                passes.push(PassRow {
                    id: AssessmentId::from_uuid(rng.uuid()),
                    participant: *p,
                    element: element.id,
                    coach: group.coach,
                    passed_on: spec.season_start + Duration::days(7 + 9 * n as i64),
                });
            }
        }
    }

    CityPlan {
        rinks,
        coaches,
        season: (season_id, season),
        participants,
        enrollments: enrollment_rows,
        groups,
        sessions: sessions_out,
        attendance: marks,
        passes,
    }
}

/// Rows per statement for the large tables.
const BATCH: usize = 5_000;

/// Stores the plan in the given transaction; `progress` is told of attendance
/// rows as they are written.
pub async fn write(
    tx: &mut TenantTx,
    plan: &CityPlan,
    mut progress: impl FnMut(u64),
) -> soi_db::Result<Counts> {
    for (id, name, address) in &plan.rinks {
        rinks::insert(tx, *id, name, address).await?;
    }
    for (id, coach, certs) in &plan.coaches {
        coaches::insert(tx, *id, coach).await?;
        for cert in certs {
            coach_certificates::add_certificate(tx, CertificateId::new(), *id, cert).await?;
        }
    }
    seasons::insert(tx, plan.season.0, &plan.season.1).await?;
    // The groups train: the season has left recruiting.
    seasons::move_to_phase(tx, plan.season.0, soi_core::states::SeasonPhase::Training).await?;
    let mut counts = Counts::default();
    for chunk in plan.participants.chunks(BATCH) {
        counts.participants += participants::insert_many(tx, chunk).await?;
    }
    for chunk in plan.enrollments.chunks(BATCH) {
        enrollments::insert_many(tx, chunk).await?;
    }
    for g in &plan.groups {
        groups::insert(tx, g.id, plan.season.0, &g.name).await?;
        group_coaches::add_coach(tx, g.id, g.coach).await?;
        group_members::add_members(tx, g.id, &g.members).await?;
    }
    for chunk in plan.sessions.chunks(BATCH) {
        counts.sessions += sessions::insert_many(tx, chunk).await?;
    }
    for (coach, marks) in &plan.attendance {
        for chunk in marks.chunks(BATCH) {
            let n = attendance::insert_many_by(tx, Some(*coach), chunk).await?;
            counts.attendance += n;
            progress(n);
        }
    }
    for chunk in plan.passes.chunks(BATCH) {
        skill_assessments::insert_many(tx, chunk).await?;
    }
    Ok(counts)
}
