//! Email templates: `templates/<language>/<kind>.{subject,txt,html}`, built
//! into the binary and rendered by minijinja. HTML parts are auto-escaped
//! (by the `.html` name); a value the payload lacks is an error, never an
//! empty gap in a sent email. A kind without a template in the participant's
//! language falls back to Russian, then English.
//!
//! Every template sees the payload's fields plus `city` (its name in the
//! template's language), `language` and `time_zone`; HTML parts also see
//! `subject`. Filters: `datetime` (an RFC 3339 moment as the city's wall
//! clock), `date` (a day) and `tenge` (tiyn as "12 500 ₸").

use crate::format;
use chrono::{DateTime, NaiveDate, Utc};
use minijinja::value::Serde;
use minijinja::{Environment, ErrorKind, State, UndefinedBehavior, context};
use soi_core::{CityZone, Language};

/// `(name, source)` of one template file in the binary.
macro_rules! file {
    ($lang:literal, $kind:literal, $part:literal) => {
        (
            concat!($lang, "/", $kind, ".", $part),
            include_str!(concat!("../templates/", $lang, "/", $kind, ".", $part)),
        )
    };
}

/// Every part of a kind in every language (a missing file fails the build).
macro_rules! kind {
    ($kind:literal) => {
        [
            file!("kk", $kind, "subject"),
            file!("kk", $kind, "txt"),
            file!("kk", $kind, "html"),
            file!("ru", $kind, "subject"),
            file!("ru", $kind, "txt"),
            file!("ru", $kind, "html"),
            file!("en", $kind, "subject"),
            file!("en", $kind, "txt"),
            file!("en", $kind, "html"),
        ]
    };
}

const LAYOUT: (&str, &str) = ("layout.html", include_str!("../templates/layout.html"));
const BUILTIN: &[[(&str, &str); 9]] = &[
    kind!("application_received"),
    kind!("session_scheduled"),
    kind!("session_moved"),
    kind!("session_cancelled"),
    kind!("session_reminder"),
    kind!("certificate_expiring"),
    kind!("application_decided"),
    kind!("ticket_order_paid"),
    kind!("show_announcement"),
    kind!("invitation"),
    kind!("password_reset"),
    kind!("application_confirmation"),
    kind!("consent_withdrawn"),
];

/// The city as a template sees it.
#[derive(Debug, Clone, Copy)]
pub struct CityView<'a> {
    pub name_kk: &'a str,
    pub name_ru: &'a str,
    pub name_en: &'a str,
    pub zone: CityZone,
}

impl CityView<'_> {
    fn name(&self, language: Language) -> &str {
        match language {
            Language::Kk => self.name_kk,
            Language::Ru => self.name_ru,
            Language::En => self.name_en,
        }
    }
}

/// A rendered email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The language of the template used (after any fallback).
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
}

pub struct Templates {
    env: Environment<'static>,
}

impl Templates {
    /// The templates built into the binary.
    pub fn builtin() -> Result<Self, minijinja::Error> {
        let files = BUILTIN.iter().flatten().copied().chain([LAYOUT]);
        Self::from_files(files.map(|(n, s)| (n.to_owned(), s.to_owned())))
    }

    /// Templates from `(name, source)` pairs, names like `ru/<kind>.txt`.
    pub fn from_files(
        files: impl IntoIterator<Item = (String, String)>,
    ) -> Result<Self, minijinja::Error> {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_filter("datetime", filter_datetime);
        env.add_filter("date", filter_date);
        env.add_filter("tenge", format::tenge);
        env.add_filter("qr", crate::qr::filter);
        for (name, source) in files {
            env.add_template_owned(name, source)?;
        }
        Ok(Self { env })
    }

    /// The language whose templates render `kind` for someone who reads
    /// `wanted`: theirs, else Russian, else English.
    pub fn language_for(&self, kind: &str, wanted: Language) -> Option<Language> {
        [wanted, Language::Ru, Language::En].into_iter().find(|l| {
            ["subject", "txt", "html"]
                .iter()
                .all(|part| self.env.get_template(&name(*l, kind, part)).is_ok())
        })
    }

    pub fn render(
        &self,
        kind: &str,
        wanted: Language,
        city: &CityView<'_>,
        payload: &serde_json::Value,
    ) -> Result<Rendered, minijinja::Error> {
        let language = self.language_for(kind, wanted).ok_or_else(|| {
            minijinja::Error::new(
                ErrorKind::TemplateNotFound,
                format!("no templates for the email kind '{kind}'"),
            )
        })?;
        let ctx = context! {
            city => city.name(language),
            language => language.code(),
            time_zone => city.zone.name(),
            ..minijinja::Value::from(Serde(payload))
        };
        let part = |p: &str, ctx: minijinja::Value| {
            self.env.get_template(&name(language, kind, p))?.render(ctx)
        };
        // One line, whatever the template or the payload hold.
        let subject = part("subject", ctx.clone())?
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        let text = part("txt", ctx.clone())?;
        let html = part("html", context! { subject => &subject, ..ctx })?;
        Ok(Rendered {
            language,
            subject,
            text,
            html,
        })
    }
}

fn name(language: Language, kind: &str, part: &str) -> String {
    format!("{}/{kind}.{part}", language.code())
}

fn invalid(message: String) -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, message)
}

/// The zone and language of the email being rendered.
fn locale(state: &State) -> Result<(CityZone, Language), minijinja::Error> {
    let get = |key: &str| {
        state
            .lookup(key)
            .and_then(|v| v.as_str().map(str::to_owned))
            .ok_or_else(|| invalid(format!("{key} is not set")))
    };
    let zone = CityZone::parse(&get("time_zone")?).map_err(|e| invalid(e.message))?;
    let language = Language::parse(&get("language")?).map_err(|e| invalid(e.message))?;
    Ok((zone, language))
}

fn filter_datetime(state: &State, value: &str) -> Result<String, minijinja::Error> {
    let (zone, language) = locale(state)?;
    let at = DateTime::parse_from_rfc3339(value)
        .map_err(|_| invalid(format!("'{value}' is not an RFC 3339 time")))?;
    Ok(format::date_time(at.with_timezone(&Utc), zone, language))
}

fn filter_date(state: &State, value: &str) -> Result<String, minijinja::Error> {
    let (zone, language) = locale(state)?;
    let day = match NaiveDate::parse_from_str(value, "%Y-%m-%d") {
        Ok(day) => day,
        Err(_) => DateTime::parse_from_rfc3339(value)
            .map(|at| zone.local(at.with_timezone(&Utc)).date_naive())
            .map_err(|_| invalid(format!("'{value}' is not a date")))?,
    };
    Ok(format::date(day, language))
}

#[cfg(test)]
mod tests;
