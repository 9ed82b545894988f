//! Answers spliced into the response as JSON. A transport that encodes the
//! response itself (the HTTP route) adds a [`Spliced`] to the request; a
//! [`super::Whole`] below it then writes its answer as JSON at once, keeps
//! the bytes here and answers a placeholder string in their place, which
//! [`Spliced::encode`] swaps for the bytes after the (now small) response is
//! encoded. A placeholder holds a random nonce of the request: no value a
//! client sent or stored can be taken for one.

use std::sync::{Arc, Mutex};

/// The answers kept for one request, in the order they were kept.
#[derive(Clone)]
pub struct Spliced(Arc<Inner>);

struct Inner {
    /// Every placeholder starts with it: `soi-spliced:<nonce>:`.
    prefix: String,
    kept: Mutex<Vec<Option<Vec<u8>>>>,
}

impl Spliced {
    #[allow(clippy::new_without_default)] // each one needs a nonce of its own
    pub fn new() -> Self {
        let nonce = uuid::Uuid::new_v4().simple();
        Self(Arc::new(Inner {
            prefix: format!("soi-spliced:{nonce}:"),
            kept: Mutex::default(),
        }))
    }

    /// Keeps `json`; the string to answer in its place (the prefix and the
    /// answer's number).
    pub(super) fn keep(&self, json: Vec<u8>) -> String {
        let mut kept = self.0.kept.lock().unwrap_or_else(|e| e.into_inner());
        kept.push(Some(json));
        format!("{}{}", self.0.prefix, kept.len() - 1)
    }

    /// `response` as JSON, each placeholder (the JSON string) replaced by
    /// the answer kept for it. A placeholder not found (its field nulled by
    /// an error below a non-null parent) leaves its answer out, as the
    /// response does.
    pub fn encode(&self, response: &async_graphql::Response) -> serde_json::Result<Vec<u8>> {
        let body = serde_json::to_vec(response)?;
        let mut kept = std::mem::take(&mut *self.0.kept.lock().unwrap_or_else(|e| e.into_inner()));
        if kept.is_empty() {
            return Ok(body);
        }
        // The prefix has no character JSON escapes: as encoded, it is `"`
        // and itself; a placeholder is that, its number and `"`.
        let open = format!("\"{}", self.0.prefix);
        let open = open.as_bytes();
        let size = body.len() + kept.iter().flatten().map(Vec::len).sum::<usize>();
        let mut out = Vec::with_capacity(size);
        let (mut from, mut at) = (0, 0);
        while let Some(found) = find(&body[at..], open) {
            let start = at + found;
            let digits = start + open.len();
            let end = body[digits..]
                .iter()
                .position(|b| !b.is_ascii_digit())
                .map_or(body.len(), |n| digits + n);
            let number = std::str::from_utf8(&body[digits..end])
                .ok()
                .and_then(|n| n.parse::<usize>().ok());
            // Each answer is spliced in once at most.
            let answer = number
                .filter(|_| body.get(end) == Some(&b'"'))
                .and_then(|n| kept.get_mut(n))
                .and_then(Option::take);
            match answer {
                Some(json) => {
                    out.extend_from_slice(&body[from..start]);
                    out.extend_from_slice(&json);
                    from = end + 1;
                    at = from;
                }
                None => at = digits,
            }
        }
        out.extend_from_slice(&body[from..]);
        Ok(out)
    }
}

/// Where `needle` first occurs in `haystack`.
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::Spliced;
    use async_graphql::{Name, Response, Value};

    fn response(fields: &[(&str, Value)]) -> Response {
        let map = fields
            .iter()
            .map(|(k, v)| (Name::new(k), v.clone()))
            .collect();
        Response::new(Value::Object(map))
    }

    #[test]
    fn placeholders_are_replaced_by_their_answers_in_place() {
        let s = Spliced::new();
        let first = s.keep(br#"{"rows":[1,2]}"#.to_vec());
        let second = s.keep(b"[]".to_vec());
        let r = response(&[
            ("b", Value::String(second)),
            ("x", Value::String("text".into())),
            ("a", Value::String(first)),
        ]);
        let body = String::from_utf8(s.encode(&r).expect("json")).expect("utf-8");
        assert_eq!(body, r#"{"data":{"b":[],"x":"text","a":{"rows":[1,2]}}}"#);
    }

    #[test]
    fn a_lookalike_of_another_request_or_number_is_left_as_it_is() {
        let s = Spliced::new();
        let kept = s.keep(b"1".to_vec());
        let other = Spliced::new().keep(b"2".to_vec());
        let out_of_range = format!("{}9", kept.trim_end_matches('0'));
        let longer = format!("{kept} and more");
        let r = response(&[
            ("other", Value::String(other.clone())),
            ("range", Value::String(out_of_range.clone())),
            ("longer", Value::String(longer.clone())),
            ("mine", Value::String(kept)),
        ]);
        let body: serde_json::Value =
            serde_json::from_slice(&s.encode(&r).expect("json")).expect("json");
        assert_eq!(body["data"]["other"], other.as_str());
        assert_eq!(body["data"]["range"], out_of_range.as_str());
        assert_eq!(body["data"]["longer"], longer.as_str());
        assert_eq!(body["data"]["mine"], 1);
    }

    #[test]
    fn an_answer_whose_field_is_gone_is_left_out() {
        let s = Spliced::new();
        let _nulled = s.keep(b"{}".to_vec());
        let r = response(&[("a", Value::Null)]);
        assert_eq!(s.encode(&r).expect("json"), br#"{"data":{"a":null}}"#);
    }
}
