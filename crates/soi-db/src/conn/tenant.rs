//! Transactions that are the only doors to data. A [`TenantTx`] is scoped to
//! one city by the database setting `soi.city_id`; the repositories read the
//! city from it (never from input) and name `city_id = $1` on every city table
//! they touch, so partitions are pruned and RLS is the backstop, not the filter.

use super::error::Result;
use super::traced::TracedConn;
use soi_core::{Actor, CityId, CityScope};
use sqlx::postgres::PgConnection;

/// A transaction scoped to one city. Dropped without [`TenantTx::commit`], it
/// rolls back.
pub struct TenantTx {
    tx: TracedConn,
    scope: CityScope,
    /// The request this work serves, for the use cases' trace fields (the
    /// audit log has its own copy); never personal data.
    request_id: Option<String>,
}

impl TenantTx {
    pub(crate) fn new(tx: TracedConn, scope: CityScope) -> Self {
        Self {
            tx,
            scope,
            request_id: None,
        }
    }

    /// Names the request this transaction serves (the gateway's request id,
    /// or a webhook's), for traces.
    pub fn set_request_id(&mut self, id: &str) {
        self.request_id = Some(id.to_owned());
    }

    /// The request this transaction serves, when its opener named one.
    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The city every statement in this transaction is bound to.
    pub fn city(&self) -> CityId {
        self.scope.city()
    }

    pub fn actor(&self) -> Actor {
        self.scope.actor()
    }

    /// The whole scope: city, actor and the signed-in user's role.
    pub fn scope(&self) -> &CityScope {
        &self.scope
    }

    /// The city id and connection at once (a query binds the first and runs on
    /// the second).
    pub(crate) fn parts(&mut self) -> (uuid::Uuid, &mut TracedConn) {
        (self.scope.city().as_uuid(), &mut self.tx)
    }

    /// The city the database itself holds for this transaction (the setting
    /// `soi.city_id`), for diagnostics and tests.
    pub async fn database_scope(&mut self) -> Result<Option<CityId>> {
        database_scope(self.tx.raw()).await
    }

    /// In a public scope, names the one row of a kind the database lets
    /// this transaction see (see migration `public_scope_policies`): the
    /// applicant's address, the buyer's order. Other scopes need no name.
    pub(crate) async fn name_public_row(&mut self, row: PublicRow, value: &str) -> Result<()> {
        if self.scope.actor() != Actor::Public {
            return Ok(());
        }
        let setting = match row {
            PublicRow::Email => "soi.public_email",
            PublicRow::Order => "soi.public_order",
            PublicRow::RequestToken => "soi.public_token",
            PublicRow::Participant => "soi.public_participant",
        };
        sqlx::query("select set_config($1, $2, true)")
            .bind(setting)
            .bind(value)
            .execute(&mut self.tx)
            .await?;
        Ok(())
    }

    /// Marks a point the transaction can go back to with
    /// [`Self::rollback_to`], undoing what was written and locked since.
    /// `name` is a fixed identifier of the caller's (it cannot be bound).
    pub async fn savepoint(&mut self, name: &'static str) -> Result<()> {
        self.on_savepoint("savepoint", name).await
    }

    /// Goes back to the savepoint `name` (which stays set).
    pub async fn rollback_to(&mut self, name: &'static str) -> Result<()> {
        self.on_savepoint("rollback to savepoint", name).await
    }

    async fn on_savepoint(&mut self, verb: &'static str, name: &'static str) -> Result<()> {
        debug_assert!(name.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("{verb} {name}")))
            .execute(&mut self.tx)
            .await?;
        Ok(())
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }

    pub async fn rollback(self) -> Result<()> {
        self.tx.rollback().await?;
        Ok(())
    }
}

/// The rows a public scope may see one of, by a name it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PublicRow {
    /// A participant, by their exact address.
    Email,
    /// A ticket order, by its id.
    Order,
    /// An application awaiting confirmation, by its token's hash (hex).
    RequestToken,
    /// The participant whose application the holder of its token confirms.
    Participant,
}

/// A transaction with no city set: national tables (cities, the skill
/// catalogue) and aggregates only. City tables return no rows here.
pub struct NationalTx {
    tx: TracedConn,
}

impl NationalTx {
    pub(crate) fn new(tx: TracedConn) -> Self {
        Self { tx }
    }

    pub(crate) fn conn(&mut self) -> &mut PgConnection {
        self.tx.raw()
    }

    /// The city setting the database holds here: always `None`.
    pub async fn database_scope(&mut self) -> Result<Option<CityId>> {
        database_scope(self.tx.raw()).await
    }

    pub async fn commit(self) -> Result<()> {
        self.tx.commit().await?;
        Ok(())
    }
}

async fn database_scope(conn: &mut PgConnection) -> Result<Option<CityId>> {
    let v: Option<uuid::Uuid> =
        sqlx::query_scalar("select nullif(current_setting('soi.city_id', true), '')::uuid")
            .fetch_one(conn)
            .await?;
    Ok(v.map(CityId::from))
}

/// Transactions that may read national tables (cities, the skill catalogue):
/// both kinds. Sealed: only this crate's transactions implement it.
pub trait NationalRead: sealed::Sealed {
    #[doc(hidden)]
    fn national_conn(&mut self) -> &mut PgConnection;
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for super::TenantTx {}
    impl Sealed for super::NationalTx {}
    impl Sealed for super::super::system::SystemTx {}
}

/// National reads inside a city's transaction run on the bare connection:
/// the catalogues they read are nobody's city work.
impl NationalRead for TenantTx {
    fn national_conn(&mut self) -> &mut PgConnection {
        self.tx.raw()
    }
}

impl NationalRead for NationalTx {
    fn national_conn(&mut self) -> &mut PgConnection {
        self.conn()
    }
}

impl NationalRead for super::system::SystemTx {
    fn national_conn(&mut self) -> &mut PgConnection {
        self.conn()
    }
}

/// Whose mail a transaction holds: a city's (its partition of `outbox`) or
/// the national accounts' (`national_outbox`, seen only where no city is set).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Mailbox {
    City(CityId),
    National,
}

/// Transactions that may hold mail: a city's tenant transaction (the city's
/// mail), and those with no city (the national mail). Sealed: only this
/// crate's transactions implement it, each for its own mailbox.
pub trait MailTx: sealed::Sealed {
    #[doc(hidden)]
    fn mail_parts(&mut self) -> (Mailbox, &mut TracedConn);
}

impl MailTx for TenantTx {
    fn mail_parts(&mut self) -> (Mailbox, &mut TracedConn) {
        (Mailbox::City(self.scope.city()), &mut self.tx)
    }
}

impl MailTx for NationalTx {
    fn mail_parts(&mut self) -> (Mailbox, &mut TracedConn) {
        (Mailbox::National, &mut self.tx)
    }
}
