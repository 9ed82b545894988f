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
//! Over HTTP the answer goes one step further: it is written as JSON while
//! the selection is read and spliced into the response (see `spliced`),
//! never built as a tree of values. A tree of the 4,000 rows by season at
//! 2,000 cities is about 150,000 values and 16,000 maps, each key hashed
//! in, all encoded and freed again. Elsewhere (subscriptions) the tree is
//! built as before; both give the same JSON, key for key.
//!
//! No field below a [`Whole`] reaches a per-field hook. The schema has no
//! extension (its gate wraps it and acts on the whole request: parsing,
//! limits, error codes), and nothing here can fail or needs a guard.

use super::inputs::ReportGrouping;
use super::nodes::*;
use super::spliced::Spliced;
use async_graphql::context::SelectionField;
use async_graphql::parser::types::{
    Field, FragmentDefinition, Selection as GqlSelection, SelectionSet,
};
use async_graphql::registry::Registry;
use async_graphql::{
    ContextSelectionSet, InputType, Name, OutputType, Positioned, ServerResult, Value,
};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::HashMap;

/// An object whose every field is a value at hand.
pub trait Plain {
    /// One field of the object, selected under `key` (its own selection,
    /// read once, for an object). Validation has checked the name.
    fn field<'s>(&'s self, key: &Key<'_>) -> Part<'s>;
}

/// A [`Plain`] object with its name in the schema (for `__typename`).
pub trait Typed: Plain {
    fn typename(&self) -> Cow<'static, str>;
}

impl<T: Plain + OutputType> Typed for T {
    fn typename(&self) -> Cow<'static, str> {
        self.introspection_type_name()
    }
}

/// A field's answer: a scalar's value, or objects answered with the key's
/// own selection.
pub enum Part<'s> {
    Value(Value),
    Object(&'s dyn Typed),
    Optional(Option<&'s dyn Typed>),
    List(Vec<&'s dyn Typed>),
}

/// A [`Plain`] object as a GraphQL output: its type in the schema is the
/// inner type's, its answer computed in one pass (see the module doc).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(transparent)]
pub struct Whole<T>(pub T);

impl<T: Plain + OutputType> OutputType for Whole<T> {
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
        // A key selected twice beside this one (`{ r { a } ...F }` with `r`
        // in F too) is merged by async-graphql from both answers, which a
        // placeholder cannot be: such a key keeps the tree. `ctx` is the
        // field's own selection set, so its siblings are looked for in the
        // operation's root, where reports are asked for; a report answered
        // deeper keeps the tree.
        let key = field.node.response_key().node.as_str();
        let at_root = ctx.path_node.as_ref().is_some_and(|p| p.parent.is_none());
        let root = &ctx.query_env.operation.node.selection_set.node;
        let alone = at_root && answered_under(root, key, &ctx.query_env.fragments) == 1;
        let ctx = ctx.with_field(field);
        let selection = Selection::of(ctx.field());
        // Where the transport splices answers in, the answer is written as
        // JSON now and never becomes a tree of values (see `spliced`).
        if alone
            && let Some(spliced) = ctx.data_opt::<Spliced>()
            && let Ok(json) = serde_json::to_vec(&Projected(&self.0, &selection))
        {
            return Ok(Value::String(spliced.keep(json)));
        }
        Ok(object(&self.0, &selection))
    }
}

/// How many fields of `set` (and of the fragments it spreads) answer under
/// `key`. Validation has refused fragment cycles.
fn answered_under(
    set: &SelectionSet,
    key: &str,
    fragments: &HashMap<Name, Positioned<FragmentDefinition>>,
) -> usize {
    let inner = |set: &SelectionSet| answered_under(set, key, fragments);
    set.items
        .iter()
        .map(|item| match &item.node {
            GqlSelection::Field(f) => usize::from(f.node.response_key().node == key),
            GqlSelection::FragmentSpread(spread) => fragments
                .get(&spread.node.fragment_name.node)
                .map_or(0, |f| inner(&f.node.selection_set.node)),
            GqlSelection::InlineFragment(f) => inner(&f.node.selection_set.node),
        })
        .sum()
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

/// The answer of `value` to `selection`, as a tree of values: the JSON walk
/// below, collected into values, so the two cannot differ. It cannot fail
/// (every part is a plain value with string keys).
fn object(value: &dyn Typed, selection: &Selection<'_>) -> Value {
    async_graphql::to_value(Projected(value, selection)).unwrap_or(Value::Null)
}

/// The answer of a value to a selection, written as it is read: its keys
/// in the selection's order, `null` for a selection left empty by `@skip`
/// (as async-graphql answers one).
struct Projected<'a>(&'a dyn Typed, &'a Selection<'a>);

/// A list of objects answered with one selection.
struct ListOf<'a>(Vec<&'a dyn Typed>, &'a Selection<'a>);

