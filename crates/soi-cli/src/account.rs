//! `soi account invite` and `soi city launch --admin`: the operator's way
//! to a city's first accounts, and to the alliance's national ones. A city
//! invitation is made in the city's tenant transaction as system work
//! (audited as such); a national one on the owner's connection (no API
//! caller may make one), audited in the national log. Both are emailed
//! through an outbox like any other: the mail worker (`soi worker`, or
//! `soi serve` with SOI_WORKER_IN_SERVE) sends them.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use soi_core::{CoachId, Email, Language, Role, SystemCtx};
use soi_db::{Db, SystemDb};
use soi_service::auth::invitations::{self, Invite};

const JOB: SystemCtx = SystemCtx::new("cli-invite");

/// The staff roles an operator invites to.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum InviteRole {
    ChapterAdmin,
    Coach,
}

/// The languages of the program, as flags take them.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum LanguageArg {
    Kk,
    Ru,
    En,
}

impl From<LanguageArg> for Language {
    fn from(l: LanguageArg) -> Self {
        match l {
            LanguageArg::Kk => Language::Kk,
            LanguageArg::Ru => Language::Ru,
            LanguageArg::En => Language::En,
        }
    }
}

#[derive(Args)]
pub struct InviteArgs {
    /// The invitee's email address.
    pub email: String,
    /// The city (slug) whose account it is.
    #[arg(long, value_name = "SLUG", required_unless_present = "national")]
    pub city: Option<String>,
    /// What the account will be.
    #[arg(long, value_enum, required_unless_present = "national")]
    pub role: Option<InviteRole>,
    /// With --role coach: the coach record (id) the account acts as.
    #[arg(long, value_name = "ID")]
    pub coach: Option<uuid::Uuid>,
    /// A national account (the alliance's dashboard: aggregates only)
    /// instead of a city's.
    #[arg(long, conflicts_with_all = ["city", "role", "coach"])]
    pub national: bool,
    /// The language of the invitation email.
    #[arg(long, value_enum, default_value = "ru")]
    pub language: LanguageArg,
    #[command(flatten)]
    pub config: Config,
}

/// `soi account invite`.
pub async fn run(args: InviteArgs) -> Result<()> {
    let language = args.language.into();
    match (args.national, args.city.as_deref(), args.role) {
        (true, ..) => invite_national(&args.config, &args.email, language).await,
        (false, Some(city), Some(role)) => {
            invite(&args.config, city, &args.email, role, args.coach, language).await
        }
        _ => bail!("give --city and --role, or --national"),
    }
}

/// Invites `email` to a national account; prints what was done.
async fn invite_national(config: &Config, email: &str, language: Language) -> Result<()> {
    let links = config.links()?;
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    let sys = SystemDb::connect(&config.db()).await?;
    let made = invitations::invite_national(&sys, &links, &email, language, JOB.job()).await;
    sys.close().await;
    let made = made.map_err(|e| match e {
        soi_db::Error::Conflict(why) => anyhow::anyhow!("not invited: {why}"),
        e => anyhow::Error::new(e).context("cannot invite"),
    })?;
    println!(
        "invited to a national account (invitation {}, link valid until {}); the mail worker sends it",
        made.id,
        made.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(())
}

/// Invites `email` to an account of the city `slug`; prints where it went.
pub async fn invite(
    config: &Config,
    slug: &str,
    email: &str,
    role: InviteRole,
    coach: Option<uuid::Uuid>,
    language: Language,
) -> Result<()> {
    let links = config.links()?;
    let email = Email::parse(email).map_err(|e| anyhow::anyhow!("{}: {}", e.field, e.message))?;
    let db = Db::connect(&config.db()).await?;
    let city = {
        let mut tx = db.national().await?;
        let all = soi_db::cities::list(&mut tx).await?;
        tx.commit().await?;
        all.into_iter()
            .find(|c| c.slug == slug)
            .with_context(|| format!("no city {slug}; launch it first (soi city launch)"))?
    };
    let role = match (role, coach) {
        (InviteRole::ChapterAdmin, None) => Role::ChapterAdmin,
        (InviteRole::Coach, Some(_)) => Role::Coach,
        (InviteRole::Coach, None) => bail!("--role coach needs --coach ID (the coach record)"),
        (InviteRole::ChapterAdmin, Some(_)) => bail!("--coach goes with --role coach"),
    };
    let mut tx = db.tenant(&JOB.in_city(city.id)).await?;
    let made = invitations::invite(
        &mut tx,
        &links,
        &Invite {
            email,
            role,
            coach: coach.map(CoachId::from),
            participant: None,
            language,
            invited_by: None,
        },
    )
    .await?;
    soi_db::audit::record(
        &mut tx,
        "inviteStaff",
        &serde_json::json!({ "invitationId": made.id }),
        None,
    )
    .await?;
    tx.commit().await?;
    db.close().await;
    // The address is the operator's own input: not echoed (no personal data
    // in output that ends up in logs).
    println!(
        "invited to {} as {} (invitation {}, link valid until {}); the mail worker sends it",
        city.slug,
        role.code(),
        made.id,
        made.expires_at.format("%Y-%m-%d %H:%M UTC")
    );
    Ok(())
}
