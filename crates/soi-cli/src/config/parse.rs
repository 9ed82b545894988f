//! How a setting's text becomes its value: whole numbers (surrounding blanks
//! ignored), switches, the listen address. A blank variable counts as unset,
//! and a value clap refuses becomes one `error:` line naming the variable.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use std::net::SocketAddr;
use std::str::FromStr;

pub fn whole<T: FromStr>(raw: &str) -> Result<T, String> {
    raw.trim()
        .parse()
        .map_err(|_| "must be a whole number".to_owned())
}

pub fn at_least_one<T: FromStr + PartialOrd + From<u8>>(raw: &str) -> Result<T, String> {
    let n: T = whole(raw)?;
    if n < T::from(1) {
        return Err("must be at least 1".into());
    }
    Ok(n)
}

/// `true` or `1` switch on; anything else leaves it off.
pub fn truthy(raw: &str) -> Result<bool, String> {
    Ok(raw == "true" || raw == "1")
}

pub fn on_off(raw: &str) -> Result<bool, String> {
    match raw {
        "on" => Ok(true),
        "off" => Ok(false),
        _ => Err("must be on or off".into()),
    }
}

pub fn listen(raw: &str) -> Result<SocketAddr, String> {
    raw.parse()
        .map_err(|_| "must be host:port, e.g. 127.0.0.1:8080".to_owned())
}

pub fn redis_prefix(raw: &str) -> Result<String, String> {
    let ok = !raw.is_empty()
        && raw.len() <= 40
        && raw
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
    if ok {
        Ok(raw.to_owned())
    } else {
        Err("must be 1–40 letters, digits, '-' or '_'".into())
    }
}

/// The command with every argument whose variable is set but blank reading
/// as if it were unset (its default applies), as the variables always did.
pub fn blank_env_is_unset(cmd: clap::Command) -> clap::Command {
    cmd.mut_args(|arg| {
        let blank = arg
            .get_env()
            .and_then(std::env::var_os)
            .is_some_and(|v| v.to_string_lossy().trim().is_empty());
        if blank { arg.env(None) } else { arg }
    })
    .mut_subcommands(blank_env_is_unset)
}

/// A value a setting refuses, as one line naming its variable (the value is
/// shown: secrets and URLs are never checked by clap, so never quoted here).
/// Other errors, help and version are clap's own, as before.
pub fn one_line(cmd: &clap::Command, e: clap::Error) -> anyhow::Error {
    if e.kind() != ErrorKind::ValueValidation {
        e.exit();
    }
    let text = |kind| match e.get(kind) {
        Some(ContextValue::String(s)) => Some(s.clone()),
        _ => None,
    };
    let long = text(ContextKind::InvalidArg).and_then(|a| {
        let flag = a.split_whitespace().next()?.strip_prefix("--")?.to_owned();
        Some(flag)
    });
    let var = long.and_then(|l| env_of(cmd, &l));
    let (Some(var), Some(value)) = (var, text(ContextKind::InvalidValue)) else {
        e.exit();
    };
    let reason =
        std::error::Error::source(&e).map_or_else(|| "is invalid".to_owned(), |s| s.to_string());
    anyhow::anyhow!("{var} {reason}, got '{value}'")
}

/// The variable behind `--long`, anywhere in the command tree.
fn env_of(cmd: &clap::Command, long: &str) -> Option<String> {
    cmd.get_arguments()
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env())
        .map(|v| v.to_string_lossy().into_owned())
        .or_else(|| cmd.get_subcommands().find_map(|s| env_of(s, long)))
}
