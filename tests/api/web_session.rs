//! The dashboard's session cookie (`/web/session`): set httpOnly and
//! SameSite=Strict for its own path, renewed once per refresh token, revoked
//! by sign-out, and refused to a call without the CSRF header or from
//! another origin.

use serde_json::{Value, json};
use soi_tests::TestApp;

fn cookie_of(res: &reqwest::Response) -> Option<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.starts_with("soi_refresh="))
        .map(str::to_owned)
}

fn value(set_cookie: &str) -> String {
    let pair = set_cookie.split(';').next().unwrap_or_default();
    pair.trim_start_matches("soi_refresh=").to_owned()
}

async fn post(
    app: &TestApp,
    path: &str,
    origin: Option<&str>,
    csrf: bool,
    cookie: Option<&str>,
    body: Option<Value>,
) -> reqwest::Response {
    let mut req = app.http.post(app.url(&format!("/web/session{path}")));
    if let Some(o) = origin {
        req = req.header("origin", o);
    }
    if csrf {
        req = req.header("x-soi-csrf", "1");
    }
    if let Some(c) = cookie {
        req = req.header("cookie", format!("soi_refresh={c}"));
    }
    if let Some(b) = body {
        req = req.json(&b);
    }
    req.send().await.expect("answer")
}

#[tokio::test]
async fn a_session_cookie_renews_once_and_sign_out_revokes_it() {
    let (_t, app) = TestApp::seeded().await;
    let origin = app.url("").trim_end_matches('/').to_owned();
    let creds =
        json!({ "email": "national@soi.test", "password": soi_seed::demo::DEFAULT_PASSWORD });

    let signed_in = post(&app, "", Some(&origin), true, None, Some(creds)).await;
    assert_eq!(signed_in.status(), 200);
    let set = cookie_of(&signed_in).expect("a session cookie");
    for part in [
        "HttpOnly",
        "SameSite=Strict",
        "Path=/web/session",
        "Max-Age=",
    ] {
        assert!(set.contains(part), "{set}");
    }
    assert!(!set.contains("Secure"), "plain http in tests: {set}");
    let body: Value = signed_in.json().await.expect("json");
    assert_eq!(body["data"]["role"], "NATIONAL");
    assert!(body["data"]["accessToken"].is_string());
    assert!(
        body["data"].get("refreshToken").is_none(),
        "the refresh token stays in the cookie"
    );
    let first = value(&set);

    let renewed = post(&app, "/refresh", Some(&origin), true, Some(&first), None).await;
    let second = value(&cookie_of(&renewed).expect("a new cookie"));
    let body: Value = renewed.json().await.expect("json");
    assert!(body["data"]["accessToken"].is_string(), "{body}");
    assert_ne!(first, second);

    let out = post(&app, "/logout", Some(&origin), true, Some(&second), None).await;
    assert!(cookie_of(&out).expect("cleared").contains("Max-Age=0"));
    let after = post(&app, "/refresh", Some(&origin), true, Some(&second), None).await;
    let body: Value = after.json().await.expect("json");
    assert_eq!(
        body["errors"][0]["extensions"]["code"], "UNAUTHENTICATED",
        "{body}"
    );

    // No cookie at all: nothing to resume, and no error for a page just opened.
    let none = post(&app, "/refresh", Some(&origin), true, None, None).await;
    assert_eq!(
        none.json::<Value>().await.expect("json"),
        json!({ "data": null })
    );
}

#[tokio::test]
async fn a_session_call_without_the_header_or_from_another_origin_is_refused() {
    let (_t, app) = TestApp::seeded().await;
    let origin = app.url("").trim_end_matches('/').to_owned();
    let creds =
        json!({ "email": "national@soi.test", "password": soi_seed::demo::DEFAULT_PASSWORD });
    let signed_in = post(&app, "", Some(&origin), true, None, Some(creds.clone())).await;
    let token = value(&cookie_of(&signed_in).expect("cookie"));
    for (path, origin, csrf) in [
        ("/refresh", Some(origin.as_str()), false),
        ("/refresh", Some("https://evil.example"), true),
        ("/refresh", None, true),
        ("/logout", Some("https://evil.example"), true),
    ] {
        let res = post(&app, path, origin, csrf, Some(&token), None).await;
        assert_eq!(res.status(), 403, "{path} {origin:?} {csrf}");
        assert!(
            cookie_of(&res).is_none(),
            "a refused call leaves the cookie"
        );
    }
    let refused = post(
        &app,
        "",
        Some("https://evil.example"),
        true,
        None,
        Some(creds),
    )
    .await;
    assert_eq!(refused.status(), 403);
    // The refused calls used nothing: the token still renews.
    let renewed = post(&app, "/refresh", Some(&origin), true, Some(&token), None).await;
    let body: Value = renewed.json().await.expect("json");
    assert!(body["data"]["accessToken"].is_string(), "{body}");
}
