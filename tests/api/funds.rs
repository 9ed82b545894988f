//! The money trail of a city through the gateway: sponsors, contributions,
//! causes, expenses, gifts and reversals, all in the append-only ledger;
//! typed errors with nothing stored; other roles and cities kept out; the
//! public transparency report without personal data.

use serde_json::{Value, json};
use soi_tests::{TestApp, TestDb, codes};

const CREATE_SPONSOR: &str = "mutation($i: SponsorInput!) { createSponsor(input: $i) { id kind name contactName contactEmail } }";
const UPDATE_SPONSOR: &str = "mutation($id: ID!, $c: ContactInput!) { updateSponsor(id: $id, contact: $c) { id contactName contactEmail contactPhone } }";
const PLEDGE: &str =
    "mutation($i: PledgeInput!) { pledgeContribution(input: $i) { id status form amount } }";
const RECEIVE: &str = "mutation($id: ID!, $d: Date!) { receiveContribution(id: $id, receivedOn: $d) { contribution { status receivedOn } ledgerEntry { id kind amount } balance } }";
const CREATE_CAUSE: &str =
    "mutation($i: CauseInput!) { createCause(input: $i) { id title given beneficiariesHelped } }";
const EXPENSE: &str = "mutation($i: ExpenseInput!) { recordExpense(input: $i) { expense { id tag amount } ledgerEntry { id kind amount } balance } }";
const GIVE: &str = "mutation($i: GiftInput!) { giveToCause(input: $i) { disbursement { id amount beneficiaries } ledgerEntry { id kind amount } balance } }";
const REVERSE: &str = "mutation($e: ID!, $m: String!) { reverseLedgerEntry(entryId: $e, memo: $m) { ledgerEntry { id kind amount reversesId memo } balance } }";
const BALANCE: &str = "{ balance }";
const REPORT: &str = "query($c: String!, $f: Date, $t: Date) { transparencyReport(city: $c, from: $f, to: $t) { city from to sponsors raised inKind ticketSales refunds ticketRevenue spent given openingBalance closingBalance expenses { tag spent } causes { title target given beneficiariesHelped } } }";

const TODAY: &str = "2026-11-20";

async fn balance(app: &TestApp, token: &str) -> i64 {
    app.field(token, BALANCE, json!({}), "balance")
        .await
        .as_i64()
        .expect("balance")
}

async fn sponsor(app: &TestApp, token: &str, name: &str) -> String {
    let s = app
        .field(
            token,
            CREATE_SPONSOR,
            json!({ "i": { "kind": "ORGANIZATION", "name": name } }),
            "createSponsor",
        )
        .await;
    s["id"].as_str().expect("sponsor id").to_owned()
}

/// Pledges and receives `amount` of money from a new sponsor; the ledger entry id.
async fn fund(app: &TestApp, token: &str, amount: i64) -> String {
    let s = sponsor(app, token, &format!("Fund {amount}")).await;
    let c = app.field(
        token,
        PLEDGE,
        json!({ "i": { "sponsorId": s, "form": "MONEY", "amount": amount, "purpose": "the show", "pledgedOn": TODAY } }),
        "pledgeContribution",
    )
    .await;
    let r = app
        .field(
            token,
            RECEIVE,
            json!({ "id": c["id"], "d": TODAY }),
            "receiveContribution",
        )
        .await;
    r["ledgerEntry"]["id"].as_str().expect("entry").to_owned()
}

async fn cause(app: &TestApp, token: &str, title: &str) -> String {
    let c = app.field(
        token,
        CREATE_CAUSE,
        json!({ "i": { "title": title, "description": "Warm meals for the shelter", "beneficiaries": "Children of the city shelter" } }),
        "createCause",
    )
    .await;
    c["id"].as_str().expect("cause id").to_owned()
}

