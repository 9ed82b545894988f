//! Every query and mutation that takes an id, tried by Astana's users with
//! ids from Almaty: never data, only NOT_FOUND (or a role's FORBIDDEN, or a
//! BAD_USER_INPUT that stops before any lookup), and Almaty unchanged. The
//! operations come from introspection, so a new one is swept without editing
//! this test.

use serde_json::{Map, Value, json};
use soi_tests::{TestApp, TestDb, codes};
use sqlx::PgConnection;

const INTROSPECT: &str = "{ __schema { queryType { name } mutationType { name } types { name kind
  fields { name args { name type { ...T } } type { ...T } }
  inputFields { name type { ...T } } enumValues { name } } } }
  fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }";

/// An id of every kind of Almaty row (read as the owner).
async fn almaty_ids(t: &TestDb) -> Vec<String> {
    let mut conn = t.raw().await;
    let city: uuid::Uuid = sqlx::query_scalar("select id from cities where slug = 'almaty'")
        .fetch_one(&mut conn)
        .await
        .expect("city");
    let mut ids = Vec::new();
    for table in [
        "seasons",
        "enrollments",
        "participants",
        "coaches",
        "coach_certificates",
        "rinks",
        "groups",
        "training_sessions",
        "events",
        "event_partners",
        "performances",
        "ticket_types",
        "ticket_orders",
        "tickets",
        "payments",
        "sponsors",
        "contributions",
        "social_causes",
        "expenses",
        "disbursements",
        "ledger_entries",
        "audit_log",
    ] {
        let id: uuid::Uuid = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select id from {table} where city_id = $1 order by id limit 1"
        )))
        .bind(city)
        .fetch_one(&mut conn)
        .await
        .expect(table);
        ids.push(id.to_string());
    }
    ids
}

/// A digest of Almaty's rows in every city table.
async fn almaty_digest(conn: &mut PgConnection) -> String {
    let tables = soi_tests::catalog::city_tables(conn).await;
    let mut parts = Vec::new();
    for t in tables {
        let d: Option<String> = sqlx::query_scalar(sqlx::AssertSqlSafe(format!(
            "select md5(string_agg(x::text, '|' order by x::text)) from {t} x \
             where city_id = (select id from cities where slug = 'almaty')"
        )))
        .fetch_one(&mut *conn)
        .await
        .expect("digest");
        parts.push(format!("{t}:{}", d.unwrap_or_default()));
    }
    parts.join(",")
}

fn named(ty: &Value) -> &Value {
    if ty["ofType"].is_null() {
        ty
    } else {
        named(&ty["ofType"])
    }
}

fn type_string(ty: &Value) -> String {
    match ty["kind"].as_str() {
        Some("NON_NULL") => format!("{}!", type_string(&ty["ofType"])),
        Some("LIST") => format!("[{}]", type_string(&ty["ofType"])),
        _ => ty["name"].as_str().expect("name").to_owned(),
    }
}

/// A value for a type: the id for ids, plausible values otherwise.
fn value_for(ty: &Value, field: &str, id: &str, types: &Map<String, Value>) -> Value {
    match ty["kind"].as_str() {
        Some("NON_NULL") => value_for(&ty["ofType"], field, id, types),
        Some("LIST") => json!([value_for(&ty["ofType"], field, id, types)]),
        _ => {
            let name = ty["name"].as_str().expect("name");
            match name {
                "ID" => json!(id),
                "String" if field == "city" => json!("astana"),
                "String" if field.contains("email") => json!("sweep@example.kz"),
                "String" => json!("Sweep"),
                "Int" | "Tiyn" => json!(1),
                "Float" => json!(1.0),
                "Boolean" => json!(true),
                "Date" => json!("2026-12-01"),
                "DateTime" => json!("2027-07-01T10:00:00Z"),
                _ => {
                    let t = &types[name];
                    match t["kind"].as_str() {
                        Some("ENUM") => t["enumValues"][0]["name"].clone(),
                        Some("INPUT_OBJECT") => {
                            let mut obj = Map::new();
                            for f in t["inputFields"].as_array().expect("fields") {
                                if f["type"]["kind"] == "NON_NULL" {
                                    let fname = f["name"].as_str().expect("name");
                                    obj.insert(
                                        fname.to_owned(),
                                        value_for(&f["type"], fname, id, types),
                                    );
                                }
                            }
                            if name == "SessionInput" {
                                obj.insert("endsAt".into(), json!("2027-07-01T11:00:00Z"));
                            }
                            Value::Object(obj)
                        }
                        _ => json!(null),
                    }
                }
            }
        }
    }
}

