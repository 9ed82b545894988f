//! Anonymous work (soi.role = 'public') gets from the database only what the
//! public operations need, whatever the code above asks: no people, staff,
//! attendance, accounts or mail of the city, no change to what no public
//! operation changes; the one applicant it names by address, yes.

use soi_core::{CityScope, Email};
use soi_db::program::participants;
use soi_tests::TestDb;
use sqlx::{Executor, PgConnection};

/// A raw runtime connection acting for `role` in the city (session-wide
/// settings: each statement below is its own transaction).
async fn acting(t: &TestDb, city: uuid::Uuid, role: &str) -> PgConnection {
    let mut conn = t.raw_app().await;
    sqlx::query("select set_config('soi.city_id', $1, false), set_config('soi.role', $2, false)")
        .bind(city.to_string())
        .bind(role)
        .execute(&mut conn)
        .await
        .expect("settings");
    conn
}

async fn count(conn: &mut PgConnection, sql: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(sql.to_owned()))
        .fetch_one(conn)
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
}

/// What no public operation reads: people, staff, training, accounts, mail,
/// the audit trail, sponsors, figures, and orders, tickets and payments that
/// are not the buyer's own.
const SHUT: &[&str] = &[
    "participants",
    "coaches",
    "coach_certificates",
    "groups",
    "group_members",
    "group_coaches",
    "training_sessions",
    "attendance",
    "skill_assessments",
    "accounts",
    "invitations",
    "audit_log",
    "outbox",
    "email_preferences",
    "unsubscribe_links",
    "sponsors",
    "rollups",
    "rollup_versions",
    "rollup_seasons",
    "tickets",
    "payments",
    "ticket_order_lines",
];

#[tokio::test]
async fn a_public_scope_reads_no_people_staff_accounts_or_mail_of_its_city() {
    let t = TestDb::new().await;
    t.seed_demo(7).await;
    let city = t.city("almaty").await.id.as_uuid();
    let mut system = acting(&t, city, "").await;
    let mut public = acting(&t, city, "public").await;
    let mut seen_by_system = 0;
    for table in SHUT {
        let sql = format!("select count(*) from {table}");
        seen_by_system += count(&mut system, &sql).await;
        assert_eq!(count(&mut public, &sql).await, 0, "public reads {table}");
    }
    assert!(seen_by_system > 100, "the demo city should hold rows");
    // Orders: only lapsed holds (which a reservation expires), never a paid one.
    let paid = "select count(*) from ticket_orders where status = 'paid'";
    assert!(count(&mut system, paid).await > 0);
    assert_eq!(count(&mut public, paid).await, 0);
}

#[tokio::test]
async fn a_public_scope_sees_only_the_participant_it_names_by_address() {
    let t = TestDb::new().await;
    t.seed_demo(8).await;
    let city = t.city("almaty").await;
    let email: String = sqlx::query_scalar(
        "select email from participants where city_id = $1 order by email limit 1",
    )
    .bind(city.id.as_uuid())
    .fetch_one(&mut t.raw().await)
    .await
    .expect("an address");
    let db = t.db().await;
    let mut tx = db
        .tenant(&CityScope::for_public(city.id))
        .await
        .expect("tx");
    let found = participants::by_email(&mut tx, &Email::parse(&email).expect("email"))
        .await
        .expect("lookup")
        .expect("the participant with this address");
    assert_eq!(found.email, email);
    let others = participants::by_emails(&mut tx, &[email.clone(), "x@y.kz".into()])
        .await
        .expect("lookup");
    assert_eq!(others.len(), 1, "only the named address");
    tx.rollback().await.expect("rollback");
    // Without naming one, nobody.
    let mut public = acting(&t, city.id.as_uuid(), "public").await;
    assert_eq!(
        count(&mut public, "select count(*) from participants").await,
        0
    );
    public
        .execute(sqlx::AssertSqlSafe(format!(
            "select set_config('soi.public_email', '{email}', false)"
        )))
        .await
        .expect("name");
    assert_eq!(
        count(&mut public, "select count(*) from participants").await,
        1
    );
}

