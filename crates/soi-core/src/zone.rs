//! City time zones. Stored as IANA names and checked against the tz database
//! compiled into chrono-tz (2024a or newer: Kazakhstan moved to UTC+5 on
//! 1 March 2024, and older data shows Almaty an hour off).

use crate::error::{InputError, InputResult};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CityZone(Tz);

/// Written as the IANA name, so cached values that hold a zone stay readable.
impl serde::Serialize for CityZone {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

impl<'de> serde::Deserialize<'de> for CityZone {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        CityZone::parse(&name).map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl CityZone {
    pub fn parse(name: &str) -> InputResult<Self> {
        name.trim()
            .parse::<Tz>()
            .map(CityZone)
            .map_err(|_| InputError::new("timeZone", format!("unknown IANA time zone '{name}'")))
    }

    pub fn name(&self) -> &'static str {
        self.0.name()
    }

    pub fn tz(&self) -> Tz {
        self.0
    }

    /// A moment as the city's wall-clock time.
    pub fn local(&self, at: DateTime<Utc>) -> DateTime<Tz> {
        at.with_timezone(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn almaty_is_utc_plus_five_after_march_2024() {
        let zone = CityZone::parse("Asia/Almaty").expect("known zone");
        let noon_utc = Utc
            .with_ymd_and_hms(2026, 11, 25, 12, 0, 0)
            .single()
            .expect("valid");
        assert_eq!(
            zone.local(noon_utc).format("%H:%M %z").to_string(),
            "17:00 +0500"
        );
    }

    #[test]
    fn western_cities_share_the_offset() {
        for name in [
            "Asia/Aqtau",
            "Asia/Atyrau",
            "Asia/Oral",
            "Asia/Aqtobe",
            "Asia/Qyzylorda",
        ] {
            let zone = CityZone::parse(name).expect("known zone");
            let at = Utc
                .with_ymd_and_hms(2026, 1, 10, 0, 0, 0)
                .single()
                .expect("valid");
            assert_eq!(zone.local(at).format("%z").to_string(), "+0500", "{name}");
        }
    }

    #[test]
    fn unknown_zone_is_refused() {
        let err = CityZone::parse("Asia/Nowhere").expect_err("must fail");
        assert_eq!(err.field, "timeZone");
    }
}