impl Serialize for Projected<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let Projected(value, selection) = *self;
        if selection.keys.is_empty() {
            return s.serialize_unit();
        }
        let mut map = s.serialize_map(Some(selection.keys.len()))?;
        for k in &selection.keys {
            let key = k.response.as_str();
            if k.name() == "__typename" {
                map.serialize_entry(key, &value.typename())?;
                continue;
            }
            match value.field(k) {
                Part::Value(v) => map.serialize_entry(key, &v)?,
                Part::Object(o) => map.serialize_entry(key, &Projected(o, &k.sub))?,
                Part::Optional(o) => map.serialize_entry(key, &o.map(|o| Projected(o, &k.sub)))?,
                Part::List(items) => map.serialize_entry(key, &ListOf(items, &k.sub))?,
            }
        }
        map.end()
    }
}

impl Serialize for ListOf<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for o in &self.0 {
            seq.serialize_element(&Projected(*o, self.1))?;
        }
        seq.end()
    }
}

fn one<T: Typed>(value: &T) -> Part<'_> {
    Part::Object(value)
}

fn optional<T: Typed>(value: Option<&T>) -> Part<'_> {
    Part::Optional(value.map(|v| v as &dyn Typed))
}

fn list<T: Typed>(values: &[T]) -> Part<'_> {
    Part::List(values.iter().map(|v| v as &dyn Typed).collect())
}

fn scalar<T: InputType>(value: &T) -> Part<'static> {
    Part::Value(value.to_value())
}

impl Plain for NationalReport {
    fn field<'s>(&'s self, f: &Key<'_>) -> Part<'s> {
        match f.name() {
            "from" => scalar(&self.from),
            "to" => scalar(&self.to),
            "groupBy" => Part::Value(<ReportGrouping as InputType>::to_value(&self.group_by)),
            "totals" => one(&self.totals),
            "rows" => list(&self.rows),
            _ => Part::Value(Value::Null),
        }
    }
}

impl Plain for CityReport {
    fn field<'s>(&'s self, f: &Key<'_>) -> Part<'s> {
        match f.name() {
            "from" => scalar(&self.from),
            "to" => scalar(&self.to),
            "city" => one(&self.city),
            "totals" => one(&self.totals),
            "rows" => list(&self.rows),
            "nationalMedian" => optional(self.national_median.as_ref()),
            "citiesCompared" => scalar(&self.cities_compared),
            _ => Part::Value(Value::Null),
        }
    }
}

impl Plain for ReportRow {
    fn field<'s>(&'s self, f: &Key<'_>) -> Part<'s> {
        match f.name() {
            "city" => optional(self.city.as_ref()),
            "month" => scalar(&self.month),
            "season" => optional(self.season.as_ref()),
            "figures" => one(&self.figures),
            _ => Part::Value(Value::Null),
        }
    }
}

impl Plain for ReportCity {
    fn field<'s>(&'s self, f: &Key<'_>) -> Part<'s> {
        match f.name() {
            "slug" => scalar(&self.slug),
            "nameKk" => scalar(&self.name_kk),
            "nameRu" => scalar(&self.name_ru),
            "nameEn" => scalar(&self.name_en),
            _ => Part::Value(Value::Null),
        }
    }
}

impl Plain for ReportSeason {
    fn field<'s>(&'s self, f: &Key<'_>) -> Part<'s> {
        match f.name() {
            "id" => scalar(&self.id),
            "title" => scalar(&self.title),
            "startsOn" => scalar(&self.starts_on),
            _ => Part::Value(Value::Null),
        }
    }
}

impl Plain for ReportFigures {
    fn field<'s>(&'s self, f: &Key<'_>) -> Part<'s> {
        match f.name() {
            "applicants" => scalar(&self.applicants),
            "accepted" => scalar(&self.accepted),
            "waitlisted" => scalar(&self.waitlisted),
            "rejected" => scalar(&self.rejected),
            "active" => scalar(&self.active),
            "completed" => scalar(&self.completed),
            "withdrawn" => scalar(&self.withdrawn),
            "retention" => scalar(&self.retention),
            "sessionsHeld" => scalar(&self.sessions_held),
            "sessionsCancelled" => scalar(&self.sessions_cancelled),
            "attendanceMarks" => scalar(&self.attendance_marks),
            "attendancePresent" => scalar(&self.attendance_present),
            "attendanceRate" => scalar(&self.attendance_rate),
            "activeCoaches" => scalar(&self.active_coaches),
            "skillsPassed" => scalar(&self.skills_passed),
            "showsHeld" => scalar(&self.shows_held),
            "ticketsSold" => scalar(&self.tickets_sold),
            "ticketsCheckedIn" => scalar(&self.tickets_checked_in),
            "ticketRevenue" => scalar(&self.ticket_revenue),
            "sponsorMoney" => scalar(&self.sponsor_money),
            "expenses" => scalar(&self.expenses),
            "givenToCauses" => scalar(&self.given_to_causes),
            "beneficiaries" => scalar(&self.beneficiaries),
            "suppressed" => scalar(&self.suppressed),
            _ => Part::Value(Value::Null),
        }
    }
}

#[cfg(test)]
#[path = "plain_tests.rs"]
mod tests;
