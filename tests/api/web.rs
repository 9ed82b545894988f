//! The web dashboard's pages as the gateway serves them from a built folder:
//! security headers on every answer, nothing outside the build reachable,
//! and a missing build explained, not a panic.

use soi_tests::{TestApp, TestDb};
use std::path::PathBuf;

/// A stand-in for `web/dist`: an index page and one hashed asset.
fn built_folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("soi-web-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(dir.join("assets")).expect("assets folder");
    std::fs::write(
        dir.join("index.html"),
        "<!doctype html><script type=module src=/assets/app-Ab1_x.js></script>",
    )
    .expect("index");
    std::fs::write(dir.join("assets/app-Ab1_x.js"), "console.log(1)").expect("asset");
    std::fs::write(dir.join("secret.txt"), "not for the web").expect("secret");
    dir
}

async fn gateway(t: &TestDb, web_dir: PathBuf) -> TestApp {
    let redis = std::env::var("REDIS_URL").unwrap_or_else(|_| "redis://127.0.0.1:6379".into());
    TestApp::spawn_with(t, &redis, |s| s.web_dir = Some(web_dir)).await
}

fn assert_security_headers(res: &reqwest::Response) {
    let h = res.headers();
    let csp = h["content-security-policy"].to_str().expect("csp");
    let script_src = csp
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .expect("script-src");
    assert_eq!(script_src, "script-src 'self'", "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert_eq!(h["referrer-policy"], "no-referrer");
}

#[tokio::test]
async fn the_dashboard_is_served_with_security_headers_and_nothing_outside_its_build() {
    let t = TestDb::new().await;
    let dir = built_folder();
    let app = gateway(&t, dir.clone()).await;

    let page = app.http.get(app.url("/")).send().await.expect("page");
    assert_eq!(page.status(), 200);
    assert_security_headers(&page);
    assert_eq!(page.headers()["content-type"], "text/html; charset=utf-8");
    assert_eq!(page.headers()["cache-control"], "no-cache");
    assert!(
        page.text()
            .await
            .expect("body")
            .contains("/assets/app-Ab1_x.js")
    );

    let asset = app
        .http
        .get(app.url("/assets/app-Ab1_x.js"))
        .send()
        .await
        .expect("asset");
    assert_eq!(asset.status(), 200);
    assert_security_headers(&asset);
    assert_eq!(
        asset.headers()["content-type"],
        "text/javascript; charset=utf-8"
    );
    assert!(
        asset.headers()["cache-control"]
            .to_str()
            .expect("cache")
            .contains("immutable")
    );

    for path in [
        "/assets/missing.js",
        "/assets/..%2Fsecret.txt",
        "/assets/.hidden",
        "/secret.txt",
    ] {
        let res = app.http.get(app.url(path)).send().await.expect("request");
        assert_eq!(res.status(), 404, "{path}");
        assert!(
            !res.text().await.expect("body").contains("not for the web"),
            "{path}"
        );
    }
    std::fs::remove_dir_all(dir).expect("clean up");
}

#[tokio::test]
async fn a_missing_build_answers_503_saying_how_to_build_it() {
    let t = TestDb::new().await;
    let dir = std::env::temp_dir().join(format!("soi-web-none-{}", uuid::Uuid::new_v4()));
    let app = gateway(&t, dir).await;

    let res = app.http.get(app.url("/")).send().await.expect("page");
    assert_eq!(res.status(), 503);
    assert_security_headers(&res);
    assert!(res.text().await.expect("body").contains("npm run build"));
    // GraphQL is unaffected.
    let (status, _) = app
        .graphql("{ cities { slug } }", serde_json::json!({}))
        .await;
    assert_eq!(status, 200);
}
