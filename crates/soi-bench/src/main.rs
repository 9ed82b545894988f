//! `soi-bench`: benchmarks that print figures. Each makes its own database
//! on the server given by `SOI_BENCH_DATABASE_URL` (default: the local
//! server) through [`scratch`], fills it, measures, prints markdown tables
//! through [`table`] and drops it.
//!
//! `soi-bench tenant-tx` — the cost of a tenant transaction against the same
//! read as the owner (see `tenant_tx.rs`).
//!
//! `soi-bench gateway-load` — the GraphQL gateway (a `soi serve` process)
//! under `wrk` against the same SQL under `pgbench` and against the best
//! single statement for the same answer, and the gateway's memory (see
//! `gateway/`).
//!
//! `soi-bench mail` — emails from the outbox to a local SMTP sink (see `mail.rs`).
//!
//! `soi-bench ticket-rush` — 2,000 buyers reserve 500 seats through two
//! `soi serve` processes (see `tickets.rs`).
//!
//! `soi-bench reports` — national and city reports over the rollups, cold
//! and cached in Redis, and a chapter admin's queries at 5 vs 200 cities
//! (see `reports.rs`).
//!
//! `soi-bench io` — importing participants from a spreadsheet, exporting
//! attendance as CSV and XLSX, each in a child process whose peak RSS is
//! printed (see `io/`).
//!
//! `soi-bench scale` — cities launched in steps up to thousands, and at
//! each step the launch time, the catalog, one chapter's requests and the
//! national report, fresh (see `scale/`).
//!
//! Gateways started inside the bench are built by `soi_server::App` (see
//! `app.rs`); `soi serve` processes are started by `serve.rs`.

mod app;
mod gateway;
mod io;
mod mail;
mod mem;
mod reports;
mod scale;
mod scratch;
mod serve;
mod table;
mod tenant_tx;
mod tickets;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "soi-bench",
    about = "Benchmarks of the SOI platform that print figures"
)]
struct Cli {
    #[command(subcommand)]
    bench: Bench,
}

#[derive(Subcommand)]
enum Bench {
    /// Tenant transaction vs. owner read, at several numbers of cities.
    TenantTx(tenant_tx::Args),
    /// The gateway under wrk, against its statements and the best single
    /// statement under pgbench; the `soi serve` process's memory.
    GatewayLoad(gateway::Args),
    /// Buyers rush a show's seats through two gateway processes.
    TicketRush(tickets::Args),
    /// Emails from the outbox to a local SMTP sink, in messages per second.
    Mail(mail::Args),
    /// National and city reports, cold and cached, at several numbers of cities.
    Reports(reports::Args),
    /// Import of participants from CSV; export of attendance as CSV and XLSX.
    Io(io::Args),
    /// Cities launched in steps; launch time, catalog, chapter and national latency.
    Scale(scale::Args),
    /// One import or export in a process of its own (run by `io`).
    #[command(hide = true)]
    IoChild(io::ChildArgs),
}

#[tokio::main]
async fn main() -> Result<()> {
    match Cli::parse().bench {
        Bench::TenantTx(args) => tenant_tx::run(args).await,
        Bench::GatewayLoad(args) => gateway::run(args).await,
        Bench::TicketRush(args) => tickets::run(args).await,
        Bench::Mail(args) => mail::run(args).await,
        Bench::Reports(args) => reports::run(args).await,
        Bench::Io(args) => io::run(args).await,
        Bench::Scale(args) => scale::run(args).await,
        Bench::IoChild(args) => io::child::run(args).await,
    }
}
