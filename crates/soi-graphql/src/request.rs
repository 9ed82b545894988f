//! The per-request context the gateway puts into the GraphQL request data.

/// Who asks, and the request's id (logged, and shown with internal errors).
#[derive(Debug, Clone)]
pub struct RequestCtx {
    request_id: String,
}

impl RequestCtx {
    /// An anonymous request.
    pub fn anonymous(request_id: impl Into<String>) -> Self {
        Self {
            request_id: request_id.into(),
        }
    }

    pub fn request_id(&self) -> &str {
        &self.request_id
    }
}
