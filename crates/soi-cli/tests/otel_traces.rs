//! `soi serve` exporting traces to an OTLP/HTTP collector: each GraphQL
//! operation is a span with the requester's city (from the token) and the
//! operation, its tenant transaction and statements are child spans in the
//! same trace, the last spans are sent when SIGTERM stops the gateway, and
//! nothing a client sent (an email, a password, a title) is in any export.
//! Without an endpoint, nothing is sent.

use serde_json::json;
use soi_tests::TestDb;
use soi_tests::otlp::{Collector, Span};
use std::time::Duration;
use support::children::{Gateway, serve};

mod support;

const ADMIN: &str = "admin@almaty.soi.test";
const TITLE: &str = "Traced season Жаңа маусым";

async fn seeded() -> TestDb {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    t
}

/// Signs in as Almaty's admin and creates a season: two operations, the
/// second in Almaty's tenant transaction.
async fn work(gateway: &Gateway) {
    let token = gateway.login(ADMIN).await;
    let body = gateway
        .graphql(
            Some(&token),
            "mutation($i: SeasonInput!) { createSeason(input: $i) { id } }",
            json!({ "i": { "title": TITLE, "socialTheme": "Clean air", "startsOn": "2027-10-01",
                           "endsOn": "2028-03-31", "capacity": 30, "autoAccept": false } }),
        )
        .await;
    assert!(body["errors"].is_null(), "{body}");
}

async fn stop(mut gateway: Gateway) {
    gateway.process.signal("TERM");
    let status = gateway.process.exit(Duration::from_secs(60)).await;
    assert!(status.success(), "{status:?}");
}

/// The request span of the operation whose root field is `operation`.
fn operation<'a>(spans: &'a [Span], operation: &str) -> &'a Span {
    spans
        .iter()
        .find(|s| {
            s.name == "graphql.request" && s.attr("graphql.operation.name") == Some(operation)
        })
        .unwrap_or_else(|| panic!("no request span of {operation} in {spans:#?}"))
}

/// The ancestors of `span` among `spans`, nearest first.
fn ancestors<'a>(spans: &'a [Span], span: &Span) -> Vec<&'a Span> {
    let mut out = Vec::new();
    let mut parent = span.parent_span_id.clone();
    while let Some(p) = spans
        .iter()
        .find(|s| s.span_id == parent && !parent.is_empty())
    {
        out.push(p);
        parent = p.parent_span_id.clone();
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_span_names_its_city_and_operation_and_holds_its_database_spans() {
    let t = seeded().await;
    let collector = Collector::start().await;
    let endpoint = collector.endpoint();
    let gateway = serve(
        &t,
        "traced gateway",
        &[("SOI_OTEL_ENDPOINT", endpoint.as_str())],
    )
    .await;
    work(&gateway).await;
    // The batch is sent on shutdown at the latest.
    stop(gateway).await;

    let spans = collector.spans();
    let request = operation(&spans, "createSeason");
    assert_eq!(request.service, "soi-gateway");
    assert_eq!(request.attr("soi.city"), Some("almaty"), "{request:#?}");
    assert_eq!(request.attr("graphql.operation.name"), Some("createSeason"));
    assert_eq!(request.attr("graphql.operation.type"), Some("mutation"));
    assert_eq!(request.attr("graphql.error.code"), None, "{request:#?}");
    let login = operation(&spans, "login");
    assert_eq!(login.attr("soi.city"), Some("public"), "{login:#?}");

    // Its tenant transaction and statements: same trace, below it.
    let below = |s: &&Span| {
        s.trace_id == request.trace_id
            && ancestors(&spans, s)
                .iter()
                .any(|a| a.span_id == request.span_id)
    };
    let transaction = spans
        .iter()
        .filter(below)
        .find(|s| s.name == "db.transaction")
        .unwrap_or_else(|| panic!("no transaction under the request: {spans:#?}"));
    assert_eq!(transaction.attr("db.system"), Some("postgresql"));
    let statements: Vec<&Span> = spans
        .iter()
        .filter(below)
        .filter(|s| s.attr("db.operation").is_some())
        .collect();
    let insert = statements
        .iter()
        .find(|s| s.attr("db.operation") == Some("INSERT"))
        .unwrap_or_else(|| panic!("no INSERT under the request: {statements:#?}"));
    assert_eq!(insert.attr("db.system"), Some("postgresql"));
    assert!(
        ancestors(&spans, insert)
            .iter()
            .any(|a| a.span_id == transaction.span_id),
        "the statement hangs under its transaction"
    );
    for kind in ["BEGIN", "COMMIT"] {
        assert!(
            statements
                .iter()
                .any(|s| s.attr("db.operation") == Some(kind)),
            "no {kind}: {statements:#?}"
        );
    }

    // Nothing the client sent, anywhere in what was exported.
    for secret in [ADMIN, soi_seed::demo::DEFAULT_PASSWORD, TITLE] {
        assert!(!collector.saw_bytes(secret), "{secret} was exported");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_an_endpoint_nothing_is_exported() {
    let t = seeded().await;
    // An exporter built without an endpoint would send where the traces
    // variable of the OpenTelemetry SDK says (else to its default,
    // 127.0.0.1:4318). `soi` does not read that variable, so point it at a
    // collector on a free port: nothing may come there, and the test does not
    // need the default port free. Only the sample ratio is ours: traces stay
    // off without an endpoint.
    let collector = Collector::start().await;
    let traces = format!("{}/v1/traces", collector.endpoint());
    let gateway = serve(
        &t,
        "untraced gateway",
        &[
            ("SOI_OTEL_SAMPLE_RATIO", "1"),
            ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", &traces),
            ("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"),
        ],
    )
    .await;
    work(&gateway).await;
    stop(gateway).await;
    assert_eq!(collector.exports(), 0);
}