#[tokio::test]
async fn a_public_scope_cannot_change_what_no_public_operation_changes() {
    let t = TestDb::new().await;
    t.seed_demo(9).await;
    let city = t.city("almaty").await.id.as_uuid();
    let mut public = acting(&t, city, "public").await;
    // Seasons are locked by an application, never changed.
    let err = public
        .execute("update seasons set title = title")
        .await
        .expect_err("a public scope must not change a season");
    assert!(err.to_string().contains("row-level security"), "{err}");
    // Rows it cannot see it cannot change either.
    for sql in [
        "update participants set first_name = first_name",
        "update enrollments set status = status",
        "delete from group_members",
        "delete from participants",
        "update events set title = title",
        "update ticket_orders set buyer_name = buyer_name where status = 'paid'",
        "update outbox set attempts = attempts",
    ] {
        let done = public
            .execute(sql)
            .await
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
        assert_eq!(done.rows_affected(), 0, "{sql}");
    }
    // Nor add to the city's money or people.
    for sql in [
        "insert into sponsors (city_id, id, name) values (current_setting('soi.city_id')::uuid, gen_random_uuid(), 'X')",
        "insert into rinks (city_id, id, name) values (current_setting('soi.city_id')::uuid, gen_random_uuid(), 'X')",
    ] {
        let err = public.execute(sql).await.expect_err(sql);
        assert!(
            err.to_string().contains("row-level security"),
            "{sql}: {err}"
        );
    }
    // The same statements as system work go through (the test means something).
    let mut system = acting(&t, city, "").await;
    let done = system
        .execute("update seasons set title = title")
        .await
        .expect("system work changes seasons");
    assert!(done.rows_affected() > 0);
}

/// A public scope adds lines only to the orders its transaction has just
/// made (`soi.public_new_orders`, set by the orders' insert), never to an
/// order it merely names to read it (`soi.public_order`, set by a buyer's
/// look-up before the key is checked).
#[tokio::test]
async fn a_public_scope_adds_lines_only_to_the_order_it_has_just_made() {
    let t = TestDb::new().await;
    t.seed_demo(9).await;
    let city = t.city("almaty").await.id.as_uuid();
    let (order, ticket_type): (uuid::Uuid, uuid::Uuid) = sqlx::query_as(
        "select o.id, t.id from ticket_orders o join ticket_types t on t.city_id = o.city_id \
         where o.city_id = $1 and o.status = 'paid' and not exists (select 1 from ticket_order_lines l \
             where l.city_id = o.city_id and l.order_id = o.id and l.ticket_type_id = t.id) \
         order by o.id, t.id limit 1",
    )
    .bind(city)
    .fetch_one(&mut t.raw().await)
    .await
    .expect("a paid order and a type it has no line of");
    let mut public = acting(&t, city, "public").await;
    let add = async |conn: &mut PgConnection, setting: &str, names: &str| {
        conn.execute("begin").await.expect("begin");
        sqlx::query("select set_config($1, $2, true)")
            .bind(setting)
            .bind(names)
            .execute(&mut *conn)
            .await
            .expect("name the order");
        let added = sqlx::query(
            "insert into ticket_order_lines (city_id, order_id, ticket_type_id, quantity, unit_price_tiyn) \
             values ($1, $2, $3, 1, 0)",
        )
        .bind(city)
        .bind(order)
        .bind(ticket_type)
        .execute(&mut *conn)
        .await
        .map(|_| ())
        .map_err(|e| e.to_string());
        conn.execute("rollback").await.expect("rollback");
        added
    };
    let other = uuid::Uuid::now_v7();
    for (setting, names) in [
        ("soi.public_order", order.to_string()),
        ("soi.public_new_orders", other.to_string()),
    ] {
        let refused = add(&mut public, setting, &names).await;
        assert!(
            refused
                .as_ref()
                .is_err_and(|e| e.contains("row-level security")),
            "{setting}: {refused:?}"
        );
    }
    // The same row passes the check as the orders' own reservation would,
    // alone or among others made together.
    for names in [order.to_string(), format!("{other},{order}")] {
        add(&mut public, "soi.public_new_orders", &names)
            .await
            .expect("an order just made takes its lines");
    }
}