/// Whether a type is an id or an input object holding one.
fn has_id(ty: &Value, types: &Map<String, Value>) -> bool {
    let name = named(ty)["name"].as_str().unwrap_or_default();
    name == "ID"
        || types.get(name).is_some_and(|t| {
            t["kind"] == "INPUT_OBJECT"
                && t["inputFields"]
                    .as_array()
                    .is_some_and(|fs| fs.iter().any(|f| has_id(&f["type"], types)))
        })
}

#[tokio::test]
async fn astana_users_never_reach_almaty_rows_through_any_operation() {
    let t = TestDb::new().await;
    t.seed_demo(1).await;
    let app = TestApp::spawn(&t).await;
    let ids = almaty_ids(&t).await;
    let before = almaty_digest(&mut t.raw().await).await;
    let tokens = [
        app.login("admin@astana.soi.test").await,
        app.login("coach@astana.soi.test").await,
        app.login("student@astana.soi.test").await,
    ];
    let (_, schema) = app
        .graphql_as(Some(&tokens[0]), INTROSPECT, json!({}))
        .await;
    let types: Map<String, Value> = schema["data"]["__schema"]["types"]
        .as_array()
        .expect("types")
        .iter()
        .map(|t| (t["name"].as_str().expect("name").to_owned(), t.clone()))
        .collect();

    let mut swept = Vec::new();
    for (root, keyword) in [("QueryRoot", "query"), ("MutationRoot", "mutation")] {
        for field in types[root]["fields"].as_array().expect("fields") {
            let args = field["args"].as_array().expect("args");
            let takes_id = args.iter().any(|a| has_id(&a["type"], &types));
            if !takes_id {
                continue;
            }
            let name = field["name"].as_str().expect("name");
            let required: Vec<&Value> = args
                .iter()
                .filter(|a| a["type"]["kind"] == "NON_NULL" || has_id(&a["type"], &types))
                .collect();
            let decl: Vec<String> = required
                .iter()
                .enumerate()
                .map(|(i, a)| format!("$a{i}: {}", type_string(&a["type"])))
                .collect();
            let pass: Vec<String> = required
                .iter()
                .enumerate()
                .map(|(i, a)| format!("{}: $a{i}", a["name"].as_str().expect("arg")))
                .collect();
            let ret = &types[named(&field["type"])["name"].as_str().expect("type")];
            let ret_name = ret["name"].as_str().expect("name");
            let selection = if ret_name.ends_with("Connection") {
                "{ edges { __typename } }"
            } else if matches!(ret["kind"].as_str(), Some("OBJECT" | "INTERFACE" | "UNION")) {
                "{ __typename }"
            } else {
                ""
            };
            let query = format!(
                "{keyword}({}) {{ {name}({}) {selection} }}",
                decl.join(", "),
                pass.join(", ")
            );
            for id in &ids {
                let vars: Map<String, Value> = required
                    .iter()
                    .enumerate()
                    .map(|(i, a)| {
                        (
                            format!("a{i}"),
                            value_for(&a["type"], a["name"].as_str().expect("arg"), id, &types),
                        )
                    })
                    .collect();
                for token in &tokens {
                    let (status, body) = app
                        .graphql_as(Some(token), &query, Value::Object(vars.clone()))
                        .await;
                    assert_eq!(status, 200, "{name}: {body}");
                    let data = &body["data"][name];
                    let empty = data.is_null()
                        || data.as_array().is_some_and(Vec::is_empty)
                        || data["edges"].as_array().is_some_and(Vec::is_empty);
                    assert!(empty, "{name} returned data for an Almaty id {id}: {body}");
                    for code in codes(&body) {
                        assert!(
                            ["NOT_FOUND", "FORBIDDEN", "BAD_USER_INPUT"].contains(&code.as_str()),
                            "{name} with Almaty id {id} answered {code}: {body}"
                        );
                    }
                }
            }
            swept.push(name.to_owned());
        }
    }
    assert!(
        swept.len() >= 20,
        "only {} operations take ids: {swept:?}",
        swept.len()
    );
    for must in [
        "season",
        "participant",
        "decideApplication",
        "recordAttendance",
        "scheduleSession",
        "addCertificate",
        "event",
        "publicEvent",
        "reserveTickets",
        "recordPayment",
        "refundOrder",
        "giveToCause",
        "reverseLedgerEntry",
        "receiveContribution",
        "setPerformers",
    ] {
        assert!(
            swept.iter().any(|s| s == must),
            "{must} was not swept: {swept:?}"
        );
    }
    assert_eq!(
        almaty_digest(&mut t.raw().await).await,
        before,
        "Almaty's rows changed"
    );
}
