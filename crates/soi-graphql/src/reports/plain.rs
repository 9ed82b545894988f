//! Reports answered in one pass. A report's rows are plain values: every
//! figure is already computed, nothing is fetched per field. Resolved as
//! async-graphql resolves any object, each of a 2,000-row report's ~70,000
//! fields would be a future of its own (boxed, polled, and, with an
//! extension on the schema, passed through the extension chain with its
//! `ResolveInfo`), which cost far more than the figures themselves.
//! [`Whole`] answers a report's selection set with the values at hand
//! instead: the same JSON, the same types in the schema (each type keeps its
//! derived `SimpleObject`, which registers it and stays the reference the
//! tests compare with).
//!
//! No field below a [`Whole`] reaches a per-field extension hook. The
//! schema's gate has none (it acts on the whole request: parsing, limits,
//! validation, error codes), and nothing here can fail or needs a guard.

use super::inputs::ReportGrouping;
use super::nodes::*;
use async_graphql::context::SelectionField;
use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::Field;
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, InputType, Name, OutputType, Positioned, ServerResult, Value,
};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;

/// An object whose every field is a value at hand.
pub trait Plain: OutputType {
    /// The value of one field of the object, selected as `field` (its own
    /// selection set for an object). Validation has checked the name.
    fn field(&self, field: SelectionField<'_>) -> Value;
}

/// A [`Plain`] object as a GraphQL output: its type in the schema is the
/// inner type's, its answer computed in one pass (see the module doc).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(transparent)]
pub struct Whole<T>(pub T);

impl<T: Plain> OutputType for Whole<T> {
    fn type_name() -> Cow<'static, str> {
        T::type_name()
    }

    fn qualified_type_name() -> String {
        T::qualified_type_name()
    }

    fn introspection_type_name(&self) -> Cow<'static, str> {
        self.0.introspection_type_name()
    }

    fn create_type_info(registry: &mut Registry) -> String {
        T::create_type_info(registry)
    }

    async fn resolve(
        &self,
        ctx: &ContextSelectionSet<'_>,
        field: &Positioned<Field>,
    ) -> ServerResult<Value> {
        Ok(object(&self.0, ctx.with_field(field).field()))
    }
}

/// The answer of `value` to the selection set of `field`, fragments
/// included, each response key once (a key selected twice over an object
/// merges the two selections, as async-graphql merges them).
fn object<T: Plain>(value: &T, field: SelectionField<'_>) -> Value {
    let mut out = IndexMap::new();
    for f in field.selection_set() {
        let v = if f.name() == "__typename" {
            Value::String(value.introspection_type_name().into_owned())
        } else {
            value.field(f)
        };
        insert(&mut out, Name::new(f.alias().unwrap_or(f.name())), v);
    }
    // As async-graphql answers a selection left empty by `@skip`.
    if out.is_empty() {
        Value::Null
    } else {
        Value::Object(out)
    }
}

fn insert(target: &mut IndexMap<Name, Value>, name: Name, value: Value) {
    match (target.get_mut(&name), value) {
        (Some(Value::Object(before)), Value::Object(more)) => {
            for (k, v) in more {
                insert(before, k, v);
            }
        }
        // A scalar selected twice is the same value.
        (Some(_), _) => {}
        (None, value) => {
            target.insert(name, value);
        }
    }
}

fn optional<T: Plain>(value: Option<&T>, field: SelectionField<'_>) -> Value {
    value.map_or(Value::Null, |v| object(v, field))
}

impl Plain for NationalReport {
    fn field(&self, f: SelectionField<'_>) -> Value {
        match f.name() {
            "from" => self.from.to_value(),
            "to" => self.to.to_value(),
            "groupBy" => <ReportGrouping as InputType>::to_value(&self.group_by),
            "totals" => object(&self.totals, f),
            "rows" => Value::List(self.rows.iter().map(|r| object(r, f)).collect()),
            _ => Value::Null,
        }
    }
}

impl Plain for CityReport {
    fn field(&self, f: SelectionField<'_>) -> Value {
        match f.name() {
            "from" => self.from.to_value(),
            "to" => self.to.to_value(),
            "city" => object(&self.city, f),
            "totals" => object(&self.totals, f),
            "rows" => Value::List(self.rows.iter().map(|r| object(r, f)).collect()),
            "nationalMedian" => optional(self.national_median.as_ref(), f),
            "citiesCompared" => self.cities_compared.to_value(),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportRow {
    fn field(&self, f: SelectionField<'_>) -> Value {
        match f.name() {
            "city" => optional(self.city.as_ref(), f),
            "month" => self.month.to_value(),
            "season" => optional(self.season.as_ref(), f),
            "figures" => object(&self.figures, f),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportCity {
    fn field(&self, f: SelectionField<'_>) -> Value {
        match f.name() {
            "slug" => self.slug.to_value(),
            "nameKk" => self.name_kk.to_value(),
            "nameRu" => self.name_ru.to_value(),
            "nameEn" => self.name_en.to_value(),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportSeason {
    fn field(&self, f: SelectionField<'_>) -> Value {
        match f.name() {
            "id" => self.id.to_value(),
            "title" => self.title.to_value(),
            "startsOn" => self.starts_on.to_value(),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportFigures {
    fn field(&self, f: SelectionField<'_>) -> Value {
        match f.name() {
            "applicants" => self.applicants.to_value(),
            "accepted" => self.accepted.to_value(),
            "waitlisted" => self.waitlisted.to_value(),
            "rejected" => self.rejected.to_value(),
            "active" => self.active.to_value(),
            "completed" => self.completed.to_value(),
            "withdrawn" => self.withdrawn.to_value(),
            "retention" => self.retention.to_value(),
            "sessionsHeld" => self.sessions_held.to_value(),
            "sessionsCancelled" => self.sessions_cancelled.to_value(),
            "attendanceMarks" => self.attendance_marks.to_value(),
            "attendancePresent" => self.attendance_present.to_value(),
            "attendanceRate" => self.attendance_rate.to_value(),
            "activeCoaches" => self.active_coaches.to_value(),
            "skillsPassed" => self.skills_passed.to_value(),
            "showsHeld" => self.shows_held.to_value(),
            "ticketsSold" => self.tickets_sold.to_value(),
            "ticketsCheckedIn" => self.tickets_checked_in.to_value(),
            "ticketRevenue" => self.ticket_revenue.to_value(),
            "sponsorMoney" => self.sponsor_money.to_value(),
            "expenses" => self.expenses.to_value(),
            "givenToCauses" => self.given_to_causes.to_value(),
            "beneficiaries" => self.beneficiaries.to_value(),
            "suppressed" => self.suppressed.to_value(),
            _ => Value::Null,
        }
    }
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
