//! Accounts in tests: inviting, reading the link out of the email the sink
//! received, accepting, accounts made directly with a known password, and
//! reset links made to expire.

use crate::mail::{Received, Sink};
use crate::{TestApp, TestDb};
use serde_json::{Value, json};
use soi_core::{CityId, Email, Role};
use soi_db::SystemDb;
use soi_db::auth::accounts::{self, NewAccount};

/// A password the policy accepts.
pub const GOOD_PASSWORD: &str = "copper lantern orbit meadow";

pub const INVITE_STAFF: &str = "mutation($e: String!, $r: StaffRole!, $c: ID, $l: Language) { inviteStaff(email: $e, role: $r, coachId: $c, language: $l) { id email role coachId expiresAt } }";
pub const ACCEPT: &str = "mutation($t: String!, $p: String!) { acceptInvitation(token: $t, password: $p) { accessToken refreshToken role } }";

/// The token of the link to `path` (`accept-invitation`, `reset-password`)
/// in a received email's text part.
pub fn link_token(mail: &Received, path: &str) -> String {
    let marker = format!("/{path}?token=");
    let start = mail
        .text
        .find(&marker)
        .unwrap_or_else(|| panic!("no {path} link in: {}", mail.text))
        + marker.len();
    mail.text[start..]
        .split(|c: char| c.is_whitespace())
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// Waits for the first email to `recipient` with a link to `path` (other
/// mail may come first: a new admin hears of certificates too).
pub async fn wait_for_link(sink: &Sink, recipient: &str, path: &str) -> Received {
    let marker = format!("/{path}?token=");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        if let Some(m) = sink
            .received(recipient)
            .into_iter()
            .find(|m| m.text.contains(&marker))
        {
            return m;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{recipient}: no {path} link in 30 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// The tokens of every distinct link to `path` that `recipient` received,
/// once there are `n` of them (in no particular order: the sink's file
/// order is not the sending order).
pub async fn wait_for_tokens(sink: &Sink, recipient: &str, path: &str, n: usize) -> Vec<String> {
    let marker = format!("/{path}?token=");
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(30);
    loop {
        let mut tokens: Vec<String> = sink
            .received(recipient)
            .iter()
            .filter(|m| m.text.contains(&marker))
            .map(|m| link_token(m, path))
            .collect();
        tokens.sort();
        tokens.dedup();
        if tokens.len() >= n {
            return tokens;
        }
        assert!(
            tokio::time::Instant::now() < deadline,
            "{recipient}: {} of {n} {path} links in 30 s",
            tokens.len()
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
}

/// Makes every reset link of the account with `email` expired (an hour
/// ago), as the owner: the clock the tests cannot wait for.
pub async fn expire_resets(t: &TestDb, email: &str) {
    let done = sqlx::query(
        "update password_resets set created_at = now() - interval '2 hours', \
         expires_at = now() - interval '1 hour' \
         where account_id = (select id from accounts where email = $1)",
    )
    .bind(email)
    .execute(&mut t.raw().await)
    .await
    .expect("expire resets");
    assert!(done.rows_affected() > 0, "{email} has no reset to expire");
}

/// Invites `email` as `role` ("CHAPTER_ADMIN", "COACH") with the admin's
/// token; returns the whole response.
pub async fn invite_staff(
    app: &TestApp,
    admin: &str,
    email: &str,
    role: &str,
    coach: Option<&str>,
    language: &str,
) -> Value {
    app.graphql_as(
        Some(admin),
        INVITE_STAFF,
        json!({ "e": email, "r": role, "c": coach, "l": language }),
    )
    .await
    .1
}

/// Accepts with `token` and `password`; the whole response.
pub async fn accept(app: &TestApp, token: &str, password: &str) -> Value {
    app.graphql(ACCEPT, json!({ "t": token, "p": password }))
        .await
        .1
}

/// Signs in with a password; the whole response.
pub async fn login_with(app: &TestApp, email: &str, password: &str) -> Value {
    app.graphql(
        "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken role } }",
        json!({ "e": email, "p": password }),
    )
    .await
    .1
}

/// A chapter admin account of `city` with `password`, made through the
/// owner's connection (as seeds do); returns its id.
pub async fn admin_with_password(
    sys: &SystemDb,
    city: CityId,
    email: &str,
    password: &str,
) -> uuid::Uuid {
    let pw = password.to_owned();
    let hash = tokio::task::spawn_blocking(move || soi_auth::hash_password(&pw))
        .await
        .expect("hashing")
        .expect("hash");
    accounts::create_as_owner(
        sys,
        &NewAccount {
            email: Email::parse(email).expect("email"),
            password_hash: hash,
            principal_role: Role::ChapterAdmin,
            city: Some(city),
            coach: None,
            participant: None,
        },
    )
    .await
    .expect("account")
}
