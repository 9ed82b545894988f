//! `/unsubscribe?t=<token>`: the link in reminders and announcements. GET
//! shows a small page with a button and changes nothing (mail scanners open
//! links); POST records the unsubscription — the button, or a mail client's
//! RFC 8058 one-click POST (`List-Unsubscribe=One-Click`). A second POST
//! changes nothing and answers the same. A forged token is 403 and a
//! revoked (or erased) link 410, with nothing stored. The token names a
//! link, not a person: the address is looked up in the link's city.

use crate::AppState;
use crate::pages::page;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use serde::Deserialize;
use soi_core::{CityScope, SystemCtx};
use soi_db::mail::{email_preferences, unsubscribe_links};

#[derive(Deserialize)]
pub struct Link {
    t: Option<String>,
}

/// Why a link is refused.
enum Refused {
    Unconfigured,
    Forged,
    Revoked,
    Unavailable,
}

impl Refused {
    fn page(self) -> Response {
        match self {
            Refused::Unconfigured => page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Unavailable",
                "<p>Unsubscribing is not configured.</p>",
            ),
            Refused::Forged => page(
                StatusCode::FORBIDDEN,
                "Invalid link",
                "<p>This unsubscribe link is not valid. / Сілтеме жарамсыз. / Ссылка недействительна.</p>",
            ),
            Refused::Revoked => page(
                StatusCode::GONE,
                "Link no longer valid",
                "<p>This unsubscribe link no longer works; use the link in a recent email. / Сілтеме енді жарамсыз. / Ссылка больше не действует.</p>",
            ),
            Refused::Unavailable => page(
                StatusCode::SERVICE_UNAVAILABLE,
                "Try again later",
                "<p>Please try again later.</p>",
            ),
        }
    }
}

/// The link's city (as the system job `unsubscribe`) and the address its
/// live link names.
async fn check(state: &AppState, link: &Link) -> Result<(CityScope, String), Refused> {
    let links = state.unsubscribe.as_ref().ok_or(Refused::Unconfigured)?;
    let token = link.t.as_deref().unwrap_or_default();
    let named = links.verify(token).map_err(|_| Refused::Forged)?;
    let scope = SystemCtx::new("unsubscribe").in_city(named.city);
    let found = async {
        let mut tx = state.db.tenant(&scope).await?;
        let email = unsubscribe_links::email_of(&mut tx, named.link).await?;
        tx.commit().await?;
        Ok::<_, soi_db::Error>(email)
    }
    .await;
    match found {
        Ok(Some(email)) => Ok((scope, email)),
        Ok(None) => Err(Refused::Revoked),
        Err(e) => {
            tracing::error!(error = %e, "cannot look up an unsubscribe link");
            Err(Refused::Unavailable)
        }
    }
}

/// The confirmation page: one button that POSTs the one-click body.
pub async fn show(State(state): State<AppState>, Query(link): Query<Link>) -> Response {
    if let Err(refused) = check(&state, &link).await {
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
    let (scope, email) = match check(&state, &link).await {
        Ok(who) => who,
        Err(refused) => return refused.page(),
    };
    let stored = async {
        let mut tx = state.db.tenant(&scope).await?;
        email_preferences::unsubscribe(&mut tx, &email).await?;
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
            Refused::Unavailable.page()
        }
    }
}