fn gift(cause: &str, amount: Value) -> Value {
    json!({ "i": { "causeId": cause, "amount": amount, "paidOn": TODAY, "evidenceUrl": "https://bank.kz/transfer/1",
                   "beneficiaries": 12, "description": "Meals for November" } })
}

fn expense(amount: Value) -> Value {
    json!({ "i": { "tag": "ice_rent", "amount": amount, "spentOn": TODAY, "description": "Ice for the rehearsal",
                   "receiptUrl": "https://rink.kz/receipt/7" } })
}

/// Rows of the money tables, read by the owner (all cities).
async fn rows(t: &TestDb) -> [i64; 5] {
    let mut owner = t.raw().await;
    let mut out = [0; 5];
    for (i, table) in [
        "ledger_entries",
        "contributions",
        "expenses",
        "disbursements",
        "social_causes",
    ]
    .iter()
    .enumerate()
    {
        out[i] = sqlx::query_scalar(sqlx::AssertSqlSafe(format!("select count(*) from {table}")))
            .fetch_one(&mut owner)
            .await
            .expect("count");
    }
    out
}

#[tokio::test]
async fn a_chapter_admin_follows_the_money_from_sponsors_to_a_cause() {
    let (_t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let start = balance(&app, &admin).await;

    let org = app
        .field(
            &admin,
            CREATE_SPONSOR,
            json!({ "i": { "kind": "ORGANIZATION", "name": "Almaty Ice Foundation",
                       "contact": { "name": "Ержан Тулегенов", "email": "Erzhan@IceFund.kz" } } }),
            "createSponsor",
        )
        .await;
    assert_eq!(org["contactEmail"], "erzhan@icefund.kz");
    let person = app.field(&admin, CREATE_SPONSOR,
        json!({ "i": { "kind": "PERSON", "name": "Айгерим Садыкова",
                       "contact": { "email": "aigerim.sadykova@mail.kz", "phone": "8 701 222 33 44" } } }),
        "createSponsor").await;
    let updated = app.field(&admin, UPDATE_SPONSOR,
        json!({ "id": person["id"], "c": { "name": "Айгерим Садыкова", "email": "aigerim.sadykova@mail.kz", "phone": "+7 701 222 33 44" } }),
        "updateSponsor").await;
    assert_eq!(updated["contactPhone"], "+77012223344");

    // Money: pledged, received into the ledger.
    let money = app.field(&admin, PLEDGE,
        json!({ "i": { "sponsorId": org["id"], "form": "MONEY", "amount": 50_000_000, "purpose": "Costumes and ice",
                       "pledgedOn": "2026-11-01" } }),
        "pledgeContribution").await;
    assert_eq!(money["status"], "PLEDGED");
    let got = app
        .field(
            &admin,
            RECEIVE,
            json!({ "id": money["id"], "d": TODAY }),
            "receiveContribution",
        )
        .await;
    assert_eq!(got["contribution"]["status"], "RECEIVED");
    assert_eq!(got["ledgerEntry"]["kind"], "CONTRIBUTION");
    assert_eq!(got["ledgerEntry"]["amount"], 50_000_000);
    assert_eq!(got["balance"], start + 50_000_000);
    // Receiving twice is a conflict.
    let again = app
        .ask(&admin, RECEIVE, json!({ "id": money["id"], "d": TODAY }))
        .await;
    assert_eq!(codes(&again), ["CONFLICT"], "{again}");

    // In kind: received, but no ledger entry and no change of balance.
    let kind = app.field(&admin, PLEDGE,
        json!({ "i": { "sponsorId": person["id"], "form": "IN_KIND", "amount": 7_500_000, "description": "Sound system for the show",
                       "purpose": "The ice show", "pledgedOn": TODAY } }),
        "pledgeContribution").await;
    let got = app
        .field(
            &admin,
            RECEIVE,
            json!({ "id": kind["id"], "d": TODAY }),
            "receiveContribution",
        )
        .await;
    assert!(got["ledgerEntry"].is_null(), "{got}");
    assert_eq!(got["balance"], start + 50_000_000);

    let shelter = cause(&app, &admin, "Shelter meals").await;
    let spent = app
        .field(&admin, EXPENSE, expense(json!(2_000_000)), "recordExpense")
        .await;
    assert_eq!(spent["ledgerEntry"]["amount"], -2_000_000);
    let given = app
        .field(
            &admin,
            GIVE,
            gift(&shelter, json!(30_000_000)),
            "giveToCause",
        )
        .await;
    assert_eq!(given["ledgerEntry"]["kind"], "DISBURSEMENT");
    assert_eq!(given["balance"], start + 18_000_000);

    let causes = app
        .field(
            &admin,
            "{ causes { title given beneficiariesHelped } }",
            json!({}),
            "causes",
        )
        .await;
    let shelter_row = causes
        .as_array()
        .expect("causes")
        .iter()
        .find(|c| c["title"] == "Shelter meals")
        .cloned()
        .expect("row");
    assert_eq!(shelter_row["given"], 30_000_000);
    assert_eq!(shelter_row["beneficiariesHelped"], 12);

    let ledger = app
        .field(
            &admin,
            "{ ledger(first: 3) { edges { node { kind amount } } pageInfo { hasNextPage } } }",
            json!({}),
            "ledger",
        )
        .await;
    let kinds: Vec<&str> = ledger["edges"]
        .as_array()
        .expect("edges")
        .iter()
        .map(|e| e["node"]["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["DISBURSEMENT", "EXPENSE", "CONTRIBUTION"],
        "newest first"
    );
    let only = app
        .field(
            &admin,
            "{ ledger(kind: EXPENSE, first: 100) { edges { node { amount } } } }",
            json!({}),
            "ledger",
        )
        .await;
    assert!(
        only["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .any(|e| e["node"]["amount"] == -2_000_000)
    );
    let of_person = app.field(&admin, "query($s: ID) { contributions(sponsorId: $s, first: 10) { edges { node { form status amount } } } }",
        json!({ "s": person["id"] }), "contributions").await;
    assert_eq!(of_person["edges"].as_array().expect("edges").len(), 1);
    assert_eq!(of_person["edges"][0]["node"]["form"], "IN_KIND");

    // The report is public (no token) and shows figures, never people.
    let (status, body) = app.graphql(REPORT, json!({ "c": "almaty" })).await;
    assert_eq!(status, 200);
    assert!(body["errors"].is_null(), "{body}");
    let r = &body["data"]["transparencyReport"];
    assert_eq!(r["closingBalance"], start + 18_000_000);
    assert!(r["raised"].as_i64().expect("raised") >= 50_000_000);
    assert!(r["inKind"].as_i64().expect("in kind") >= 7_500_000);
    assert!(r["sponsors"].as_i64().expect("sponsors") >= 2);
    assert!(
        r["expenses"]
            .as_array()
            .expect("tags")
            .iter()
            .any(|t| t["tag"] == "ice_rent")
    );
    let text = body.to_string();
    for personal in [
        "Айгерим",
        "Садыкова",
        "aigerim.sadykova",
        "Ержан",
        "erzhan@",
        "icefund",
        "Almaty Ice Foundation",
        "+7701",
    ] {
        assert!(
            !text.contains(personal),
            "the public report shows {personal}: {text}"
        );
    }
    // A future period saw nothing move; its balances are today's.
    let later = app
        .graphql(
            REPORT,
            json!({ "c": "almaty", "f": "2099-01-01", "t": "2099-12-31" }),
        )
        .await
        .1;
    let l = &later["data"]["transparencyReport"];
    assert_eq!(l["raised"], 0, "{later}");
    assert_eq!(l["openingBalance"], start + 18_000_000);
    assert_eq!(l["closingBalance"], start + 18_000_000);
    let backwards = app
        .graphql(
            REPORT,
            json!({ "c": "almaty", "f": "2027-01-02", "t": "2027-01-01" }),
        )
        .await
        .1;
    assert_eq!(codes(&backwards), ["BAD_USER_INPUT"]);
    let nowhere = app.graphql(REPORT, json!({ "c": "atlantis" })).await.1;
    assert_eq!(codes(&nowhere), ["NOT_FOUND"]);
}

#[tokio::test]
async fn bad_amounts_are_bad_user_input_and_store_nothing() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let s = sponsor(&app, &admin, "Careful Sponsor").await;
    let shelter = cause(&app, &admin, "Shelter").await;
    let before = rows(&t).await;
    let past_i64: Value = serde_json::from_str("9223372036854775808").expect("json");
    for amount in [
        json!(0),
        json!(-100),
        past_i64.clone(),
        json!(1.5),
        json!("100"),
        json!(10_000_000_000_001_i64),
    ] {
        let pledge = json!({ "i": { "sponsorId": s, "form": "MONEY", "amount": amount, "purpose": "x", "pledgedOn": TODAY } });
        for (query, vars) in [
            (PLEDGE, pledge),
            (EXPENSE, expense(amount.clone())),
            (GIVE, gift(&shelter, amount.clone())),
        ] {
            let (status, body) = app.graphql_as(Some(&admin), query, vars).await;
            assert_eq!(
                codes(&body),
                ["BAD_USER_INPUT"],
                "{amount} in {query}: {body}"
            );
            assert_ne!(status, 500);
        }
    }
    // The same number written into the document itself.
    let inline = format!(
        "mutation {{ recordExpense(input: {{ tag: \"ice_rent\", amount: {past_i64}, spentOn: \"{TODAY}\", description: \"x\" }}) {{ balance }} }}"
    );
    let body = app.ask(&admin, &inline, json!({})).await;
    assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    // Other fields.
    for (query, vars) in [
        (
            EXPENSE,
            json!({ "i": { "tag": "Ice Rent", "amount": 100, "spentOn": TODAY, "description": "x" } }),
        ),
        (
            EXPENSE,
            json!({ "i": { "tag": "ice_rent", "amount": 100, "spentOn": TODAY, "description": "x", "receiptUrl": "javascript:alert(1)" } }),
        ),
        (
            EXPENSE,
            json!({ "i": { "tag": "ice_rent", "amount": 100, "spentOn": "2199-01-01", "description": "x" } }),
        ),
        (
            GIVE,
            json!({ "i": { "causeId": shelter, "amount": 100, "paidOn": TODAY, "evidenceUrl": "https://x.kz/1", "beneficiaries": -1, "description": "x" } }),
        ),
        (
            GIVE,
            json!({ "i": { "causeId": "not-an-id", "amount": 100, "paidOn": TODAY, "evidenceUrl": "https://x.kz/1", "beneficiaries": 1, "description": "x" } }),
        ),
        (
            CREATE_SPONSOR,
            json!({ "i": { "kind": "PERSON", "name": "X", "contact": { "email": "not-an-email" } } }),
        ),
        (
            CREATE_CAUSE,
            json!({ "i": { "title": " ", "description": "x", "beneficiaries": "y" } }),
        ),
    ] {
        let body = app.ask(&admin, query, vars).await;
        assert_eq!(codes(&body), ["BAD_USER_INPUT"], "{body}");
    }
    assert_eq!(rows(&t).await, before, "nothing was stored");
}

#[tokio::test]
async fn a_gift_beyond_the_balance_is_a_conflict_and_stores_nothing() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    fund(&app, &admin, 1_000_000).await;
    let shelter = cause(&app, &admin, "Shelter").await;
    let available = balance(&app, &admin).await;
    let before = rows(&t).await;
    let body = app
        .ask(&admin, GIVE, gift(&shelter, json!(available + 1)))
        .await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .expect("message")
            .contains("tenge available")
    );
    assert_eq!(rows(&t).await, before, "no disbursement, no ledger entry");
    // The whole balance may be given.
    let all = app
        .field(
            &admin,
            GIVE,
            gift(&shelter, json!(available)),
            "giveToCause",
        )
        .await;
    assert_eq!(all["balance"], 0);
    // An expense beyond the balance is recorded (it was spent); the balance shows the debt.
    let debt = app
        .field(&admin, EXPENSE, expense(json!(500)), "recordExpense")
        .await;
    assert_eq!(debt["balance"], -500);
    let body = app.ask(&admin, GIVE, gift(&shelter, json!(1))).await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
}

