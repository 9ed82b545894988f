//! `import coaches`: a chapter's coaches, matched by email within the city
//! (a known coach is updated or left), with the same checks as
//! `createCoach`.

use super::values;
use super::{Column, Options, Progress, Report, Sheet, good_rows, start, written};
use crate::program::people::{self, CoachDetails};
use soi_core::{CoachId, Phone};
use soi_db::program::coaches::{self, Coach, NewCoach};
use soi_db::{Result, TenantTx};
use std::collections::HashMap;

const ALLOWED: [Column; 5] = [
    Column::Email,
    Column::FirstName,
    Column::LastName,
    Column::Phone,
    Column::Qualification,
];
const REQUIRED: [Column; 4] = [
    Column::Email,
    Column::FirstName,
    Column::LastName,
    Column::Qualification,
];

/// Imports coaches; see the rules of [`super`].
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn import_coaches(
    tx: &mut TenantTx,
    sheet: &Sheet,
    opts: &Options,
    progress: Progress<'_>,
) -> Result<Report> {
    let (mut report, layout) = start(sheet, &ALLOWED, &REQUIRED);
    if report.file_problem() {
        return Ok(report);
    }
    let good = good_rows(
        sheet,
        &layout,
        &mut report,
        |c: &NewCoach| c.email.as_str(),
        |row, p| {
            let email = p.required(row, Column::Email);
            let first_name = p.required(row, Column::FirstName);
            let last_name = p.required(row, Column::LastName);
            let qualification = match layout.get(row, Column::Qualification) {
                None => {
                    p.add(Column::Qualification, "is empty");
                    None
                }
                Some(v) => values::qualification(v)
                    .map_err(|e| p.add(Column::Qualification, e))
                    .ok(),
            }?;
            let details = CoachDetails {
                first_name,
                last_name,
                email,
                phone: layout.get(row, Column::Phone),
                qualification,
            };
            people::coach(&details)
                .map_err(|errors| p.input_errors(errors, &ALLOWED))
                .ok()
        },
    );
    if !report.problems.is_empty() && !opts.skip_invalid {
        return Ok(report);
    }
    let emails: Vec<String> = good.iter().map(|c| c.email.as_str().to_owned()).collect();
    let known: HashMap<String, Coach> = coaches::by_emails(tx, &emails)
        .await?
        .into_iter()
        .map(|c| (c.email.clone(), c))
        .collect();
    let mut create = Vec::new();
    let mut update = Vec::new();
    for mut c in good {
        match known.get(c.email.as_str()) {
            None => create.push(c),
            Some(old) => {
                if c.phone.is_none() {
                    c.phone = old.phone.as_deref().and_then(|p| Phone::parse(p).ok());
                }
                if !same(old, &c) {
                    update.push((old.id, c));
                }
            }
        }
    }
    report.created = create.len();
    report.updated = update.len();
    report.unchanged = report.rows - report.bad_rows - create.len() - update.len();
    if opts.dry_run || create.len() + update.len() == 0 {
        return Ok(report);
    }
    for (i, c) in create.iter().enumerate() {
        coaches::insert(tx, CoachId::new(), c).await?;
        progress(i + 1);
    }
    for (id, c) in &update {
        coaches::update_details(tx, *id, c).await?;
    }
    let counts = serde_json::json!({
        "rows": report.rows, "created": report.created, "updated": report.updated,
        "skipped": report.bad_rows,
    });
    written(tx, &mut report, "importCoaches", &counts).await?;
    Ok(report)
}

fn same(old: &Coach, new: &NewCoach) -> bool {
    old.first_name == new.first_name.as_str()
        && old.last_name == new.last_name.as_str()
        && old.phone.as_deref() == new.phone.as_ref().map(Phone::as_str)
        && old.qualification == new.qualification
}
