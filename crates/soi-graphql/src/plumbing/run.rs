//! Where resolvers do their database work. Every tenant transaction begins
//! and ends in [`tenant_tx`]; a resolver reaches it through [`in_city`] (the
//! signed-in user's city, from the token), [`in_scope`] (a scope the resolver
//! narrowed or widened) or `in_public_city` (a city named by slug, see
//! [`super::public_city`]). Around the resolver's work the audit record of a
//! root mutation is written in the same transaction, the transaction is
//! committed, and after the commit the live signal is sent, all in
//! [`in_scope`], so no resolver can forget one. Keeping every transaction
//! behind these functions is also what lets a query share one transaction
//! among its resolvers and loaders ([`super::snapshot`]).

use super::audit_trail;
use super::error::db_error;
use super::live;
use super::request::RequestCtx;
use super::snapshot::Snapshot;
use async_graphql::{Context, Result};
use soi_core::{CityScope, Principal, Role};
use soi_db::{Db, NationalTx, TenantTx};
use std::sync::Arc;

/// Runs `body` in a tenant transaction of the signed-in user's city, if
/// their role is one of `roles` (`UNAUTHENTICATED`, `FORBIDDEN` otherwise),
/// with the user as `body`'s second argument; see [`in_scope`].
pub async fn in_city<T>(
    ctx: &Context<'_>,
    roles: &[Role],
    body: impl AsyncFnOnce(&mut TenantTx, &Principal) -> soi_db::Result<T>,
) -> Result<T> {
    let req = ctx.data::<RequestCtx>()?;
    let (scope, who) = req.city_scope(roles)?;
    in_scope(ctx, scope, async |tx| body(tx, who).await).await
}

/// Runs `body` in a tenant transaction of `scope` and commits; db-layer
/// errors become typed GraphQL errors. A root mutation field is recorded
/// in the audit log in the same transaction and, once committed, announced
/// to the city's live subscribers (and its cached public pages dropped).
pub async fn in_scope<T>(
    ctx: &Context<'_>,
    scope: CityScope,
    body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
) -> Result<T> {
    let out = transact(ctx, &scope, async |tx| {
        let out = body(tx).await?;
        audit_trail::record(ctx, tx).await?;
        Ok(out)
    })
    .await?;
    if audit_trail::is_root_mutation(ctx) {
        live::changed(ctx, scope.city()).await;
    }
    Ok(out)
}

/// Runs `body` in a tenant transaction of `scope` that is not the
/// mutation's own: a check a mutation makes in its caller's scope before
/// it writes in a wider one. Never audited, never announced.
pub async fn check_first<T>(
    ctx: &Context<'_>,
    scope: CityScope,
    body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
) -> Result<T> {
    transact(ctx, &scope, body).await
}

/// A query's work runs in the request's shared snapshot (see
/// [`super::snapshot`]); a mutation's in a [`tenant_tx`] of its own. Either
/// is named for the request (the use cases' traces carry its id), and its
/// errors are turned into the client's.
async fn transact<T>(
    ctx: &Context<'_>,
    scope: &CityScope,
    body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
) -> Result<T> {
    let req = ctx.data::<RequestCtx>()?;
    // Operations over the WebSocket carry the connection's data only, which
    // no snapshot may be shared through: each runs in its own transaction.
    let snapshot = ctx.data_opt::<Arc<Snapshot>>().filter(|s| s.arm(ctx));
    let out = match snapshot {
        Some(snapshot) => snapshot.run(scope, req.request_id(), body).await,
        None => {
            tenant_tx(ctx.data::<Db>()?, scope, async |tx| {
                tx.set_request_id(req.request_id());
                body(tx).await
            })
            .await
        }
    };
    out.map_err(|e| db_error(e, req.request_id()))
}

/// Runs `body` in a transaction with no city (national tables: cities,
/// accounts, the skill catalogue) and commits.
pub async fn national<T>(
    ctx: &Context<'_>,
    body: impl AsyncFnOnce(&mut NationalTx) -> soi_db::Result<T>,
) -> Result<T> {
    let db = ctx.data::<Db>()?;
    let req = ctx.data::<RequestCtx>()?;
    let run = async {
        let mut tx = db.national().await?;
        let out = body(&mut tx).await?;
        tx.commit().await?;
        Ok(out)
    };
    run.await.map_err(|e| db_error(e, req.request_id()))
}

/// Begins a tenant transaction of `scope`, runs `body` and commits: the
/// resolvers' (through [`in_scope`]), the loaders' batches and the live
/// subscriptions' re-reads.
pub async fn tenant_tx<T>(
    db: &Db,
    scope: &CityScope,
    body: impl AsyncFnOnce(&mut TenantTx) -> soi_db::Result<T>,
) -> soi_db::Result<T> {
    let mut tx = db.tenant(scope).await?;
    let out = body(&mut tx).await?;
    tx.commit().await?;
    Ok(out)
}

/// `Some` for a row, `None` for a missing one (or one of another city, which
/// is the same thing); other errors stay errors.
pub fn found<T>(r: soi_db::Result<T>) -> soi_db::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(soi_db::Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}