#[tokio::test]
async fn a_gift_to_another_citys_cause_is_not_found_and_stores_nothing() {
    let (t, app) = TestApp::seeded().await;
    let almaty = app.login("admin@almaty.soi.test").await;
    let astana = app.login("admin@astana.soi.test").await;
    let almaty_cause = cause(&app, &almaty, "Almaty shelter").await;
    fund(&app, &astana, 5_000_000).await;
    let before = rows(&t).await;
    let body = app
        .ask(&astana, GIVE, gift(&almaty_cause, json!(1_000)))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    assert_eq!(rows(&t).await, before);
    // Nor can Astana reverse an Almaty entry or read Almaty's causes.
    let entry = fund(&app, &almaty, 1_000).await;
    let body = app
        .ask(&astana, REVERSE, json!({ "e": entry, "m": "mistake" }))
        .await;
    assert_eq!(codes(&body), ["NOT_FOUND"], "{body}");
    let causes = app
        .field(&astana, "{ causes { title } }", json!({}), "causes")
        .await;
    assert!(!causes.to_string().contains("Almaty shelter"));
}

#[tokio::test]
async fn an_entry_is_reversed_once_and_only_where_it_makes_sense() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    let contribution = fund(&app, &admin, 3_000_000).await;
    let start = balance(&app, &admin).await;
    let spent = app
        .field(&admin, EXPENSE, expense(json!(400_000)), "recordExpense")
        .await;
    let entry = spent["ledgerEntry"]["id"]
        .as_str()
        .expect("entry")
        .to_owned();

    let undone = app
        .field(
            &admin,
            REVERSE,
            json!({ "e": entry, "m": "Recorded twice" }),
            "reverseLedgerEntry",
        )
        .await;
    assert_eq!(undone["ledgerEntry"]["kind"], "REVERSAL");
    assert_eq!(undone["ledgerEntry"]["amount"], 400_000);
    assert_eq!(undone["ledgerEntry"]["reversesId"], entry.as_str());
    assert_eq!(undone["balance"], start);
    let before = rows(&t).await;
    let twice = app
        .ask(&admin, REVERSE, json!({ "e": entry, "m": "Again" }))
        .await;
    assert_eq!(codes(&twice), ["CONFLICT"], "{twice}");
    let reversal = undone["ledgerEntry"]["id"].as_str().expect("id");
    let of_reversal = app
        .ask(
            &admin,
            REVERSE,
            json!({ "e": reversal, "m": "Undo the undo" }),
        )
        .await;
    assert_eq!(codes(&of_reversal), ["CONFLICT"], "{of_reversal}");
    let unknown = app
        .ask(
            &admin,
            REVERSE,
            json!({ "e": uuid::Uuid::now_v7().to_string(), "m": "?" }),
        )
        .await;
    assert_eq!(codes(&unknown), ["NOT_FOUND"]);
    let no_memo = app
        .ask(&admin, REVERSE, json!({ "e": contribution, "m": " " }))
        .await;
    assert_eq!(codes(&no_memo), ["BAD_USER_INPUT"]);
    assert_eq!(rows(&t).await, before);

    // Money already given away cannot be un-received.
    let shelter = cause(&app, &admin, "Shelter").await;
    let all = balance(&app, &admin).await;
    app.field(&admin, GIVE, gift(&shelter, json!(all)), "giveToCause")
        .await;
    let body = app
        .ask(
            &admin,
            REVERSE,
            json!({ "e": contribution, "m": "Sponsor withdrew" }),
        )
        .await;
    assert_eq!(codes(&body), ["CONFLICT"], "{body}");
    // Once the gift is reversed, the contribution can be, and is marked so.
    let gifts = app
        .field(
            &admin,
            "{ ledger(kind: DISBURSEMENT, first: 1) { edges { node { id } } } }",
            json!({}),
            "ledger",
        )
        .await;
    let gift_entry = gifts["edges"][0]["node"]["id"]
        .as_str()
        .expect("gift")
        .to_owned();
    app.field(
        &admin,
        REVERSE,
        json!({ "e": gift_entry, "m": "Shelter returned it" }),
        "reverseLedgerEntry",
    )
    .await;
    let causes = app
        .field(
            &admin,
            "{ causes { id given beneficiariesHelped } }",
            json!({}),
            "causes",
        )
        .await;
    // The demo's own cause is listed too; this test's is the shelter.
    let shelter = causes
        .as_array()
        .and_then(|all| all.iter().find(|c| c["id"] == shelter.as_str()))
        .unwrap_or_else(|| panic!("{causes}"));
    assert_eq!(shelter["given"], 0);
    assert_eq!(shelter["beneficiariesHelped"], 0);
    app.field(
        &admin,
        REVERSE,
        json!({ "e": contribution, "m": "Sponsor withdrew" }),
        "reverseLedgerEntry",
    )
    .await;
    let statuses = app
        .field(
            &admin,
            "{ contributions(first: 100) { edges { node { status amount } } } }",
            json!({}),
            "contributions",
        )
        .await;
    assert!(statuses.to_string().contains("REVERSED"), "{statuses}");
}

