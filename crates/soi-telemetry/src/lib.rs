//! Traces for operators: when an OTLP endpoint is configured, the spans of
//! our crates (a request's, its tenant transactions', their statements')
//! go to it over OTLP/HTTP (protobuf), batched off the request path. With no
//! endpoint nothing is built and the debug-level database spans stay
//! disabled at their call sites, so tracing costs nothing.
//!
//! What goes into spans is the callers' rule: city slug or id, operation
//! names, statement kinds; never personal data or variables' values.

mod http;

use anyhow::{Context, Result};
use opentelemetry::trace::TracerProvider as _;
use opentelemetry_otlp::{Protocol, WithExportConfig, WithHttpConfig};
use opentelemetry_sdk::Resource;
use opentelemetry_sdk::trace::{Sampler, SdkTracerProvider};
use std::time::Duration;
use tracing::Subscriber;
use tracing_subscriber::Layer;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::registry::LookupSpan;

/// Where traces go and how many are kept.
#[derive(Debug, Clone)]
pub struct TraceSettings {
    /// `service.name` of the exported spans (`soi-gateway`, `soi-worker`).
    pub service: &'static str,
    /// The collector's base URL (`http://collector:4318`); spans are sent
    /// to `<endpoint>/v1/traces`. `None` or blank: traces are off.
    pub endpoint: Option<String>,
    /// The share of requests traced, 0.0 to 1.0 (a request's spans are
    /// kept or dropped together).
    pub sample_ratio: f64,
}

impl TraceSettings {
    pub fn off(service: &'static str) -> Self {
        Self {
            service,
            endpoint: None,
            sample_ratio: 1.0,
        }
    }

    fn endpoint(&self) -> Option<&str> {
        self.endpoint
            .as_deref()
            .map(str::trim)
            .filter(|e| !e.is_empty())
    }
}

/// The exporting side of traces, while they are on. Drop it through
/// [`Traces::shutdown`] to send what is still batched.
pub struct Traces {
    provider: SdkTracerProvider,
}

/// How long an export may take before it is given up.
const EXPORT_TIMEOUT: Duration = Duration::from_secs(5);

impl Traces {
    /// Starts the exporter when an endpoint is set; `None` when traces are off.
    pub fn start(settings: &TraceSettings) -> Result<Option<Self>> {
        let Some(endpoint) = settings.endpoint() else {
            return Ok(None);
        };
        let url = format!("{}/v1/traces", endpoint.trim_end_matches('/'));
        let exporter = opentelemetry_otlp::SpanExporter::builder()
            .with_http()
            .with_protocol(Protocol::HttpBinary)
            .with_endpoint(url)
            .with_timeout(EXPORT_TIMEOUT)
            .with_http_client(http::BlockingClient::new(EXPORT_TIMEOUT))
            .build()
            .context("failed to set up the OTLP trace exporter")?;
        let ratio = settings.sample_ratio.clamp(0.0, 1.0);
        let provider = SdkTracerProvider::builder()
            .with_batch_exporter(exporter)
            .with_sampler(Sampler::ParentBased(Box::new(Sampler::TraceIdRatioBased(
                ratio,
            ))))
            .with_resource(
                Resource::builder()
                    .with_service_name(settings.service)
                    .build(),
            )
            .build();
        Ok(Some(Self { provider }))
    }

    /// The layer that turns our crates' spans into exported ones: the
    /// request's at info level, the database's at debug (only here, never in
    /// the logs); other crates' spans are left out.
    pub fn layer<S>(&self) -> impl Layer<S> + use<S>
    where
        S: Subscriber + for<'a> LookupSpan<'a>,
    {
        let ours = Targets::new()
            .with_default(LevelFilter::OFF)
            .with_target("soi", LevelFilter::DEBUG);
        tracing_opentelemetry::layer::<S>()
            .with_tracer(self.provider.tracer("soi"))
            .with_location(false)
            .with_threads(false)
            .with_tracked_inactivity(false)
            .with_filter(ours)
    }

    /// Sends every finished span now (blocks until the collector answered
    /// or the export timed out); not from inside a single-threaded runtime.
    pub fn flush(&self) -> Result<()> {
        self.provider
            .force_flush()
            .context("failed to flush traces")
    }

    /// Sends what is left and stops the exporter.
    pub fn shutdown(self) -> Result<()> {
        self.provider
            .shutdown()
            .context("failed to send the last traces")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_endpoint_or_a_blank_one_starts_nothing() {
        let mut settings = TraceSettings::off("soi-test");
        assert!(Traces::start(&settings).expect("start").is_none());
        settings.endpoint = Some("  ".to_owned());
        assert!(Traces::start(&settings).expect("start").is_none());
        settings.endpoint = Some("http://127.0.0.1:9".to_owned());
        let on = Traces::start(&settings).expect("start");
        assert!(on.is_some());
        if let Some(on) = on {
            // Nothing was traced, so nothing is sent to the closed port.
            on.shutdown().expect("shutdown");
        }
    }
}
