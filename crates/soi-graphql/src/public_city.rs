//! The city a public operation names by slug. A launched city's slug never
//! changes owner, so its id is cached (scope national, readable by the
//! public) and only unknown slugs go to PostgreSQL every time.

use crate::db_error;
use async_graphql::{Context, Result};
use soi_cache::{Key, Redis, Scope};
use soi_core::CityId;
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
    let db = ctx.data::<soi_db::Db>()?;
    let req = ctx.data::<crate::RequestCtx>()?;
    let run = async {
        let mut national = db.national().await?;
        let found = soi_db::cities::by_slug(&mut national, slug).await?;
        national.commit().await?;
        Ok::<_, soi_db::Error>(found.id)
    };
    let id = run.await.map_err(|e| db_error(e, req.request_id()))?;
    if let Some(redis) = redis {
        redis.cache().put_json(&key, &id.as_uuid(), TTL).await;
    }
    Ok(id)
}