#[tokio::test]
async fn ledger_rows_cannot_be_changed_even_by_the_owner() {
    let (t, app) = TestApp::seeded().await;
    let admin = app.login("admin@almaty.soi.test").await;
    fund(&app, &admin, 1_000).await;
    let mut owner = t.raw().await;
    for sql in [
        "update ledger_entries set amount_tiyn = amount_tiyn * 2",
        "delete from ledger_entries",
    ] {
        let err = sqlx::query(sql)
            .execute(&mut owner)
            .await
            .expect_err("append-only");
        assert!(err.to_string().contains("append-only"), "{sql}: {err}");
    }
    let n: i64 = sqlx::query_scalar("select count(*) from ledger_entries")
        .fetch_one(&mut owner)
        .await
        .expect("count");
    assert!(n >= 1);
}

#[tokio::test]
async fn coaches_participants_and_the_national_role_are_forbidden() {
    let (_t, app) = TestApp::seeded().await;
    for who in [
        "coach@almaty.soi.test",
        "student@almaty.soi.test",
        "national@soi.test",
    ] {
        let token = app.login(who).await;
        for (query, vars) in [
            ("{ sponsors { id } }", json!({})),
            ("{ balance }", json!({})),
            ("{ causes { id } }", json!({})),
            ("{ ledger(first: 5) { edges { node { id } } } }", json!({})),
            (
                "{ contributions(first: 5) { edges { node { id } } } }",
                json!({}),
            ),
            (
                CREATE_SPONSOR,
                json!({ "i": { "kind": "PERSON", "name": "Someone" } }),
            ),
            (EXPENSE, expense(json!(100))),
            (
                REVERSE,
                json!({ "e": uuid::Uuid::now_v7().to_string(), "m": "x" }),
            ),
        ] {
            let body = app.ask(&token, query, vars).await;
            assert_eq!(codes(&body), ["FORBIDDEN"], "{who}: {query}: {body}");
        }
    }
    let anonymous = app.graphql("{ balance }", json!({})).await.1;
    assert_eq!(codes(&anonymous), ["UNAUTHENTICATED"]);
}
