//! `soi`: the operator's command. Every failure ends in one `error:` line and
//! a non-zero exit; secrets and personal data are never printed.

mod account;
mod cli;
mod config;
mod export;
mod import;
mod privacy;
mod serve;
mod signals;
mod worker;

use std::process::ExitCode;

// The gateway allocates and frees many small objects per request (parsed
// documents, futures, rows, JSON): glibc's malloc took about 15% of its CPU
// under load, mimalloc about 10%, for 13-24 MiB more resident memory in the
// gateway and the worker (docs/benchmarks.md, "Gateway load, 2026-12-07
// (evening)", which also gives the setting that keeps it lower at start).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = match cli::parse() {
        Ok(cli) => cli,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let traces = match init_tracing(&cli.traces()) {
        Ok(traces) => traces,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let outcome = runtime.block_on(cli::run(cli));
    drop(runtime);
    // After the runtime: the spans of the drain are finished by now, and
    // the exporter's last send blocks this thread, not a runtime's.
    if let Some(traces) = traces
        && let Err(e) = traces.shutdown()
    {
        eprintln!("warning: {e:#}");
    }
    match outcome {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // `{:#}` prints the whole cause chain on one line.
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Logs to stderr: human-readable by default, JSON with `SOI_LOG_FORMAT=json`;
/// the level from `RUST_LOG` (default: warnings, and info from our crates).
/// Traces go to the collector when one is configured (their own filter: the
/// log level does not thin them).
fn init_tracing(
    settings: &soi_telemetry::TraceSettings,
) -> anyhow::Result<Option<soi_telemetry::Traces>> {
    use tracing_subscriber::prelude::*;
    use tracing_subscriber::{EnvFilter, fmt};
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,soi=info"));
    let logs = if std::env::var("SOI_LOG_FORMAT").is_ok_and(|f| f == "json") {
        fmt::layer()
            .json()
            .with_writer(std::io::stderr)
            .with_filter(filter)
            .boxed()
    } else {
        fmt::layer()
            .with_target(false)
            .with_writer(std::io::stderr)
            .with_filter(filter)
            .boxed()
    };
    let traces = soi_telemetry::Traces::start(settings)?;
    tracing_subscriber::registry()
        .with(logs)
        .with(traces.as_ref().map(|t| t.layer()))
        .init();
    Ok(traces)
}
