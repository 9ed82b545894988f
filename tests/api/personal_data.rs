//! Access requests: a participant downloads everything the city holds about
//! them as JSON; a chapter admin downloads one person's data as JSON or as a
//! readable workbook, only in their own city; each download is audited, and
//! no secret or other person's data is in it.

use calamine::{Data, Reader, Xlsx};
use serde_json::Value;
use soi_tests::{TestApp, TestDb};

/// The participant id and email behind an account.
async fn person_of(t: &TestDb, account: &str) -> (String, String) {
    sqlx::query_as(
        "select p.id::text, p.email from accounts a \
         join participants p on p.city_id = a.home_city_id and p.id = a.participant_id \
         where a.email = $1",
    )
    .bind(account)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("person")
}

async fn count(t: &TestDb, sql: &'static str, bind: &str) -> usize {
    let n: i64 = sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(&mut t.raw().await)
        .await
        .expect("count");
    usize::try_from(n).expect("count")
}

fn rows<'a>(data: &'a Value, section: &str) -> &'a Vec<Value> {
    data["sections"][section]
        .as_array()
        .unwrap_or_else(|| panic!("no {section} in {data}"))
}

#[tokio::test]
async fn a_participant_downloads_everything_the_city_holds_about_them_and_nothing_else() {
    let (t, app) = TestApp::seeded().await;
    let student = app.login("student@almaty.soi.test").await;
    let (id, email) = person_of(&t, "student@almaty.soi.test").await;
    let got = app.download("/personal-data/me.json", Some(&student)).await;
    assert_eq!(got.status, 200, "{}", got.text());
    assert!(got.kind.starts_with("application/json"));
    assert!(got.disposition.contains(&id), "{}", got.disposition);
    let data: Value = serde_json::from_slice(&got.body).expect("json");
    assert_eq!(data["participantId"], id.as_str());
    assert_eq!(rows(&data, "person")[0]["email"], email.as_str());
    assert_eq!(
        rows(&data, "account")[0]["email"],
        "student@almaty.soi.test"
    );
    // Each section holds what the tables hold for this person.
    let by_person = [
        (
            "applications",
            "select count(*) from enrollments where participant_id = $1::uuid",
        ),
        (
            "attendance",
            "select count(*) from attendance where participant_id = $1::uuid",
        ),
        (
            "groups",
            "select count(*) from group_members where participant_id = $1::uuid",
        ),
        (
            "skills",
            "select count(*) from skill_assessments where participant_id = $1::uuid",
        ),
        (
            "performances",
            "select count(*) from performers where participant_id = $1::uuid",
        ),
    ];
    for (section, sql) in by_person {
        assert_eq!(
            rows(&data, section).len(),
            count(&t, sql, &id).await,
            "{section}"
        );
    }
    assert!(
        !rows(&data, "attendance").is_empty(),
        "the demo student trains"
    );
    let by_address = [
        (
            "emails",
            "select count(*) from outbox where recipient_email = $1",
        ),
        (
            "ticket_orders",
            "select count(*) from ticket_orders where buyer_email = $1",
        ),
    ];
    for (section, sql) in by_address {
        assert_eq!(
            rows(&data, section).len(),
            count(&t, sql, &email).await,
            "{section}"
        );
    }
    // Nobody else's address, and no secret.
    let text = got.text();
    let others: Vec<String> = sqlx::query_scalar(
        "select email from participants where email <> $1 \
         union select email from accounts where participant_id is distinct from $2::uuid",
    )
    .bind(&email)
    .bind(&id)
    .fetch_all(&mut t.raw().await)
    .await
    .expect("others");
    assert!(others.len() > 50);
    for other in &others {
        assert!(
            !text.contains(&format!("\"{other}\"")),
            "{other} is in the download"
        );
    }
    for secret in ["argon2", "password", "token_hash", "sealed_link"] {
        assert!(!text.contains(secret), "{secret} in the download");
    }
    // Only the participant's own: the admin form of the path is not theirs.
    let other = app
        .download(&format!("/personal-data/{id}.json"), Some(&student))
        .await;
    assert_eq!(other.status, 403);
    assert_eq!(
        app.download("/personal-data/me.json", None).await.status,
        401
    );
}

#[tokio::test]
async fn an_admin_downloads_one_persons_data_as_json_and_xlsx_only_in_their_city() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let (id, email) = person_of(&t, "student@almaty.soi.test").await;
    let json = app
        .download(&format!("/personal-data/{id}.json"), Some(&admin))
        .await;
    assert_eq!(json.status, 200, "{}", json.text());
    let data: Value = serde_json::from_slice(&json.body).expect("json");
    assert_eq!(rows(&data, "person")[0]["email"], email.as_str());

    let xlsx = app
        .download(&format!("/personal-data/{id}.xlsx"), Some(&admin))
        .await;
    assert_eq!(xlsx.status, 200, "{}", xlsx.text());
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.body)).expect("xlsx");
    let names = book.sheet_names();
    for sheet in [
        "about",
        "person",
        "applications",
        "attendance",
        "emails",
        "audit log",
    ] {
        assert!(names.iter().any(|n| n == sheet), "{sheet} in {names:?}");
    }
    let person = book.worksheet_range("person").expect("person");
    let header: Vec<Data> = person.rows().next().expect("header").to_vec();
    assert_eq!(header[1], Data::String("first name".into()));
    let cells: Vec<String> = person
        .rows()
        .nth(1)
        .expect("row")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert!(cells.contains(&email), "{cells:?}");

    // Another city's admin, a coach and nobody get nothing.
    let astana = app.login("admin@astana.soi.test").await;
    let elsewhere = app
        .download(&format!("/personal-data/{id}.json"), Some(&astana))
        .await;
    assert_eq!(elsewhere.status, 404, "{}", elsewhere.text());
    assert!(!elsewhere.text().contains(&email));
    let coach = app.login("coach@almaty.soi.test").await;
    let by_coach = app
        .download(&format!("/personal-data/{id}.json"), Some(&coach))
        .await;
    assert_eq!(by_coach.status, 403);
    let unknown = app
        .download(
            &format!("/personal-data/{}.json", uuid::Uuid::new_v4()),
            Some(&admin),
        )
        .await;
    assert_eq!(unknown.status, 404);

    // Each download is in the city's audit log, by id only.
    let logged: Vec<(String, Value)> = sqlx::query_as(
        "select actor_role, target_ids from audit_log where operation = 'personalDataDownload'",
    )
    .fetch_all(&mut t.raw().await)
    .await
    .expect("audit");
    assert_eq!(logged.len(), 2, "{logged:?}");
    for (role, targets) in logged {
        assert_eq!(role, "chapter_admin");
        assert_eq!(targets["participantId"], id.as_str());
    }
}
