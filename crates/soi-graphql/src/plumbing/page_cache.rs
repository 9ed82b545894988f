//! Public pages of a city (its events with seats left) cached in Redis. The
//! key carries the city and the city's generation, which every committed
//! write of the city raises (see [`super::live::changed`]), so a buyer reads
//! their own reservation at once; entries also lapse after a few seconds,
//! which bounds what no write announces (holds that lapse by the clock).
//! A reservation is always checked against PostgreSQL, never the cache.

use async_graphql::{Context, Result};
use serde::Serialize;
use serde::de::DeserializeOwned;
use soi_cache::{Redis, Scope};
use soi_core::CityId;
use std::future::Future;
use std::time::Duration;

/// The longest a cached page is served.
const TTL: Duration = Duration::from_secs(5);

/// `load()`'s value for this city and key, from the cache when it holds one.
pub async fn cached<T, F, Fut>(
    ctx: &Context<'_>,
    city: CityId,
    kind: &str,
    parts: &[&str],
    load: F,
) -> Result<T>
where
    T: Serialize + DeserializeOwned,
    F: FnOnce() -> Fut,
    Fut: Future<Output = Result<T>>,
{
    let redis = ctx.data_opt::<Option<Redis>>().and_then(Option::as_ref);
    let key = match redis {
        Some(r) => {
            r.cache()
                .scoped_key(Scope::City(city.as_uuid()), kind, "public", parts)
                .await
        }
        None => None,
    };
    if let (Some(r), Some(k)) = (redis, &key)
        && let Some(hit) = r.cache().get_json::<T>(k).await
    {
        return Ok(hit);
    }
    let value = load().await?;
    if let (Some(r), Some(k)) = (redis, &key) {
        r.cache().put_json(k, &value, TTL).await;
    }
    Ok(value)
}
