//! Relay connections: `first`/`after` as a db page, and rows back as a
//! connection. One extra row is fetched to know whether another page follows.

use super::args::bad_input;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Error, OutputType};
use soi_db::Page;

/// Rows a page holds when `first` is not given.
pub const DEFAULT_PAGE: i32 = 20;

/// What turns the rows of a page back into a connection: how many rows
/// were asked for, and whether the request gave a cursor.
#[derive(Debug, Clone, Copy)]
pub struct Pager {
    wanted: usize,
    after_given: bool,
}

impl Pager {
    pub fn new(wanted: usize, after_given: bool) -> Self {
        Self {
            wanted,
            after_given,
        }
    }

    /// A connection of `rows` (fetched with one extra) keyed by `cursor`.
    pub fn connection<R, N: OutputType>(
        self,
        mut rows: Vec<R>,
        cursor: impl Fn(&R) -> String,
        node: impl Fn(R) -> N,
    ) -> Connection<String, N> {
        let has_next = rows.len() > self.wanted;
        rows.truncate(self.wanted);
        let mut c = Connection::new(self.after_given, has_next);
        c.edges
            .extend(rows.into_iter().map(|r| Edge::new(cursor(&r), node(r))));
        c
    }
}

/// `first` and `after` of a Relay connection as a page (one row more is
/// fetched to know whether another page follows) keyed by id.
pub fn page<C: From<uuid::Uuid>>(
    first: Option<i32>,
    after: Option<&str>,
) -> Result<(Page<C>, Pager), Error> {
    let first = first.unwrap_or(DEFAULT_PAGE);
    if !(1..=Page::<C>::MAX as i32).contains(&first) {
        return Err(bad_input(
            "first",
            format!("must be between 1 and {}", Page::<C>::MAX),
        ));
    }
    let after = match after {
        None => None,
        Some(c) => Some(
            uuid::Uuid::parse_str(c)
                .map(C::from)
                .map_err(|_| bad_input("after", "is not a cursor of this list"))?,
        ),
    };
    let pager = Pager::new(first as usize, after.is_some());
    Ok((
        Page {
            after,
            limit: first as u32 + 1,
        },
        pager,
    ))
}
