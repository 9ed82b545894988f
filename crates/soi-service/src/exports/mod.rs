//! Exports: a city's participants, applications, attendance marks, ledger
//! and audit log as CSV or XLSX, for the CLI and the chapter admins' HTTP
//! download alike.
//!
//! The rules every export keeps:
//! - it reads in the caller's tenant transaction, which the caller opens
//!   read-only ([`soi_db::Db::tenant_read_only`]): one city, one snapshot;
//! - rows stream from PostgreSQL to the [`Sink`] one at a time and are never
//!   collected: memory stays flat however large the table (XLSX included:
//!   the sheet is written in constant-memory mode, its rows going to a temp
//!   file);
//! - dates given as `from`/`to` are days in the city's time zone, `to`
//!   included; times are written in the city's zone;
//! - headers in English, Russian or Kazakh.

mod columns;
mod run;
mod sinks;

pub use run::export;
pub use sinks::{Cell, CsvSink, ExportError, Sink, XlsxSink};

use chrono::NaiveDate;
use soi_core::{InputError, Language, SeasonId};

/// What can be exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Participants,
    Attendance,
    Applications,
    Ledger,
    Audit,
}

impl Kind {
    pub const ALL: [Kind; 5] = [
        Kind::Participants,
        Kind::Attendance,
        Kind::Applications,
        Kind::Ledger,
        Kind::Audit,
    ];

    pub const fn code(self) -> &'static str {
        match self {
            Kind::Participants => "participants",
            Kind::Attendance => "attendance",
            Kind::Applications => "applications",
            Kind::Ledger => "ledger",
            Kind::Audit => "audit",
        }
    }

    pub fn parse(code: &str) -> Result<Kind, InputError> {
        Kind::ALL
            .into_iter()
            .find(|k| k.code() == code)
            .ok_or_else(|| {
                InputError::new(
                    "kind",
                    "must be participants, attendance, applications, ledger or audit",
                )
            })
    }

    /// Whether a season narrows this kind (the ledger and the audit log are
    /// the city's, not a season's).
    pub const fn has_season(self) -> bool {
        matches!(
            self,
            Kind::Participants | Kind::Attendance | Kind::Applications
        )
    }
}

/// One export, checked.
#[derive(Debug, Clone, Copy)]
pub struct Request {
    pub kind: Kind,
    pub season: Option<SeasonId>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub language: Language,
}

impl Request {
    /// Checks that the parts fit together.
    pub fn new(
        kind: Kind,
        season: Option<SeasonId>,
        from: Option<NaiveDate>,
        to: Option<NaiveDate>,
        language: Language,
    ) -> Result<Request, InputError> {
        if season.is_some() && !kind.has_season() {
            return Err(InputError::new(
                "season",
                format!(
                    "the {} export covers the whole city, not a season",
                    kind.code()
                ),
            ));
        }
        if kind == Kind::Participants && (from.is_some() || to.is_some()) {
            return Err(InputError::new(
                "from",
                "the participants export takes a season, not dates",
            ));
        }
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(InputError::new("to", "must not be before from"));
        }
        Ok(Request {
            kind,
            season,
            from,
            to,
            language,
        })
    }
}
