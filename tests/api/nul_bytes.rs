//! Text PostgreSQL cannot store (a NUL byte, which any JSON string may
//! carry) is the client's input, never a server fault: found by the GraphQL
//! fuzz run (`deploy/fuzz/fuzz_graphql.py`), where such arguments answered
//! `INTERNAL`.

use serde_json::json;
use soi_tests::{TestApp, codes};

const NUL: &str = "al\u{0}maty";

#[tokio::test]
async fn a_nul_byte_in_any_argument_is_refused_typed() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    // (token, query, variables, the code it must answer)
    let cases: &[(bool, &str, serde_json::Value, &str)] = &[
        // A slug that cannot be a slug names no city.
        (
            false,
            "query($c: String!) { openSeasons(city: $c) { id } }",
            json!({ "c": NUL }),
            "NOT_FOUND",
        ),
        (
            false,
            "query($c: String!) { publicEvents(city: $c) { id } }",
            json!({ "c": NUL }),
            "NOT_FOUND",
        ),
        (
            false,
            "query($c: String!) { transparencyReport(city: $c) { city } }",
            json!({ "c": NUL }),
            "NOT_FOUND",
        ),
        (
            false,
            "query($k: String!) { ticketOrder(city: \"almaty\", orderId: \"019dcbd2-9e6d-421d-9e18-493e479a1c24\", accessKey: $k) { status } }",
            json!({ "k": NUL }),
            "BAD_USER_INPUT",
        ),
        (
            false,
            "mutation($e: String!) { login(email: $e, password: \"skate-on-ice-2026\") { accessToken } }",
            json!({ "e": "admin\u{0}@almaty.soi.test" }),
            "BAD_USER_INPUT",
        ),
        (
            true,
            "query($o: String) { auditLog(operation: $o) { edges { node { id } } } }",
            json!({ "o": NUL }),
            "BAD_USER_INPUT",
        ),
    ];
    for (signed_in, query, variables, want) in cases {
        let token = signed_in.then_some(admin.as_str());
        let (status, body) = app.graphql_as(token, query, variables.clone()).await;
        assert!(status < 500, "{query}: HTTP {status} {body}");
        assert_eq!(codes(&body), [*want], "{query}: {body}");
    }
}
