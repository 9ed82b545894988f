//! Keyset pagination: a page is the rows after a cursor, never an offset.

/// A page of a keyset-paginated list: rows after a cursor, at most `limit`.
#[derive(Debug, Clone, Copy)]
pub struct Page<C> {
    pub after: Option<C>,
    pub limit: u32,
}

impl<C> Page<C> {
    /// The most rows one page may ask for.
    pub const MAX: u32 = 100;

    pub fn first(limit: u32) -> Self {
        Self { after: None, limit }
    }

    /// Clamped to 1..=MAX + 1 (one more than a page, to tell whether another
    /// follows); the gateway rejects a larger `first` before this.
    pub(crate) fn sql_limit(&self) -> i64 {
        i64::from(self.limit.clamp(1, Self::MAX + 1))
    }
}
