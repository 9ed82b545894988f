//! The demo's finale and money trail for one city: last month's judged
//! skating test (done), the season's ice show on sale with partners, numbers
//! and ticket types, sponsors and their contributions, the city's social
//! cause, expenses, a first gift to the cause, and some ticket sales (one
//! refunded, one still held). Everything goes through the same db functions
//! the gateway uses, in the city's seed transaction.

use crate::Result;
use crate::finale::finale;
use crate::plan::CityPlan;
use crate::rng::Rng;
use chrono::{DateTime, NaiveDate, NaiveTime, TimeZone, Utc};
use soi_core::states::{EventKind, EventStatus};
use soi_core::{
    CauseId, CityZone, ContributionId, DisbursementId, Email, EventId, ExpenseId, Language,
    ParticipantId, PartnerId, PerformanceId, SponsorId, TicketTypeId,
};
use soi_db::events::events::NewEvent;
use soi_db::events::{event_partners, performances};
use soi_db::funds::contributions::{self, Pledge};
use soi_db::funds::disbursements::NewDisbursement;
use soi_db::funds::expenses::NewExpense;
use soi_db::funds::sponsors::{self, Contact, NewSponsor};
use soi_db::funds::{ContributionForm, SponsorKind, causes};
use soi_db::tickets::orders::Buyer;
use soi_db::tickets::payments::{PaymentMethod, Receipt};
use soi_db::{TenantTx, audit};

const TG: i64 = 100; // tiyn per tenge

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn local(zone: CityZone, d: NaiveDate, hour: u32) -> DateTime<Utc> {
    let t = d.and_time(NaiveTime::from_hms_opt(hour, 0, 0).unwrap_or(NaiveTime::MIN));
    zone.tz()
        .from_local_datetime(&t)
        .earliest()
        .map_or_else(|| Utc.from_utc_datetime(&t), |x| x.with_timezone(&Utc))
}

fn text(field: &'static str, s: &str) -> Result<Email> {
    Email::parse(s).map_err(|e| crate::SeedError::Invalid(format!("{field}: {e}")))
}

