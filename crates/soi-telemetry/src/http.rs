//! The OTLP exporter's HTTP client: the workspace's reqwest, blocking, as
//! the batch exporter runs on its own thread (not on the async runtime).
//! Built on the first export, inside that thread: a blocking client must not
//! be made or dropped on an async runtime's thread.

use opentelemetry_http::{Bytes, HttpClient, HttpError, Request, Response};
use std::sync::OnceLock;
use std::time::Duration;

#[derive(Debug)]
pub(crate) struct BlockingClient {
    timeout: Duration,
    client: OnceLock<reqwest::blocking::Client>,
}

impl BlockingClient {
    pub(crate) fn new(timeout: Duration) -> Self {
        Self {
            timeout,
            client: OnceLock::new(),
        }
    }

    fn client(&self) -> Result<&reqwest::blocking::Client, HttpError> {
        if let Some(c) = self.client.get() {
            return Ok(c);
        }
        let built = reqwest::blocking::Client::builder()
            .timeout(self.timeout)
            .build()?;
        Ok(self.client.get_or_init(|| built))
    }
}

#[async_trait::async_trait]
impl HttpClient for BlockingClient {
    async fn send_bytes(&self, request: Request<Bytes>) -> Result<Response<Bytes>, HttpError> {
        let request = reqwest::blocking::Request::try_from(request)?;
        let response = self.client()?.execute(request)?;
        let status = response.status();
        let body = response.bytes()?;
        Ok(Response::builder().status(status).body(body)?)
    }
}
