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
    /// The value of one field of the object, selected under `key` (its own
    /// selection, read once, for an object). Validation has checked the name.
    fn field(&self, key: &Key<'_>) -> Value;
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
        let ctx = ctx.with_field(field);
        let selection = Selection::of(ctx.field());
        Ok(object(&self.0, &selection))
    }
}

/// A selection set read once, for every value it is answered for (each row
/// of a list): its response keys in order, fragments and directives
/// applied, a key selected twice merged into one (as async-graphql merges
/// them). Reading the query's selection again for each of thousands of rows,
/// and naming each key anew, cost more than the rows' figures.
#[derive(Default)]
pub struct Selection<'a> {
    keys: Vec<Key<'a>>,
}

/// One response key of a [`Selection`]: the key, the field it selects (the
/// first, where merged) and that field's own selection.
pub struct Key<'a> {
    response: Name,
    field: SelectionField<'a>,
    sub: Selection<'a>,
}

impl<'a> Key<'a> {
    /// The field's name in the schema.
    fn name(&self) -> &str {
        self.field.name()
    }
}

impl<'a> Selection<'a> {
    fn of(field: SelectionField<'a>) -> Self {
        let mut selection = Self::default();
        selection.add(field);
        selection
    }

    /// Adds the selection set of `field`: a key already there takes the
    /// field's selection into its own (a scalar keeps its first field).
    fn add(&mut self, field: SelectionField<'a>) {
        for f in field.selection_set() {
            let key = f.alias().unwrap_or(f.name());
            match self.keys.iter_mut().find(|k| k.response.as_str() == key) {
                Some(k) => k.sub.add(f),
                None => self.keys.push(Key {
                    response: Name::new(key),
                    field: f,
                    sub: Self::of(f),
                }),
            }
        }
    }
}

/// The answer of `value` to `selection`.
fn object<T: Plain>(value: &T, selection: &Selection<'_>) -> Value {
    // As async-graphql answers a selection left empty by `@skip`.
    if selection.keys.is_empty() {
        return Value::Null;
    }
    let mut out = IndexMap::with_capacity(selection.keys.len());
    for k in &selection.keys {
        let v = if k.name() == "__typename" {
            Value::String(value.introspection_type_name().into_owned())
        } else {
            value.field(k)
        };
        out.insert(k.response.clone(), v);
    }
    Value::Object(out)
}

fn optional<T: Plain>(value: Option<&T>, key: &Key<'_>) -> Value {
    value.map_or(Value::Null, |v| object(v, &key.sub))
}

fn list<T: Plain>(values: &[T], key: &Key<'_>) -> Value {
    Value::List(values.iter().map(|v| object(v, &key.sub)).collect())
}

impl Plain for NationalReport {
    fn field(&self, f: &Key<'_>) -> Value {
        match f.name() {
            "from" => self.from.to_value(),
            "to" => self.to.to_value(),
            "groupBy" => <ReportGrouping as InputType>::to_value(&self.group_by),
            "totals" => object(&self.totals, &f.sub),
            "rows" => list(&self.rows, f),
            _ => Value::Null,
        }
    }
}

impl Plain for CityReport {
    fn field(&self, f: &Key<'_>) -> Value {
        match f.name() {
            "from" => self.from.to_value(),
            "to" => self.to.to_value(),
            "city" => object(&self.city, &f.sub),
            "totals" => object(&self.totals, &f.sub),
            "rows" => list(&self.rows, f),
            "nationalMedian" => optional(self.national_median.as_ref(), f),
            "citiesCompared" => self.cities_compared.to_value(),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportRow {
    fn field(&self, f: &Key<'_>) -> Value {
        match f.name() {
            "city" => optional(self.city.as_ref(), f),
            "month" => self.month.to_value(),
            "season" => optional(self.season.as_ref(), f),
            "figures" => object(&self.figures, &f.sub),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportCity {
    fn field(&self, f: &Key<'_>) -> Value {
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
    fn field(&self, f: &Key<'_>) -> Value {
        match f.name() {
            "id" => self.id.to_value(),
            "title" => self.title.to_value(),
            "startsOn" => self.starts_on.to_value(),
            _ => Value::Null,
        }
    }
}

impl Plain for ReportFigures {
    fn field(&self, f: &Key<'_>) -> Value {
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
