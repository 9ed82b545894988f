//! Errors of input validation. They become `BAD_USER_INPUT` in GraphQL (with the
//! field) and a one-line message in the CLI.

/// One field failed validation; `field` names it as the client sent it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct InputError {
    pub field: &'static str,
    pub message: String,
}

impl InputError {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            field,
            message: message.into(),
        }
    }
}

pub type InputResult<T> = Result<T, InputError>;
