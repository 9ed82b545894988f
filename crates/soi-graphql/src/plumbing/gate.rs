//! The one gate every operation passes, whatever its transport (HTTP GET,
//! POST, a batch's members, graphql-ws): the document limits of
//! [`check_document`] right after parsing (depth and complexity are the
//! schema's own, checked in validation), and an `extensions.code` on every
//! error that leaves without one. Installed on the schema, so no transport
//! can skip it.

use super::error::ErrorCode;
use super::limits::{Limits, check_document};
use async_graphql::async_trait::async_trait;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextParseQuery, NextRequest, NextSubscribe,
    NextValidation,
};
use async_graphql::futures_util::StreamExt;
use async_graphql::futures_util::stream::BoxStream;
use async_graphql::parser::types::ExecutableDocument;
use async_graphql::{Response, ServerError, ServerResult, ValidationResult, Variables};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// Installs the gate on a schema (see the module doc).
pub struct Gate;

impl ExtensionFactory for Gate {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(Gate)
    }
}

/// Request data that learns whether the operation parsed and passed every
/// limit and validation rule: what the gateway requires before it keeps a
/// persisted query.
#[derive(Debug, Clone, Default)]
pub struct Validated(Arc<AtomicBool>);

impl Validated {
    /// Whether the operation it was attached to got past validation.
    pub fn passed(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
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

#[async_trait]
impl Extension for Gate {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        with_codes(next.run(ctx).await)
    }

    fn subscribe<'s>(
        &self,
        ctx: &ExtensionContext<'_>,
        stream: BoxStream<'s, Response>,
        next: NextSubscribe<'_>,
    ) -> BoxStream<'s, Response> {
        next.run(ctx, stream).map(with_codes).boxed()
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        // The schema is always built with its limits; without them there is
        // nothing to compare with.
        if let Some(limits) = ctx.data_opt::<Limits>()
            && let Some(breach) = check_document(&doc, limits)
        {
            return Err(refused(breach, ErrorCode::BadUserInput));
        }
        Ok(doc)
    }

    async fn validation(
        &self,
        ctx: &ExtensionContext<'_>,
        next: NextValidation<'_>,
    ) -> Result<ValidationResult, Vec<ServerError>> {
        let result = next.run(ctx).await?;
        if let Some(validated) = ctx.data_opt::<Validated>() {
            validated.0.store(true, Ordering::Release);
        }
        Ok(result)
    }
}
