//! Emails due by the calendar rather than by a change: the reminder the day
//! before each session and the notice of a coach certificate that expires
//! soon. The worker runs [`run`] for each city every `SOI_MAIL_SCHEDULE_SECS`
//! in a system tenant transaction.
//!
//! Every worker runs it, any number of times: each email's idempotency key
//! is unique in the city's outbox (`on conflict do nothing`), so a session
//! or a certificate is enqueued once however many runs see it, even runs in
//! concurrent transactions (the second insert waits for the first, then
//! does nothing).

use crate::sessions::{self, json};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use soi_db::auth::accounts;
use soi_db::mail::outbox;
use soi_db::program::{coach_certificates, coaches};
use soi_db::{Result, TenantTx};
use std::collections::HashMap;

pub const CERTIFICATE_EXPIRING: &str = "certificate_expiring";

/// Sessions starting this far ahead, and up to a day more, get their
/// reminder (a day of runs, so a worker that was down a while catches up).
const REMIND_FROM: Duration = Duration::hours(24);
const REMIND_TO: Duration = Duration::hours(48);

/// Certificates expiring within this many days are announced to the admins.
const CERTIFICATE_NOTICE_DAYS: i64 = 30;

/// `certificate_expiring`: the chapter admins learn a coach's certificate
/// runs out soon. In each admin's account language (`setMyLanguage`).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CertificateExpiring {
    pub coach_name: String,
    pub certificate_title: String,
    pub issuer: String,
    pub expires_on: NaiveDate,
}

/// What one run enqueued.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Scheduled {
    pub reminders: u64,
    pub certificates: u64,
}

/// Enqueues what is due in the transaction's city at `now`; `today` is the
/// city's date.
pub async fn run(tx: &mut TenantTx, now: DateTime<Utc>, today: NaiveDate) -> Result<Scheduled> {
    Ok(Scheduled {
        reminders: reminders(tx, now).await?,
        certificates: certificates(tx, today).await?,
    })
}

/// `session_reminder` for every scheduled session starting 24–48 hours
/// after `now` (cancelled ones are not in the window's query).
pub async fn reminders(tx: &mut TenantTx, now: DateTime<Utc>) -> Result<u64> {
    let due =
        soi_db::program::sessions::starting_between(tx, now + REMIND_FROM, now + REMIND_TO).await?;
    let mut added = 0;
    for session in &due {
        added += sessions::session_reminder(tx, session).await?;
    }
    Ok(added)
}

/// `certificate_expiring` to each chapter admin for every active coach's
/// certificate expiring from `today` to 30 days later. Key:
/// `certificate_expiring:<certificate id>:<expires_on>:<admin account id>` (a
/// renewed certificate with a new date is announced again when it is due).
pub async fn certificates(tx: &mut TenantTx, today: NaiveDate) -> Result<u64> {
    let by = today + Duration::days(CERTIFICATE_NOTICE_DAYS);
    let expiring: Vec<_> = coach_certificates::certificates_expiring(tx, by)
        .await?
        .into_iter()
        .filter(|c| c.expires_on.is_some_and(|on| on >= today))
        .collect();
    if expiring.is_empty() {
        return Ok(0);
    }
    let admins = accounts::city_admins(tx).await?;
    let mut names = HashMap::new();
    let mut added = 0;
    for cert in expiring {
        let Some(expires_on) = cert.expires_on else {
            continue;
        };
        let coach_name = match names.get(&cert.coach_id) {
            Some(name) => String::clone(name),
            None => {
                let coach = coaches::get(tx, cert.coach_id).await?;
                let name = format!("{} {}", coach.first_name, coach.last_name);
                names.insert(cert.coach_id, name.clone());
                name
            }
        };
        let payload = json(CertificateExpiring {
            coach_name,
            certificate_title: cert.title.clone(),
            issuer: cert.issuer.clone(),
            expires_on,
        })?;
        for (account, email, language) in &admins {
            let key = format!("{CERTIFICATE_EXPIRING}:{}:{expires_on}:{account}", cert.id);
            if outbox::enqueue(tx, CERTIFICATE_EXPIRING, &key, email, *language, &payload).await? {
                added += 1;
            }
        }
    }
    Ok(added)
}
