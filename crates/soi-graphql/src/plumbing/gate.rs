//! The one gate every operation passes, whatever its transport (HTTP GET,
//! POST, a batch's members, graphql-ws): the document limits of
//! [`check_document`] right after parsing, before the schema's own checks
//! (depth and complexity are the schema's, checked in validation), and an
//! `extensions.code` on every error that leaves without one.
//!
//! It wraps the schema as the [`Executor`] the gateway holds, so no transport
//! can skip it. It is not a schema extension: with any extension installed,
//! async-graphql resolves every field and list item through the extension
//! chain (a boxed future, type names formatted and looked up in the
//! registry), which took 10-12 % of the gateway's CPU per request under load
//! (docs/benchmarks.md), for hooks that only need the request's ends.

use super::error::ErrorCode;
use super::limits::{Limits, check_document};
use async_graphql::futures_util::StreamExt;
use async_graphql::futures_util::stream::{self, BoxStream};
use async_graphql::{
    Data, Executor, ObjectType, Request, Response, Schema, ServerError, SubscriptionType,
};
use std::sync::Arc;

/// An executor behind the gate (see the module doc).
#[derive(Clone)]
pub struct Gated<E> {
    inner: E,
    limits: Limits,
}

impl<E: Executor> Gated<E> {
    /// `inner` behind the gate, checking documents against `limits`.
    pub fn new(inner: E, limits: Limits) -> Self {
        Self { inner, limits }
    }

    /// Parses the request's document (unless the caller already did) and
    /// checks it against the limits: the error that refuses it, if any.
    fn refusal(&self, request: &mut Request) -> Option<ServerError> {
        match request.parsed_query() {
            Ok(doc) => check_document(doc, &self.limits)
                .map(|breach| refused(breach, ErrorCode::BadUserInput)),
            // The schema's own syntax error, as it would answer it.
            Err(syntax) => Some(syntax),
        }
    }
}

impl<Q, M, S> Gated<Schema<Q, M, S>>
where
    Q: ObjectType + 'static,
    M: ObjectType + 'static,
    S: SubscriptionType + 'static,
{
    /// The schema in SDL. (The schema itself is not handed out: nothing
    /// may run an operation past the gate.)
    pub fn sdl(&self) -> String {
        self.inner.sdl()
    }
}

impl<E: Executor> Executor for Gated<E> {
    async fn execute(&self, mut request: Request) -> Response {
        if let Some(e) = self.refusal(&mut request) {
            return with_codes(Response::from_errors(vec![e]));
        }
        with_codes(self.inner.execute(request).await)
    }

    fn execute_stream(
        &self,
        mut request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        match self.refusal(&mut request) {
            Some(e) => {
                let refusal = with_codes(Response::from_errors(vec![e]));
                stream::once(async move { refusal }).boxed()
            }
            None => self
                .inner
                .execute_stream(request, session_data)
                .map(with_codes)
                .boxed(),
        }
    }
}

/// Whether the operation that gave `response` got past parsing, the limits
/// and validation, and was run: what the gateway requires before it keeps a
/// persisted query. Whatever refuses a whole operation raises errors at no
/// field (no path): a syntax error, a limit, a validation rule, and also an
/// unknown or missing operation name and a subscription sent where only
/// queries and mutations run; an operation that ran raises its errors at
/// fields.
pub fn validated(response: &Response) -> bool {
    response.errors.iter().all(|e| !e.path.is_empty())
}

/// An error raised before execution, with its code.
fn refused(message: String, code: ErrorCode) -> ServerError {
    let mut e = ServerError::new(message, None);
    e.extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    e
}

/// Gives every error without `extensions.code` one. Resolvers always set a
/// code; an error without one comes from parsing, validation or the limits
/// (no path), or from a bug. Arguments that fail to coerce (a number past
/// Int, a bad scalar in a variable) are reported at their field, with a
/// path, in async-graphql's fixed wording; they are still bad input.
fn with_codes(mut response: Response) -> Response {
    for error in &mut response.errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|x| x.get("code").is_some());
        if !has_code {
            let coercion = error.message.starts_with("Failed to parse")
                || error.message.starts_with("Invalid value for argument");
            let code = if error.path.is_empty() || coercion {
                ErrorCode::BadUserInput
            } else {
                ErrorCode::Internal
            };
            error
                .extensions
                .get_or_insert_with(Default::default)
                .set("code", code.as_str());
        }
    }
    response
}
