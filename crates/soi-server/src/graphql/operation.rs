//! The operation label of the request metrics: the first root field of the
//! operation to run, if the schema has such a root field. The names come
//! from the schema itself when the gateway starts, so whatever a client
//! writes, the label takes one of a fixed set of values.

use async_graphql::parser::types::{ExecutableDocument, Selection, TypeKind, TypeSystemDefinition};
use soi_graphql::SoiSchema;
use std::collections::HashSet;
use std::sync::Arc;

/// The label of an operation whose first root field the schema lacks.
pub const UNKNOWN: &str = "unknown";
/// The label of a request that is not a GraphQL document.
pub const UNPARSABLE: &str = "unparsable";
/// The label of a persisted-query request refused before it ran.
pub const PERSISTED_QUERY: &str = "persisted_query";

/// Root field names of a schema's query, mutation and subscription types,
/// and the introspection roots.
#[derive(Clone, Default)]
pub struct Operations(Arc<HashSet<String>>);

impl Operations {
    /// The root fields of `schema`.
    pub fn of(schema: &SoiSchema) -> Self {
        Self::from_sdl(&schema.sdl())
    }

    /// The root fields of a schema in SDL.
    fn from_sdl(sdl: &str) -> Self {
        let mut names: HashSet<String> = ["__schema", "__type", "__typename"]
            .into_iter()
            .map(str::to_owned)
            .collect();
        // The SDL is the schema's own output; should it not parse, every
        // operation counts as unknown, which is bounded too.
        if let Ok(doc) = async_graphql::parser::parse_schema(sdl) {
            let mut roots = HashSet::new();
            for def in &doc.definitions {
                if let TypeSystemDefinition::Schema(s) = def {
                    let s = &s.node;
                    roots.extend(
                        [&s.query, &s.mutation, &s.subscription]
                            .into_iter()
                            .flatten()
                            .map(|n| n.node.to_string()),
                    );
                }
            }
            for def in &doc.definitions {
                if let TypeSystemDefinition::Type(t) = def
                    && roots.contains(t.node.name.node.as_str())
                    && let TypeKind::Object(object) = &t.node.kind
                {
                    names.extend(object.fields.iter().map(|f| f.node.name.node.to_string()));
                }
            }
        }
        Self(Arc::new(names))
    }

    /// The label of the operation `operation_name` of `doc` (`None`: the
    /// query did not parse).
    pub fn label(&self, doc: Option<&ExecutableDocument>, operation_name: Option<&str>) -> String {
        let Some(doc) = doc else {
            return UNPARSABLE.to_owned();
        };
        soi_graphql::operations_named(doc, operation_name)
            .next()
            .and_then(|op| {
                op.node
                    .selection_set
                    .node
                    .items
                    .iter()
                    .find_map(|i| match &i.node {
                        Selection::Field(f) => Some(f.node.name.node.as_str()),
                        _ => None,
                    })
            })
            .filter(|name| self.0.contains(*name))
            .unwrap_or(UNKNOWN)
            .to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(ops: &Operations, q: &str) -> String {
        let doc = async_graphql::parser::parse_query(q).ok();
        ops.label(doc.as_ref(), None)
    }

    #[test]
    fn only_schema_root_fields_become_labels() {
        let ops = Operations(Arc::new(["cities".to_owned()].into_iter().collect()));
        assert_eq!(label(&ops, "{ cities { slug } }"), "cities");
        assert_eq!(label(&ops, "{ madeUpField123 }"), UNKNOWN);
        assert_eq!(label(&ops, "{ a: cities { slug } }"), "cities");
        assert_eq!(
            label(&ops, "{ ...F } fragment F on QueryRoot { cities { slug } }"),
            UNKNOWN
        );
        assert_eq!(label(&ops, "{ cities"), UNPARSABLE);
    }

    #[test]
    fn the_schema_gives_its_queries_mutations_and_subscriptions() {
        let ops = Operations::from_sdl(&soi_graphql::sdl());
        for name in ["cities", "login", "createRink", "ticketSales", "__schema"] {
            assert!(ops.0.contains(name), "{name}");
        }
        // Fields of other types are not roots.
        assert!(!ops.0.contains("slug"));
    }
}
