//! Personal data (Law No. 94-V) through the API: a participant withdraws
//! their own consent, an admin records one on someone's behalf, and an
//! admin erases a person; who may do which, what each changes, and that
//! the figures and the audit log name nobody afterwards.

use chrono::{DateTime, Utc};
use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb, codes};

const WITHDRAW_MINE: &str =
    "mutation { withdrawMyConsent { participant { id consentWithdrawnAt erasureDueAt }
    withdrawn { id status } promoted { id } } }";
const WITHDRAW: &str = "mutation($p: ID!) { withdrawConsent(participantId: $p) {
    participant { id consentWithdrawnAt erasureDueAt } withdrawn { id status } } }";
const ERASE: &str = "mutation($id: ID!) { eraseParticipant(id: $id) {
    participantId erased accountErased ticketOrders emailsDeleted emailsScrubbed } }";
const SEARCH: &str =
    "query($s: String) { participants(search: $s, first: 100) { edges { node { id } } } }";
const AUDIT: &str = "query($o: String) { auditLog(operation: $o, first: 20) { edges { node {
    operation actorKind actorAccount targetIds } } } }";
const CITY_REPORT: &str = "query { cityReport(from: \"2021-01\", to: \"2030-12\", groupBy: MONTH) {
    totals { applicants accepted waitlisted rejected active completed withdrawn sessionsHeld
             attendanceRate skillsPassed ticketsSold ticketRevenue sponsorMoney }
    rows { month figures { applicants active withdrawn ticketsSold ticketRevenue } } } }";
const TRANSPARENCY: &str = "query { transparencyReport(city: \"almaty\") { sponsors raised inKind
    ticketSales refunds ticketRevenue spent given openingBalance closingBalance
    expenses { tag spent } causes { title given beneficiariesHelped } } }";

/// The nodes of a connection (of `app.ok`'s data).
fn edges(connection: &Value) -> Vec<Value> {
    connection["edges"]
        .as_array()
        .unwrap_or_else(|| panic!("{connection}"))
        .iter()
        .map(|e| e["node"].clone())
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .unwrap_or_else(|| panic!("not a time: {v}"))
        .with_timezone(&Utc)
}

async fn one(t: &TestDb, sql: &str, bind: &str) -> String {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind)
        .fetch_one(&mut t.raw().await)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

