//! Enums stored as `text` codes (order, payment and ticket states), with the
//! conversions both ways, for this crate's row types.

/// A `text` code column as a Rust enum, both ways.
macro_rules! coded {
    ($(#[$doc:meta])* $name:ident, $field:literal { $($variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> soi_core::InputResult<Self> {
                match code {
                    $($code => Ok($name::$variant),)+
                    other => Err(soi_core::InputError::new($field, format!("unknown value '{other}'"))),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }

        impl TryFrom<String> for $name {
            type Error = soi_core::InputError;
            fn try_from(code: String) -> soi_core::InputResult<Self> {
                Self::parse(&code)
            }
        }
    };
}
pub(crate) use coded;
