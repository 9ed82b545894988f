//! Signing in: demo accounts, tokens that must verify, rotating refresh tokens.

use base64::Engine;
use serde_json::{Value, json};
use soi_auth::TokenKeys;
use soi_core::{CityId, Principal, Role};
use soi_tests::{TestApp, codes};

const LOGIN: &str = "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken refreshToken expiresIn role } }";

async fn login(app: &TestApp, email: &str) -> Value {
    let (_, body) = app
        .graphql(
            LOGIN,
            json!({ "e": email, "p": soi_seed::demo::DEFAULT_PASSWORD }),
        )
        .await;
    body["data"]["login"].clone()
}

#[tokio::test]
async fn every_demo_account_signs_in_and_is_known_to_me() {
    let (_t, app) = TestApp::seeded().await;
    for (email, role, city) in [
        ("admin@almaty.soi.test", "CHAPTER_ADMIN", json!("almaty")),
        ("coach@astana.soi.test", "COACH", json!("astana")),
        (
            "student@shymkent.soi.test",
            "PARTICIPANT",
            json!("shymkent"),
        ),
        ("national@soi.test", "NATIONAL", Value::Null),
    ] {
        let tokens = login(&app, email).await;
        assert_eq!(tokens["role"], role, "{email}");
        assert_eq!(tokens["expiresIn"], 900);
        let token = tokens["accessToken"].as_str().expect("token");
        let (_, me) = app
            .graphql_as(Some(token), "{ me { email role city } }", json!({}))
            .await;
        assert_eq!(
            me["data"]["me"],
            json!({ "email": email, "role": role, "city": city })
        );
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_look_the_same() {
    let (_t, app) = TestApp::seeded().await;
    let (_, wrong) = app
        .graphql(LOGIN, json!({ "e": "admin@almaty.soi.test", "p": "guess" }))
        .await;
    let (_, unknown) = app
        .graphql(
            LOGIN,
            json!({ "e": "nobody@almaty.soi.test", "p": "guess" }),
        )
        .await;
    assert_eq!(codes(&wrong), ["UNAUTHENTICATED"]);
    assert_eq!(
        wrong["errors"][0]["message"],
        unknown["errors"][0]["message"]
    );
    let (_, me) = app.graphql("{ me { email } }", json!({})).await;
    assert_eq!(codes(&me), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn bad_tokens_are_refused_with_401() {
    let (_t, app) = TestApp::seeded().await;
    let good = login(&app, "admin@almaty.soi.test").await["accessToken"]
        .as_str()
        .expect("token")
        .to_owned();
    let principal = Principal::new(
        uuid::Uuid::new_v4(),
        Role::ChapterAdmin,
        Some(CityId::new()),
        None,
        None,
    )
    .expect("p");
    let expired = TokenKeys::new(&soi_tests::TEST_JWT_SECRET.to_owned().into(), 900)
        .issue(&principal, 1_000)
        .expect("token");
    let foreign = TokenKeys::new(
        &"some-other-key-some-other-key-12345".to_owned().into(),
        900,
    )
    .issue(&principal, chrono::Utc::now().timestamp() as u64)
    .expect("token");
    let parts: Vec<&str> = good.split('.').collect();
    let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
    let payload = String::from_utf8(b64.decode(parts[1]).expect("b64"))
        .expect("utf8")
        .replace("CHAPTER_ADMIN", "X");
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64.encode(payload.replace("chapter_admin", "national")),
        parts[2]
    );
    let none = format!(
        "{}.{}.",
        b64.encode(r#"{"alg":"none","typ":"JWT"}"#),
        parts[1]
    );
    for (what, token) in [
        ("expired", expired),
        ("foreign key", foreign),
        ("tampered", tampered),
        ("alg none", none),
        ("garbage", "abc".into()),
    ] {
        let (status, body) = app
            .graphql_as(Some(&token), "{ cities { slug } }", json!({}))
            .await;
        assert_eq!(status, 401, "{what}");
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{what}");
    }
    let (status, _) = app
        .graphql_as(Some(&good), "{ cities { slug } }", json!({}))
        .await;
    assert_eq!(status, 200);
}

#[tokio::test]
async fn refresh_tokens_rotate_and_a_reused_one_ends_the_sign_in() {
    let (_t, app) = TestApp::seeded().await;
    const REFRESH: &str =
        "mutation($r: String!) { refreshToken(refreshToken: $r) { accessToken refreshToken } }";
    let first = login(&app, "coach@almaty.soi.test").await["refreshToken"]
        .as_str()
        .expect("r")
        .to_owned();
    let (_, body) = app.graphql(REFRESH, json!({ "r": first })).await;
    let second = body["data"]["refreshToken"]["refreshToken"]
        .as_str()
        .expect("rotated")
        .to_owned();
    assert_ne!(first, second);
    // The first one again: refused, and the whole sign-in is revoked.
    let (_, reused) = app.graphql(REFRESH, json!({ "r": first })).await;
    assert_eq!(codes(&reused), ["UNAUTHENTICATED"]);
    let (_, after) = app.graphql(REFRESH, json!({ "r": second })).await;
    assert_eq!(codes(&after), ["UNAUTHENTICATED"]);

    let third = login(&app, "coach@almaty.soi.test").await["refreshToken"]
        .as_str()
        .expect("r")
        .to_owned();
    let (_, out) = app
        .graphql(
            "mutation($r: String!) { logout(refreshToken: $r) }",
            json!({ "r": third }),
        )
        .await;
    assert_eq!(out["data"]["logout"], true);
    let (_, gone) = app.graphql(REFRESH, json!({ "r": third })).await;
    assert_eq!(codes(&gone), ["UNAUTHENTICATED"]);
}

#[tokio::test]
async fn introspection_is_for_signed_in_users() {
    let (_t, app) = TestApp::seeded().await;
    let (_, anon) = app
        .graphql("{ __schema { queryType { name } } }", json!({}))
        .await;
    assert_eq!(codes(&anon), ["UNAUTHENTICATED"], "{anon}");
    let hidden = "{ ...F } fragment F on QueryRoot { __schema { queryType { name } } }";
    let (_, behind_fragment) = app.graphql(hidden, json!({})).await;
    assert_eq!(
        behind_fragment["data"]["__schema"],
        Value::Null,
        "{behind_fragment}"
    );
    let token = login(&app, "admin@almaty.soi.test").await["accessToken"]
        .as_str()
        .expect("t")
        .to_owned();
    let (_, signed) = app
        .graphql_as(
            Some(&token),
            "{ __schema { queryType { name } } }",
            json!({}),
        )
        .await;
    assert_eq!(signed["data"]["__schema"]["queryType"]["name"], "QueryRoot");
}

#[tokio::test]
async fn a_signed_in_user_sets_the_language_of_their_staff_emails() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@astana.soi.test").await;
    let set = "mutation($l: Language!) { setMyLanguage(language: $l) }";
    let (_, body) = app
        .graphql_as(Some(&admin), set, json!({ "l": "KK" }))
        .await;
    assert_eq!(body["data"]["setMyLanguage"], true, "{body}");
    let stored: String =
        sqlx::query_scalar("select language from accounts where email = 'admin@astana.soi.test'")
            .fetch_one(&mut t.raw().await)
            .await
            .expect("language");
    assert_eq!(stored, "kk");
    let (_, body) = app.graphql(set, json!({ "l": "EN" })).await;
    assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{body}");
    let (_, body) = app
        .graphql_as(Some(&admin), set, json!({ "l": "DE" }))
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_take_the_same_time() {
    let (_t, app) = TestApp::seeded().await;
    // Interleaved from clients of their own, so both classes meet the same
    // load; each attempt verifies an argon2id hash (a decoy for an unknown
    // address) and writes one audit row, so neither is a multiple of the
    // other.
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..7 {
        for (email, times, net) in [
            ("admin@almaty.soi.test", &mut known, 5),
            ("nobody@almaty.soi.test", &mut unknown, 6),
        ] {
            let started = std::time::Instant::now();
            let (_, body) = app
                .graphql_from(
                    &format!("10.{net}.0.{i}"),
                    LOGIN,
                    json!({ "e": email, "p": "not the password" }),
                )
                .await;
            times.push(started.elapsed());
            assert_eq!(codes(&body), ["UNAUTHENTICATED"]);
        }
    }
    known.sort();
    unknown.sort();
    let (k, u) = (known[3], unknown[3]);
    assert!(
        k < u * 2 && u < k * 2,
        "median known {k:?} vs unknown {u:?}"
    );
}
