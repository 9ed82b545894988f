//! Public operations (no sign-in: applying, buying tickets, public pages)
//! run in the city their slug names. A launched city's slug never changes
//! owner, so its id is cached (scope national, readable by the public) and
//! only unknown slugs go to PostgreSQL every time.

use super::run::{in_scope, national};
use super::throttle::{self, Rule};
use async_graphql::{Context, Result};
use soi_cache::{Key, Redis, Scope};
use soi_core::{CityId, CityScope};
use soi_db::TenantTx;
use std::time::Duration;

const TTL: Duration = Duration::from_secs(300);

/// The id of the city a public operation names; `NOT_FOUND` for an unknown
/// or planned city.
pub async fn resolve(ctx: &Context<'_>, slug: &str) -> Result<CityId> {
    let redis = ctx.data_opt::<Option<Redis>>().and_then(Option::as_ref);
    let key = Key::new(Scope::National, "city-by-slug", "public", &[slug]);
    if let Some(redis) = redis
        && let Some(id) = redis.cache().get_json::<uuid::Uuid>(&key).await
    {
        return Ok(CityId::from(id));
    }
    let id = national(ctx, async |tx| {
        Ok(soi_db::cities::by_slug(tx, slug).await?.id)
    })
    .await?;
    if let Some(redis) = redis {
        redis.cache().put_json(&key, &id.as_uuid(), TTL).await;
    }
    Ok(id)
}

/// Runs `body` in a public tenant transaction of the city named by `slug`
/// and commits; a mutation is audited as `public` (see [`in_scope`]). An
/// unknown slug is `NOT_FOUND`. The `rules` are counted for the city before
/// anything else runs.
pub async fn in_public_city<T>(
    ctx: &Context<'_>,
    slug: &str,
    rules: &[Rule],
    body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
) -> Result<T> {
    let city = resolve(ctx, slug).await?;
    in_public_city_id(ctx, city, rules, body).await
}

/// The city `slug` names, once the `rules` counted for it allow the
/// request: for a public operation that opens its transaction elsewhere
/// (reservations, made together).
pub async fn admit(ctx: &Context<'_>, slug: &str, rules: &[Rule]) -> Result<CityId> {
    let city = resolve(ctx, slug).await?;
    count(ctx, city, rules).await?;
    Ok(city)
}

/// Counts the request against each of the `rules` for the city;
/// `RATE_LIMITED` at the first one exceeded.
async fn count(ctx: &Context<'_>, city: CityId, rules: &[Rule]) -> Result<()> {
    for rule in rules {
        throttle::check_city(ctx, city, *rule).await?;
    }
    Ok(())
}

/// [`in_public_city`] for a city already resolved from its slug (by a
/// caller that needed it first, e.g. for a cache key).
pub async fn in_public_city_id<T>(
    ctx: &Context<'_>,
    city: CityId,
    rules: &[Rule],
    body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
) -> Result<T> {
    count(ctx, city, rules).await?;
    in_scope(ctx, CityScope::for_public(city), body).await
}
