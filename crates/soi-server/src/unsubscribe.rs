//! `/unsubscribe?t=<token>`: the link in reminders and announcements. GET
//! shows a small page with a button and changes nothing (mail scanners open
//! links); POST records the unsubscription — the button, or a mail client's
//! RFC 8058 one-click POST (`List-Unsubscribe=One-Click`). A second POST
//! changes nothing and answers the same. A forged token is 403 and an
//! expired one 400, with nothing stored.

use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};
use chrono::Utc;
use serde::Deserialize;
use soi_core::SystemCtx;
use soi_db::mail::email_preferences;
use soi_mail::unsubscribe::{TokenError, Unsubscriber};

#[derive(Deserialize)]
pub struct Link {
    t: Option<String>,
}

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let html = format!(
        "<!doctype html><html><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title}</title></head>\
         <body style=\"font-family:Arial,Helvetica,sans-serif;max-width:520px;margin:40px auto;padding:0 16px;color:#1b2733\">\
         <h1 style=\"font-size:20px\">{title}</h1>{body}</body></html>"
    );
    (status, Html(html)).into_response()
}

/// Why a link is refused.
enum Refused {
    Unconfigured,
    Token(TokenError),
}

impl Refused {
    fn page(self) -> Response {
        match self {
            Refused::Unconfigured => page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "<p>Unsubscribing is not configured.</p>",
            ),
            Refused::Token(TokenError::Forged) => page(
                StatusCode::FORBIDDEN,
                "Invalid link",
                "<p>This unsubscribe link is not valid. / Сілтеме жарамсыз. / Ссылка недействительна.</p>",
            ),
            Refused::Token(TokenError::Expired) => page(
                StatusCode::BAD_REQUEST,
                "Expired link",
                "<p>This unsubscribe link has expired; use the link in a recent email. / Сілтеменің мерзімі өтті. / Срок действия ссылки истёк.</p>",
            ),
        }
    }
}

/// The person the token names.
fn check(state: &AppState, link: &Link) -> Result<Unsubscriber, Refused> {
    let links = state.unsubscribe.as_ref().ok_or(Refused::Unconfigured)?;
    let token = link.t.as_deref().unwrap_or_default();
    links.verify(token, Utc::now()).map_err(Refused::Token)
}

/// The confirmation page: one button that POSTs the one-click body.
pub async fn show(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    if let Err(refused) = check(&state, &link) {
        return refused.page();
    }
    let token = link.t.unwrap_or_default();
    let body = format!(
        "<p>Stop reminders and announcements from Students on Ice? Tickets and replies to your \
         applications will still be sent.<br>Ескертулер мен хабарландырулардан бас тартасыз ба?<br>\
         Отписаться от напоминаний и анонсов?</p>\
         <form method=\"post\" action=\"/unsubscribe?t={token}\">\
         <input type=\"hidden\" name=\"List-Unsubscribe\" value=\"One-Click\">\
         <button type=\"submit\" style=\"padding:8px 16px\">Unsubscribe / Жазылымнан шығу / Отписаться</button></form>"
    );
    page(StatusCode::OK, "Unsubscribe", &body)
}

/// Records the unsubscription (idempotent), as the system job `unsubscribe`
/// in the token's city.
pub async fn confirm(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    let who = match check(&state, &link) {
        Ok(who) => who,
        Err(refused) => return refused.page(),
    };
    let scope = SystemCtx::new("unsubscribe").in_city(who.city);
    let stored = async {
        let mut tx = state.db.tenant(&scope).await?;
        email_preferences::unsubscribe(&mut tx, &who.email).await?;
        tx.commit().await?;
        Ok::<_, soi_db::Error>(())
    }
    .await;
    match stored {
        Ok(()) => page(
            StatusCode::OK,
            "Unsubscribed",
            "<p>You will get no more reminders or announcements. / Сіз жазылымнан шықтыңыз. / Вы отписались.</p>",
        ),
        Err(e) => {
            tracing::error!(error = %e, "cannot record an unsubscription");
            page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again later",
                "<p>Please try again later.</p>",
            )
        }
    }
}
