//! Forgotten and changed passwords: a reset request answers the same for
//! known and unknown addresses, before any of its work, and is limited per
//! address; the emailed link works once, expires, gives way to a newer one,
//! and ends every session; a new password must pass the policy; changing one
//! needs the current one and never overwrites a change made in between.

mod changes;
mod requests;
mod resets;

use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb};

const REQUEST: &str = "mutation($e: String!) { requestPasswordReset(email: $e) }";
const RESET: &str =
    "mutation($t: String!, $p: String!) { resetPassword(token: $t, newPassword: $p) }";
/// The password the tests' accounts start with.
const OLD: &str = "violet harbor quartz lantern";

async fn almaty(t: &TestDb) -> soi_core::CityId {
    t.city("almaty").await.id
}

/// A reset request's whole answer, from a client of its own.
async fn request(app: &TestApp, client: &str, email: &str) -> Value {
    app.graphql_from(client, REQUEST, json!({ "e": email }))
        .await
        .1
}

/// A reset with `token` to `password`; the whole answer.
async fn reset(app: &TestApp, token: &str, password: &str) -> Value {
    app.graphql(RESET, json!({ "t": token, "p": password }))
        .await
        .1
}
