//! Sign-in: `login`, `refreshToken` (rotating), `logout`, and `me`. Passwords
//! are checked with argon2id off the async runtime; an unknown email costs the
//! same as a wrong password.

use crate::{ErrorCode, RequestCtx, db_error};
use async_graphql::{Context, Enum, Error, Object, Result, SimpleObject};
use chrono::{Duration, Utc};
use soi_auth::TokenKeys;
use soi_core::{Principal, Role};
use soi_db::accounts::{self, RefreshUse};
use soi_db::{Db, cities};

/// Settings of sign-in, in the schema data.
#[derive(Clone)]
pub struct AuthSettings {
    pub keys: TokenKeys,
    pub refresh_ttl: Duration,
}

/// A user's role.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum UserRole {
    /// The alliance: aggregates of every city.
    National,
    /// Runs one city chapter.
    ChapterAdmin,
    /// Trains groups in one city.
    Coach,
    /// A student of the program.
    Participant,
}

impl From<Role> for UserRole {
    fn from(r: Role) -> Self {
        match r {
            Role::National => Self::National,
            Role::ChapterAdmin => Self::ChapterAdmin,
            Role::Coach => Self::Coach,
            Role::Participant => Self::Participant,
        }
    }
}

/// Tokens after signing in or refreshing.
#[derive(SimpleObject)]
pub struct AuthPayload {
    /// Send as `Authorization: Bearer <accessToken>`.
    pub access_token: String,
    /// Seconds until the access token expires.
    pub expires_in: i64,
    /// Use once with `refreshToken` for a new pair; keep it secret.
    pub refresh_token: String,
    /// The signed-in user's role.
    pub role: UserRole,
}

/// The signed-in user.
#[derive(SimpleObject)]
pub struct Me {
    /// Sign-in email.
    pub email: String,
    /// The user's role.
    pub role: UserRole,
    /// Slug of the user's city; none for the national role.
    pub city: Option<String>,
}

fn unauthenticated() -> Error {
    ErrorCode::Unauthenticated.error("wrong email or password")
}

async fn issue(
    db: &Db,
    settings: &AuthSettings,
    p: &Principal,
    family: uuid::Uuid,
    req: &RequestCtx,
) -> Result<AuthPayload> {
    let now = Utc::now();
    let access = settings
        .keys
        .issue(p, u64::try_from(now.timestamp()).unwrap_or_default())
        .map_err(|_| ErrorCode::Internal.error("cannot issue a token"))?;
    let (refresh, hash) = soi_auth::new_refresh_token()
        .map_err(|_| ErrorCode::Internal.error("cannot issue a token"))?;
    let run = async {
        let mut tx = db.national().await?;
        accounts::store_refresh(
            &mut tx,
            p.account(),
            family,
            &hash,
            now + settings.refresh_ttl,
        )
        .await?;
        tx.commit().await
    };
    run.await.map_err(|e| db_error(e, req.request_id()))?;
    Ok(AuthPayload {
        access_token: access,
        expires_in: i64::try_from(settings.keys.ttl_secs).unwrap_or(i64::MAX),
        refresh_token: refresh,
        role: p.role().into(),
    })
}

#[derive(Default)]
pub struct AuthMutation;

#[Object]
impl AuthMutation {
    /// Signs in with email and password.
    async fn login(
        &self,
        ctx: &Context<'_>,
        email: String,
        password: String,
    ) -> Result<AuthPayload> {
        let (db, settings, req) = (
            ctx.data::<Db>()?,
            ctx.data::<AuthSettings>()?,
            ctx.data::<RequestCtx>()?,
        );
        if email.len() > 254 || password.len() > 1024 {
            return Err(unauthenticated());
        }
        // Counted before the password is checked, so guessing costs attempts
        // whatever the answer; the email is hashed in the counter's key.
        let who = email.trim().to_lowercase();
        crate::throttle::check(
            ctx,
            soi_cache::Scope::National,
            crate::throttle::LOGIN_PER_EMAIL,
            &who,
        )
        .await?;
        let client = crate::throttle::client(ctx);
        crate::throttle::check(
            ctx,
            soi_cache::Scope::National,
            crate::throttle::LOGIN_PER_CLIENT,
            &client,
        )
        .await?;
        let run = async {
            let mut tx = db.national().await?;
            let found = accounts::by_email(&mut tx, email.trim()).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(found)
        };
        let account = run.await.map_err(|e| db_error(e, req.request_id()))?;
        let hash = account.as_ref().map_or_else(
            || soi_auth::decoy_hash().to_owned(),
            |a| a.password_hash.clone(),
        );
        let matches =
            tokio::task::spawn_blocking(move || soi_auth::verify_password(&password, &hash))
                .await
                .map_err(|_| ErrorCode::Internal.error("sign-in failed"))?;
        let principal = match account {
            Some(a) if matches && !a.disabled => a.principal().ok_or_else(unauthenticated)?,
            _ => return Err(unauthenticated()),
        };
        issue(db, settings, &principal, uuid::Uuid::now_v7(), req).await
    }

