//! The demo: Almaty, Astana and Shymkent with a season in training — coaches,
//! rinks, about forty applicants, two groups, three sessions a week since
//! October with attendance up to the demo's "today", and skills passed.

use crate::names::{DEMO_CITIES, DemoCity, GENERIC_UNIVERSITIES};
use crate::plan::{self, Counts, Spec};
use crate::rng::Rng;
use crate::{Result, SeedError};
use chrono::{NaiveDate, TimeZone, Utc};
use soi_core::{CityId, CityZone, CoachId, Email, ParticipantId, Position, Role, Slug, SystemCtx};
use soi_db::auth::accounts::{self, NewAccount};
use soi_db::cities::NewCity;
use soi_db::program::{seasons, skills};
use soi_db::{Db, SystemDb};

/// The demo's fixed "today", so the same seed gives the same data any day.
pub fn as_of() -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 24, 18, 0, 0)
        .single()
        .unwrap_or_default()
}

fn season_start() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 5).unwrap_or_default()
}

/// The demo accounts' password unless `SOI_DEMO_PASSWORD` gives another.
pub const DEFAULT_PASSWORD: &str = "skate-on-ice-2026";

#[derive(Debug, Clone)]
pub struct CityOutcome {
    pub slug: String,
    /// None when the city had the demo season already (nothing written).
    pub counts: Option<Counts>,
}

/// [`run_with_password`] with the default demo password.
pub async fn run(sys: &SystemDb, db: &Db, seed: u64, only: &[String]) -> Result<Vec<CityOutcome>> {
    run_with_password(sys, db, seed, only, DEFAULT_PASSWORD).await
}

/// Launches the demo cities (if needed) and seeds each; `only` restricts the
/// run to cities that must already exist. Each city gets the accounts
/// `admin@<slug>.soi.test` (chapter admin), `coach@<slug>.soi.test` (its first
/// coach) and `student@<slug>.soi.test` (its first participant); the alliance
/// gets `national@soi.test`. Accounts that exist are left as they are.
pub async fn run_with_password(
    sys: &SystemDb,
    db: &Db,
    seed: u64,
    only: &[String],
    password: &str,
) -> Result<Vec<CityOutcome>> {
    let ctx = SystemCtx::new("seed-demo");
    let mut targets: Vec<(soi_db::cities::City, Option<&DemoCity>)> = Vec::new();
    if only.is_empty() {
        for demo in DEMO_CITIES {
            let new = NewCity {
                slug: Slug::parse(demo.slug).map_err(|e| SeedError::Invalid(e.to_string()))?,
                name_kk: demo.names[0].into(),
                name_ru: demo.names[1].into(),
                name_en: demo.names[2].into(),
                zone: CityZone::parse(demo.zone).map_err(|e| SeedError::Invalid(e.to_string()))?,
                launched_on: NaiveDate::from_ymd_opt(2026, 9, 1).unwrap_or_default(),
                position: Some(
                    Position::new(demo.position.0, demo.position.1)
                        .map_err(|e| SeedError::Invalid(e.to_string()))?,
                ),
            };
            targets.push((sys.launch_city(&ctx, &new).await?.city, Some(demo)));
        }
    } else {
        for slug in only {
            let city = sys
                .city_by_slug(slug)
                .await?
                .ok_or_else(|| SeedError::MissingCity(slug.clone()))?;
            let demo = DEMO_CITIES.iter().find(|d| d.slug == city.slug);
            targets.push((city, demo));
        }
    }
    let mut out = Vec::new();
    let mut people = Vec::new();
    for (city, demo) in targets {
        let (counts, coach, participant) = seed_city(db, &ctx, &city, demo, seed).await?;
        people.push((city.id, city.slug.clone(), coach, participant));
        out.push(CityOutcome {
            slug: city.slug,
            counts,
        });
    }
    create_accounts(sys, &people, password).await?;
    Ok(out)
}

/// Demo accounts with a known password, made through the owner's connection
/// (real people get theirs by accepting an invitation).
async fn create_accounts(
    sys: &SystemDb,
    cities: &[(CityId, String, CoachId, ParticipantId)],
    password: &str,
) -> Result<()> {
    let mut wanted = vec![(
        "national@soi.test".to_owned(),
        Role::National,
        None,
        None,
        None,
    )];
    for (city, slug, coach, participant) in cities {
        wanted.push((
            format!("admin@{slug}.soi.test"),
            Role::ChapterAdmin,
            Some(*city),
            None,
            None,
        ));
        wanted.push((
            format!("coach@{slug}.soi.test"),
            Role::Coach,
            Some(*city),
            Some(*coach),
            None,
        ));
        wanted.push((
            format!("student@{slug}.soi.test"),
            Role::Participant,
            Some(*city),
            None,
            Some(*participant),
        ));
    }
    for (email, role, city, coach, participant) in wanted {
        let pw = password.to_owned();
        let hash = tokio::task::spawn_blocking(move || soi_auth::hash_password(&pw))
            .await
            .map_err(|e| SeedError::Invalid(format!("hashing failed: {e}")))?
            .map_err(|e| SeedError::Invalid(e.to_string()))?;
        let new = NewAccount {
            email: Email::parse(&email).map_err(|e| SeedError::Invalid(e.to_string()))?,
            password_hash: hash,
            principal_role: role,
            city,
            coach,
            participant,
        };
        accounts::create_as_owner(sys, &new).await?;
    }
    Ok(())
}

