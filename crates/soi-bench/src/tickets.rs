//! `soi-bench ticket-rush` — a ticket rush: `--buyers` anonymous buyers
//! reserve 1–4 seats each (a fixed pseudo-random mix) of one ticket type
//! with `--seats` seats, through two gateways on one database, at most
//! `--concurrency` requests in flight, spread evenly over both.
//!
//! The gateways are two real `soi serve` processes (the binary next to this
//! one, i.e. `target/release/soi`, or `--soi-bin`), on 127.0.0.1 ports
//! `--port` and `--port + 1`; `--in-process` runs them inside this process
//! instead. Before the figures are printed the outcome is checked: never
//! oversold (the answers, the seat buckets and the stored holds agree, at
//! most the quota), never undersold (every refusal said fewer seats were
//! left than it asked, and the whole quota was held), every refusal a "sold
//! out" CONFLICT, no HTTP 5xx.

use crate::app;
use crate::scratch::Scratch;
use crate::serve::{self, Gateway, Serve};
use crate::table::{Table, figures, ms, num};
use anyhow::{Context, Result, bail, ensure};
use chrono::{Days, Duration as Span, Utc};
use serde_json::{Value, json};
use soi_core::states::{EventKind, EventStatus};
use soi_core::{EventId, SeasonId, SystemCtx, TicketTypeId};
use soi_db::events::events::NewEvent;
use soi_db::program::rinks;
use soi_db::program::seasons::{self, NewSeason};
use soi_db::tickets::ticket_types;
use soi_db::{Db, cities};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Semaphore;

const DB_NAME: &str = "soi_bench_tickets";
const JWT_SECRET: &str = "soi-bench-ticket-rush-secret-0123456789";
const RESERVE: &str = "mutation($c: String!, $i: ReserveTicketsInput!) { reserveTickets(city: $c, input: $i) { orderId total } }";

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    /// Buyers, one reservation each.
    #[arg(long, default_value_t = 2000)]
    buyers: usize,
    /// Seats of the one ticket type.
    #[arg(long, default_value_t = 500)]
    seats: i32,
    /// Requests in flight at most (over both gateways).
    #[arg(long, default_value_t = 200)]
    concurrency: usize,
    /// Each gateway's pool size (`SOI_DB_MAX_CONNECTIONS`).
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// The first gateway's port; the second listens on the next one.
    #[arg(long, default_value_t = 18480)]
    port: u16,
    /// The `soi` binary; default: `soi` next to this program.
    #[arg(long)]
    soi_bin: Option<PathBuf>,
    /// Reservations of a separate show sent first, at the same concurrency
    /// and not measured: the gateways' pools, prepared statements and
    /// caches warm, as a gateway that has been selling is.
    #[arg(long, default_value_t = 400)]
    warmup: usize,
    /// Run both gateways inside this process instead of as `soi serve`.
    #[arg(long)]
    in_process: bool,
}

pub async fn run(args: Args) -> Result<()> {
    ensure!(
        args.buyers > 0 && args.seats > 0 && args.concurrency > 0 && args.pool > 0,
        "--buyers, --seats, --concurrency and --pool must be at least 1"
    );
    println!(
        "# soi-bench ticket-rush --buyers {} --seats {} --concurrency {} --pool {} --warmup {}{}",
        args.buyers,
        args.seats,
        args.concurrency,
        args.pool,
        args.warmup,
        if args.in_process { " --in-process" } else { "" }
    );
    Scratch::with(DB_NAME, async |s| measure(s, &args).await).await
}

/// A season, a published show two months ahead and its one ticket type.
async fn make_show(db: &Db, title: &str, seats: i32) -> Result<(String, TicketTypeId, EventId)> {
    let mut national = db.national().await?;
    let city = cities::by_slug(&mut national, "almaty").await?;
    national.commit().await?;
    let mut tx = db.tenant(&SystemCtx::new("bench").in_city(city.id)).await?;
    let today = Utc::now().date_naive();
    let season = seasons::insert(
        &mut tx,
        SeasonId::new(),
        &NewSeason {
            title: "Rush season".into(),
            social_theme: "Clean air".into(),
            starts_on: today.checked_sub_days(Days::new(30)).context("date")?,
            ends_on: today.checked_add_days(Days::new(120)).context("date")?,
            capacity: 40,
            auto_accept: false,
        },
    )
    .await?;
    let rink = rinks::list(&mut tx)
        .await?
        .first()
        .map(|r| r.id)
        .context("no rink")?;
    let show = NewEvent {
        season_id: season.id,
        kind: EventKind::IceShow,
        title: title.into(),
        motto: None,
        social_theme: "Gas for remote homes".into(),
        rink_id: rink,
        starts_at: Utc::now() + Span::days(60),
        hold_minutes: 20,
        cause_id: None,
    };
    let event = soi_service::events::create(&mut tx, EventId::new(), &show)
        .await?
        .id;
    let tt = soi_service::tickets::add_ticket_type(
        &mut tx,
        TicketTypeId::new(),
        event,
        "Parterre",
        500_000,
        seats,
    )
    .await?
    .id;
    soi_service::events::set_status(&mut tx, event, EventStatus::Published).await?;
    tx.commit().await?;
    Ok((city.slug, tt, event))
}

