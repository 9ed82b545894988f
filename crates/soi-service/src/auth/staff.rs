//! A city's staff accounts as its admins manage them: who they are, their
//! pending invitations, disabling, enabling and changing roles. Every change
//! that takes rights away ends the account's sessions (the accounts trigger
//! bumps its session version and revokes its refresh tokens).

use soi_core::{CoachId, InputError, Role};
use soi_db::auth::accounts::{self, CityAccount};
use soi_db::auth::invitations::{self, Invitation};
use soi_db::program::coaches;
use soi_db::{Error, Result, TenantTx};
use uuid::Uuid;

/// The city's staff and the invitations still open.
#[derive(Debug, Clone)]
pub struct Staff {
    pub accounts: Vec<CityAccount>,
    pub pending: Vec<Invitation>,
}

pub async fn list(tx: &mut TenantTx) -> Result<Staff> {
    Ok(Staff {
        accounts: accounts::of_city(tx, &[Role::ChapterAdmin, Role::Coach]).await?,
        pending: invitations::pending(tx).await?,
    })
}

/// Disables or enables an account of the city. Nobody disables themselves
/// (a chapter must not lock out its last admin by a slip).
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn set_disabled(
    tx: &mut TenantTx,
    acting: Uuid,
    account: Uuid,
    disabled: bool,
) -> Result<CityAccount> {
    if disabled && account == acting {
        return Err(Error::Conflict(
            "you cannot disable your own account".into(),
        ));
    }
    accounts::in_city(tx, account).await?;
    accounts::set_disabled(tx, account, disabled).await?;
    accounts::in_city(tx, account).await
}

/// Moves a staff account to another staff role: a chapter admin, or a coach
/// acting as a coach record of the city that has no account yet.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn change_role(
    tx: &mut TenantTx,
    acting: Uuid,
    account: Uuid,
    role: Role,
    coach: Option<CoachId>,
) -> Result<CityAccount> {
    if account == acting {
        return Err(Error::Conflict("you cannot change your own role".into()));
    }
    let current = accounts::in_city(tx, account).await?;
    if !matches!(current.role.as_str(), "chapter_admin" | "coach") {
        return Err(Error::Conflict("only staff accounts change roles".into()));
    }
    match (role, coach) {
        (Role::ChapterAdmin, None) => {}
        (Role::Coach, Some(c)) => {
            coaches::get(tx, c).await?;
            if accounts::of_coach(tx, c)
                .await?
                .is_some_and(|other| other != account)
            {
                return Err(Error::Conflict("this coach already has an account".into()));
            }
        }
        (Role::Coach, None) => {
            return Err(InputError::new("coachId", "is required for a coach").into());
        }
        (Role::ChapterAdmin, Some(_)) => {
            return Err(InputError::new("coachId", "is only for coaches").into());
        }
        _ => return Err(InputError::new("role", "must be a staff role").into()),
    }
    accounts::set_staff_role(tx, account, role, coach).await?;
    accounts::in_city(tx, account).await
}

/// Revokes a pending invitation of the city: its link stops working.
#[tracing::instrument(skip_all, fields(city = %tx.city(), request_id = tx.request_id()))]
pub async fn revoke_invitation(tx: &mut TenantTx, id: Uuid) -> Result<Invitation> {
    invitations::revoke(tx, id).await
}
