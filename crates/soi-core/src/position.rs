//! Where a city is: WGS 84 latitude and longitude in degrees, as the
//! national dashboard's map places it.

use crate::error::{InputError, InputResult};

/// A point on the globe; both parts are finite and in range.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Position {
    latitude: f64,
    longitude: f64,
}

impl Position {
    /// Latitude −90…90 (north positive), longitude −180…180 (east positive).
    pub fn new(latitude: f64, longitude: f64) -> InputResult<Self> {
        if !(latitude.is_finite() && (-90.0..=90.0).contains(&latitude)) {
            return Err(InputError::new(
                "latitude",
                "must be between -90 and 90 degrees",
            ));
        }
        if !(longitude.is_finite() && (-180.0..=180.0).contains(&longitude)) {
            return Err(InputError::new(
                "longitude",
                "must be between -180 and 180 degrees",
            ));
        }
        Ok(Self {
            latitude,
            longitude,
        })
    }

    pub fn latitude(&self) -> f64 {
        self.latitude
    }

    pub fn longitude(&self) -> f64 {
        self.longitude
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn almaty_is_a_position_and_out_of_range_is_refused() {
        let p = Position::new(43.2389, 76.8897).expect("Almaty");
        assert_eq!((p.latitude(), p.longitude()), (43.2389, 76.8897));
        assert_eq!(
            Position::new(91.0, 0.0).map_err(|e| e.field),
            Err("latitude")
        );
        assert_eq!(
            Position::new(0.0, -180.5).map_err(|e| e.field),
            Err("longitude")
        );
        assert!(Position::new(f64::NAN, 0.0).is_err());
    }

    proptest! {
        #[test]
        fn a_position_is_accepted_exactly_when_in_range(lat in -200.0f64..200.0, lon in -400.0f64..400.0) {
            let ok = (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon);
            prop_assert_eq!(Position::new(lat, lon).is_ok(), ok);
        }
    }
}
