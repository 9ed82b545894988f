//! The `soi` command with bad input: one `error:` line, a non-zero exit, no
//! panic, no secret, and the database as it was.

use soi_tests::TestDb;
use support::{one_error_line, soi, soi_command};

mod support;

const LAUNCH_ATYRAU: &[&str] = &[
    "city",
    "launch",
    "atyrau",
    "--name-kk",
    "Атырау",
    "--name-ru",
    "Атырау",
    "--name-en",
    "Atyrau",
    "--tz",
    "Asia/Atyrau",
];

#[test]
fn a_malformed_database_url_is_one_line_without_the_password() {
    let out = soi("postgres://admin:s3cret@[::1", &["migrate"]);
    let line = one_error_line(&out);
    assert!(line.contains("DATABASE_URL"), "{line}");
    assert!(!line.contains("s3cret"), "{line}");
    let line = one_error_line(&soi("mysql://admin:s3cret@localhost/x", &["city", "list"]));
    assert!(!line.contains("s3cret"), "{line}");
}

#[test]
fn an_unreachable_database_is_one_line() {
    let line = one_error_line(&soi(
        "postgres://admin:s3cret@127.0.0.1:9/soi",
        &["migrate"],
    ));
    assert!(
        line.contains("cannot reach PostgreSQL at 127.0.0.1:9"),
        "{line}"
    );
    assert!(!line.contains("s3cret"), "{line}");
}

#[tokio::test]
async fn migrating_twice_is_harmless_and_bad_launches_change_nothing() {
    let t = TestDb::new().await;
    let url = t.url();
    let first = soi(&url, &["migrate"]);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("up to date"));
    assert!(soi(&url, &["migrate"]).status.success());

    let line = one_error_line(&soi(
        &url,
        &[
            "city",
            "launch",
            "Almaty City",
            "--name-kk",
            "a",
            "--name-ru",
            "b",
            "--name-en",
            "c",
        ],
    ));
    assert!(line.contains("slug"), "{line}");
    let line = one_error_line(&soi(
        &url,
        &[
            "city",
            "launch",
            "almaty",
            "--name-kk",
            "a",
            "--name-ru",
            "b",
            "--name-en",
            "c",
            "--tz",
            "Asia/Atlantis",
        ],
    ));
    assert!(line.contains("time zone"), "{line}");
    let line = one_error_line(&soi(&url, &["seed", "--demo", "--city", "atyrau"]));
    assert!(line.contains("city 'atyrau' is not launched"), "{line}");

    let list = soi(&url, &["city", "list"]);
    assert!(list.status.success());
    assert!(String::from_utf8_lossy(&list.stdout).contains("0 cities"));

    let ok = soi(&url, LAUNCH_ATYRAU);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let again = soi(&url, LAUNCH_ATYRAU);
    assert!(String::from_utf8_lossy(&again.stdout).contains("was launched already"));

    // A position: in range, both parts or neither; a relaunch places the city.
    let at = |lat: &'static str, lon: Option<&'static str>| {
        let mut args = LAUNCH_ATYRAU.to_vec();
        args.extend(["--latitude", lat]);
        if let Some(lon) = lon {
            args.extend(["--longitude", lon]);
        }
        soi(&url, &args)
    };
    let line = one_error_line(&at("100", Some("51.88")));
    assert!(line.contains("latitude"), "{line}");
    assert!(
        !at("47.12", None).status.success(),
        "a latitude alone is refused"
    );
    let placed = at("47.1164", Some("51.8833"));
    assert!(
        placed.status.success(),
        "{}",
        String::from_utf8_lossy(&placed.stderr)
    );
    let mut conn = t.raw().await;
    let position: (Option<f64>, Option<f64>) =
        sqlx::query_as("select latitude, longitude from cities where slug = 'atyrau'")
            .fetch_one(&mut conn)
            .await
            .expect("position");
    assert_eq!(position, (Some(47.1164), Some(51.8833)));
}

#[test]
fn the_session_check_interval_is_shown_and_zero_is_refused() {
    let config = |secs: &str| {
        soi_command("postgres://soi@127.0.0.1:9/soi")
            .arg("config")
            .env("SOI_SESSION_CHECK_SECS", secs)
            .output()
            .expect("run soi")
    };
    let shown = config("5");
    let stdout = String::from_utf8_lossy(&shown.stdout);
    assert!(shown.status.success(), "{shown:?}");
    assert!(
        stdout
            .lines()
            .any(|l| l.split_whitespace().eq(["SOI_SESSION_CHECK_SECS", "5"])),
        "{stdout}"
    );
    // Zero would check every request against PostgreSQL: refused at start.
    let zero = config("0");
    assert!(!zero.status.success());
    let stderr = String::from_utf8_lossy(&zero.stderr);
    assert!(stderr.contains("at least 1"), "{stderr}");
}
