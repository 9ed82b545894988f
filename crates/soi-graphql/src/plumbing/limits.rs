//! Limits on what one request may ask for, checked on the parsed document
//! before execution: aliases and root fields (both multiply work without
//! deepening the query), on top of the depth and complexity limits
//! async-graphql applies itself.

use async_graphql::Positioned;
use async_graphql::parser::types::{
    ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use std::collections::HashSet;

/// The operations of a document a request may run: the one named
/// `operation_name`, or all of them when it names none (the spec then
/// requires exactly one).
pub fn operations_named<'a>(
    doc: &'a ExecutableDocument,
    operation_name: Option<&'a str>,
) -> impl Iterator<Item = &'a Positioned<OperationDefinition>> {
    doc.operations
        .iter()
        .filter(move |(name, _)| {
            operation_name.is_none() || operation_name == name.map(|n| n.as_str())
        })
        .map(|(_, op)| op)
}

/// Maximums for one request; each breach is a `BAD_USER_INPUT` naming it.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    pub depth: usize,
    pub complexity: usize,
    pub recursive_depth: usize,
    /// Aliased fields in one document.
    pub aliases: usize,
    /// Fields at the root of one operation (fragments included).
    pub root_fields: usize,
    /// Operations in one batched HTTP request.
    pub batch: usize,
    /// "Did you mean …" hints in validation errors (off in production).
    pub suggestions: bool,
    /// Rate limits on sign-in, applications and reservations (off only for
    /// load tests that send everything from one address).
    pub rate_limits: bool,
    /// New persisted queries one client address may store per minute
    /// (`SOI_APQ_STORES_PER_MINUTE`).
    pub apq_stores_per_minute: u32,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            depth: 12,
            complexity: 2_000,
            recursive_depth: 32,
            aliases: 30,
            root_fields: 20,
            batch: 10,
            suggestions: true,
            rate_limits: true,
            apq_stores_per_minute: 30,
        }
    }
}

/// The first limit the document breaks, as a message for the client.
pub fn check_document(doc: &ExecutableDocument, limits: &Limits) -> Option<String> {
    // First, and bounded: the walks below follow fragment spreads without a
    // depth of their own, and a chain of thousands of fragments (each within
    // the parser's nesting limit) would otherwise run them off the stack.
    if nests_deeper(doc, limits.recursive_depth) {
        return Some(format!(
            "The recursion depth of the query cannot be greater than `{}`",
            limits.recursive_depth
        ));
    }
    let mut aliases = 0;
    for (_, op) in doc.operations.iter() {
        count_aliases(
            &op.node.selection_set.node,
            doc,
            &mut aliases,
            &mut HashSet::new(),
        );
        let roots = root_fields(&op.node.selection_set.node, doc, &mut HashSet::new());
        if roots > limits.root_fields {
            return Some(format!(
                "an operation may select at most {} root fields, this one selects {roots}",
                limits.root_fields
            ));
        }
    }
    (aliases > limits.aliases).then(|| {
        format!(
            "a request may use at most {} aliases, this one uses {aliases}",
            limits.aliases
        )
    })
}

fn count_aliases<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    n: &mut usize,
    seen: &mut HashSet<&'a str>,
) {
    for item in &set.items {
        match &item.node {
            Selection::Field(f) => {
                if f.node.alias.is_some() {
                    *n += 1;
                }
                count_aliases(&f.node.selection_set.node, doc, n, seen);
            }
            Selection::InlineFragment(i) => count_aliases(&i.node.selection_set.node, doc, n, seen),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                // Each fragment counted once per walk: a cycle cannot loop here
                // (validation rejects cycles later anyway).
                if seen.insert(name)
                    && let Some(fragment) = doc.fragments.get(&s.node.fragment_name.node)
                {
                    count_aliases(&fragment.node.selection_set.node, doc, n, seen);
                }
            }
        }
    }
}

fn root_fields<'a>(
    set: &'a SelectionSet,
    doc: &'a ExecutableDocument,
    seen: &mut HashSet<&'a str>,
) -> usize {
    set.items
        .iter()
        .map(|item| match &item.node {
            Selection::Field(_) => 1,
            Selection::InlineFragment(i) => root_fields(&i.node.selection_set.node, doc, seen),
            Selection::FragmentSpread(s) => {
                let name = s.node.fragment_name.node.as_str();
                match doc.fragments.get(&s.node.fragment_name.node) {
                    Some(f) if seen.insert(name) => {
                        root_fields(&f.node.selection_set.node, doc, seen)
                    }
                    _ => 0,
                }
            }
        })
        .sum()
}

/// Whether an operation's selections nest deeper than `max`, counted as
/// the schema counts its recursive depth (a field with a selection, a
/// fragment spread and an inline fragment each a level), in the schema's
/// words. The walk stops at `max + 1` levels.
fn nests_deeper(doc: &ExecutableDocument, max: usize) -> bool {
    fn deeper(set: &SelectionSet, doc: &ExecutableDocument, depth: usize, max: usize) -> bool {
        if depth > max {
            return true;
        }
        set.items.iter().any(|item| match &item.node {
            Selection::Field(f) => {
                let inner = &f.node.selection_set.node;
                !inner.items.is_empty() && deeper(inner, doc, depth + 1, max)
            }
            Selection::FragmentSpread(s) => doc
                .fragments
                .get(&s.node.fragment_name.node)
                .is_some_and(|f| deeper(&f.node.selection_set.node, doc, depth + 1, max)),
            Selection::InlineFragment(i) => deeper(&i.node.selection_set.node, doc, depth + 1, max),
        })
    }
    doc.operations
        .iter()
        .any(|(_, op)| deeper(&op.node.selection_set.node, doc, 0, max))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(q: &str) -> Option<String> {
        let doc = async_graphql::parser::parse_query(q).expect("parses");
        check_document(
            &doc,
            &Limits {
                aliases: 2,
                root_fields: 2,
                ..Limits::default()
            },
        )
    }

    #[test]
    fn alias_bombs_and_wide_roots_are_caught_through_fragments() {
        assert_eq!(check("{ a: cities { slug } b: cities { slug } }"), None);
        assert!(check("{ a: cities { slug } b: cities { slug } c: cities { slug } }").is_some());
        assert!(check("{ ...F } fragment F on QueryRoot { cities { slug } me { email } seasons { edges { cursor } } }").is_some());
        assert!(check("{ x: cities { a: slug b: slug } ...F } fragment F on QueryRoot { y: cities { slug } }").is_some());
        assert_eq!(check("{ cities { slug } me { email } }"), None);
    }

    #[test]
    fn a_chain_of_fragments_is_refused_for_its_depth_without_running_off_the_stack() {
        // Each fragment is shallow, so the parser takes the document; the
        // chain is what nests. 20,000 levels would overflow a walk that
        // followed it to the end.
        let n = 20_000;
        let mut q = String::from("{ ...F0 }");
        for i in 0..n {
            q.push_str(&format!(" fragment F{i} on QueryRoot {{ ...F{} }}", i + 1));
        }
        q.push_str(&format!(" fragment F{n} on QueryRoot {{ __typename }}"));
        let breach = check(&q).expect("refused");
        assert!(breach.contains("recursion depth"), "{breach}");
        // At the limit it passes; one level more does not.
        let depth = Limits::default().recursive_depth;
        let nest = |levels: usize| {
            format!(
                "{{ {}__typename{} }}",
                "... on QueryRoot { ".repeat(levels),
                " }".repeat(levels)
            )
        };
        assert_eq!(check(&nest(depth)), None);
        assert!(check(&nest(depth + 1)).is_some());
    }
}
