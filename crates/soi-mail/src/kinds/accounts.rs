//! Emails that carry a single-use link: an invitation to create an account,
//! and a password reset. The link holds a secret token; the outbox row
//! keeps it only sealed ([`soi_auth::Sealer`]), and the worker opens it to
//! render `link` (see [`open_link`]), so the database never holds a usable
//! token.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use soi_auth::Sealer;
use soi_core::Language;
use soi_db::mail::outbox;
use soi_db::{MailTx, Result};
use uuid::Uuid;

pub const INVITATION: &str = "invitation";
pub const PASSWORD_RESET: &str = "password_reset";

/// The payload field holding the sealed link.
const SEALED: &str = "sealed_link";

/// `invitation`: the invitee's role decides the wording.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Invitation {
    /// `chapter_admin`, `coach` or `participant`.
    pub role: String,
    pub expires_at: DateTime<Utc>,
    pub sealed_link: String,
}

/// `password_reset`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PasswordReset {
    pub expires_at: DateTime<Utc>,
    pub sealed_link: String,
}

/// What a seal is bound to: the email's kind and recipient (the worker
/// opens with the row's own, so a changed recipient does not open).
fn context(kind: &str, recipient: &str) -> Vec<u8> {
    format!("{kind}\n{}", recipient.trim().to_lowercase()).into_bytes()
}

pub(super) fn seal(sealer: &Sealer, link: &str, kind: &str, recipient: &str) -> Result<String> {
    sealer
        .seal(link, &context(kind, recipient))
        .ok_or_else(|| soi_db::Error::Unavailable("no randomness to seal a link".into()))
}

/// Enqueues the invitation email. Key: `invitation:<invitation id>`.
#[allow(clippy::too_many_arguments)]
pub async fn invitation(
    tx: &mut impl MailTx,
    sealer: &Sealer,
    invitation: Uuid,
    email: &str,
    language: Language,
    role: &str,
    expires_at: DateTime<Utc>,
    link: &str,
) -> Result<()> {
    let payload = super::json(Invitation {
        role: role.to_owned(),
        expires_at,
        sealed_link: seal(sealer, link, INVITATION, email)?,
    })?;
    let key = format!("{INVITATION}:{invitation}");
    outbox::enqueue(tx, INVITATION, &key, email, language, &payload).await?;
    Ok(())
}

/// Enqueues a password reset email. Key: `password_reset:<reset nonce>`
/// (each request is its own email).
pub async fn password_reset(
    tx: &mut impl MailTx,
    sealer: &Sealer,
    email: &str,
    language: Language,
    expires_at: DateTime<Utc>,
    link: &str,
) -> Result<()> {
    let payload = super::json(PasswordReset {
        expires_at,
        sealed_link: seal(sealer, link, PASSWORD_RESET, email)?,
    })?;
    let key = format!("{PASSWORD_RESET}:{}", Uuid::now_v7());
    outbox::enqueue(tx, PASSWORD_RESET, &key, email, language, &payload).await?;
    Ok(())
}

/// The payload a template sees: a sealed link opened into `link`. `Err`
/// when the payload has a sealed link this worker cannot open (no secret
/// configured, or another one than the sender's): the email is parked, not
/// sent without its link.
pub fn open_link<'a>(
    payload: &'a serde_json::Value,
    sealer: Option<&Sealer>,
    kind: &str,
    recipient: &str,
) -> std::result::Result<std::borrow::Cow<'a, serde_json::Value>, &'static str> {
    let Some(sealed) = payload.get(SEALED).and_then(|v| v.as_str()) else {
        return Ok(std::borrow::Cow::Borrowed(payload));
    };
    let link = sealer
        .ok_or("the worker has no SOI_JWT_SECRET to open the link with")?
        .open(sealed, &context(kind, recipient))
        .ok_or(
            "the link does not open: sealed with another SOI_JWT_SECRET, or the row was changed",
        )?;
    let mut open = payload.clone();
    if let Some(map) = open.as_object_mut() {
        map.remove(SEALED);
        map.insert("link".into(), serde_json::Value::String(link));
    }
    Ok(std::borrow::Cow::Owned(open))
}
