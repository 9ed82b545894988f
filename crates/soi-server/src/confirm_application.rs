//! `/confirm-application/<city slug>?token=<token>`: the link emailed to an
//! address the city already knew when someone applied with it. GET shows a
//! page with one button and changes nothing (mail scanners open links);
//! POST runs the `confirmApplication` mutation, so the page confirms exactly
//! as a GraphQL client would (same checks, audit, rate limits).

use crate::AppState;
use crate::graphql::run_for_page;
use crate::pages::page;
use axum::extract::{ConnectInfo, Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Deserialize)]
pub struct Link {
    token: Option<String>,
}

/// The link's city slug and token, if both have the shape they are issued
/// in (so they can go back into the page's form as they are).
fn parts<'a>(city: &'a str, link: &'a Link) -> Option<(&'a str, &'a str)> {
    let token = link.token.as_deref()?;
    let slug = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    let url_safe = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    let ok = (1..=64).contains(&city.len())
        && city.chars().all(slug)
        && (1..=200).contains(&token.len())
        && token.chars().all(url_safe);
    ok.then_some((city, token))
}

fn invalid() -> Response {
    page(
        StatusCode::NOT_FOUND,
        "Invalid link",
        "<p>This confirmation link is not valid, or was used already. / Сілтеме жарамсыз немесе қолданылған. / Ссылка недействительна или уже использована.</p>",
    )
}

/// The page with the button; nothing is changed by opening it.
pub async fn show(Path(city): Path<String>, Query(link): Query<Link>) -> Response {
    let Some((city, token)) = parts(&city, &link) else {
        return invalid();
    };
    let body = format!(
        "<p>Confirm your application to Students on Ice? Your stored details stay as they are.<br>\
         Students on Ice өтініміңізді растайсыз ба?<br>Подтвердить заявку в Students on Ice?</p>\
         <form method=\"post\" action=\"/confirm-application/{city}?token={token}\">\
         <button type=\"submit\" style=\"padding:8px 16px\">Confirm / Растау / Подтвердить</button></form>"
    );
    page(StatusCode::OK, "Confirm your application", &body)
}

const CONFIRM: &str = "mutation Confirm($city: String!, $token: String!) { \
                       confirmApplication(city: $city, token: $token) { applicationId status } }";

/// Confirms through the GraphQL mutation and shows its outcome.
pub async fn confirm(
    State(state): State<AppState>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    headers: HeaderMap,
    Path(city): Path<String>,
    Query(link): Query<Link>,
) -> Response {
    let Some((city, token)) = parts(&city, &link) else {
        return invalid();
    };
    let request = async_graphql::Request::new(CONFIRM).variables(
        async_graphql::Variables::from_json(serde_json::json!({ "city": city, "token": token })),
    );
    let client = state.client(peer, &headers);
    let answer = run_for_page(&state, client, headers.get("x-request-id"), request).await;
    let Some(answer) = answer else {
        return unavailable();
    };
    let status = answer["data"]["confirmApplication"]["status"].as_str();
    let error = &answer["errors"][0]["extensions"];
    match (status, error["code"].as_str(), error["reason"].as_str()) {
        (Some(status), ..) => confirmed(status),
        (None, Some("BAD_USER_INPUT"), Some("EXPIRED")) => page(
            StatusCode::GONE,
            "Link expired",
            "<p>This confirmation link has expired; please apply again. / Сілтеменің мерзімі өтті; қайта өтінім беріңіз. / Срок ссылки истёк; подайте заявку снова.</p>",
        ),
        (None, Some("BAD_USER_INPUT" | "NOT_FOUND"), _) => invalid(),
        (None, Some("CONFLICT"), _) => page(
            StatusCode::CONFLICT,
            "Not confirmed",
            "<p>This application cannot be confirmed: the season no longer takes applications, or you have applied to it already. / Өтінім расталмады: маусым өтінім қабылдамайды немесе сіз бұрын өтінім бергенсіз. / Заявку нельзя подтвердить: сезон больше не принимает заявки или вы уже подали заявку.</p>",
        ),
        (None, Some("RATE_LIMITED"), _) => page(
            StatusCode::TOO_MANY_REQUESTS,
            "Try again later",
            "<p>Too many attempts; please try again in a minute.</p>",
        ),
        _ => unavailable(),
    }
}

fn confirmed(status: &str) -> Response {
    let what = match status {
        "ACCEPTED" => {
            "You have a seat in the season. / Сіз маусымға қабылдандыңыз. / Вы приняты в сезон."
        }
        "WAITLISTED" => {
            "All seats are taken, so you are on the waitlist. / Орындар бос емес, сіз күту тізіміндесіз. / Мест нет, вы в листе ожидания."
        }
        _ => {
            "We will email you our decision. / Шешімді email арқылы хабарлаймыз. / Мы сообщим решение по email."
        }
    };
    page(
        StatusCode::OK,
        "Application confirmed",
        &format!(
            "<p>Your application is confirmed. / Өтініміңіз расталды. / Заявка подтверждена.</p><p>{what}</p>"
        ),
    )
}

fn unavailable() -> Response {
    page(
        StatusCode::SERVICE_UNAVAILABLE,
        "Try again later",
        "<p>Please try again later. / Кейінірек қайталаңыз. / Попробуйте позже.</p>",
    )
}
