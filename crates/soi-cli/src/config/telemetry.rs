//! Where `soi serve` and `soi worker` send traces: an OTLP/HTTP collector,
//! or nowhere (the default). `SOI_OTEL_ENDPOINT` wins over the standard
//! `OTEL_EXPORTER_OTLP_ENDPOINT`, which is read too so a platform that sets
//! it for every service needs nothing more.

use clap::Args;
use secrecy::{ExposeSecret, SecretString};
use soi_telemetry::TraceSettings;

#[derive(Args, Debug, Clone)]
#[command(next_help_heading = "Traces")]
pub struct TelemetryArgs {
    /// OTLP/HTTP collector base URL (e.g. http://127.0.0.1:4318); spans go
    /// to <URL>/v1/traces. Unset: no traces are made or sent.
    #[arg(
        long = "otel-endpoint",
        env = "SOI_OTEL_ENDPOINT",
        value_name = "URL",
        hide_env_values = true
    )]
    pub otel_endpoint: Option<SecretString>,
    /// The standard variable, used when SOI_OTEL_ENDPOINT is unset.
    #[arg(
        long = "otlp-endpoint",
        env = "OTEL_EXPORTER_OTLP_ENDPOINT",
        value_name = "URL",
        hide_env_values = true,
        hide = true
    )]
    pub otlp_endpoint: Option<SecretString>,
    /// The share of requests traced, from 0 to 1.
    #[arg(long, env = "SOI_OTEL_SAMPLE_RATIO", value_name = "RATIO", default_value_t = 1.0,
          value_parser = ratio)]
    pub otel_sample_ratio: f64,
}

fn ratio(raw: &str) -> Result<f64, String> {
    raw.trim()
        .parse::<f64>()
        .ok()
        .filter(|r| (0.0..=1.0).contains(r))
        .ok_or_else(|| "must be a number from 0 to 1".to_owned())
}

impl TelemetryArgs {
    /// The collector's URL, if traces are on.
    pub fn endpoint(&self) -> Option<&SecretString> {
        self.otel_endpoint.as_ref().or(self.otlp_endpoint.as_ref())
    }

    /// The trace settings of a process named `service`.
    pub fn traces(&self, service: &'static str) -> TraceSettings {
        TraceSettings {
            service,
            endpoint: self.endpoint().map(|e| e.expose_secret().to_owned()),
            sample_ratio: self.otel_sample_ratio,
        }
    }
}
