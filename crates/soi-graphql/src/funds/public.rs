//! The public transparency report of a city: no sign-in, and no personal data
//! (no sponsor or buyer names, counts only).

use crate::plumbing::{bad_input, in_public_city};
use crate::shared::date::Date;
use crate::shared::money::Tiyn;
use async_graphql::{Context, Object, Result, SimpleObject};
use soi_db::funds::transparency::{self, CauseTotal, Report, TagTotal};

/// Where a city's money came from and where it went, from its ledger. Flows
/// are net of reversals and count by the day they were recorded in the city.
#[derive(SimpleObject)]
pub struct TransparencyReport {
    /// The city's slug.
    pub city: String,
    /// First day of the period (open when null).
    pub from: Option<Date>,
    /// Last day of the period (open when null).
    pub to: Option<Date>,
    /// Sponsors with a contribution received in the period (no names).
    pub sponsors: i64,
    /// Money received from sponsors.
    pub raised: Tiyn,
    /// Estimated value of contributions in kind received (not in the balance).
    pub in_kind: Tiyn,
    /// Ticket sales.
    pub ticket_sales: Tiyn,
    /// Refunded to ticket buyers.
    pub refunds: Tiyn,
    /// Ticket sales less refunds.
    pub ticket_revenue: Tiyn,
    /// Spent on the program, in total.
    pub spent: Tiyn,
    /// Given to social causes, in total.
    pub given: Tiyn,
    /// The balance before the period (zero when it is open).
    pub opening_balance: Tiyn,
    /// The balance at the end of the period.
    pub closing_balance: Tiyn,
    /// Spending by kind.
    pub expenses: Vec<SpendingByTag>,
    /// What each cause was given.
    pub causes: Vec<CauseGiving>,
}

/// Spending of one kind in the period.
#[derive(SimpleObject)]
pub struct SpendingByTag {
    /// The kind of spending, e.g. `ice_rent`.
    pub tag: String,
    /// How much, net of reversals.
    pub spent: Tiyn,
}

/// What one cause was given in the period.
#[derive(SimpleObject)]
pub struct CauseGiving {
    /// The cause's title.
    pub title: String,
    /// The amount the chapter aims to give, if set.
    pub target: Option<Tiyn>,
    /// Given, net of reversals.
    pub given: Tiyn,
    /// People helped by gifts not reversed.
    pub beneficiaries_helped: i64,
}

impl TransparencyReport {
    fn new(city: String, r: Report) -> Self {
        Self {
            city,
            from: r.from.map(Date),
            to: r.to.map(Date),
            sponsors: r.sponsors,
            raised: Tiyn(r.raised_tiyn),
            in_kind: Tiyn(r.in_kind_tiyn),
            ticket_sales: Tiyn(r.ticket_sales_tiyn),
            refunds: Tiyn(r.refunds_tiyn),
            ticket_revenue: Tiyn(r.ticket_sales_tiyn.saturating_sub(r.refunds_tiyn)),
            spent: Tiyn(r.spent_tiyn),
            given: Tiyn(r.given_tiyn),
            opening_balance: Tiyn(r.opening_balance_tiyn),
            closing_balance: Tiyn(r.closing_balance_tiyn),
            expenses: r.expenses.into_iter().map(SpendingByTag::from).collect(),
            causes: r.causes.into_iter().map(CauseGiving::from).collect(),
        }
    }
}

impl From<TagTotal> for SpendingByTag {
    fn from(t: TagTotal) -> Self {
        Self {
            tag: t.tag,
            spent: Tiyn(t.spent_tiyn),
        }
    }
}

impl From<CauseTotal> for CauseGiving {
    fn from(c: CauseTotal) -> Self {
        Self {
            title: c.title,
            target: c.target_tiyn.map(Tiyn),
            given: Tiyn(c.given_tiyn),
            beneficiaries_helped: c.beneficiaries_helped,
        }
    }
}

#[derive(Default)]
pub struct FundsPublicQuery;

#[Object]
impl FundsPublicQuery {
    /// A city's public money report (no sign-in needed).
    async fn transparency_report(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The city's slug, e.g. `almaty`.")] city: String,
        #[graphql(desc = "First day of the period; open when left out.")] from: Option<Date>,
        #[graphql(desc = "Last day of the period; open when left out.")] to: Option<Date>,
    ) -> Result<TransparencyReport> {
        let (from, to) = (from.map(|d| d.0), to.map(|d| d.0));
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            return Err(bad_input("to", "must not be before `from`"));
        }
        let r = in_public_city(ctx, &city, &[], async |tx| {
            transparency::report(tx, from, to).await
        })
        .await?;
        Ok(TransparencyReport::new(city, r))
    }
}
