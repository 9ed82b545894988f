//! SIGTERM and SIGINT for the long-running commands (`soi serve`, `soi
//! worker`). The handlers are installed when the command starts, before it
//! says it is ready: a signal that comes early (an orchestrator stopping a
//! pod that is still starting) asks for the graceful stop instead of killing
//! the process mid-way. The first signal starts that stop; a second ends the
//! process at once, cutting what is in flight.

use anyhow::Result;
use std::future::Future;

/// Installs the handlers; the future resolves at the first signal.
pub fn install() -> Result<impl Future<Output = ()> + Send + 'static> {
    let mut signals = Signals::new()?;
    let (first, stop) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(async move {
        let name = signals.next().await;
        tracing::info!(signal = name, "stopping (a second signal stops at once)");
        let _ = first.send(());
        let name = signals.next().await;
        eprintln!("error: stopped at once by a second {name}; work in flight was cut");
        std::process::exit(1);
    });
    Ok(async move {
        // Only a panic of the task above could drop the sender: stop then too.
        let _ = stop.await;
    })
}

#[cfg(unix)]
struct Signals {
    term: tokio::signal::unix::Signal,
    int: tokio::signal::unix::Signal,
}

#[cfg(unix)]
impl Signals {
    fn new() -> Result<Self> {
        use anyhow::Context;
        use tokio::signal::unix::{SignalKind, signal};
        Ok(Self {
            term: signal(SignalKind::terminate()).context("cannot handle SIGTERM")?,
            int: signal(SignalKind::interrupt()).context("cannot handle SIGINT")?,
        })
    }

    async fn next(&mut self) -> &'static str {
        tokio::select! {
            _ = self.term.recv() => "SIGTERM",
            _ = self.int.recv() => "SIGINT",
        }
    }
}

#[cfg(not(unix))]
struct Signals;

#[cfg(not(unix))]
impl Signals {
    fn new() -> Result<Self> {
        Ok(Self)
    }

    async fn next(&mut self) -> &'static str {
        let _ = tokio::signal::ctrl_c().await;
        "Ctrl-C"
    }
}
