//! Access requests: everything the city holds about one person, as JSON
//! (for the person, self-service, and for the city's admins) and as a
//! readable workbook (for the admins, who hand it over). The sections come
//! from [`soi_db::personal_data`]; this file only shapes them.

use chrono::{DateTime, Utc};
use rust_xlsxwriter::{Format, Workbook, XlsxError};
use soi_core::{CityZone, ParticipantId};
use soi_db::personal_data::{self, Section};
use soi_db::{Result, TenantTx};

/// What an access request returns.
#[derive(Debug, Clone)]
pub struct PersonalData {
    pub generated_at: DateTime<Utc>,
    pub city: String,
    pub zone: CityZone,
    pub participant: ParticipantId,
    pub sections: Vec<Section>,
}

/// Collects everything about the participant, in the caller's tenant
/// transaction (open it read-only: one snapshot).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn collect(tx: &mut TenantTx, participant: ParticipantId) -> Result<PersonalData> {
    let sections = personal_data::of_participant(tx, participant).await?;
    let city_id = tx.city();
    let city = soi_db::cities::by_id(tx, city_id).await?;
    let zone = CityZone::parse(&city.time_zone).map_err(soi_db::Error::from)?;
    Ok(PersonalData {
        generated_at: Utc::now(),
        city: city.slug,
        zone,
        participant,
        sections,
    })
}

impl PersonalData {
    /// `{ generatedAt, city, participantId, sections: { name: [ {column:
    /// value} ] } }`; times as stored (RFC 3339, UTC).
    pub fn to_json(&self) -> serde_json::Value {
        let sections: serde_json::Map<String, serde_json::Value> = self
            .sections
            .iter()
            .map(|s| {
                let rows = s
                    .rows
                    .iter()
                    .map(|r| {
                        let row: serde_json::Map<String, serde_json::Value> = s
                            .columns
                            .iter()
                            .zip(r)
                            .map(|(c, v)| ((*c).to_owned(), v.clone()))
                            .collect();
                        serde_json::Value::Object(row)
                    })
                    .collect();
                (s.name.to_owned(), serde_json::Value::Array(rows))
            })
            .collect();
        serde_json::json!({
            "generatedAt": self.generated_at,
            "city": self.city,
            "participantId": self.participant.to_string(),
            "sections": sections,
        })
    }

    /// A workbook with a sheet per section (a header row in bold, times on
    /// the city's clock), and a first sheet saying what it is.
    pub fn to_xlsx(&self) -> std::result::Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let about = book.add_worksheet().set_name("about")?;
        let local = |t: DateTime<Utc>| self.zone.local(t).format("%Y-%m-%d %H:%M").to_string();
        let lines = [
            ("participant", self.participant.to_string()),
            ("city", self.city.clone()),
            ("generated at", local(self.generated_at)),
            ("times", format!("local time of {}", self.zone.name())),
        ];
        for (r, (k, v)) in (0u32..).zip(lines) {
            about.write_string_with_format(r, 0, k, &bold)?;
            about.write_string(r, 1, v)?;
        }
        about.autofit();
        for s in &self.sections {
            let sheet = book.add_worksheet().set_name(sheet_name(s.name))?;
            for (c, name) in (0u16..).zip(s.columns) {
                sheet.write_string_with_format(0, c, name.replace('_', " "), &bold)?;
            }
            for (r, row) in (1u32..).zip(&s.rows) {
                for (c, v) in (0u16..).zip(row) {
                    match v {
                        serde_json::Value::Null => {}
                        serde_json::Value::Number(n) => {
                            sheet.write_number(r, c, n.as_f64().unwrap_or_default())?;
                        }
                        serde_json::Value::Bool(b) => {
                            sheet.write_boolean(r, c, *b)?;
                        }
                        serde_json::Value::String(text) => {
                            let shown = DateTime::parse_from_rfc3339(text)
                                .map(|t| local(t.with_timezone(&Utc)))
                                .unwrap_or_else(|_| text.clone());
                            sheet.write_string(r, c, shown)?;
                        }
                        other => {
                            sheet.write_string(r, c, other.to_string())?;
                        }
                    }
                }
            }
            sheet.autofit();
        }
        book.save_to_buffer()
    }
}

/// A sheet name (at most 31 characters in XLSX).
fn sheet_name(section: &str) -> String {
    section.replace('_', " ").chars().take(31).collect()
}
