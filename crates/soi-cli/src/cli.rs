//! Subcommands of `soi`. Each one that touches a service takes the whole
//! [`Config`] (flags or environment variables), checked before it runs.
//! System work (migrate, launch) goes through the owner's connection; seeds
//! write through tenant transactions.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use chrono::NaiveDate;
use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand};
use secrecy::{ExposeSecret, SecretString};
use soi_core::{CityZone, Slug, SystemCtx, text};
use soi_db::cities::NewCity;
use soi_db::{Db, SystemDb};
use soi_seed::scale::ScaleSpec;

#[derive(Parser)]
#[command(
    name = "soi",
    version,
    about = "Students on Ice platform: operate the database, cities and data"
)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Apply pending database migrations (running it again is harmless).
    Migrate(Config),
    /// Launch and list city chapters.
    #[command(subcommand)]
    City(CityCommand),
    /// Invite people to accounts of a city, or of the national alliance.
    #[command(subcommand)]
    Account(AccountCommand),
    /// Fill the database with the demo dataset or a large generated one.
    Seed(SeedArgs),
    /// Print the effective configuration (secrets redacted).
    Config(Config),
    /// Start the GraphQL gateway on SOI_LISTEN.
    Serve(Config),
    /// Send the outbox's emails through SMTP_URL until stopped.
    Worker(Config),
    /// Print the GraphQL schema (SDL), as committed in schema.graphql.
    Schema,
    /// Import a chapter's spreadsheet (CSV or XLSX) of participants or coaches.
    #[command(subcommand)]
    Import(crate::import::ImportCommand),
    /// Export a city's participants, attendance, applications, ledger or audit
    /// log as CSV or XLSX.
    Export(crate::export::ExportArgs),
    /// Personal data: a withdrawal of consent, an erasure, a retention run now.
    #[command(subcommand)]
    Privacy(crate::privacy::PrivacyCommand),
}

#[derive(Subcommand)]
enum CityCommand {
    /// Create a city and all its partitions in one transaction (idempotent).
    Launch(LaunchArgs),
    /// List the cities.
    List(Config),
}

#[derive(Subcommand)]
enum AccountCommand {
    /// Email a single-use invitation to a chapter admin, coach or national account.
    Invite(crate::account::InviteArgs),
}

#[derive(Args)]
struct LaunchArgs {
    /// URL name of the city, e.g. `almaty`.
    slug: String,
    /// Name in Kazakh.
    #[arg(long)]
    name_kk: String,
    /// Name in Russian.
    #[arg(long)]
    name_ru: String,
    /// Name in English.
    #[arg(long)]
    name_en: String,
    /// IANA time zone, e.g. Asia/Almaty (Asia/Aqtau, Asia/Atyrau, Asia/Oral,
    /// Asia/Aqtobe, Asia/Qyzylorda in the west).
    #[arg(long, default_value = "Asia/Almaty")]
    tz: String,
    /// Launch date (YYYY-MM-DD); today when omitted.
    #[arg(long)]
    launched: Option<NaiveDate>,
    /// Latitude of the city centre in degrees (north positive), e.g. 43.2389;
    /// with --longitude, places the city on the national dashboard's map.
    #[arg(long, requires = "longitude", allow_negative_numbers = true)]
    latitude: Option<f64>,
    /// Longitude of the city centre in degrees (east positive), e.g. 76.8897.
    #[arg(long, requires = "latitude", allow_negative_numbers = true)]
    longitude: Option<f64>,
    /// Invite this address as the city's first chapter admin.
    #[arg(long, value_name = "EMAIL")]
    admin: Option<String>,
    /// The language of the admin's invitation email.
    #[arg(long, value_enum, default_value = "ru", requires = "admin")]
    language: crate::account::LanguageArg,
    // Last, so the command's own arguments keep their help heading.
    #[command(flatten)]
    config: Config,
}

