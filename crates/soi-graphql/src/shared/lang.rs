//! The program's languages as GraphQL sees them: a participant's, a buyer's,
//! a staff member's, an email's.

use crate::plumbing::mirror_enum;
use soi_core::Language;

mirror_enum! {
    /// A language of the program.
    #[graphql(name = "Language")]
    Lang <=> Language {
        /// Kazakh.
        Kk,
        /// Russian.
        Ru,
        /// English.
        En,
    }
}
