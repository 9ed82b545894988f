//! Calendar days in GraphQL. Named `Date`, as GraphQL clients and code
//! generators expect (not after the Rust type), with the specification its
//! text follows.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use chrono::NaiveDate;

/// A calendar day without a time zone, written `YYYY-MM-DD`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Date(pub NaiveDate);

/// A calendar day written `YYYY-MM-DD` (RFC 3339 `full-date`, e.g.
/// `2026-09-01`), without a time zone: the day as the city lives it.
#[Scalar(
    name = "Date",
    specified_by_url = "https://datatracker.ietf.org/doc/html/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            // Exactly `YYYY-MM-DD`: chrono alone would also take `2026-9-1`.
            Value::String(s) if s.len() == 10 => NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| InputValueError::custom("is not a day written YYYY-MM-DD")),
            Value::String(_) => Err(InputValueError::custom("is not a day written YYYY-MM-DD")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

impl From<NaiveDate> for Date {
    fn from(d: NaiveDate) -> Self {
        Date(d)
    }
}

impl From<Date> for NaiveDate {
    fn from(d: Date) -> Self {
        d.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_day_written_in_full_is_a_date() {
        let parse = |s: &str| Date::parse(Value::String(s.into())).ok().map(|d| d.0);
        assert_eq!(parse("2026-09-01"), NaiveDate::from_ymd_opt(2026, 9, 1));
        for bad in [
            "2026-9-1",
            "2026-02-30",
            "01.09.2026",
            "2026-09-01T00:00:00Z",
            "",
        ] {
            assert_eq!(parse(bad), None, "{bad}");
        }
        assert!(Date::parse(Value::Number(20260901.into())).is_err());
        assert_eq!(
            Date(NaiveDate::from_ymd_opt(2026, 9, 1).expect("day")).to_value(),
            Value::String("2026-09-01".into())
        );
    }
}
