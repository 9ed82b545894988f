//! The data of `soi-bench io`: one launched city with a season and a group,
//! a participants file, and attendance marks in bulk.

use crate::scratch::Pools;
use anyhow::Result;
use chrono::{Duration, TimeZone, Utc};
use soi_core::states::{AttendanceMark, ConsentMethod};
use soi_core::{
    CityId, CityZone, Email, GroupId, Language, ParticipantId, PersonName, RinkId, SeasonId,
    SessionId, Slug, SystemCtx,
};
use soi_db::cities::NewCity;
use soi_db::program::participants::{Consent, NewParticipant};
use soi_db::program::seasons::NewSeason;
use soi_db::program::sessions::NewSession;
use soi_db::program::{attendance, groups, participants, rinks, seasons, sessions};
use std::fmt::Write;

/// Marks per session: one group of this many participants.
const PEOPLE: usize = 500;

pub struct Setup {
    pub city_id: CityId,
    pub city: String,
    pub season: String,
    pub group: GroupId,
}

pub async fn city(pools: &Pools) -> Result<Setup> {
    let new = NewCity {
        slug: Slug::parse("aktau")?,
        name_kk: "Ақтау".into(),
        name_ru: "Актау".into(),
        name_en: "Aktau".into(),
        zone: CityZone::parse("Asia/Aqtau")?,
        launched_on: Utc::now().date_naive(),
        position: None,
    };
    let city = pools
        .sys
        .launch_city(&SystemCtx::new("bench"), &new)
        .await?
        .city
        .id;
    let mut tx = pools
        .db
        .tenant(&SystemCtx::new("bench").in_city(city))
        .await?;
    let season = seasons::insert(
        &mut tx,
        SeasonId::new(),
        &NewSeason {
            title: "SOI 2027".into(),
            social_theme: "Clean air".into(),
            starts_on: chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap_or_default(),
            ends_on: chrono::NaiveDate::from_ymd_opt(2027, 3, 31).unwrap_or_default(),
            // The most a season may hold (a check in the schema).
            capacity: 10_000,
            auto_accept: false,
        },
    )
    .await?
    .id;
    let group = groups::insert(&mut tx, GroupId::new(), season, "Group A")
        .await?
        .id;
    tx.commit().await?;
    Ok(Setup {
        city_id: city,
        city: city.to_string(),
        season: season.to_string(),
        group,
    })
}

/// A participants file as a chapter keeps it: Russian headers, `;`, a BOM.
pub fn participants_csv(rows: usize) -> String {
    let mut s = String::from(
        "\u{feff}Эл. почта;Имя;Фамилия;Телефон;Университет;Дата рождения;Язык;Группа;Дата согласия\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            s,
            "student{i}@example.kz;Әлия;Серікова;+7 701 {:03} {:02} {:02};KazNU;{:02}.05.2001;{};Group A;01.09.2026",
            i % 1000,
            (i / 1000) % 100,
            i % 100,
            1 + i % 28,
            ["kk", "ru", "en"][i % 3],
        );
    }
    s
}

/// `marks` attendance marks: 500 participants at `marks / 500` sessions.
pub async fn attendance(pools: &Pools, setup: &Setup, marks: usize) -> Result<()> {
    let mut tx = pools
        .db
        .tenant(&SystemCtx::new("bench").in_city(setup.city_id))
        .await?;
    let rink = rinks::insert(&mut tx, RinkId::new(), "Rink", "Main street 1")
        .await?
        .id;
    let people: Vec<(ParticipantId, NewParticipant)> = (0..PEOPLE)
        .map(|i| -> Result<(ParticipantId, NewParticipant)> {
            Ok((
                ParticipantId::new(),
                NewParticipant {
                    first_name: PersonName::parse("firstName", "Дана")?,
                    last_name: PersonName::parse("lastName", "Ахметова")?,
                    email: Email::parse(&format!("skater{i}@example.kz"))?,
                    phone: None,
                    university: None,
                    birth_date: None,
                    preferred_language: Language::Ru,
                    consent: Consent {
                        given_at: Utc::now(),
                        text_version: "2026-09".into(),
                        method: ConsentMethod::Paper,
                    },
                    guardian_name: None,
                },
            ))
        })
        .collect::<Result<_>>()?;
    participants::insert_many(&mut tx, &people).await?;
    let first = Utc
        .with_ymd_and_hms(2026, 10, 1, 13, 0, 0)
        .single()
        .unwrap_or_default();
    let count = marks / PEOPLE;
    let days: Vec<NewSession> = (0..count)
        .map(|d| {
            let starts_at = first + Duration::hours(i64::try_from(d).unwrap_or(0) * 6);
            NewSession {
                id: SessionId::new(),
                group: setup.group,
                rink,
                starts_at,
                ends_at: starts_at + Duration::hours(1),
            }
        })
        .collect();
    sessions::insert_many(&mut tx, &days).await?;
    for chunk in days.chunks(20) {
        let rows: Vec<_> = chunk
            .iter()
            .flat_map(|s| {
                people
                    .iter()
                    .map(move |(p, _)| (s.id, *p, AttendanceMark::Present))
            })
            .collect();
        attendance::insert_many(&mut tx, &rows).await?;
    }
    tx.commit().await?;
    Ok(())
}
