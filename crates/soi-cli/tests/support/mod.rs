//! The `soi` binary as these tests run it: one command builder with the
//! environment every run shares, so a test names only what it is about.
//! Each test binary includes this module and uses part of it.
#![allow(dead_code)]

pub mod children;

use std::process::{Command, Output};

/// `soi` on the database at `url` (owner and runtime alike): quiet logs, links to a fixed public URL,
/// and no `SOI_JWT_SECRET` (from the test runner's environment or
/// elsewhere) unless the test sets one.
pub fn soi_command(url: &str) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_soi"));
    cmd.env("DATABASE_URL", url)
        // the owner's connection is DATABASE_URL's too, never a runner's
        .env_remove("SOI_OWNER_DATABASE_URL")
        .env("SOI_PUBLIC_URL", "https://soi.example")
        .env("RUST_LOG", "error")
        .env_remove("SOI_JWT_SECRET")
        // no traces unless a test asks for them
        .env_remove("SOI_OTEL_ENDPOINT")
        .env_remove("OTEL_EXPORTER_OTLP_ENDPOINT");
    cmd
}

/// Runs `soi args` to completion, signing links with `secret` if given; an
/// unreachable database fails it within seconds.
pub fn soi_with(url: &str, secret: Option<&str>, args: &[&str]) -> Output {
    let mut cmd = soi_command(url);
    cmd.args(args).env("SOI_DB_ACQUIRE_TIMEOUT_MS", "3000");
    if let Some(s) = secret {
        cmd.env("SOI_JWT_SECRET", s);
    }
    cmd.output().expect("run soi")
}

/// Runs `soi args` to completion without a token secret.
pub fn soi(url: &str, args: &[&str]) -> Output {
    soi_with(url, None, args)
}

/// Its stdout, after asserting it succeeded (stderr shown if not).
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Exactly one line on stderr, starting with `error: `, and a failure.
pub fn one_error_line(out: &Output) -> String {
    assert!(!out.status.success(), "must fail");
    let stderr = String::from_utf8_lossy(&out.stderr).trim().to_owned();
    assert_eq!(stderr.lines().count(), 1, "one line, got: {stderr}");
    assert!(stderr.starts_with("error: "), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

/// `soi city launch` of Aktau (add `--admin` and the like after it).
pub const LAUNCH_AKTAU: &[&str] = &[
    "city",
    "launch",
    "aktau",
    "--name-kk",
    "Ақтау",
    "--name-ru",
    "Актау",
    "--name-en",
    "Aktau",
    "--tz",
    "Asia/Aqtau",
];
