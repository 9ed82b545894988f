//! Reservations made together (`soi_service::tickets::reserve_many`), in a
//! public scope as the gateway makes them: first come first served, a
//! refusal only for a wish that no longer fits, a bad wish answered alone,
//! and a batch that lost a race for seats reading them again.

use soi_core::{CityId, CityScope, Email, EventId, Language, TicketTypeId};
use soi_db::Error;
use soi_db::tickets::orders::Buyer;
use soi_db::tickets::seats;
use soi_service::tickets::{Reserved, Wish, reserve_many};
use soi_tests::TestDb;
use soi_tests::shows::{count, show};

fn wish(n: usize, t: TicketTypeId, q: i32) -> Wish {
    Wish {
        buyer: Buyer {
            name: format!("Buyer {n}"),
            email: Email::parse(&format!("buyer{n}@mail.kz")).expect("email"),
            language: Language::Ru,
        },
        lines: vec![(t, q)],
    }
}

/// Each answer as `Ok(seats)` or the error's code and message.
fn outcome(answers: &[soi_db::Result<Reserved>]) -> Vec<Result<i32, String>> {
    answers
        .iter()
        .map(|a| match a {
            Ok(r) => Ok(r.lines.iter().map(|(l, _)| l.quantity).sum()),
            Err(Error::Conflict(m)) => Err(m.clone()),
            Err(Error::Invalid(e)) => Err(format!("invalid {}", e.field)),
            Err(e) => Err(e.to_string()),
        })
        .collect()
}

async fn fixture(quota: i32) -> (TestDb, CityId, EventId, TicketTypeId) {
    let t = TestDb::new().await;
    t.seed_demo(3).await;
    let s = show(&t, "almaty", 20, &[("Parterre", 500_000, quota)], false).await;
    let city = t.city("almaty").await.id;
    let event = EventId::from(uuid::Uuid::parse_str(&s.event).expect("event id"));
    let tt = TicketTypeId::from(uuid::Uuid::parse_str(&s.types[0]).expect("type id"));
    (t, city, event, tt)
}

async fn taken(t: &TestDb, tt: TicketTypeId) -> i64 {
    count(
        t,
        "select coalesce(sum(taken), 0)::bigint from ticket_seat_buckets where ticket_type_id = $1",
        &tt.to_string(),
    )
    .await
}

#[tokio::test]
async fn a_batch_serves_its_buyers_in_order_and_refuses_only_those_that_no_longer_fit() {
    let (t, city, event, tt) = fixture(10).await;
    let db = t.db().await;
    let wishes = [
        wish(0, tt, 6),
        wish(1, tt, 5),
        wish(2, tt, 3),
        wish(3, tt, 0),
        wish(4, tt, 1),
        wish(5, tt, 2),
    ];
    let mut tx = db.tenant(&CityScope::for_public(city)).await.expect("tx");
    let answers = reserve_many(&mut tx, event, &wishes).await.expect("batch");
    tx.commit().await.expect("commit");
    assert_eq!(
        outcome(&answers),
        [
            Ok(6),
            Err("sold out: Parterre (only 4 left)".into()),
            Ok(3),
            Err("invalid quantity".into()),
            Ok(1),
            Err("sold out: Parterre".into()),
        ]
    );
    let made: Vec<&Reserved> = answers.iter().filter_map(|a| a.as_ref().ok()).collect();
    let keys: std::collections::HashSet<&str> =
        made.iter().map(|r| r.access_key.as_str()).collect();
    assert_eq!(keys.len(), 3, "each order has its own access key");
    assert_eq!(made[0].order.buyer_name, "Buyer 0");
    assert_eq!(made[2].order.total_tiyn, 500_000);
    assert_eq!(taken(&t, tt).await, 10);
    let held = count(
        &t,
        "select count(*) from ticket_orders where event_id = $1 and status = 'held'",
        &event.to_string(),
    )
    .await;
    assert_eq!(held, 3);
    db.close().await;
}

/// Another transaction takes seats between the batch's read and its take:
/// the batch is undone to its savepoint and served again from a fresh read,
/// the wishes it had refused for want of seats included.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_that_lost_a_race_for_seats_reads_them_again() {
    let (t, city, event, tt) = fixture(10).await;
    let db = t.db().await;
    let mut rival = soi_tests::tenant(&db, city).await;
    seats::take(&mut rival, (tt, "Parterre"), 5)
        .await
        .expect("the rival takes 5");
    let batch_db = db.clone();
    let batch = tokio::spawn(async move {
        let wishes = [wish(0, tt, 8), wish(1, tt, 5), wish(2, tt, 3)];
        let mut tx = batch_db
            .tenant(&CityScope::for_public(city))
            .await
            .expect("tx");
        let answers = reserve_many(&mut tx, event, &wishes).await.expect("batch");
        tx.commit().await.expect("commit");
        outcome(&answers)
    });
    // The batch read 10 left (the rival's 5 are not committed), holds 8 for
    // the first buyer, refuses the others for now, and waits for the
    // bucket the rival holds.
    let mut raw = t.raw().await;
    let mut waited = 0;
    loop {
        let waiting: i64 = sqlx::query_scalar(
            "select count(*) from pg_stat_activity where datname = current_database() \
             and wait_event_type = 'Lock'",
        )
        .fetch_one(&mut raw)
        .await
        .expect("activity");
        if waiting > 0 {
            break;
        }
        waited += 1;
        assert!(
            waited < 200,
            "the batch never waited for the rival's bucket"
        );
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    rival.commit().await.expect("rival commits");
    let answers = batch.await.expect("batch task");
    // Read again, 5 left: the first no longer fits, the second now does.
    assert_eq!(
        answers,
        [
            Err("sold out: Parterre (only 5 left)".into()),
            Ok(5),
            Err("sold out: Parterre".into()),
        ]
    );
    assert_eq!(taken(&t, tt).await, 10, "never oversold, never undersold");
    let lines = count(
        &t,
        "select coalesce(sum(l.quantity), 0)::bigint from ticket_order_lines l \
         join ticket_orders o on o.city_id = l.city_id and o.id = l.order_id \
         where o.event_id = $1",
        &event.to_string(),
    )
    .await;
    assert_eq!(lines, 5, "the undone attempt's orders are gone");
    db.close().await;
}