#[derive(Args)]
#[command(group(clap::ArgGroup::new("mode").required(true).args(["demo", "scale"])))]
struct SeedArgs {
    /// Almaty, Astana and Shymkent with a season in training.
    #[arg(long)]
    demo: bool,
    /// A large dataset for benchmarks (see --cities, --participants, --sessions).
    #[arg(long)]
    scale: bool,
    /// The seed value: the same value gives the same data.
    #[arg(long, default_value_t = 2023)]
    seed: u64,
    /// With --demo: seed only these already launched cities.
    #[arg(long = "city", value_name = "SLUG")]
    cities: Vec<String>,
    /// With --scale: number of cities.
    #[arg(long = "cities", default_value_t = 200)]
    city_count: u32,
    /// With --scale: participants per city.
    #[arg(long, default_value_t = 300)]
    participants: u32,
    /// With --scale: training sessions per group (each marked for every member).
    #[arg(long, default_value_t = 100)]
    sessions: u32,
    /// With --scale: cities seeded at once.
    #[arg(long, default_value_t = 4)]
    concurrency: usize,
    /// With --demo: the demo accounts' password.
    #[arg(
        long,
        env = "SOI_DEMO_PASSWORD",
        value_name = "PASSWORD",
        hide_env_values = true
    )]
    demo_password: Option<SecretString>,
    #[command(flatten)]
    config: Config,
}

impl Command {
    /// The configuration the command runs with; `soi schema` needs none.
    fn config(&self) -> Option<&Config> {
        match self {
            Command::Migrate(c)
            | Command::Config(c)
            | Command::Serve(c)
            | Command::Worker(c)
            | Command::City(CityCommand::List(c)) => Some(c),
            Command::City(CityCommand::Launch(a)) => Some(&a.config),
            Command::Account(AccountCommand::Invite(a)) => Some(&a.config),
            Command::Seed(a) => Some(&a.config),
            Command::Import(crate::import::ImportCommand::Participants(a)) => Some(&a.config),
            Command::Import(crate::import::ImportCommand::Coaches(a)) => Some(&a.config),
            Command::Export(a) => Some(&a.config),
            Command::Privacy(p) => Some(p.config()),
            Command::Schema => None,
        }
    }
}

impl Cli {
    /// Where this command's traces go: the gateway's and the worker's to
    /// the configured collector; other commands trace nothing.
    pub fn traces(&self) -> soi_telemetry::TraceSettings {
        match &self.command {
            Command::Serve(c) => c.telemetry.traces("soi-gateway"),
            Command::Worker(c) => c.telemetry.traces("soi-worker"),
            _ => soi_telemetry::TraceSettings::off("soi"),
        }
    }
}

/// The command line and the environment; a refused setting is one line.
pub fn parse() -> Result<Cli> {
    let cmd = crate::config::blank_env_is_unset(Cli::command());
    let matches = cmd
        .clone()
        .try_get_matches()
        .map_err(|e| crate::config::one_line(&cmd, e))?;
    Cli::from_arg_matches(&matches).map_err(|e| crate::config::one_line(&cmd, e))
}

pub async fn run(cli: Cli) -> Result<()> {
    if let Some(config) = cli.command.config() {
        config.validate()?;
    }
    match cli.command {
        Command::Migrate(config) => migrate(&config).await,
        Command::City(CityCommand::Launch(args)) => launch(args).await,
        Command::City(CityCommand::List(config)) => list_cities(&config).await,
        Command::Account(AccountCommand::Invite(a)) => crate::account::run(a).await,
        Command::Seed(args) => seed(args).await,
        Command::Serve(config) => crate::serve::run(&config).await,
        Command::Worker(config) => crate::worker::run(&config).await,
        Command::Import(cmd) => crate::import::run(cmd).await,
        Command::Export(args) => crate::export::run(args).await,
        Command::Privacy(cmd) => crate::privacy::run(cmd).await,
        Command::Schema => {
            print!("{}", soi_graphql::sdl());
            Ok(())
        }
        Command::Config(config) => {
            println!("{config}");
            Ok(())
        }
    }
}

async fn migrate(config: &Config) -> Result<()> {
    let sys = SystemDb::connect(&config.db()).await?;
    let applied = sys.migrate(&SystemCtx::new("migrate")).await?;
    if applied == 0 {
        println!(
            "database is up to date ({} migrations)",
            SystemDb::known_migrations()
        );
    } else {
        println!("applied {applied} migration(s)");
    }
    sys.close().await;
    Ok(())
}

