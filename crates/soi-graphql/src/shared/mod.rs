//! Pieces several features share and none owns: role lists, the language
//! enum, money, and the output types more than one feature returns. The
//! rule: shared modules import plumbing only, never a feature.

pub mod date;
pub mod lang;
pub mod money;
pub mod nodes;
pub mod roles;
