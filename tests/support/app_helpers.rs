//! Shorthands on a running gateway that many tests use: a signed-in query
//! that may fail (`ask`) or must succeed (`ok`, `field`), one refused to
//! the wrong roles (`assert_refused`), a file download (`download`), and a
//! new season of the admin's city to apply to (`new_season`).
//! Kept apart from `app.rs`, which builds the gateway.

use crate::{TestApp, codes};
use serde_json::{Value, json};

impl TestApp {
    /// POSTs a query with `token`; returns the body, errors or not.
    pub async fn ask(&self, token: &str, query: &str, vars: Value) -> Value {
        self.graphql_as(Some(token), query, vars).await.1
    }

    /// POSTs a query with `token` that must succeed; returns its `data`.
    pub async fn ok(&self, token: &str, query: &str, vars: Value) -> Value {
        let body = self.ask(token, query, vars).await;
        assert!(body["errors"].is_null(), "{query}: {body}");
        body["data"].clone()
    }

    /// POSTs a query with `token` that must succeed; returns `data.<name>`.
    pub async fn field(&self, token: &str, query: &str, vars: Value, name: &str) -> Value {
        let body = self.ask(token, query, vars).await;
        assert!(body["errors"].is_null(), "{name}: {body}");
        body["data"][name].clone()
    }

    /// A new season of the admin's city (October 2027 – March 2028) with this
    /// title, capacity and auto-accept; returns its id.
    pub async fn new_season(
        &self,
        admin: &str,
        title: &str,
        capacity: i32,
        auto_accept: bool,
    ) -> String {
        let created = self
            .field(
                admin,
                "mutation($i: SeasonInput!) { createSeason(input: $i) { id } }",
                json!({ "i": { "title": title, "socialTheme": "Clean air", "startsOn": "2027-10-01",
                               "endsOn": "2028-03-31", "capacity": capacity, "autoAccept": auto_accept } }),
                "createSeason",
            )
            .await;
        created["id"].as_str().expect("season id").to_owned()
    }

    /// `query` is FORBIDDEN to each of `tokens` and UNAUTHENTICATED without
    /// a token.
    pub async fn assert_refused(&self, tokens: &[&str], query: &str, vars: &Value) {
        for token in tokens {
            let body = self.ask(token, query, vars.clone()).await;
            assert_eq!(codes(&body), ["FORBIDDEN"], "{query}: {body}");
        }
        let (_, body) = self.graphql(query, vars.clone()).await;
        assert_eq!(codes(&body), ["UNAUTHENTICATED"], "{query}: {body}");
    }
}

/// A downloaded file (a report, an export) as the client got it.
pub struct Download {
    pub status: u16,
    /// `Content-Type`.
    pub kind: String,
    /// `Content-Disposition`.
    pub disposition: String,
    pub body: Vec<u8>,
}

impl Download {
    /// The body as text (lossy).
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }

    /// The first sheet of an XLSX body, row by row.
    pub fn xlsx_rows(&self) -> Vec<Vec<calamine::Data>> {
        use calamine::Reader;
        let mut book: calamine::Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(self.body.clone())).expect("xlsx");
        book.worksheet_range_at(0)
            .expect("sheet")
            .expect("range")
            .rows()
            .map(<[calamine::Data]>::to_vec)
            .collect()
    }
}

impl TestApp {
    /// GETs `path` with a bearer `token` (or none).
    pub async fn download(&self, path: &str, token: Option<&str>) -> Download {
        let mut req = self.http.get(self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let r = req.send().await.expect("request");
        let header = |name: &str| {
            r.headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .unwrap_or_default()
                .to_owned()
        };
        let (kind, disposition) = (header("content-type"), header("content-disposition"));
        Download {
            status: r.status().as_u16(),
            kind,
            disposition,
            body: r.bytes().await.expect("body").to_vec(),
        }
    }
}
