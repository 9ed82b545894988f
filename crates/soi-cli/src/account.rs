//! `soi account invite` and `soi city launch --admin`: the operator's way
//! to a city's first accounts. An invitation is made in the city's tenant
//! transaction as system work (audited as such) and emailed through the
//! outbox like any other: the mail worker (`soi worker`, or `soi serve`
//! with SOI_WORKER_IN_SERVE) sends it.

use crate::config::Config;
use anyhow::{Context, Result, bail};
use clap::{Args, ValueEnum};
use soi_core::{CoachId, Email, Language, Role, SystemCtx};
use soi_db::Db;
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
    #[arg(long, value_name = "SLUG")]
    pub city: String,
    /// What the account will be.
    #[arg(long, value_enum)]
    pub role: InviteRole,
    /// With --role coach: the coach record (id) the account acts as.
    #[arg(long, value_name = "ID")]
    pub coach: Option<uuid::Uuid>,
    /// The language of the invitation email.
    #[arg(long, value_enum, default_value = "ru")]
    pub language: LanguageArg,
    #[command(flatten)]
    pub config: Config,
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
