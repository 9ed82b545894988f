//! The city's ledger (`ledger_entries`): every movement of money, appended
//! in the same transaction as its cause and never changed. Balances are sums
//! of it; a correction is a reversing entry (`soi_service::funds::reverse`).
//!
//! Writers of one city take a transaction-scoped advisory lock first, so a
//! balance check and the entry it guards see the same sum; other cities never
//! wait on it.

use crate::{Error, Result};
use crate::{Page, TenantTx};
use chrono::{DateTime, Utc};
use soi_core::{
    Actor, ContributionId, DisbursementId, ExpenseId, InputError, LedgerEntryId, OrderId,
};
use uuid::Uuid;

/// What caused an entry; it fixes the entry's kind and the sign of its amount.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A sponsor's money received (in).
    Contribution(ContributionId),
    /// An order paid (in).
    TicketSale(OrderId),
    /// An order refunded (out).
    Refund(OrderId),
    /// Money spent on the program (out).
    Expense(ExpenseId),
    /// Money given to a social cause (out).
    Disbursement(DisbursementId),
    /// The correction of an earlier entry (its amount negated).
    Reversal(LedgerEntryId),
}

impl Source {
    pub fn kind(&self) -> &'static str {
        match self {
            Self::Contribution(_) => "contribution",
            Self::TicketSale(_) => "ticket_sale",
            Self::Refund(_) => "refund",
            Self::Expense(_) => "expense",
            Self::Disbursement(_) => "disbursement",
            Self::Reversal(_) => "reversal",
        }
    }
}

soi_core::text_enum! {
    /// The kind of an entry, as stored.
    Kind, "kind" {
        /// A sponsor's money received.
        Contribution => "contribution",
        /// An order paid.
        TicketSale => "ticket_sale",
        /// An order refunded.
        Refund => "refund",
        /// Money spent.
        Expense => "expense",
        /// Money given to a cause.
        Disbursement => "disbursement",
        /// The correction of an earlier entry.
        Reversal => "reversal",
    }
}

/// One stored entry.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct Entry {
    #[sqlx(try_from = "Uuid")]
    pub id: LedgerEntryId,
    pub kind: String,
    pub amount_tiyn: i64,
    pub contribution_id: Option<Uuid>,
    pub order_id: Option<Uuid>,
    pub expense_id: Option<Uuid>,
    pub disbursement_id: Option<Uuid>,
    pub reverses_id: Option<Uuid>,
    pub memo: Option<String>,
    pub recorded_by: Option<Uuid>,
    pub recorded_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, kind, amount_tiyn, contribution_id, order_id, expense_id, \
                       disbursement_id, reverses_id, memo, recorded_by, recorded_at";

/// Serializes the ledger writers of this city until the transaction ends.
pub async fn lock(tx: &mut TenantTx) -> Result<()> {
    let (city, conn) = tx.parts();
    sqlx::query("select pg_advisory_xact_lock(hashtextextended('soi.ledger:' || $1::text, 0))")
        .bind(city)
        .execute(conn)
        .await?;
    Ok(())
}

/// The city's balance: the sum of its entries.
pub async fn balance(tx: &mut TenantTx) -> Result<i64> {
    let (city, conn) = tx.parts();
    let sum: Option<i64> = sqlx::query_scalar(
        "select sum(amount_tiyn)::bigint from ledger_entries where city_id = $1",
    )
    .bind(city)
    .fetch_one(conn)
    .await?;
    Ok(sum.unwrap_or(0))
}

/// Appends an entry (taking the city's ledger lock). `amount_tiyn` is signed:
/// positive in, negative out; the table's check refuses a sign that does not
/// fit the source.
pub async fn append(
    tx: &mut TenantTx,
    source: Source,
    amount_tiyn: i64,
    memo: Option<&str>,
) -> Result<Entry> {
    if amount_tiyn == 0 {
        return Err(Error::Invalid(InputError::new(
            "amount",
            "must not be zero",
        )));
    }
    lock(tx).await?;
    let recorded_by = match tx.actor() {
        Actor::User(id) => Some(id),
        Actor::System(_) | Actor::Public => None,
    };
    let id = |s: Source| match s {
        Source::Contribution(c) => (Some(c.as_uuid()), None, None, None, None),
        Source::TicketSale(o) | Source::Refund(o) => (None, Some(o.as_uuid()), None, None, None),
        Source::Expense(e) => (None, None, Some(e.as_uuid()), None, None),
        Source::Disbursement(d) => (None, None, None, Some(d.as_uuid()), None),
        Source::Reversal(r) => (None, None, None, None, Some(r.as_uuid())),
    };
    let (contribution, order, expense, disbursement, reverses) = id(source);
    let (city, conn) = tx.parts();
    let sql = format!(
        "insert into ledger_entries (city_id, id, kind, amount_tiyn, contribution_id, order_id, \
         expense_id, disbursement_id, reverses_id, memo, recorded_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) returning {COLUMNS}"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(LedgerEntryId::new().as_uuid())
        .bind(source.kind())
        .bind(amount_tiyn)
        .bind(contribution)
        .bind(order)
        .bind(expense)
        .bind(disbursement)
        .bind(reverses)
        .bind(memo)
        .bind(recorded_by)
        .fetch_one(conn)
        .await?)
}

/// One entry of the city.
pub async fn get(tx: &mut TenantTx, id: LedgerEntryId) -> Result<Entry> {
    let (city, conn) = tx.parts();
    let sql = format!("select {COLUMNS} from ledger_entries where city_id = $1 and id = $2");
    sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?
        .ok_or(Error::NotFound("ledger entry"))
}

/// The city's entries, newest first, optionally of one kind.
pub async fn list(
    tx: &mut TenantTx,
    kind: Option<Kind>,
    page: Page<LedgerEntryId>,
) -> Result<Vec<Entry>> {
    let (city, conn) = tx.parts();
    let sql = format!(
        "select {COLUMNS} from ledger_entries where city_id = $1 \
         and ($2::text is null or kind = $2) and ($3::uuid is null or id < $3) \
         order by id desc limit $4"
    );
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(kind.map(Kind::code))
        .bind(page.after.map(|a| a.as_uuid()))
        .bind(page.sql_limit())
        .fetch_all(conn)
        .await?)
}

/// The entry that reverses `id`, if any.
pub async fn reversed_by(tx: &mut TenantTx, id: LedgerEntryId) -> Result<Option<Entry>> {
    let (city, conn) = tx.parts();
    let sql =
        format!("select {COLUMNS} from ledger_entries where city_id = $1 and reverses_id = $2");
    Ok(sqlx::query_as(sqlx::AssertSqlSafe(sql))
        .bind(city)
        .bind(id.as_uuid())
        .fetch_optional(conn)
        .await?)
}