/// Writes the finale and money trail of one city into its seed transaction.
pub async fn write(
    tx: &mut TenantTx,
    rng: &mut Rng,
    slug: &str,
    zone: CityZone,
    plan: &CityPlan,
) -> Result<()> {
    let f = finale(slug);
    let season = plan.season.0;
    let rink = plan.rinks[0].0;
    let cause = causes::create(
        tx,
        CauseId::from_uuid(rng.uuid()),
        &causes::NewCause {
            title: f.cause.0.into(),
            description: f.cause.1.into(),
            beneficiaries: f.cause.2.into(),
            target_tiyn: Some(15_000_000 * TG),
        },
    )
    .await?;

    // Last month's skating test: judged, done.
    let test = NewEvent {
        season_id: season,
        kind: EventKind::Competition,
        title: "Autumn skating test".into(),
        motto: Some("First steps on the ice".into()),
        social_theme: "The first public skate of the season's beginners".into(),
        rink_id: rink,
        starts_at: local(zone, day(2026, 11, 21), 11),
        hold_minutes: 20,
        cause_id: None,
    };
    let test = soi_service::events::create(tx, EventId::from_uuid(rng.uuid()), &test).await?;
    soi_service::tickets::add_ticket_type(
        tx,
        TicketTypeId::from_uuid(rng.uuid()),
        test.id,
        "Free entry",
        0,
        100,
    )
    .await?;
    soi_service::events::set_status(tx, test.id, EventStatus::Published).await?;
    for (i, group) in plan.groups.iter().enumerate() {
        let number = soi_service::events::add_number(
            tx,
            PerformanceId::from_uuid(rng.uuid()),
            test.id,
            &performances::NewPerformance {
                title: format!("{}: first program", group.name),
                social_issue: "Learning something new as an adult".into(),
                music: Some("Ludovico Einaudi — Experience".into()),
            },
        )
        .await?;
        let skaters: Vec<ParticipantId> = group.members.iter().take(6).copied().collect();
        soi_service::events::set_performers(tx, number.id, &skaters).await?;
        for (j, judge) in ["Judge A. Ospanova", "Judge B. Kim", "Judge C. Petrov"]
            .iter()
            .enumerate()
        {
            let score = 600 + 100 * (i as i32 + 1) + 25 * j as i32 + rng.below(50) as i32;
            soi_service::events::mark(tx, number.id, judge, score.min(1000)).await?;
        }
    }
    soi_service::events::set_status(tx, test.id, EventStatus::Done).await?;

    // The season's ice show, on sale.
    let show = NewEvent {
        season_id: season,
        kind: EventKind::IceShow,
        title: format!("Students on Ice: {}", f.motto),
        motto: Some(f.motto.into()),
        social_theme: f.cause.1.into(),
        rink_id: rink,
        starts_at: local(zone, day(2027, 3, 27), 18),
        hold_minutes: 20,
        cause_id: Some(cause.id),
    };
    let show = soi_service::events::create(tx, EventId::from_uuid(rng.uuid()), &show).await?;
    soi_service::events::add_partner(
        tx,
        PartnerId::from_uuid(rng.uuid()),
        show.id,
        &event_partners::NewPartner {
            name: f.partner.0.into(),
            contribution: Some(f.partner.1.into()),
            website: None,
        },
    )
    .await?;
    let everyone: Vec<ParticipantId> = plan.groups.iter().flat_map(|g| g.members.clone()).collect();
    for (i, (title, issue)) in f.numbers.iter().enumerate() {
        let number = soi_service::events::add_number(
            tx,
            PerformanceId::from_uuid(rng.uuid()),
            show.id,
            &performances::NewPerformance {
                title: (*title).into(),
                social_issue: (*issue).into(),
                music: None,
            },
        )
        .await?;
        let cast: Vec<ParticipantId> = everyone.iter().skip(i * 8).take(10).copied().collect();
        soi_service::events::set_performers(tx, number.id, &cast).await?;
    }
    let mut types = Vec::new();
    for (name, price, quota) in [
        ("Standard", 3_000, 400),
        ("Student", 1_500, 200),
        ("Front row", 10_000, 40),
    ] {
        let t = soi_service::tickets::add_ticket_type(
            tx,
            TicketTypeId::from_uuid(rng.uuid()),
            show.id,
            name,
            price * TG,
            quota,
        )
        .await?;
        types.push(t.id);
    }
    soi_service::events::set_status(tx, show.id, EventStatus::Published).await?;

    // Sponsors: money received, more pledged, ice time in kind, a person.
    let sponsor = |kind, name: &str| NewSponsor {
        kind,
        name: name.into(),
        contact: Contact::default(),
    };
    let energy = sponsor(SponsorKind::Organization, "Steppe Energy");
    let bank = sponsor(SponsorKind::Organization, "Altyn Bank Foundation");
    let palace = sponsor(SponsorKind::Organization, "City Ice Palace");
    let mut person = sponsor(SponsorKind::Person, "Private donor");
    person.contact.email = Some(text("email", &format!("donor@{slug}.example.kz"))?);
    let contributions_plan = [
        (
            energy,
            ContributionForm::Money,
            5_000_000,
            "costumes and ice time",
            true,
        ),
        (
            bank,
            ContributionForm::Money,
            3_000_000,
            "the show's production",
            true,
        ),
        (
            palace,
            ContributionForm::InKind,
            1_200_000,
            "ice for rehearsals",
            true,
        ),
        (
            person,
            ContributionForm::Money,
            200_000,
            "the social cause",
            true,
        ),
    ];
    for (i, (new, form, amount, purpose, received)) in contributions_plan.into_iter().enumerate() {
        let s = sponsors::create(tx, SponsorId::from_uuid(rng.uuid()), &new).await?;
        let c = contributions::pledge(
            tx,
            ContributionId::from_uuid(rng.uuid()),
            &Pledge {
                sponsor: s.id,
                form,
                amount_tiyn: amount * TG,
                description: (form == ContributionForm::InKind).then(|| "40 hours of ice".into()),
                purpose: purpose.into(),
                pledged_on: day(2026, 9, 1 + i as u32),
            },
        )
        .await?;
        if received {
            soi_service::funds::receive(tx, c.id, day(2026, 10, 1 + i as u32)).await?;
        }
        if i == 1 {
            // A second tranche, pledged for the spring.
            contributions::pledge(
                tx,
                ContributionId::from_uuid(rng.uuid()),
                &Pledge {
                    sponsor: s.id,
                    form,
                    amount_tiyn: 2_000_000 * TG,
                    description: None,
                    purpose: "the show's production".into(),
                    pledged_on: day(2026, 11, 10),
                },
            )
            .await?;
        }
    }
    for (tag, amount, on, what) in [
        (
            "costumes",
            800_000,
            day(2026, 10, 20),
            "Fabric and tailoring for 30 costumes",
        ),
        ("ice_rent", 1_500_000, day(2026, 11, 1), "Ice time, October"),
        (
            "music_license",
            100_000,
            day(2026, 11, 5),
            "Music rights for the show",
        ),
        (
            "printing",
            150_000,
            day(2026, 11, 15),
            "Posters and tickets",
        ),
    ] {
        soi_service::funds::record_expense(
            tx,
            ExpenseId::from_uuid(rng.uuid()),
            &NewExpense {
                tag: tag.into(),
                amount_tiyn: amount * TG,
                spent_on: on,
                description: what.into(),
                receipt_url: Some(format!("https://receipts.soi.kz/{slug}/{tag}")),
            },
        )
        .await?;
    }
    soi_service::funds::give(
        tx,
        DisbursementId::from_uuid(rng.uuid()),
        &NewDisbursement {
            cause: cause.id,
            amount_tiyn: 2_000_000 * TG,
            paid_on: day(2026, 11, 20),
            evidence_url: format!("https://soi.kz/{slug}/reports/first-gift"),
            beneficiaries: 12,
            description: "First part of the cause, paid from last season's show".into(),
        },
    )
    .await?;

    // Early ticket sales: paid orders, one refunded, one still held.
    let methods = [
        PaymentMethod::Kaspi,
        PaymentMethod::Cash,
        PaymentMethod::Card,
    ];
    for n in 0..10u32 {
        let buyer = Buyer {
            name: format!("Buyer {}", n + 1),
            email: text("email", &format!("buyer.{}@{slug}.example.kz", n + 1))?,
            language: [Language::Kk, Language::Ru, Language::En][n as usize % 3],
        };
        let lines = [(types[n as usize % 3], 1 + (n as i32 % 4))];
        let held = soi_service::tickets::reserve(tx, show.id, &buyer, &lines).await?;
        if n == 9 {
            continue; // still held: it lapses by itself
        }
        let reference = format!("DEMO-{slug}-{n}");
        soi_service::tickets::settle(
            tx,
            held.order.id,
            Receipt {
                method: methods[n as usize % 3],
                amount_tiyn: held.order.total_tiyn,
                reference: Some(&reference),
                provider_txn_id: None,
            },
        )
        .await?;
        if n == 4 {
            soi_service::tickets::refund(tx, held.order.id, "the buyer cannot come").await?;
        }
    }
    let ids = serde_json::json!({ "seasonId": season.to_string(), "eventId": show.id.to_string() });
    audit::record(tx, "seedDemo", &ids, None).await?;
    Ok(())
}
