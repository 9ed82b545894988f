//! The statements of imports and exports, run for the plan check in
//! [`super::plans`]: each must touch only its city's partitions.

use futures_util::StreamExt;
use soi_core::SeasonId;
use soi_db::Page;
use soi_db::TenantTx;
use soi_db::exports::{self, Window};
use soi_db::program::{coaches, enrollments, participants};

/// Runs every import lookup and update and every export stream in `tx`.
pub async fn exercise_imports_exports(tx: &mut TenantTx, season: SeasonId) {
    let people = participants::list(tx, Page::first(2))
        .await
        .expect("people");
    let emails: Vec<String> = people.iter().map(|p| p.email.clone()).collect();
    let found = participants::by_emails(tx, &emails)
        .await
        .expect("by emails");
    assert_eq!(found.len(), people.len());
    let ids: Vec<_> = people.iter().map(|p| p.id).collect();
    enrollments::of_participants(tx, season, &ids)
        .await
        .expect("enrollments of participants");
    let p = &people[0];
    let same = participants::NewParticipant {
        first_name: soi_core::PersonName::parse("firstName", &p.first_name).expect("name"),
        last_name: soi_core::PersonName::parse("lastName", &p.last_name).expect("name"),
        email: soi_core::Email::parse(&p.email).expect("email"),
        phone: p
            .phone
            .as_deref()
            .and_then(|v| soi_core::Phone::parse(v).ok()),
        university: p.university.clone(),
        birth_date: p.birth_date,
        preferred_language: p.preferred_language,
        consent: participants::Consent {
            given_at: p.consent_given_at,
            text_version: p.consent_text_version.clone(),
            method: p.consent_method,
        },
        guardian_name: p.guardian_name.clone(),
    };
    participants::update_details(tx, p.id, &same)
        .await
        .expect("update participant");
    let staff = coaches::list(tx, Page::first(1)).await.expect("coaches");
    let c = &staff[0];
    coaches::by_emails(tx, std::slice::from_ref(&c.email))
        .await
        .expect("coaches by email");
    let same = coaches::NewCoach {
        first_name: soi_core::PersonName::parse("firstName", &c.first_name).expect("name"),
        last_name: soi_core::PersonName::parse("lastName", &c.last_name).expect("name"),
        email: soi_core::Email::parse(&c.email).expect("email"),
        phone: c
            .phone
            .as_deref()
            .and_then(|v| soi_core::Phone::parse(v).ok()),
        qualification: c.qualification,
    };
    coaches::update_details(tx, c.id, &same)
        .await
        .expect("update coach");
    // Each stream read to its end, once with every filter and once without.
    let at = chrono::Utc::now();
    for w in [
        Window::default(),
        Window {
            season: Some(season),
            from: Some(at - chrono::Duration::days(400)),
            to: Some(at),
        },
    ] {
        assert!(exports::participants(tx, &w).count().await > 0);
        exports::applications(tx, &w).count().await;
        exports::attendance(tx, &w).count().await;
        exports::ledger(tx, &w).count().await;
        exports::audit(tx, &w).count().await;
    }
}
