//! Running an export: rows from [`soi_db::exports`] turned into cells and
//! handed to the sink one by one.

use super::columns::headers;
use super::sinks::{Cell, ExportError, Sink};
use super::{Kind, Request};
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use futures_util::TryStreamExt;
use soi_core::CityZone;
use soi_db::exports::{self, Rows, Window};
use soi_db::{TenantTx, cities};

/// Rows between two drains of the sink.
const DRAIN_EVERY: u64 = 256;

/// Writes the export to `sink` (header first) and returns the number of
/// data rows. The caller opens the transaction (read-only) and finishes the
/// sink.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id(), kind = req.kind.code()))]
pub async fn export<S: Sink>(
    tx: &mut TenantTx,
    req: &Request,
    sink: &mut S,
) -> Result<u64, ExportError> {
    let city_id = tx.city();
    let city = cities::by_id(tx, city_id).await?;
    let zone = CityZone::parse(&city.time_zone).map_err(soi_db::Error::Invalid)?;
    let window = Window {
        season: req.season,
        from: req.from.map(|d| start_of(&zone, d)),
        to: req
            .to
            .and_then(|d| d.succ_opt())
            .map(|d| start_of(&zone, d)),
    };
    let head: Vec<Cell> = headers(req.kind, req.language)
        .into_iter()
        .map(|h| Cell::Text(h.to_owned()))
        .collect();
    sink.row(&head)?;
    let local = |t: &DateTime<Utc>| Cell::Time(zone.local(*t).naive_local());
    let n = match req.kind {
        Kind::Participants => {
            pump(exports::participants(tx, &window), sink, |r| {
                let mut cells = vec![Cell::Text(r.id.to_string())];
                cells.extend(person(r.first_name, r.last_name, r.email));
                cells.extend([
                    Cell::opt_text(r.phone.as_deref()),
                    Cell::opt_text(r.university.as_deref()),
                    r.birth_date.map_or(Cell::Empty, Cell::Date),
                    Cell::Text(r.preferred_language),
                    local(&r.consent_given_at),
                    Cell::Text(r.consent_text_version),
                    Cell::Text(r.consent_method),
                    Cell::opt_text(r.status.as_deref()),
                ]);
                cells
            })
            .await?
        }
        Kind::Attendance => {
            pump(exports::attendance(tx, &window), sink, |r| {
                let mut cells = vec![local(&r.starts_at), Cell::Text(r.group_name)];
                cells.extend(person(r.first_name, r.last_name, r.email));
                cells.extend([Cell::Text(r.mark), local(&r.recorded_at)]);
                cells
            })
            .await?
        }
        Kind::Applications => {
            pump(exports::applications(tx, &window), sink, |r| {
                let mut cells = vec![Cell::Text(r.id.to_string()), Cell::Text(r.season)];
                cells.extend(person(r.first_name, r.last_name, r.email));
                cells.extend([
                    Cell::Text(r.status),
                    local(&r.applied_at),
                    r.decided_at.as_ref().map_or(Cell::Empty, local),
                    Cell::opt_text(r.motivation.as_deref()),
                ]);
                cells
            })
            .await?
        }
        Kind::Ledger => {
            pump(exports::ledger(tx, &window), sink, |r| {
                vec![
                    Cell::Text(r.id.to_string()),
                    local(&r.recorded_at),
                    Cell::Text(r.kind),
                    Cell::Int(r.amount_tiyn),
                    Cell::Text(kzt(r.amount_tiyn)),
                    Cell::opt_text(r.memo.as_deref()),
                    r.reverses_id
                        .map_or(Cell::Empty, |u| Cell::Text(u.to_string())),
                ]
            })
            .await?
        }
        Kind::Audit => {
            pump(exports::audit(tx, &window), sink, |r| {
                vec![
                    local(&r.at),
                    Cell::Text(r.actor_kind),
                    r.actor_account
                        .map_or(Cell::Empty, |u| Cell::Text(u.to_string())),
                    Cell::opt_text(r.actor_role.as_deref()),
                    Cell::opt_text(r.actor_job.as_deref()),
                    Cell::Text(r.operation),
                    Cell::Text(r.target_ids),
                    Cell::opt_text(r.request_id.as_deref()),
                ]
            })
            .await?
        }
    };
    sink.drain().await?;
    Ok(n)
}

/// The cells of a person, as every export that names one shows them (the
/// `PERSON` headers of [`super::columns`]).
fn person(first_name: String, last_name: String, email: String) -> [Cell; 3] {
    [
        Cell::Text(first_name),
        Cell::Text(last_name),
        Cell::Text(email),
    ]
}

/// Moves rows from the stream to the sink, draining it now and then.
async fn pump<T, S: Sink>(
    mut rows: Rows<'_, T>,
    sink: &mut S,
    cells: impl Fn(T) -> Vec<Cell>,
) -> Result<u64, ExportError> {
    let mut n = 0u64;
    while let Some(r) = rows.try_next().await? {
        sink.row(&cells(r))?;
        n += 1;
        if n.is_multiple_of(DRAIN_EVERY) {
            sink.drain().await?;
        }
    }
    Ok(n)
}

/// The first instant of a local day in the city.
fn start_of(zone: &CityZone, day: NaiveDate) -> DateTime<Utc> {
    let t = day.and_time(NaiveTime::MIN);
    zone.tz()
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| t.and_utc(), |z| z.with_timezone(&Utc))
}

/// Tiyn as an exact KZT amount with two decimals, e.g. `-1234.05`.
fn kzt(tiyn: i64) -> String {
    let sign = if tiyn < 0 { "-" } else { "" };
    let a = tiyn.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

#[cfg(test)]
mod tests {
    #[test]
    fn tiyn_show_as_exact_tenge() {
        assert_eq!(super::kzt(123_405), "1234.05");
        assert_eq!(super::kzt(-5), "-0.05");
        assert_eq!(super::kzt(0), "0.00");
    }
}