async fn count(t: &TestDb, sql: &str, bind: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .bind(bind)
        .fetch_one(&mut t.raw().await)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// The status of the unsubscribe page for a link token.
async fn unsubscribe_page(app: &TestApp, token: &str) -> u16 {
    app.http
        .get(app.url(&format!("/unsubscribe?t={token}")))
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

/// An Almaty participant of the demo other than the one with an account.
async fn almaty_participant(t: &TestDb) -> String {
    one(
        t,
        "select p.id::text from participants p join cities c on c.id = p.city_id \
         where c.slug = 'almaty' and p.email <> $1 \
           and exists (select 1 from enrollments e where e.participant_id = p.id and e.status = 'active') \
         order by p.id limit 1",
        "student@almaty.soi.test",
    )
    .await
}

#[tokio::test]
async fn a_participant_withdraws_their_own_consent_and_leaves_processing_lists_and_groups() {
    let (t, app) = TestApp::seeded().await;
    let student = app.login("student@almaty.soi.test").await;
    let admin = app.login("admin@almaty.soi.test").await;
    let me = app
        .ok(&student, "{ myProfile { id lastName } }", json!({}))
        .await;
    let id = me["myProfile"]["id"].as_str().expect("id").to_owned();
    let last_name = me["myProfile"]["lastName"]
        .as_str()
        .expect("name")
        .to_owned();
    let listed = |body: &Value| {
        edges(&body["participants"])
            .iter()
            .any(|n| n["id"] == id.as_str())
    };
    let before = app.ok(&admin, SEARCH, json!({ "s": last_name })).await;
    assert!(listed(&before), "the search finds them before: {before}");

    let done = app.ok(&student, WITHDRAW_MINE, json!({})).await["withdrawMyConsent"].clone();
    assert_eq!(done["participant"]["id"], id.as_str());
    let at = time(&done["participant"]["consentWithdrawnAt"]);
    let due = time(&done["participant"]["erasureDueAt"]);
    assert!((Utc::now() - at).num_minutes().abs() < 5, "{at}");
    assert_eq!((due - at).num_days(), 30, "the default grace period");
    let withdrawn = done["withdrawn"].as_array().expect("withdrawn");
    assert!(
        !withdrawn.is_empty(),
        "their active application ends: {done}"
    );
    assert!(
        withdrawn.iter().all(|a| a["status"] == "WITHDRAWN"),
        "{done}"
    );
    // Nothing of theirs is processed any more.
    let open = count(
        &t,
        "select count(*) from enrollments where participant_id = $1::uuid \
         and status in ('applied', 'accepted', 'waitlisted', 'active')",
        &id,
    )
    .await;
    assert_eq!(open, 0);
    let groups = count(
        &t,
        "select count(*) from group_members where participant_id = $1::uuid",
        &id,
    )
    .await;
    assert_eq!(groups, 0, "they left their groups");
    // Hidden from lists and searches; the admin still reaches them by id.
    let after = app.ok(&admin, SEARCH, json!({ "s": last_name })).await;
    assert!(!listed(&after), "{after}");
    let all = app.ok(&admin, SEARCH, json!({ "s": null })).await;
    assert!(!listed(&all), "{all}");
    let by_id = app
        .ok(
            &admin,
            "query($id: ID!) { participant(id: $id) { erasureDueAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(time(&by_id["participant"]["erasureDueAt"]), due);
    // The confirmation is queued (the one email they still get).
    let confirmations = count(
        &t,
        "select count(*) from outbox where kind = 'consent_withdrawn' and idempotency_key = 'consent_withdrawn:' || $1",
        &id,
    )
    .await;
    assert_eq!(confirmations, 1);

    // Again: nothing changes.
    let again = app.ok(&student, WITHDRAW_MINE, json!({})).await["withdrawMyConsent"].clone();
    assert_eq!(again["withdrawn"], json!([]));
    assert_eq!(time(&again["participant"]["erasureDueAt"]), due);

    // Audited, with the acting account and no personal data.
    let log = app
        .ok(&admin, AUDIT, json!({ "o": "withdrawMyConsent" }))
        .await;
    let entries = edges(&log["auditLog"]);
    assert_eq!(entries.len(), 2, "{log}");
    assert!(entries[0]["actorAccount"].is_string());
    assert!(!log.to_string().contains(&last_name));
}

#[tokio::test]
async fn an_admin_records_a_withdrawal_on_behalf_and_coaches_and_other_cities_cannot() {
    let (t, app) = TestApp::seeded().await;
    let id = almaty_participant(&t).await;
    let coach = app.login("coach@almaty.soi.test").await;
    let student = app.login("student@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let admin = app.login("admin@almaty.soi.test").await;
    let vars = json!({ "p": id });
    for (token, code) in [
        (&coach, "FORBIDDEN"),
        (&student, "FORBIDDEN"),
        (&astana, "NOT_FOUND"),
    ] {
        let r = app.graphql_as(Some(token), WITHDRAW, vars.clone()).await.1;
        assert_eq!(codes(&r), [code], "{r}");
    }
    let r = app
        .graphql_as(Some(&admin), WITHDRAW, json!({ "p": "not-an-id" }))
        .await
        .1;
    assert_eq!(codes(&r), ["BAD_USER_INPUT"], "{r}");
    let done = app.ok(&admin, WITHDRAW, vars).await;
    assert!(done["withdrawConsent"]["participant"]["consentWithdrawnAt"].is_string());
    assert!(
        !done["withdrawConsent"]["withdrawn"]
            .as_array()
            .expect("list")
            .is_empty()
    );
    let log = app
        .ok(&admin, AUDIT, json!({ "o": "withdrawConsent" }))
        .await;
    let entries = edges(&log["auditLog"]);
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["targetIds"]["participantId"], id.as_str());
}

#[tokio::test]
async fn only_a_citys_admins_erase_and_an_unknown_participant_is_not_found() {
    let (t, app) = TestApp::seeded().await;
    let id = almaty_participant(&t).await;
    let coach = app.login("coach@almaty.soi.test").await;
    let student = app.login("student@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let national = app.login("national@soi.test").await;
    let admin = app.login("admin@almaty.soi.test").await;
    for (token, code) in [
        (&coach, "FORBIDDEN"),
        (&student, "FORBIDDEN"),
        (&national, "FORBIDDEN"),
        (&astana, "NOT_FOUND"),
    ] {
        let r = app
            .graphql_as(Some(token), ERASE, json!({ "id": id }))
            .await
            .1;
        assert_eq!(codes(&r), [code], "{r}");
    }
    let unknown = uuid::Uuid::now_v7().to_string();
    let r = app
        .graphql_as(Some(&admin), ERASE, json!({ "id": unknown }))
        .await
        .1;
    assert_eq!(codes(&r), ["NOT_FOUND"], "{r}");
    let kept = count(
        &t,
        "select count(*) from participants where id = $1::uuid and erased_at is null",
        &id,
    )
    .await;
    assert_eq!(kept, 1, "nobody was erased by a refused request");
}

#[tokio::test]
async fn erasure_replaces_every_personal_field_and_leaves_every_figure_as_it_was() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let student = app.login("student@almaty.soi.test").await;
    let id = app.ok(&student, "{ myProfile { id } }", json!({})).await["myProfile"]["id"]
        .as_str()
        .expect("id")
        .to_owned();
    // The account's address (signing in) and the participant's own (emails).
    let email = "student@almaty.soi.test";
    let (first, last, own): (String, String, String) =
        sqlx::query_as("select first_name, last_name, email from participants where id = $1::uuid")
            .bind(&id)
            .fetch_one(&mut t.raw().await)
            .await
            .expect("names");
    // Their personal data everywhere the city may hold it: a motivation, a
    // coach's note, a ticket order bought with their address, emails sent
    // and unsent, an unsubscribe link and choice.
    let mut owner = t.raw().await;
    for sql in [
        "update enrollments set motivation = 'I love skating' where participant_id = $1::uuid",
        "update skill_assessments set note = 'Strong edges' where participant_id = $1::uuid",
        "update ticket_orders set buyer_email = (select email from participants where id = $1::uuid), \
             buyer_name = (select first_name from participants where id = $1::uuid) \
         where id = (select o.id from ticket_orders o join participants p on p.city_id = o.city_id \
                     where p.id = $1::uuid and o.status = 'paid' order by o.id limit 1)",
        "insert into outbox (city_id, id, kind, idempotency_key, recipient_email, language, payload, status, sent_at) \
         select city_id, gen_random_uuid(), 'application_received', 'sent:' || id, email, 'en', \
                jsonb_build_object('first_name', first_name), 'sent', now() from participants where id = $1::uuid",
        "insert into outbox (city_id, id, kind, idempotency_key, recipient_email, language, payload, next_attempt_at) \
         select city_id, gen_random_uuid(), 'show_announcement', 'pending:' || id, email, 'en', \
                jsonb_build_object('first_name', first_name), now() + interval '1 day' from participants where id = $1::uuid",
        "insert into email_preferences (city_id, email) select city_id, email from participants where id = $1::uuid",
        "insert into unsubscribe_links (city_id, id, email) select city_id, gen_random_uuid(), email from participants where id = $1::uuid",
    ] {
        let done = sqlx::query(sql)
            .bind(&id)
            .execute(&mut owner)
            .await
            .expect(sql);
        assert!(done.rows_affected() > 0, "{sql} changed nothing");
    }
    // The link in emails already sent works until the erasure.
    let (city, link): (uuid::Uuid, uuid::Uuid) =
        sqlx::query_as("select city_id, id from unsubscribe_links where email = $1")
            .bind(&own)
            .fetch_one(&mut owner)
            .await
            .expect("link");
    let token = soi_tests::unsub::links().token(city.into(), link);
    assert_eq!(unsubscribe_page(&app, &token).await, 200);
    let report = app.ok(&admin, CITY_REPORT, json!({})).await;
    let transparency = app.ok(&admin, TRANSPARENCY, json!({})).await;
    let national = app.login("national@soi.test").await;
    let national_report = app
        .ok(
            &national,
            "{ nationalReport(from: \"2021-01\", to: \"2030-12\", groupBy: CITY) { totals { applicants active withdrawn ticketsSold ticketRevenue } rows { figures { applicants active ticketsSold } } } }",
            json!({}),
        )
        .await;

    let done = app.ok(&admin, ERASE, json!({ "id": id })).await["eraseParticipant"].clone();
    assert_eq!(done["participantId"], id.as_str());
    assert_eq!(done["erased"], true);
    assert_eq!(done["accountErased"], true);
    for n in ["ticketOrders", "emailsDeleted", "emailsScrubbed"] {
        assert!(done[n].as_i64() >= Some(1), "{n}: {done}");
    }

    // Every figure is exactly what it was.
    assert_eq!(app.ok(&admin, CITY_REPORT, json!({})).await, report);
    assert_eq!(app.ok(&admin, TRANSPARENCY, json!({})).await, transparency);
    let national_after = app
        .ok(
            &national,
            "{ nationalReport(from: \"2021-01\", to: \"2030-12\", groupBy: CITY) { totals { applicants active withdrawn ticketsSold ticketRevenue } rows { figures { applicants active ticketsSold } } } }",
            json!({}),
        )
        .await;
    assert_eq!(national_after, national_report);

    // Their address is nowhere in the city's tables, their names not in their row.
    for table in [
        "participants",
        "accounts",
        "invitations",
        "ticket_orders",
        "outbox",
        "email_preferences",
        "unsubscribe_links",
        "audit_log",
        "enrollments",
        "skill_assessments",
    ] {
        let sql = format!("select count(*) from {table} x where x::text ilike '%' || $1 || '%'");
        for address in [email, own.as_str()] {
            assert_eq!(
                count(&t, &sql, address).await,
                0,
                "{table} still holds {address}"
            );
        }
    }
    let named: i64 = sqlx::query_scalar(
        "select count(*) from participants where id = $1::uuid \
         and (first_name in ($2, $3) or last_name in ($2, $3) or phone is not null \
              or university is not null or birth_date is not null or guardian_name is not null)",
    )
    .bind(&id)
    .bind(&first)
    .bind(&last)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("row");
    assert_eq!(named, 0, "their row still holds personal fields");
    let buyers = count(
        &t,
        "select count(*) from ticket_orders where buyer_name = 'Erased' and buyer_email like 'erased+%@erased.invalid' \
         and city_id = (select city_id from participants where id = $1::uuid)",
        &id,
    )
    .await;
    assert_eq!(
        buyers, 1,
        "the order they bought keeps its figures under a placeholder"
    );
    let motivations = count(
        &t,
        "select count(*) from enrollments where participant_id = $1::uuid and motivation is not null",
        &id,
    )
    .await;
    assert_eq!(motivations, 0);
    let live_links = count(
        &t,
        "select count(*) from unsubscribe_links where email like 'erased+%' and revoked_at is null \
         and city_id = (select city_id from participants where id = $1::uuid)",
        &id,
    )
    .await;
    assert_eq!(live_links, 0, "their link is revoked, not just renamed");
    assert_eq!(
        unsubscribe_page(&app, &token).await,
        410,
        "the link in sent emails is dead"
    );
    // The row stays, with its id, as a placeholder; the account signs in no more.
    let row = app
        .ok(
            &admin,
            "query($id: ID!) { participant(id: $id) { firstName email erasedAt } }",
            json!({ "id": id }),
        )
        .await;
    assert_eq!(row["participant"]["firstName"], "Erased");
    assert!(row["participant"]["erasedAt"].is_string());
    let login = app
        .graphql(
            "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
            json!({ "e": email, "p": soi_seed::demo::DEFAULT_PASSWORD }),
        )
        .await
        .1;
    assert!(
        !codes(&login).is_empty(),
        "an erased account still signs in: {login}"
    );

    // Again: nothing to do, nothing changes.
    let again = app.ok(&admin, ERASE, json!({ "id": id })).await["eraseParticipant"].clone();
    assert_eq!(again["erased"], false);
    assert_eq!(app.ok(&admin, CITY_REPORT, json!({})).await, report);
    // Audited by id only.
    let log = app
        .ok(&admin, AUDIT, json!({ "o": "eraseParticipant" }))
        .await;
    let entries = edges(&log["auditLog"]);
    assert_eq!(entries.len(), 2, "{log}");
    assert_eq!(entries[0]["targetIds"], json!({ "id": id }));
}
