//! Property tests: random histories against a model. proptest drives each
//! run against one database of its own (see [`driver`]).

mod driver;
mod erasure;
mod ledger;
mod rollup;
