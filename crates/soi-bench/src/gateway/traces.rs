//! `--traces`: the gateway under load with traces on, exporting every span
//! (sample ratio 1) over OTLP/HTTP to a collector in this process on
//! 127.0.0.1:0 that reads and drops each export, so the figures include
//! making, batching, encoding and sending the spans. A `soi serve` gateway
//! exports to the same collector (`SOI_OTEL_ENDPOINT`, sample ratio 1).

use anyhow::{Context, Result};
use soi_telemetry::{TraceSettings, Traces};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use tracing_subscriber::prelude::*;

pub(super) struct TraceSink {
    /// The collector's base URL (`soi serve` sends to `<it>/v1/traces`).
    pub(super) endpoint: String,
    traces: Traces,
    exports: Arc<AtomicU64>,
    bytes: Arc<AtomicU64>,
}

impl TraceSink {
    /// Starts the collector and installs the trace layer as this process's
    /// subscriber (the bench has no other).
    pub(super) async fn start() -> Result<Self> {
        let (exports, bytes) = (Arc::new(AtomicU64::new(0)), Arc::new(AtomicU64::new(0)));
        let (e, b) = (exports.clone(), bytes.clone());
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: axum::body::Bytes| {
                e.fetch_add(1, Ordering::Relaxed);
                b.fetch_add(body.len() as u64, Ordering::Relaxed);
                async {}
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        let traces = Traces::start(&TraceSettings {
            service: "soi-gateway",
            endpoint: Some(format!("http://{addr}")),
            sample_ratio: 1.0,
        })?
        .context("traces did not start")?;
        tracing_subscriber::registry()
            .with(traces.layer())
            .try_init()
            .context("a tracing subscriber was already installed")?;
        Ok(Self {
            endpoint: format!("http://{addr}"),
            traces,
            exports,
            bytes,
        })
    }

    /// Sends what is batched and says how much the collector received.
    pub(super) async fn finish(self) -> Result<String> {
        let traces = self.traces;
        tokio::task::spawn_blocking(move || traces.shutdown()).await??;
        Ok(format!(
            "traces: {} exports, {} bytes of spans received by the local collector",
            self.exports.load(Ordering::Relaxed),
            self.bytes.load(Ordering::Relaxed)
        ))
    }
}
