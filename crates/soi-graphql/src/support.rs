//! Small shared pieces of resolvers: ids, pages, input errors.

use crate::ErrorCode;
use async_graphql::connection::{Connection, Edge};
use async_graphql::{Error, ErrorExtensions, ID, OutputType};
use soi_core::InputError;
use soi_db::Page;

/// Rows a page holds when `first` is not given.
pub const DEFAULT_PAGE: i32 = 20;

/// `BAD_USER_INPUT` naming the field.
pub fn bad_input(field: &str, message: impl Into<String>) -> Error {
    let field = field.to_owned();
    ErrorCode::BadUserInput
        .error(message)
        .extend_with(move |_, x| x.set("field", field.clone()))
}

impl From<InputErrorWrap> for Error {
    fn from(e: InputErrorWrap) -> Self {
        bad_input(e.0.field, e.0.message)
    }
}

/// Lets `?` turn a core validation error into a GraphQL error.
pub struct InputErrorWrap(pub InputError);

pub trait Valid<T> {
    /// The value, or `BAD_USER_INPUT` with the failing field.
    fn valid(self) -> Result<T, Error>;
}

impl<T> Valid<T> for Result<T, InputError> {
    fn valid(self) -> Result<T, Error> {
        self.map_err(|e| InputErrorWrap(e).into())
    }
}

/// An id argument as a typed id; a malformed one is `BAD_USER_INPUT`.
pub fn parse_id<T: From<uuid::Uuid>>(field: &str, id: &ID) -> Result<T, Error> {
    uuid::Uuid::parse_str(id.as_str())
        .map(T::from)
        .map_err(|_| bad_input(field, "is not a valid id"))
}

/// `first` and `after` of a Relay connection as a page (one row more is
/// fetched to know whether another page follows).
pub fn page<C: From<uuid::Uuid>>(
    first: Option<i32>,
    after: Option<&str>,
) -> Result<(Page<C>, usize), Error> {
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
    let wanted = first as usize;
    Ok((
        Page {
            after,
            limit: first as u32 + 1,
        },
        wanted,
    ))
}

/// A connection of `rows` (fetched with one extra) keyed by `cursor`.
pub fn connection<R, N: OutputType>(
    mut rows: Vec<R>,
    wanted: usize,
    after_given: bool,
    cursor: impl Fn(&R) -> String,
    node: impl Fn(R) -> N,
) -> Connection<String, N> {
    let has_next = rows.len() > wanted;
    rows.truncate(wanted);
    let mut c = Connection::new(after_given, has_next);
    c.edges
        .extend(rows.into_iter().map(|r| Edge::new(cursor(&r), node(r))));
    c
}

/// `Some` for a row, `None` for a missing one (or one of another city, which
/// is the same thing); other errors stay errors.
pub fn found<T>(r: soi_db::Result<T>) -> soi_db::Result<Option<T>> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(soi_db::Error::NotFound(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// Runs `$body` in a tenant transaction of the signed-in user's city, if
/// their role is one of `$roles`, and commits. Inside the body `$tx` is the
/// transaction and `?` takes db-layer errors; the result is mapped to typed
/// GraphQL errors. A root mutation field is recorded in the audit log in
/// the same transaction. Written as a macro because a closure cannot lend the
/// transaction to an async block for an arbitrary lifetime.
macro_rules! in_city {
    ($ctx:expr, $roles:expr, |$tx:ident, $who:pat_param| $body:expr) => {{
        let db = $ctx.data::<soi_db::Db>()?;
        let req = $ctx.data::<$crate::RequestCtx>()?;
        let (scope, $who) = req.city_scope($roles)?;
        let run = async {
            let mut $tx = db.tenant(&scope).await?;
            let out = $body;
            $crate::audit::record($ctx, &mut $tx).await?;
            $tx.commit().await?;
            Ok::<_, soi_db::Error>(out)
        };
        let out = run
            .await
            .map_err(|e| $crate::db_error(e, req.request_id()))?;
        if $crate::audit::is_root_mutation($ctx) {
            $crate::live::changed($ctx, scope.city()).await;
        }
        Ok::<_, async_graphql::Error>(out)
    }};
}
pub(crate) use in_city;

/// Runs `$body` in a public tenant transaction of the city named by `$slug`
/// (no sign-in: applying, buying tickets, public pages) and commits; a
/// mutation is audited as `public`. An unknown slug is `NOT_FOUND`. Rate
/// limits in `[...]` are counted for the city before anything else runs.
macro_rules! in_public_city {
    ($ctx:expr, $slug:expr, |$tx:ident| $body:expr) => {
        $crate::support::in_public_city!($ctx, $slug, [], |$tx| $body)
    };
    ($ctx:expr, $slug:expr, [$($rule:expr),*], |$tx:ident| $body:expr) => {{
        let city = $crate::public_city::resolve($ctx, $slug).await?;
        $crate::support::in_public_city!(resolved $ctx, city, [$($rule),*], |$tx| $body)
    }};
    // The city already resolved from its slug (by a caller that needed it
    // first, e.g. for a cache key).
    (resolved $ctx:expr, $city:expr, [$($rule:expr),*], |$tx:ident| $body:expr) => {{
        let db = $ctx.data::<soi_db::Db>()?;
        let req = $ctx.data::<$crate::RequestCtx>()?;
        let city: soi_core::CityId = $city;
        $( $crate::throttle::check_city($ctx, city, $rule).await?; )*
        let run = async {
            let mut $tx = db.tenant(&soi_core::CityScope::for_public(city)).await?;
            let out = $body;
            $crate::audit::record($ctx, &mut $tx).await?;
            $tx.commit().await?;
            Ok::<_, soi_db::Error>(out)
        };
        let out = run.await.map_err(|e| $crate::db_error(e, req.request_id()))?;
        if $crate::audit::is_root_mutation($ctx) {
            $crate::live::changed($ctx, city).await;
        }
        Ok::<_, async_graphql::Error>(out)
    }};
}
pub(crate) use in_public_city;

/// A GraphQL enum mirroring a core enum variant by variant, with the
/// conversions both ways.
macro_rules! mirror_enum {
    ($(#[$meta:meta])* $name:ident <=> $core:ty { $($(#[$vmeta:meta])* $variant:ident),+ $(,)? }) => {
        #[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
        $(#[$meta])*
        pub enum $name { $($(#[$vmeta])* $variant),+ }

        impl From<$core> for $name {
            fn from(v: $core) -> Self {
                match v { $(<$core>::$variant => Self::$variant),+ }
            }
        }

        impl From<$name> for $core {
            fn from(v: $name) -> Self {
                match v { $($name::$variant => <$core>::$variant),+ }
            }
        }
    };
}
pub(crate) use mirror_enum;
