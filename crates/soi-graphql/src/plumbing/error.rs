//! Errors as clients see them: a message and `extensions.code`. Internal
//! errors show a fixed message and the request id; the cause goes to the log.

use async_graphql::{Error, ErrorExtensions};
use soi_db::Error as DbError;

/// The codes of `extensions.code`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    Unauthenticated,
    Forbidden,
    NotFound,
    BadUserInput,
    Conflict,
    RateLimited,
    /// An automatic persisted query's hash the server does not hold (the
    /// client sends the query again with it).
    PersistedQueryNotFound,
    Internal,
}

impl ErrorCode {
    /// Every code, for who must tell a known code from a client's text.
    pub const ALL: [Self; 8] = [
        Self::Unauthenticated,
        Self::Forbidden,
        Self::NotFound,
        Self::BadUserInput,
        Self::Conflict,
        Self::RateLimited,
        Self::PersistedQueryNotFound,
        Self::Internal,
    ];

    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Unauthenticated => "UNAUTHENTICATED",
            Self::Forbidden => "FORBIDDEN",
            Self::NotFound => "NOT_FOUND",
            Self::BadUserInput => "BAD_USER_INPUT",
            Self::Conflict => "CONFLICT",
            Self::RateLimited => "RATE_LIMITED",
            Self::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            Self::Internal => "INTERNAL",
        }
    }

    pub fn error(self, message: impl Into<String>) -> Error {
        Error::new(message.into()).extend_with(|_, e| e.set("code", self.as_str()))
    }
}

/// Maps a database-layer error for the client.
pub fn db_error(e: DbError, request_id: &str) -> Error {
    match e {
        DbError::NotFound(what) => ErrorCode::NotFound.error(format!("{what} not found")),
        DbError::Conflict(msg) => ErrorCode::Conflict.error(msg),
        DbError::Invalid(input) => ErrorCode::BadUserInput
            .error(input.message.clone())
            .extend_with(|_, x| x.set("field", input.field)),
        DbError::Forbidden => ErrorCode::Forbidden.error("not allowed"),
        other => {
            tracing::error!(request_id, error = %other, "internal error");
            ErrorCode::Internal
                .error(format!("internal error; quote request id {request_id}"))
                .extend_with(|_, x| x.set("requestId", request_id.to_owned()))
        }
    }
}
