//! Faults of the services the gateway depends on, caused on purpose on
//! private instances (never the shared ones other tests use).

mod postgres_restart;