/// What one buyer got.
struct Outcome {
    latency: Duration,
    /// When the answer came, from the start of the rush.
    done_at: Duration,
    seats: i64,
    held: bool,
    /// For a refusal: the seats it said were left ("only N left"; 0 for a
    /// plain "sold out").
    left: Option<i64>,
}

/// The seats a "sold out" refusal says were left of the type.
fn seats_left(message: &str) -> i64 {
    message
        .split_once("(only ")
        .and_then(|(_, rest)| rest.strip_suffix(" left)"))
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

async fn measure(scratch: &Scratch, args: &Args) -> Result<()> {
    let url = scratch.url();
    let pools = scratch.pools(4, 1).await?;
    pools.seed_demo().await?;
    let (city, tt, event) = make_show(&pools.db, "SOI: the rush", args.seats).await?;
    let warm_seats = i32::try_from(args.warmup.clamp(1, 100_000)).unwrap_or(100_000);
    let (_, warm_tt, warm_event) = make_show(&pools.db, "SOI: the rehearsal", warm_seats).await?;

    let prefix = format!("soi_bench_rush_{}", std::process::id());
    let mut gateways = Vec::new();
    let started = async {
        for i in 0..2u16 {
            let gw = if args.in_process {
                let db = scratch.config(args.pool, args.pool);
                let settings = app::settings(db, JWT_SECRET, 900);
                Gateway::InProcess(app::Gateway::start(settings).await?)
            } else {
                let bin = serve::soi_bin(args.soi_bin.as_ref())?;
                let serve = Serve {
                    bin: &bin,
                    url,
                    redis_prefix: &prefix,
                    jwt_secret: JWT_SECRET,
                    pool: args.pool,
                    // Warm: a gateway that has been selling holds its pool open.
                    min_pool: args.pool,
                    env: Vec::new(),
                };
                serve.spawn(args.port + i).await?
            };
            gateways.push(gw);
        }
        anyhow::Ok(())
    }
    .await;
    let rushed = match started {
        Ok(()) => {
            let client = reqwest::Client::builder()
                .pool_max_idle_per_host(args.concurrency)
                .build()?;
            let warm = (warm_tt, warm_event, args.warmup);
            match rush(&client, &gateways, args, &city, warm).await {
                Ok(_) => rush(&client, &gateways, args, &city, (tt, event, args.buyers)).await,
                Err(e) => Err(e.context("warm-up")),
            }
        }
        Err(e) => Err(e),
    };
    for gw in gateways {
        gw.stop().await;
    }
    if !args.in_process {
        serve::forget_redis(&prefix).await;
    }
    let (outcomes, wall) = rushed?;
    check_and_report(&pools.db, &outcomes, wall, args, tt, event).await?;
    pools.close().await;
    Ok(())
}

/// Lets `buyers` buyers of the ticket type `tt` of `event` reserve at once,
/// at most `--concurrency` in flight (each gateway answered a few plain
/// queries first).
async fn rush(
    client: &reqwest::Client,
    gateways: &[Gateway],
    args: &Args,
    city: &str,
    (tt, event, buyers): (TicketTypeId, EventId, usize),
) -> Result<(Vec<Outcome>, Duration)> {
    for gw in gateways {
        for _ in 0..20 {
            client
                .post(format!("http://{}/graphql", gw.addr()))
                .json(&json!({ "query": "{ cities { slug } }" }))
                .send()
                .await?
                .error_for_status()?;
        }
    }
    let gate = Arc::new(Semaphore::new(args.concurrency));
    let mut rng: u64 = 0x5015_2026;
    let mut tasks = tokio::task::JoinSet::new();
    let began = Instant::now();
    for n in 0..buyers {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let seats = 1 + (rng % 4) as i64;
        let target = format!("http://{}/graphql", gateways[n % gateways.len()].addr());
        let body = json!({ "query": RESERVE, "variables": { "c": city, "i": {
            "eventId": event.to_string(), "buyerName": format!("Buyer {n}"),
            "buyerEmail": format!("buyer{n}@mail.kz"), "language": "RU",
            "items": [{ "ticketTypeId": tt.to_string(), "quantity": seats }] } } });
        let (gate, client) = (gate.clone(), client.clone());
        tasks.spawn(async move {
            let _slot = gate.acquire_owned().await?;
            let sent = Instant::now();
            let r = client
                .post(target)
                .timeout(Duration::from_secs(60))
                .json(&body)
                .send()
                .await?;
            let status = r.status();
            let answer: Value = r.json().await?;
            let latency = sent.elapsed();
            let done_at = began.elapsed();
            if status.is_server_error() {
                bail!("HTTP {status}: {answer}");
            }
            let held = answer["data"]["reserveTickets"]["orderId"].is_string();
            let mut left = None;
            if !held {
                let code = &answer["errors"][0]["extensions"]["code"];
                let message = answer["errors"][0]["message"].as_str().unwrap_or("");
                ensure!(
                    code == "CONFLICT" && message.starts_with("sold out"),
                    "unexpected answer: {answer}"
                );
                left = Some(seats_left(message));
            }
            anyhow::Ok(Outcome {
                latency,
                done_at,
                seats,
                held,
                left,
            })
        });
    }
    let mut outcomes = Vec::with_capacity(buyers);
    while let Some(done) = tasks.join_next().await {
        outcomes.push(done.context("a buyer's task failed")??);
    }
    Ok((outcomes, began.elapsed()))
}

async fn check_and_report(
    db: &Db,
    outcomes: &[Outcome],
    wall: Duration,
    args: &Args,
    tt: TicketTypeId,
    event: EventId,
) -> Result<()> {
    let held_seats: i64 = outcomes.iter().filter(|o| o.held).map(|o| o.seats).sum();
    let orders = outcomes.iter().filter(|o| o.held).count();
    let mut national = db.national().await?;
    let city = cities::by_slug(&mut national, "almaty").await?;
    national.commit().await?;
    let mut tx = db.tenant(&SystemCtx::new("bench").in_city(city.id)).await?;
    let taken = ticket_types::get(&mut tx, tt).await?.taken;
    let sales = soi_db::tickets::sales::for_event(&mut tx, event).await?;
    tx.commit().await?;
    let stored_held: i64 = sales.iter().map(|s| s.held).sum();
    ensure!(
        held_seats == i64::from(taken) && stored_held == held_seats,
        "books disagree: answers held {held_seats}, taken {taken}, stored holds {stored_held}"
    );
    ensure!(
        taken <= args.seats,
        "oversold: {taken} of {} seats",
        args.seats
    );
    // Never undersold: a buyer refused while as many seats as they asked
    // were left would show here, and so would seats left at the end.
    if let Some(o) = outcomes
        .iter()
        .find(|o| o.left.is_some_and(|left| left >= o.seats))
    {
        bail!(
            "undersold: a buyer of {} seats was refused with {} left",
            o.seats,
            o.left.unwrap_or(0)
        );
    }
    let unsold = i64::from(args.seats - taken);
    ensure!(
        !outcomes.iter().any(|o| !o.held && o.seats <= unsold),
        "undersold: {unsold} seats left at the end, and a buyer asking no more was refused"
    );
    let all: Vec<Duration> = outcomes.iter().map(|o| o.latency).collect();
    let won: Vec<Duration> = outcomes
        .iter()
        .filter(|o| o.held)
        .map(|o| o.latency)
        .collect();
    let f_all = figures(all, wall);
    let f_won = figures(won, wall);
    // Orders per second while seats were left: to the last successful answer.
    let sold_out_after = outcomes
        .iter()
        .filter(|o| o.held)
        .map(|o| o.done_at)
        .max()
        .unwrap_or(wall);
    println!();
    println!(
        "gateways: two {} on one database, pool {} each; {} buyers, {} in flight",
        if args.in_process {
            "in-process servers"
        } else {
            "`soi serve` processes"
        },
        args.pool,
        args.buyers,
        args.concurrency
    );
    println!(
        "held {taken} of {} seats in {orders} orders; {} buyers refused (sold out), each with fewer seats left than asked; no 5xx",
        args.seats,
        outcomes.len() - orders
    );
    println!();
    let table = Table::start(&[
        num("requests"),
        num("wall s"),
        num("requests/s"),
        num("sold out after s"),
        num("orders/s"),
        num("p50 ms"),
        num("p99 ms"),
        num("p50 ms (held)"),
        num("p99 ms (held)"),
    ]);
    table.row(&[
        outcomes.len().to_string(),
        format!("{:.2}", wall.as_secs_f64()),
        format!("{:.0}", f_all.per_second),
        format!("{:.2}", sold_out_after.as_secs_f64()),
        format!("{:.0}", orders as f64 / sold_out_after.as_secs_f64()),
        ms(f_all.p50),
        ms(f_all.p99),
        ms(f_won.p50),
        ms(f_won.p99),
    ]);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::seats_left;

    #[test]
    fn a_refusal_tells_the_seats_left() {
        assert_eq!(seats_left("sold out: Parterre (only 3 left)"), 3);
        assert_eq!(seats_left("sold out: Parterre"), 0);
        assert_eq!(seats_left("sold out: Hall (only) (only 12 left)"), 12);
    }
}
