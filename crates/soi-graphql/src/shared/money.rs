//! Money in GraphQL. Amounts are whole tiyn (1 tenge = 100 tiyn) in an `i64`;
//! GraphQL's `Int` is 32-bit, which ends near 21 million tenge, so money has
//! its own scalar.

use crate::plumbing::bad_input;
use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};

/// An amount of money in tiyn (KZT; 1 tenge = 100 tiyn), carried as a JSON
/// integer of up to 64 bits. Fractions, strings and values past the 64-bit
/// range are refused while the request is validated, so they are
/// `BAD_USER_INPUT`; whether a negative amount is allowed is up to the field
/// (see [`Tiyn::non_negative`] and [`Tiyn::positive`]).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize,
)]
#[serde(transparent)]
pub struct Tiyn(pub i64);

/// An amount of money in tiyn (KZT; 1 tenge = 100 tiyn): a whole number of up
/// to 64 bits, sent and returned as a JSON number. Amounts past 2^53 may lose
/// precision in JavaScript clients; the platform's limits stay far below.
#[Scalar(name = "Tiyn")]
impl ScalarType for Tiyn {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) if n.is_i64() => n
                .as_i64()
                .map(Tiyn)
                .ok_or_else(|| InputValueError::custom("is not a whole number of tiyn")),
            Value::Number(_) => Err(InputValueError::custom(
                "must be a whole number of tiyn between -9223372036854775808 and 9223372036854775807",
            )),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::Number(n) if n.is_i64())
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

impl Tiyn {
    /// The amount if it is zero or more; otherwise `BAD_USER_INPUT` on `field`.
    pub fn non_negative(self, field: &str) -> async_graphql::Result<i64> {
        if self.0 >= 0 {
            Ok(self.0)
        } else {
            Err(bad_input(field, "must not be negative"))
        }
    }

    /// The amount if it is more than zero; otherwise `BAD_USER_INPUT` on `field`.
    pub fn positive(self, field: &str) -> async_graphql::Result<i64> {
        if self.0 > 0 {
            Ok(self.0)
        } else {
            Err(bad_input(field, "must be more than zero"))
        }
    }
}

impl From<i64> for Tiyn {
    fn from(v: i64) -> Self {
        Tiyn(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> InputValueResult<Tiyn> {
        let v: serde_json::Value = serde_json::from_str(json).expect("json");
        Tiyn::parse(Value::from_json(v).expect("value"))
    }

    #[test]
    fn only_whole_64_bit_numbers_pass() {
        assert_eq!(parse("150000").ok(), Some(Tiyn(150_000)));
        assert_eq!(parse("-5").ok(), Some(Tiyn(-5)));
        assert_eq!(parse("9223372036854775807").ok(), Some(Tiyn(i64::MAX)));
        for bad in ["9223372036854775808", "1.5", "1e3", "\"100\"", "null"] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }
}
