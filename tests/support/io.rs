//! Fixtures of the import and export tests: a launched city with a season
//! open for applications and a group, and attendance marks in bulk.

use chrono::{Duration, TimeZone, Utc};
use soi_core::states::{AttendanceMark, ConsentMethod};
use soi_core::{
    CityId, Email, GroupId, Language, ParticipantId, PersonName, RinkId, SeasonId, SessionId,
};
use soi_db::Db;
use soi_db::program::participants::{Consent, NewParticipant};
use soi_db::program::seasons::NewSeason;
use soi_db::program::sessions::NewSession;
use soi_db::program::{attendance, groups, participants, rinks, seasons, sessions};

/// A season of `capacity` seats (recruiting) with a group named "Group A".
pub async fn season_with_group(db: &Db, city: CityId, capacity: i32) -> (SeasonId, GroupId) {
    let mut tx = crate::tenant(db, city).await;
    let season = seasons::insert(
        &mut tx,
        SeasonId::new(),
        &NewSeason {
            title: "Season 2026".into(),
            social_theme: "Clean air".into(),
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).expect("date"),
            ends_on: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).expect("date"),
            capacity,
            auto_accept: false,
        },
    )
    .await
    .expect("season")
    .id;
    let group = groups::insert(&mut tx, GroupId::new(), season, "Group A")
        .await
        .expect("group")
        .id;
    tx.commit().await.expect("commit");
    (season, group)
}

/// `people` participants marked present at `count` sessions of `group`:
/// `people * count` attendance marks, one a day from 2026-10-01.
pub async fn attendance_marks(db: &Db, city: CityId, group: GroupId, people: usize, count: usize) {
    let mut tx = crate::tenant(db, city).await;
    let rink = rinks::insert(&mut tx, RinkId::new(), "Rink", "Main street 1")
        .await
        .expect("rink")
        .id;
    let rows: Vec<(ParticipantId, NewParticipant)> = (0..people)
        .map(|i| {
            let p = NewParticipant {
                first_name: PersonName::parse("firstName", "Әлия").expect("name"),
                last_name: PersonName::parse("lastName", "Сериккызы").expect("name"),
                email: Email::parse(&format!("student{i}@example.kz")).expect("email"),
                phone: None,
                university: Some("KazNU".into()),
                birth_date: None,
                preferred_language: Language::Kk,
                consent: Consent {
                    given_at: Utc::now(),
                    text_version: "2026-09".into(),
                    method: ConsentMethod::Paper,
                },
                guardian_name: None,
            };
            (ParticipantId::new(), p)
        })
        .collect();
    for chunk in rows.chunks(1000) {
        participants::insert_many(&mut tx, chunk)
            .await
            .expect("participants");
    }
    let first = Utc
        .with_ymd_and_hms(2026, 10, 1, 13, 0, 0)
        .single()
        .expect("time");
    let days: Vec<NewSession> = (0..count)
        .map(|d| {
            let starts_at = first + Duration::days(i64::try_from(d).expect("days"));
            NewSession {
                id: SessionId::new(),
                group,
                rink,
                starts_at,
                ends_at: starts_at + Duration::hours(1),
            }
        })
        .collect();
    sessions::insert_many(&mut tx, &days)
        .await
        .expect("sessions");
    for s in &days {
        let marks: Vec<_> = rows
            .iter()
            .map(|(p, _)| (s.id, *p, AttendanceMark::Present))
            .collect();
        attendance::insert_many(&mut tx, &marks)
            .await
            .expect("marks");
    }
    tx.commit().await.expect("commit");
}