    /// Trades a refresh token for a new pair. Each refresh token works once;
    /// presenting a used one signs out every session of that sign-in.
    async fn refresh_token(&self, ctx: &Context<'_>, refresh_token: String) -> Result<AuthPayload> {
        let (db, settings, req) = (
            ctx.data::<Db>()?,
            ctx.data::<AuthSettings>()?,
            ctx.data::<RequestCtx>()?,
        );
        let hash = soi_auth::refresh_hash(&refresh_token);
        let run = async {
            let mut tx = db.national().await?;
            let used = accounts::use_refresh(&mut tx, &hash).await?;
            let account = match used {
                RefreshUse::Fresh { account, .. } => Some(accounts::get(&mut tx, account).await?),
                _ => None,
            };
            // Commit also when the token was reused: the family stays revoked.
            tx.commit().await?;
            Ok::<_, soi_db::Error>((used, account))
        };
        let (used, account) = run.await.map_err(|e| db_error(e, req.request_id()))?;
        match (used, account) {
            (RefreshUse::Fresh { family, .. }, Some(a)) if !a.disabled => {
                let p = a.principal().ok_or_else(unauthenticated)?;
                issue(db, settings, &p, family, req).await
            }
            _ => Err(ErrorCode::Unauthenticated.error("the refresh token is not valid")),
        }
    }

    /// Sets the language of the emails you receive as staff (a chapter
    /// admin's certificate notices); any signed-in user.
    async fn set_my_language(
        &self,
        ctx: &Context<'_>,
        language: crate::applications::Lang,
    ) -> Result<bool> {
        let (db, req) = (ctx.data::<Db>()?, ctx.data::<RequestCtx>()?);
        let p = *req.require(ANY_ROLE)?;
        let run = async {
            let mut tx = db.national().await?;
            accounts::set_language(&mut tx, p.account(), language.into()).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(true)
        };
        run.await.map_err(|e| db_error(e, req.request_id()))
    }

    /// Signs out the sign-in this refresh token belongs to.
    async fn logout(&self, ctx: &Context<'_>, refresh_token: String) -> Result<bool> {
        let (db, req) = (ctx.data::<Db>()?, ctx.data::<RequestCtx>()?);
        let hash = soi_auth::refresh_hash(&refresh_token);
        let run = async {
            let mut tx = db.national().await?;
            let known = accounts::revoke(&mut tx, &hash).await?;
            tx.commit().await?;
            Ok::<_, soi_db::Error>(known)
        };
        run.await.map_err(|e| db_error(e, req.request_id()))
    }
}

/// Every signed-in role.
const ANY_ROLE: &[Role] = &[
    Role::National,
    Role::ChapterAdmin,
    Role::Coach,
    Role::Participant,
];

#[derive(Default)]
pub struct AuthQuery;

#[Object]
impl AuthQuery {
    /// The signed-in user.
    async fn me(&self, ctx: &Context<'_>) -> Result<Me> {
        let (db, req) = (ctx.data::<Db>()?, ctx.data::<RequestCtx>()?);
        let p = *req.require(ANY_ROLE)?;
        let run = async {
            let mut tx = db.national().await?;
            let account = accounts::get(&mut tx, p.account()).await?;
            let city = match p.city() {
                Some(id) => cities::list(&mut tx)
                    .await?
                    .into_iter()
                    .find(|c| c.id == id)
                    .map(|c| c.slug),
                None => None,
            };
            tx.commit().await?;
            Ok::<_, soi_db::Error>((account, city))
        };
        let (account, city) = run.await.map_err(|e| db_error(e, req.request_id()))?;
        Ok(Me {
            email: account.email,
            role: p.role().into(),
            city,
        })
    }
}
