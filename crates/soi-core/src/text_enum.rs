//! The one macro for enums stored as `text` codes (states, kinds, methods):
//! each variant has a fixed code, the database checks the set of codes, and
//! the conversions both ways live here so every layer parses them alike.

/// A `text` code column as a Rust enum, both ways: `ALL`, `code()`,
/// `parse()` (an unknown code is an [`InputError`](crate::InputError) on
/// `$field`), `Display` (the code) and `TryFrom<String>` (for
/// `#[sqlx(try_from = "String")]`).
///
/// Attributes before the name go on the enum: docs, and extra derives where a
/// use needs them (`#[derive(serde::Serialize, serde::Deserialize)]`); the
/// enum always derives `Debug, Clone, Copy, PartialEq, Eq, Hash`.
///
/// ```
/// soi_core::text_enum! {
///     /// A door is open or shut.
///     Door, "door" { Open => "open", Shut => "shut" }
/// }
/// assert_eq!(Door::parse("open"), Ok(Door::Open));
/// assert_eq!(Door::Shut.to_string(), "shut");
/// ```
#[macro_export]
macro_rules! text_enum {
    ($(#[$attr:meta])* $name:ident, $field:literal { $($(#[$vattr:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$attr])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vattr])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The code stored in the database.
            pub const fn code(self) -> &'static str {
                match self { $($name::$variant => $code),+ }
            }

            pub fn parse(code: &str) -> $crate::InputResult<Self> {
                match code {
                    $($code => Ok($name::$variant),)+
                    other => Err($crate::InputError::new($field, format!("unknown value '{other}'"))),
                }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.code())
            }
        }

        /// For decoding the stored code (`#[sqlx(try_from = "String")]`).
        impl ::std::convert::TryFrom<String> for $name {
            type Error = $crate::InputError;
            fn try_from(code: String) -> $crate::InputResult<Self> {
                Self::parse(&code)
            }
        }
    };
}