async fn launch(args: LaunchArgs) -> Result<()> {
    let new = NewCity {
        slug: Slug::parse(&args.slug)?,
        name_kk: text::bounded("nameKk", &args.name_kk, text::MAX_LINE)?,
        name_ru: text::bounded("nameRu", &args.name_ru, text::MAX_LINE)?,
        name_en: text::bounded("nameEn", &args.name_en, text::MAX_LINE)?,
        zone: CityZone::parse(&args.tz)?,
        launched_on: args
            .launched
            .unwrap_or_else(|| chrono::Utc::now().date_naive()),
        position: match (args.latitude, args.longitude) {
            (Some(lat), Some(lon)) => Some(soi_core::Position::new(lat, lon)?),
            _ => None,
        },
    };
    // Checked before the launch, so a missing secret or a bad address
    // changes nothing.
    if let Some(admin) = &args.admin {
        args.config.links()?;
        soi_core::Email::parse(admin).map_err(|e| anyhow::anyhow!("--admin: {}", e.message))?;
    }
    let sys = SystemDb::connect(&args.config.db()).await?;
    let out = sys
        .launch_city(&SystemCtx::new("city-launch"), &new)
        .await?;
    if out.created {
        println!(
            "launched {} ({}) with {} partitions",
            out.city.slug, out.city.id, out.partitions_created
        );
    } else {
        println!(
            "{} was launched already ({}); {} missing partition(s) added",
            out.city.slug, out.city.id, out.partitions_created
        );
    }
    sys.close().await;
    if let Some(admin) = &args.admin {
        crate::account::invite(
            &args.config,
            &out.city.slug,
            admin,
            crate::account::InviteRole::ChapterAdmin,
            None,
            args.language.into(),
        )
        .await?;
    }
    Ok(())
}

async fn list_cities(config: &Config) -> Result<()> {
    let db = Db::connect(&config.db()).await?;
    let mut tx = db.national().await?;
    let cities = soi_db::cities::list(&mut tx).await?;
    tx.commit().await?;
    for c in &cities {
        let launched = c
            .launched_on
            .map(|d| d.to_string())
            .unwrap_or_else(|| "-".into());
        println!(
            "{:<16} {:<8} {:<14} {launched}  {}",
            c.slug, c.status, c.time_zone, c.name_en
        );
    }
    println!("{} cities", cities.len());
    db.close().await;
    Ok(())
}

async fn seed(args: SeedArgs) -> Result<()> {
    let sys = SystemDb::connect(&args.config.db()).await?;
    let db = Db::connect(&args.config.db()).await?;
    if args.demo {
        let password = args.demo_password.as_ref().map_or(
            soi_seed::demo::DEFAULT_PASSWORD,
            ExposeSecret::expose_secret,
        );
        let outcomes =
            soi_seed::demo::run_with_password(&sys, &db, args.seed, &args.cities, password).await?;
        for o in outcomes {
            match o.counts {
                Some(c) => println!(
                    "{}: {} participants, {} sessions, {} attendance marks",
                    o.slug, c.participants, c.sessions, c.attendance
                ),
                None => println!(
                    "{}: already seeded with seed {}, left as it is",
                    o.slug, args.seed
                ),
            }
        }
    } else {
        if !args.cities.is_empty() {
            bail!("--city goes with --demo; --scale makes its own cities");
        }
        let spec = ScaleSpec {
            cities: args.city_count,
            participants: args.participants,
            sessions: args.sessions,
            seed: args.seed,
            concurrency: args.concurrency,
        };
        let r = soi_seed::scale::run(
            &sys,
            &db,
            spec,
            std::io::IsTerminal::is_terminal(&std::io::stderr()),
        )
        .await
        .context("scale seed failed")?;
        println!(
            "{} cities ({} seeded now): {} participants, {} sessions, {} attendance rows in {:.1}s",
            r.cities,
            r.cities_seeded,
            r.participants,
            r.sessions,
            r.attendance,
            r.elapsed.as_secs_f64()
        );
    }
    db.close().await;
    sys.close().await;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_setting_has_one_name_and_one_variable() {
        Cli::command().debug_assert();
    }
}
