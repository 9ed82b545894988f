//! The numbers of an event with their performers, results and marks, as
//! the city's admins and coaches see them.

use crate::plumbing::in_city;
use crate::shared::roles::ADMINS;
use async_graphql::{Context, ID, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};
use soi_db::TenantTx;
use soi_db::events::judge_marks::{self, JudgeMark, Standing};
use soi_db::events::performances::{self, Performance};
use soi_db::events::performers::{self, Performer};

/// A judged number's result.
#[derive(SimpleObject, serde::Serialize, serde::Deserialize)]
pub struct PerformanceResult {
    /// The mean of the judges' scores, 0.00–10.00.
    pub average_score: f64,
    /// How many judges marked the number.
    pub judges: i64,
    /// Placement by average, 1 the best; equal averages share a place.
    pub place: i64,
}

impl From<&Standing> for PerformanceResult {
    fn from(s: &Standing) -> Self {
        Self {
            average_score: s.average_hundredths / 100.0,
            judges: s.judges,
            place: s.place,
        }
    }
}

/// Someone who skates in a number.
#[derive(SimpleObject)]
pub struct PerformerNode {
    /// The participant's id.
    pub participant_id: ID,
    /// Given name.
    pub first_name: String,
    /// Family name.
    pub last_name: String,
}

pub struct PerformanceNode {
    pub performance: Performance,
    pub performers: Vec<Performer>,
    pub result: Option<PerformanceResult>,
}

/// A number of the show.
#[Object(name = "Performance")]
impl PerformanceNode {
    /// The number's id.
    async fn id(&self) -> ID {
        ID(self.performance.id.to_string())
    }
    /// Position in the running order, from 1.
    async fn running_order(&self) -> i32 {
        self.performance.running_order
    }
    /// Title.
    async fn title(&self) -> &str {
        &self.performance.title
    }
    /// The social issue the number speaks about.
    async fn social_issue(&self) -> &str {
        &self.performance.social_issue
    }
    /// The music.
    async fn music(&self) -> Option<&str> {
        self.performance.music.as_deref()
    }
    /// Who skates in it, by family name.
    async fn performers(&self) -> Vec<PerformerNode> {
        self.performers
            .iter()
            .map(|p| PerformerNode {
                participant_id: ID(p.participant_id.to_string()),
                first_name: p.first_name.clone(),
                last_name: p.last_name.clone(),
            })
            .collect()
    }
    /// The result, once judges have marked it (competitions only).
    async fn result(&self) -> Option<&PerformanceResult> {
        self.result.as_ref()
    }
    /// Each judge's score (admins only).
    async fn marks(&self, ctx: &Context<'_>) -> Result<Vec<JudgeMarkNode>> {
        let id = self.performance.id;
        let rows = in_city(ctx, ADMINS, async |tx, _| {
            judge_marks::of_performance(tx, id).await
        })
        .await?;
        Ok(rows.into_iter().map(JudgeMarkNode).collect())
    }
}

pub struct JudgeMarkNode(pub JudgeMark);

/// One judge's score of a number.
#[Object(name = "JudgeMark")]
impl JudgeMarkNode {
    /// The number marked.
    async fn performance_id(&self) -> ID {
        ID(self.0.performance_id.to_string())
    }
    /// The judge's name.
    async fn judge(&self) -> &str {
        &self.0.judge
    }
    /// Score, 0.00–10.00.
    async fn score(&self) -> f64 {
        f64::from(self.0.score_hundredths) / 100.0
    }
    /// When it was given or last changed.
    async fn marked_at(&self) -> DateTime<Utc> {
        self.0.marked_at
    }
}

/// The event's numbers with performers and results, in running order.
pub async fn performance_nodes(
    tx: &mut TenantTx,
    event: soi_core::EventId,
) -> soi_db::Result<Vec<PerformanceNode>> {
    let list = performances::list(tx, event).await?;
    with_details(tx, event, list).await
}

/// Performers and results for numbers of one event.
pub async fn with_details(
    tx: &mut TenantTx,
    event: soi_core::EventId,
    list: Vec<Performance>,
) -> soi_db::Result<Vec<PerformanceNode>> {
    let ids: Vec<_> = list.iter().map(|p| p.id).collect();
    let people = performers::of_performances(tx, &ids).await?;
    let standings = judge_marks::results(tx, event).await?;
    Ok(assemble(list, people, &standings))
}

/// Numbers of one event with their performers (in the order given) and
/// results.
pub fn assemble(
    list: Vec<Performance>,
    mut people: Vec<Performer>,
    standings: &[Standing],
) -> Vec<PerformanceNode> {
    list.into_iter()
        .map(|p| {
            let (mine, rest): (Vec<_>, Vec<_>) =
                people.drain(..).partition(|f| f.performance_id == p.id);
            people = rest;
            let result = standings
                .iter()
                .find(|s| s.performance_id == p.id)
                .map(PerformanceResult::from);
            PerformanceNode {
                performance: p,
                performers: mine,
                result,
            }
        })
        .collect()
}
