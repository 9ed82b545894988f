//! Inviting someone to an account of the city, and accepting.

use super::{AccountTx, Links, new_token};
use chrono::Utc;
use soi_core::states::EnrollmentStatus;
use soi_core::{CoachId, Email, InputError, Language, ParticipantId, Role};
use soi_db::auth::invitations::{self, Accepted, Invitation, NewInvitation};
use soi_db::auth::{accounts, national_audit};
use soi_db::program::{coaches, enrollments, participants};
use soi_db::{Error, Result, SystemDb, TenantTx};
use soi_mail::kinds::accounts as mail;
use uuid::Uuid;

/// Whom to invite, as what.
#[derive(Debug, Clone)]
pub struct Invite {
    pub email: Email,
    pub role: Role,
    /// The coach record a coach's account acts as.
    pub coach: Option<CoachId>,
    pub participant: Option<ParticipantId>,
    pub language: Language,
    /// The admin who invites; `None` for the operator's CLI.
    pub invited_by: Option<Uuid>,
}

/// Invites to an account of the transaction's city and emails the link.
/// Checks what the account will act as: a coach record of the city that has
/// no account yet, or an accepted participant; the address must not have an
/// account in the city already. Inviting the same address again replaces the
/// pending invitation.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id(), role = invite.role.code()))]
pub async fn invite(tx: &mut TenantTx, links: &Links, invite: &Invite) -> Result<Invitation> {
    match (invite.role, invite.coach, invite.participant) {
        (Role::ChapterAdmin, None, None) => {}
        (Role::Coach, Some(coach), None) => {
            coaches::get(tx, coach).await?;
            if accounts::of_coach(tx, coach).await?.is_some() {
                return Err(Error::Conflict("this coach already has an account".into()));
            }
        }
        (Role::Participant, None, Some(participant)) => {
            let who = participants::get(tx, participant).await?;
            if who.email != invite.email.as_str() {
                return Err(InputError::new("email", "is not the participant's address").into());
            }
            if !in_program(tx, participant).await? {
                return Err(Error::Conflict(
                    "only accepted participants get an account".into(),
                ));
            }
        }
        (Role::Coach, None, _) => {
            return Err(InputError::new("coachId", "is required to invite a coach").into());
        }
        (Role::National, ..) => {
            return Err(
                InputError::new("role", "national accounts are invited by the operator").into(),
            );
        }
        _ => return Err(InputError::new("role", "does not fit the other fields").into()),
    }
    if accounts::email_in_city(tx, invite.email.as_str()).await? {
        return Err(Error::Conflict(
            "an account with this email exists in this city".into(),
        ));
    }
    let (token, hash) = new_token()?;
    let expires_at = Utc::now() + links.invitation_ttl;
    let made = invitations::create(
        tx,
        &NewInvitation {
            email: invite.email.as_str(),
            role: invite.role,
            coach: invite.coach,
            participant: invite.participant,
            language: invite.language,
            token_hash: &hash,
            expires_at,
            invited_by: invite.invited_by,
        },
    )
    .await?;
    mail::invitation(
        tx,
        &links.sealer,
        made.id,
        &made.email,
        invite.language,
        invite.role.code(),
        expires_at,
        &links.invitation(&token),
    )
    .await?;
    Ok(made)
}

/// Invites a participant of the city to their self-service account, at the
/// address on their record, in `language` or their own.
pub async fn invite_participant(
    tx: &mut TenantTx,
    links: &Links,
    participant: ParticipantId,
    language: Option<Language>,
    invited_by: Option<Uuid>,
) -> Result<Invitation> {
    let record = participants::get(tx, participant).await?;
    let email = Email::parse(&record.email)?;
    invite(
        tx,
        links,
        &Invite {
            email,
            role: Role::Participant,
            coach: None,
            participant: Some(participant),
            language: language.unwrap_or(record.preferred_language),
            invited_by,
        },
    )
    .await
}

/// Whether the participant holds or held a seat in some season.
async fn in_program(tx: &mut TenantTx, participant: ParticipantId) -> Result<bool> {
    Ok(enrollments::statuses_of_participant(tx, participant)
        .await?
        .into_iter()
        .any(EnrollmentStatus::holds_seat))
}

/// Accepts an invitation in the transaction's city (the invitation's own,
/// found through the narrow path by the caller; a national one in a
/// transaction with no city): creates the account with the given password
/// hash (checked against the policy by the caller). Audited only when an
/// account was made, with its ids, in the same transaction (a refused
/// attempt writes nothing).
#[tracing::instrument(skip_all)]
pub async fn accept(
    tx: &mut impl AccountTx,
    token_hash: &[u8],
    password_hash: &str,
    language: Option<Language>,
    request_id: Option<&str>,
) -> Result<Accepted> {
    let out = invitations::accept(tx, token_hash, password_hash, language).await?;
    if let Accepted::Account {
        account,
        invitation,
        ..
    } = &out
    {
        let targets = serde_json::json!({ "accountId": account, "invitationId": invitation });
        tx.audit(*account, "acceptInvitation", &targets, request_id)
            .await?;
    }
    Ok(out)
}

/// A national invitation made: its id and when its link stops working.
#[derive(Debug, Clone, Copy)]
pub struct NationalInvitation {
    pub id: Uuid,
    pub expires_at: chrono::DateTime<Utc>,
}

/// Invites `email` to a national account (the alliance's dashboard): the
/// operator's work, on the owner's connection, since no API caller may make
/// one. The invitation, its email (the national mailbox) and the national
/// audit row commit together. `Conflict` when the address has an account.
#[tracing::instrument(skip_all)]
pub async fn invite_national(
    sys: &SystemDb,
    links: &Links,
    email: &Email,
    language: Language,
    job: &str,
) -> Result<NationalInvitation> {
    let (token, hash) = new_token()?;
    let expires_at = Utc::now() + links.invitation_ttl;
    let mut tx = sys.begin().await?;
    let Some(id) =
        invitations::create_national(&mut tx, email.as_str(), language, &hash, expires_at).await?
    else {
        return Err(Error::Conflict("an account with this email exists".into()));
    };
    mail::invitation(
        &mut tx,
        &links.sealer,
        id,
        email.as_str(),
        language,
        Role::National.code(),
        expires_at,
        &links.invitation(&token),
    )
    .await?;
    let targets = serde_json::json!({ "invitationId": id });
    national_audit::record(&mut tx, None, Some(job), "inviteNational", &targets, None).await?;
    tx.commit().await?;
    Ok(NationalInvitation { id, expires_at })
}
