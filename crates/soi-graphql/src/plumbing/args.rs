//! Arguments as resolvers receive them: typed ids from `ID`s, and input
//! errors as `BAD_USER_INPUT` naming the field. Nothing here reads the
//! database.

use super::error::ErrorCode;
use async_graphql::{Error, ErrorExtensions, ID};
use soi_core::InputError;

/// `BAD_USER_INPUT` naming the field.
pub fn bad_input(field: &str, message: impl Into<String>) -> Error {
    let field = field.to_owned();
    ErrorCode::BadUserInput
        .error(message)
        .extend_with(move |_, x| x.set("field", field.clone()))
}

impl From<InputErrorWrap> for Error {
    fn from(e: InputErrorWrap) -> Self {
        bad_input(e.0.field, e.0.message)
    }
}

/// The first of a record's problems (`soi_service::program::people` returns
/// them all): GraphQL reports one field at a time, as it always has.
pub fn first_problem(all: Vec<InputError>) -> InputError {
    all.into_iter()
        .next()
        .unwrap_or_else(|| InputError::new("input", "is not valid"))
}

/// Lets `?` turn a core validation error into a GraphQL error.
pub struct InputErrorWrap(pub InputError);

pub trait Valid<T> {
    /// The value, or `BAD_USER_INPUT` with the failing field.
    fn valid(self) -> Result<T, Error>;
}

impl<T> Valid<T> for Result<T, InputError> {
    fn valid(self) -> Result<T, Error> {
        self.map_err(|e| InputErrorWrap(e).into())
    }
}

/// An optional field checked when given: `None` stays `None`.
impl<T> Valid<Option<T>> for Option<Result<T, InputError>> {
    fn valid(self) -> Result<Option<T>, Error> {
        self.transpose().valid()
    }
}

/// A typed id as GraphQL shows it.
pub fn to_id(id: impl ToString) -> ID {
    ID(id.to_string())
}

/// An id argument as a typed id; a malformed one is `BAD_USER_INPUT`.
pub fn parse_id<T: From<uuid::Uuid>>(field: &str, id: &ID) -> Result<T, Error> {
    uuid::Uuid::parse_str(id.as_str())
        .map(T::from)
        .map_err(|_| bad_input(field, "is not a valid id"))
}

/// An optional id argument as a typed id.
pub fn parse_opt_id<T: From<uuid::Uuid>>(field: &str, id: Option<&ID>) -> Result<Option<T>, Error> {
    id.map(|i| parse_id(field, i)).transpose()
}
