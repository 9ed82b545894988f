//! Errors of the database layer. Each variant's doc names the GraphQL
//! `extensions.code` it becomes. Constraint violations are turned into domain
//! errors here, where the SQL lives, so nothing above sees SQLSTATEs or SQL text.

use soi_core::InputError;

pub type Result<T, E = Error> = std::result::Result<T, E>;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// `NOT_FOUND`: no such row in this city. A row of another city is
    /// indistinguishable from a missing one.
    #[error("{0} not found")]
    NotFound(&'static str),
    /// `CONFLICT`: the change collides with stored data (duplicate, overlap,
    /// capacity, a state that does not allow the move).
    #[error("{0}")]
    Conflict(String),
    /// `BAD_USER_INPUT`, with the field.
    #[error(transparent)]
    Invalid(#[from] InputError),
    /// `FORBIDDEN`: the database refused the write (row-level security or
    /// privileges). With the city taken from the scope this means a bug.
    #[error("the database refused this change")]
    Forbidden,
    /// Start-up only: the configuration cannot work. One line for the operator.
    #[error("{0}")]
    Config(String),
    /// `INTERNAL` (HTTP 503): the server is unreachable, the pool is exhausted
    /// or a statement timed out.
    #[error("database unavailable: {0}")]
    Unavailable(String),
    /// `INTERNAL`: a migration could not be applied.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// `INTERNAL`: anything else; the client sees a fixed message, the log the cause.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

impl From<sqlx::Error> for Error {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::RowNotFound => Error::NotFound("record"),
            sqlx::Error::PoolTimedOut => Error::Unavailable("no connection free in time".into()),
            sqlx::Error::PoolClosed => Error::Unavailable("the pool is closed".into()),
            sqlx::Error::Io(io) => Error::Unavailable(io.to_string()),
            sqlx::Error::Tls(_) => Error::Unavailable("TLS handshake failed".into()),
            sqlx::Error::Database(db) => {
                let constraint = db.constraint().unwrap_or_default();
                match db.code().as_deref() {
                    Some("23505") => Error::Conflict(duplicate_message(constraint)),
                    Some("23P01") if constraint == "training_sessions_no_overlap" => {
                        Error::Conflict(
                            "the rink is already booked for an overlapping session".into(),
                        )
                    }
                    Some("23P01") => Error::Conflict("overlaps an existing record".into()),
                    Some("23503") => Error::NotFound(referenced_thing(constraint)),
                    Some("23514" | "23502" | "22001" | "22003" | "22007" | "22008") => {
                        Error::Invalid(InputError::new("input", "is out of the allowed range"))
                    }
                    // Text PostgreSQL cannot store (a NUL byte, which a JSON
                    // string may carry): the client's input, not a fault.
                    Some("22021" | "22P05") => Error::Invalid(InputError::new(
                        "input",
                        "contains a character that is not allowed",
                    )),
                    Some("42501") => Error::Forbidden,
                    Some("57014") => Error::Unavailable("statement timed out".into()),
                    Some("57P01" | "57P02" | "57P03" | "08000" | "08003" | "08006") => {
                        Error::Unavailable("the database server went away".into())
                    }
                    _ => Error::Database(e),
                }
            }
            _ => Error::Database(e),
        }
    }
}

/// A readable message for a unique constraint, by its name.
fn duplicate_message(constraint: &str) -> String {
    let what = match constraint {
        c if c.starts_with("participants_city_id_email") => "a participant with this email",
        c if c.starts_with("coaches_city_id_email") => "a coach with this email",
        c if c.starts_with("rinks_city_id_name") => "a rink with this name",
        c if c.starts_with("groups_city_id_season_id_name") => {
            "a group with this name in the season"
        }
        c if c.starts_with("enrollments_city_id_season_id_participant") => {
            "an application of this participant to the season"
        }
        c if c.starts_with("skill_assessments_city_id_participant") => {
            "a record of this element for the participant"
        }
        c if c.starts_with("cities_slug") => "a city with this slug",
        c if c.starts_with("payments_city_id_provider_txn_id") => {
            "a payment with this provider transaction id"
        }
        c if c.starts_with("payments_city_id_order_id") => "a payment of this order",
        c if c.starts_with("sponsors_city_id_name") => "a sponsor with this name",
        c if c.starts_with("social_causes_city_id_title") => "a cause with this title",
        c if c.contains("reverses_id") => "a reversal of this entry",
        c if c.starts_with("ticket_types_city_id_event_id_name") => {
            "a ticket type with this name for the event"
        }
        c if c.starts_with("event_partners_city_id_event_id_name") => {
            "a partner with this name of the event"
        }
        _ => "a record with these values",
    };
    format!("{what} already exists")
}

/// What a foreign key points at, from its generated name
/// (`<table>_city_id_<column>_fkey`).
fn referenced_thing(constraint: &str) -> &'static str {
    const THINGS: &[(&str, &str)] = &[
        ("_cause_id_", "social cause"),
        ("_participant_id_", "participant"),
        ("_season_id_", "season"),
        ("_coach_id_", "coach"),
        ("_recorded_by_", "coach"),
        ("_group_id_", "group"),
        ("_rink_id_", "rink"),
        ("_session_id_", "training session"),
        ("_element_id_", "skill element"),
        ("_city_id_", "city"),
    ];
    THINGS
        .iter()
        .find(|(part, _)| {
            constraint.contains(part) || constraint.ends_with(&part[..part.len() - 1])
        })
        .map_or("referenced record", |(_, thing)| thing)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn foreign_keys_name_what_is_missing() {
        assert_eq!(
            referenced_thing("enrollments_city_id_season_id_fkey"),
            "season"
        );
        assert_eq!(
            referenced_thing("attendance_city_id_participant_id_fkey"),
            "participant"
        );
        assert_eq!(referenced_thing("participants_city_id_fkey"), "city");
        assert_eq!(referenced_thing("something_else"), "referenced record");
    }
}
