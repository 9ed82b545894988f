//! Captures PostgreSQL notices that sqlx turns into tracing events (target
//! `sqlx::postgres::notice`), such as the plans auto_explain sends back.
//! The capture is process-wide, so the tests that read it take turns: under
//! `cargo test` the tests of one binary run as threads of one process.

use std::sync::{Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::{Context, SubscriberExt};

static NOTICES: Mutex<Vec<String>> = Mutex::new(Vec::new());
static INSTALLED: OnceLock<()> = OnceLock::new();
/// Held by the test reading notices, so no other one reads its plans.
static READER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

struct Capture;

struct MessageVisitor(Option<String>);

impl Visit for MessageVisitor {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.0 = Some(value.to_owned());
        }
    }
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" && self.0.is_none() {
            self.0 = Some(format!("{value:?}"));
        }
    }
}

impl<S: tracing::Subscriber> Layer<S> for Capture {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() == "sqlx::postgres::notice" {
            let mut v = MessageVisitor(None);
            event.record(&mut v);
            if let Some(m) = v.0 {
                NOTICES.lock().expect("notices lock").push(m);
            }
        }
    }
}

/// Installs the capturing subscriber for this test process (once) and
/// waits for the capture: the caller reads notices until the guard drops.
pub async fn install() -> tokio::sync::MutexGuard<'static, ()> {
    INSTALLED.get_or_init(|| {
        let subscriber = tracing_subscriber::registry().with(
            Capture.with_filter(
                tracing_subscriber::filter::Targets::new()
                    .with_target("sqlx::postgres::notice", tracing::Level::TRACE),
            ),
        );
        tracing::subscriber::set_global_default(subscriber)
            .expect("one subscriber per test process");
    });
    READER.lock().await
}

/// Takes every notice captured so far.
pub fn take() -> Vec<String> {
    std::mem::take(&mut *NOTICES.lock().expect("notices lock"))
}
