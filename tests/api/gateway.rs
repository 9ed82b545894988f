//! The gateway over HTTP: GraphQL over HTTP rules, health, limits and the
//! public operations.

use serde_json::json;
use soi_tests::{TestApp, TestDb, codes};

#[tokio::test]
async fn health_and_readiness_answer() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    let alive = app
        .http
        .get(app.url("/healthz"))
        .send()
        .await
        .expect("healthz");
    assert_eq!(alive.status(), 200);
    let ready: serde_json::Value = app
        .http
        .get(app.url("/readyz"))
        .send()
        .await
        .expect("readyz")
        .json()
        .await
        .expect("json");
    assert_eq!(ready["postgres"], "up");
    assert!(
        ready["status"] == "ready" || ready["status"] == "degraded",
        "{ready}"
    );
}

#[tokio::test]
async fn the_public_sees_cities_and_open_seasons() {
    let (_t, app) = TestApp::seeded().await;
    let (status, body) = app
        .graphql("{ cities { slug nameKk timeZone } openSeasons(city: \"astana\") { title capacity seatsLeft } }", json!({}))
        .await;
    assert_eq!(status, 200);
    let slugs: Vec<&str> = body["data"]["cities"]
        .as_array()
        .expect("cities")
        .iter()
        .filter_map(|c| c["slug"].as_str())
        .collect();
    assert_eq!(slugs, ["almaty", "astana", "shymkent"]);
    let open = body["data"]["openSeasons"].as_array().expect("seasons");
    assert_eq!(open.len(), 1, "{body}");
    assert_eq!(open[0]["title"], "Students on Ice 2027–2028");
    assert_eq!(open[0]["seatsLeft"], 40);
}

#[tokio::test]
async fn an_unknown_city_is_not_found() {
    let (_t, app) = TestApp::seeded().await;
    let (_, body) = app
        .graphql("{ openSeasons(city: \"atlantis\") { title } }", json!({}))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"]);
}

#[tokio::test]
async fn http_rules_are_kept() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    let url = app.url("/graphql");

    let r = app
        .http
        .post(&url)
        .header("content-type", "text/plain")
        .body("{ cities { slug } }")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 415);

    let r = app
        .http
        .post(&url)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(codes(&body), ["BAD_USER_INPUT"]);

    let r = app
        .http
        .get(format!("{url}?query=mutation%20%7B%20x%20%7D"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 405);

    let r = app
        .http
        .get(format!("{url}?query=%7B%20cities%20%7B%20slug%20%7D%20%7D"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);

    // A browser is sent to the GraphiQL built with the dashboard (no CDN).
    let r = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .get(&url)
        .header("accept", "text/html")
        .send()
        .await
        .expect("graphiql");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/#graphiql");

    let r = app
        .http
        .post(&url)
        .header("accept", "application/graphql-response+json")
        .json(&json!({ "query": "{ cities { slug } }" }))
        .send()
        .await
        .expect("post");
    assert_eq!(
        r.headers()["content-type"],
        "application/graphql-response+json"
    );
    assert!(r.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn a_ten_megabyte_body_is_refused_and_its_connection_closed() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    let padding = "x".repeat(10 << 20);
    let r = app
        .http
        .post(app.url("/graphql"))
        .header("content-type", "application/json")
        .body(format!(
            "{{\"query\": \"{{ cities {{ slug }} }}\", \"x\": \"{padding}\"}}"
        ))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 413);
    // The unread rest of the body cannot be taken for a next request.
    assert_eq!(r.headers()["connection"], "close");
}

#[tokio::test]
async fn a_deep_query_gets_a_typed_error() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    let bomb = format!(
        "{{ __schema {{ types {{ fields {{ type {} name {} }} }} }} }}",
        "{ ofType ".repeat(20),
        "}".repeat(20)
    );
    let national = soi_tests::tokens::account(&t, None, soi_core::Role::National).await;
    let token = soi_tests::tokens::token(&t, national, 900).await;
    let (_, body) = app.graphql_as(Some(&token), &bomb, json!({})).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    let (_, body) = app.graphql("{ nope }", json!({})).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
}

/// A long chain of shallow fragments passes the parser's nesting limit;
/// the gate's walks of the document must refuse it for its depth before
/// following it, or one anonymous request would take the gateway down.
#[tokio::test]
async fn a_chain_of_fragments_is_refused_and_the_gateway_serves_on() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    let n = 15_000;
    let mut chain = String::from("{ ...F0 }");
    for i in 0..n {
        chain.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{} }}", i + 1));
    }
    chain.push_str(&format!(
        " fragment F{n} on QueryRoot {{ cities {{ slug }} }}"
    ));
    assert!(chain.len() < 1 << 20, "within the body limit");
    let (_, body) = app.graphql(&chain, json!({})).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("recursion depth")),
        "{body}"
    );
    let (_, body) = app.graphql("{ cities { slug } }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");
}

#[tokio::test]
async fn alias_bombs_wide_roots_and_huge_batches_are_refused() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    let aliases: String = (0..31).map(|i| format!("a{i}: slug ")).collect();
    let (_, body) = app
        .graphql(&format!("{{ cities {{ {aliases} }} }}"), json!({}))
        .await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("aliases")
    );

    let roots: String = (0..21).map(|_| "cities { slug } ").collect();
    let (_, body) = app.graphql(&format!("{{ {roots} }}"), json!({})).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");

    let one = json!({ "query": "{ cities { slug } }" });
    let r = app
        .http
        .post(app.url("/graphql"))
        .json(&vec![one.clone(); 1000])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 400);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(codes(&body), ["BAD_USER_INPUT"]);

    let r = app
        .http
        .post(app.url("/graphql"))
        .json(&vec![one; 3])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    let body: serde_json::Value = r.json().await.expect("json");
    assert_eq!(body.as_array().map(Vec::len), Some(3), "{body}");
}
