//! Demo and scale datasets. Both are generated from a seed value (the same
//! value gives the same data) and written through tenant transactions, the
//! same door the application uses: one transaction per city, whole or nothing.

pub mod demo;
pub mod finale;
pub mod names;
pub mod plan;
pub mod rng;
pub mod scale;
pub mod show;

pub use plan::Counts;

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error(transparent)]
    Db(#[from] soi_db::Error),
    #[error("city '{0}' is not launched; run `soi city launch {0} ...` first")]
    MissingCity(String),
    #[error("{0}")]
    Invalid(String),
}

pub type Result<T, E = SeedError> = std::result::Result<T, E>;
