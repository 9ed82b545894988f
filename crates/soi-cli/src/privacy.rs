//! `soi privacy`: the operator's side of the personal-data rules. A
//! withdrawal of consent received on paper and an erasure on request, each
//! in the city's tenant transaction as the system job `cli-privacy`
//! (audited by ids, as the API's are), and one retention run now. Output
//! names ids and counts, never a person.

use crate::config::Config;
use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use soi_core::{CityId, ParticipantId, SystemCtx};
use soi_db::Db;
use soi_service::privacy;

const JOB: SystemCtx = SystemCtx::new("cli-privacy");

#[derive(Subcommand)]
pub enum PrivacyCommand {
    /// Record a participant's withdrawal of consent (erasure after the grace period).
    WithdrawConsent(PersonArgs),
    /// Erase a participant's personal data now (every figure stays as it was).
    Erase(PersonArgs),
    /// Erase now whatever the retention rules say is due, in every city.
    RunRetention(Config),
}

#[derive(Args)]
pub struct PersonArgs {
    /// The city (slug) of the participant.
    #[arg(long)]
    pub city: String,
    /// The participant's id.
    pub participant: uuid::Uuid,
    #[command(flatten)]
    pub config: Config,
}

impl PrivacyCommand {
    pub fn config(&self) -> &Config {
        match self {
            PrivacyCommand::WithdrawConsent(a) | PrivacyCommand::Erase(a) => &a.config,
            PrivacyCommand::RunRetention(c) => c,
        }
    }
}

pub async fn run(cmd: PrivacyCommand) -> Result<()> {
    let config = cmd.config();
    let policy = config.privacy()?;
    let db = Db::connect(&config.db()).await?;
    let done = match &cmd {
        PrivacyCommand::WithdrawConsent(a) => withdraw(&db, &policy, a).await,
        PrivacyCommand::Erase(a) => erase(&db, a).await,
        PrivacyCommand::RunRetention(_) => {
            let r = privacy::run_retention(&db, &policy, chrono::Utc::now()).await?;
            println!(
                "retention: {} erased, {} cities failed",
                r.erased, r.failed_cities
            );
            Ok(())
        }
    };
    db.close().await;
    done
}

async fn city_of(db: &Db, slug: &str) -> Result<CityId> {
    let mut tx = db.national().await?;
    let all = soi_db::cities::list(&mut tx).await?;
    tx.commit().await?;
    all.into_iter()
        .find(|c| c.slug == slug)
        .map(|c| c.id)
        .with_context(|| format!("no city {slug}"))
}

fn not_found(e: soi_db::Error) -> anyhow::Error {
    match e {
        soi_db::Error::NotFound(_) => anyhow::anyhow!("no such participant in this city"),
        e => anyhow::Error::new(e),
    }
}

async fn withdraw(db: &Db, policy: &privacy::Policy, a: &PersonArgs) -> Result<()> {
    let city = city_of(db, &a.city).await?;
    let id = ParticipantId::from(a.participant);
    let mut tx = db.tenant(&JOB.in_city(city)).await?;
    let w = privacy::withdraw_consent(&mut tx, policy, id)
        .await
        .map_err(not_found)?;
    soi_db::audit::record(
        &mut tx,
        "withdrawConsent",
        &serde_json::json!({ "participantId": id.to_string() }),
        None,
    )
    .await?;
    tx.commit().await?;
    println!(
        "consent withdrawn for {id}: {} applications withdrawn, erasure due {}",
        w.withdrawn.len(),
        w.participant.erasure_due_at.map_or_else(
            || "-".into(),
            |d| d.format("%Y-%m-%d %H:%M UTC").to_string()
        )
    );
    Ok(())
}

async fn erase(db: &Db, a: &PersonArgs) -> Result<()> {
    let city = city_of(db, &a.city).await?;
    let id = ParticipantId::from(a.participant);
    let mut tx = db.tenant(&JOB.in_city(city)).await?;
    let e = privacy::erase(&mut tx, id).await.map_err(not_found)?;
    if e.erased {
        soi_db::audit::record(
            &mut tx,
            "eraseParticipant",
            &serde_json::json!({ "participantId": id.to_string() }),
            None,
        )
        .await?;
    }
    tx.commit().await?;
    if e.erased {
        println!(
            "erased {id}: account {}, {} ticket orders, {} unsent emails deleted, {} sent emails scrubbed",
            if e.account { "erased" } else { "none" },
            e.ticket_orders,
            e.emails_deleted,
            e.emails_scrubbed
        );
    } else {
        println!("{id} was already erased; nothing changed");
    }
    Ok(())
}
