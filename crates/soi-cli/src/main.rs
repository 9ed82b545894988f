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

fn main() -> ExitCode {
    init_tracing();
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
    match runtime.block_on(cli::run()) {
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
fn init_tracing() {
    use tracing_subscriber::EnvFilter;
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("warn,soi=info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    if std::env::var("SOI_LOG_FORMAT").is_ok_and(|f| f == "json") {
        builder.json().init();
    } else {
        builder.with_target(false).init();
    }
}