async fn seed_city(
    db: &Db,
    ctx: &SystemCtx,
    city: &soi_db::cities::City,
    demo: Option<&DemoCity>,
    seed: u64,
) -> Result<(Option<Counts>, CoachId, ParticipantId)> {
    let zone = CityZone::parse(&city.time_zone).map_err(|e| SeedError::Invalid(e.to_string()))?;
    // A launched city that is not one of the demo's gets generic venues.
    let (rinks, universities, theme) = match demo {
        Some(d) => (
            d.rinks
                .iter()
                .map(|(n, a)| ((*n).to_owned(), (*a).to_owned()))
                .collect(),
            d.universities,
            d.theme.to_owned(),
        ),
        None => (
            vec![(
                format!("{} Arena", city.name_en),
                format!("{}, city centre", city.name_ru),
            )],
            GENERIC_UNIVERSITIES,
            format!("SOI: {} youth for a cleaner city", city.name_en),
        ),
    };
    let spec = Spec {
        city_slug: &city.slug,
        zone,
        rinks,
        universities,
        theme: &theme,
        coaches: 3,
        participants: 30,
        waitlisted: 4,
        undecided: 3,
        group_size: 15,
        sessions_per_group: 72,
        season_start: season_start(),
        marked_until: as_of(),
    };
    let mut tx = db.tenant(&ctx.in_city(city.id)).await?;
    let catalogue = skills::catalogue(&mut tx).await?;
    let mut rng = Rng::derive(seed, &city.slug);
    let plan = plan::build(&mut rng, &spec, &catalogue);
    // Ids derive from the seed: if this season is stored, this seed already
    // ran for the city and nothing is written again.
    let (coach, participant) = (plan.coaches[0].0, plan.participants[0].0);
    if seasons::get(&mut tx, plan.season.0).await.is_ok() {
        tx.rollback().await?;
        return Ok((None, coach, participant));
    }
    let counts = plan::write(&mut tx, &plan, |_| {}).await?;
    crate::show::write(&mut tx, &mut rng, &city.slug, zone, &plan).await?;
    welcome_applicants(&mut tx, plan.season.0).await?;
    // Someone who unsubscribed from announcements through the link their
    // emails carried (the link's row first, as the mail worker makes it).
    let quiet = format!("unsubscribed@{}.soi.test", city.slug);
    soi_db::mail::unsubscribe_links::ids_for(&mut tx, std::slice::from_ref(&quiet)).await?;
    soi_db::mail::email_preferences::unsubscribe(&mut tx, &quiet).await?;
    // Next season already takes applications.
    let next = soi_db::program::seasons::NewSeason {
        title: "Students on Ice 2027–2028".into(),
        social_theme: theme.clone(),
        starts_on: NaiveDate::from_ymd_opt(2027, 10, 4).unwrap_or_default(),
        ends_on: NaiveDate::from_ymd_opt(2028, 4, 3).unwrap_or_default(),
        capacity: 40,
        auto_accept: false,
    };
    let next = seasons::insert(&mut tx, soi_core::SeasonId::from_uuid(rng.uuid()), &next).await?;
    // A known participant's address used on the next season's form: waiting
    // for its owner to confirm (the token went only to their email).
    let token = rng.uuid().simple().to_string();
    let request = soi_db::program::application_requests::NewApplicationRequest {
        id: soi_core::EnrollmentId::from_uuid(rng.uuid()),
        season: next.id,
        participant,
        token_hash: &soi_auth::token_hash(&token),
        motivation: None,
        consent_text_version: "2026-09",
        expires_at: chrono::Utc::now() + soi_service::program::applications::CONFIRMATION_TTL,
    };
    soi_db::program::application_requests::replace(&mut tx, &request).await?;
    tx.commit().await?;
    Ok((Some(counts), coach, participant))
}

/// The undecided applicants' "application received" emails, written as the
/// application flow writes them, so the demo's outbox holds mail too.
async fn welcome_applicants(tx: &mut soi_db::TenantTx, season: soi_core::SeasonId) -> Result<()> {
    let season = seasons::get(tx, season).await?;
    let applied = Some(soi_core::states::EnrollmentStatus::Applied);
    let page = soi_db::Page::first(100);
    for application in
        soi_db::program::enrollments::list_by_season(tx, season.id, applied, page).await?
    {
        soi_mail::kinds::application_received(tx, &season, &application).await?;
    }
    Ok(())
}
