//! `mirror_enum!`: a GraphQL enum mirroring a core (or db) enum variant by
//! variant, with the conversions both ways, so the two cannot drift apart.

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
