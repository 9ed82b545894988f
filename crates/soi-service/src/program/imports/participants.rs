//! `import participants`: a chapter's student list into a season. Each row
//! is a participant (matched by email within the city) enrolled in the
//! season as `accepted` — the list a chapter keeps is of students it took —
//! and, with a `group` cell, put in that group of the season.
//!
//! Consent: the participants table records when, which text and how consent
//! was given. An import records consent on paper (`paper`) and only when the
//! file says so: a row needs the date its form was signed (`consent date`)
//! and the text version (a `consent version` cell or the import's option).
//! A row without them is refused, never filled in. A known participant keeps
//! the consent already on record.

use super::enroll::{plan, write};
use super::values;
use super::{
    Column, Layout, Options, Progress, Report, RowProblems, Sheet, file_problem, good_rows, start,
    written,
};
use crate::program::people::{self, ConsentDetails, ParticipantDetails};
use chrono::{NaiveTime, TimeZone, Utc};
use soi_core::states::{ConsentMethod, SeasonPhase};
use soi_core::{CityZone, GroupId, Language, SeasonId};
use soi_db::program::enrollments;
use soi_db::program::participants::NewParticipant;
use soi_db::program::{groups, seasons};
use soi_db::{Result, TenantTx, cities};
use std::collections::HashMap;

const ALLOWED: [Column; 11] = [
    Column::Email,
    Column::FirstName,
    Column::LastName,
    Column::Phone,
    Column::University,
    Column::BirthDate,
    Column::Language,
    Column::Group,
    Column::GuardianName,
    Column::ConsentDate,
    Column::ConsentVersion,
];
const REQUIRED: [Column; 4] = [
    Column::Email,
    Column::FirstName,
    Column::LastName,
    Column::ConsentDate,
];

/// A row that passed every check.
pub(super) struct Good {
    pub(super) person: NewParticipant,
    /// Whether the row named the language (or the default filled it in).
    pub(super) language_given: bool,
    pub(super) group: Option<GroupId>,
}

/// Imports participants into `season`; see the module's rules.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn import_participants(
    tx: &mut TenantTx,
    season: SeasonId,
    sheet: &Sheet,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Report> {
    let (mut report, layout) = start(sheet, &ALLOWED, &REQUIRED);
    if report.file_problem() {
        return Ok(report);
    }
    // Locked as applying and deciding do: seats are counted one writer at a time.
    let s = seasons::lock(tx, season).await?;
    if s.phase == SeasonPhase::Closed {
        report
            .problems
            .push(file_problem("season", "the season is closed"));
        return Ok(report);
    }
    let by_name: HashMap<String, GroupId> = groups::list_by_season(tx, season)
        .await?
        .into_iter()
        .map(|g| (g.name.trim().to_lowercase(), g.id))
        .collect();
    let city_id = tx.city();
    let city = cities::by_id(tx, city_id).await?;
    let zone = CityZone::parse(&city.time_zone).map_err(soi_db::Error::Invalid)?;
    let good = good_rows(
        sheet,
        &layout,
        &mut report,
        |g: &Good| g.person.email.as_str(),
        |row, p| check_row(&layout, row, opts, &zone, &by_name, p),
    );
    if !report.problems.is_empty() && !opts.skip_invalid {
        return Ok(report);
    }
    let plan = plan(tx, season, &good).await?;
    let taken = enrollments::seats_taken(tx, season).await?;
    let free = (i64::from(s.capacity) - taken).max(0);
    if i64::try_from(plan.enroll.len()).unwrap_or(i64::MAX) > free {
        report.problems.push(file_problem(
            "season",
            &format!(
                "the season has {free} free seat(s); the file would enroll {}",
                plan.enroll.len()
            ),
        ));
        return Ok(report);
    }
    report.created = plan.create.len();
    report.updated = plan.update.len();
    report.unchanged = good.len() - plan.create.len() - plan.update.len();
    report.enrolled = plan.enroll.len();
    report.already_enrolled = good.len() - plan.enroll.len();
    if opts.dry_run || good.is_empty() {
        return Ok(report);
    }
    write(tx, season, &plan, progress).await?;
    let counts = serde_json::json!({
        "season": season.to_string(), "rows": report.rows, "created": report.created,
        "updated": report.updated, "enrolled": report.enrolled, "skipped": report.bad_rows,
    });
    written(tx, &mut report, "importParticipants", &counts).await?;
    Ok(report)
}

/// Checks one row; `None` (with problems in `p`) when it cannot be used.
fn check_row(
    layout: &Layout,
    row: &super::Row,
    opts: &Options,
    zone: &CityZone,
    groups: &HashMap<String, GroupId>,
    p: &mut RowProblems<'_>,
) -> Option<Good> {
    let email = p.required(row, Column::Email);
    let first_name = p.required(row, Column::FirstName);
    let last_name = p.required(row, Column::LastName);
    let birth_date = p.parsed(row, Column::BirthDate, values::date);
    let language = match layout.get(row, Column::Language) {
        Some(v) => values::language(v)
            .map_err(|e| p.add(Column::Language, e))
            .ok(),
        None if opts.default_language.is_some() => opts.default_language,
        None => {
            p.add(
                Column::Language,
                "is empty (kk, ru or en; or give a default language)",
            );
            None
        }
    };
    let consent_date = match layout.get(row, Column::ConsentDate) {
        None => {
            p.add(
                Column::ConsentDate,
                "is empty: give the date the consent form was signed",
            );
            None
        }
        Some(v) => match values::date(v) {
            Ok(d) if d > opts.today => {
                p.add(Column::ConsentDate, "is in the future");
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                p.add(Column::ConsentDate, e);
                None
            }
        },
    };
    let version = layout
        .get(row, Column::ConsentVersion)
        .or(opts.consent_version.as_deref());
    if version.is_none() {
        p.add(
            Column::ConsentVersion,
            "is empty (or give the consent version for the whole file)",
        );
    }
    let group = layout.get(row, Column::Group).and_then(|name| {
        let found = groups.get(&name.trim().to_lowercase()).copied();
        if found.is_none() {
            p.add(
                Column::Group,
                format!("there is no group '{name}' in this season"),
            );
        }
        found
    });
    let signed = consent_date.unwrap_or(opts.today).and_time(NaiveTime::MIN);
    let given_at = zone
        .tz()
        .from_local_datetime(&signed)
        .earliest()
        .map_or_else(|| signed.and_utc(), |t| t.with_timezone(&Utc));
    let details = ParticipantDetails {
        first_name,
        last_name,
        email,
        phone: layout.get(row, Column::Phone),
        university: layout.get(row, Column::University),
        birth_date,
        preferred_language: language.unwrap_or(Language::En),
        guardian_name: layout.get(row, Column::GuardianName),
    };
    let consent = ConsentDetails {
        given_at,
        text_version: version.unwrap_or("-"),
        method: ConsentMethod::Paper,
    };
    match people::participant(&details, &consent, opts.today) {
        Ok(person) => Some(Good {
            person,
            language_given: layout.get(row, Column::Language).is_some(),
            group,
        }),
        Err(errors) => {
            p.input_errors(errors, &ALLOWED);
            None
        }
    }
}
