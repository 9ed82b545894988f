//! The operation label of `/metrics` takes only the schema's root fields:
//! whatever names a client makes up, they become `unknown`, so no client can
//! grow the number of series.

use serde_json::json;
use soi_tests::{TestApp, TestDb};

#[tokio::test]
async fn made_up_field_names_leave_no_series_in_metrics() {
    let t = TestDb::new().await;
    let app = TestApp::spawn(&t).await;
    for n in 0..25 {
        let (_, body) = app
            .graphql(&format!("{{ madeUpField{n} {{ x }} }}"), json!({}))
            .await;
        assert!(body["errors"].is_array(), "{body}");
    }
    let (_, body) = app
        .graphql("query Named { aliasOnMadeUp: madeUpAliased }", json!({}))
        .await;
    assert!(body["errors"].is_array(), "{body}");
    let (_, body) = app.graphql("{ cities { slug } }", json!({})).await;
    assert!(body["errors"].is_null(), "{body}");

    let text = app.metrics_text().await;
    assert!(!text.contains("madeUp"), "{text}");
    assert!(!text.contains("aliasOnMadeUp"), "{text}");
    assert!(
        text.contains("operation=\"unknown\",outcome=\"error\"} 26"),
        "{text}"
    );
    assert!(text.contains("operation=\"cities\""), "{text}");
}
