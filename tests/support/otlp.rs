//! A small OTLP/HTTP trace collector on 127.0.0.1:0: it decodes each export
//! (protobuf, `POST /v1/traces`) with the OpenTelemetry protocol's own types
//! and keeps the spans, and the raw bodies too, so a test can check that
//! nothing it sent (an email, a password) appears anywhere in them.

use opentelemetry_proto::tonic::collector::trace::v1::ExportTraceServiceRequest;
use opentelemetry_proto::tonic::common::v1::{AnyValue, KeyValue, any_value};
use prost::Message;
use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

/// One received span, flattened.
#[derive(Debug, Clone)]
pub struct Span {
    pub service: String,
    pub name: String,
    pub trace_id: Vec<u8>,
    pub span_id: Vec<u8>,
    pub parent_span_id: Vec<u8>,
    pub attributes: BTreeMap<String, String>,
}

impl Span {
    pub fn attr(&self, key: &str) -> Option<&str> {
        self.attributes.get(key).map(String::as_str)
    }
}

#[derive(Default)]
struct Received {
    bodies: Vec<Vec<u8>>,
    spans: Vec<Span>,
}

pub struct Collector {
    pub addr: SocketAddr,
    received: Arc<Mutex<Received>>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Collector {
    /// A collector on a free port of 127.0.0.1.
    pub async fn start() -> Self {
        let addr = "127.0.0.1:0";
        let received = Arc::new(Mutex::new(Received::default()));
        let kept = received.clone();
        let app = axum::Router::new().route(
            "/v1/traces",
            axum::routing::post(move |body: axum::body::Bytes| {
                let kept = kept.clone();
                async move {
                    let Ok(export) = ExportTraceServiceRequest::decode(body.as_ref()) else {
                        return (axum::http::StatusCode::BAD_REQUEST, Vec::new());
                    };
                    let mut r = kept.lock().expect("collector lock");
                    r.bodies.push(body.to_vec());
                    r.spans.extend(flatten(export));
                    // An empty ExportTraceServiceResponse encodes as no bytes.
                    (axum::http::StatusCode::OK, Vec::new())
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .unwrap_or_else(|e| panic!("cannot listen on {addr}: {e}"));
        let addr = listener.local_addr().expect("collector address");
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async {
                    let _ = stopped.await;
                })
                .await;
        });
        Self {
            addr,
            received,
            stop: Some(stop),
        }
    }

    /// The base URL to configure as the OTLP endpoint.
    pub fn endpoint(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn spans(&self) -> Vec<Span> {
        self.received.lock().expect("collector lock").spans.clone()
    }

    /// How many exports arrived.
    pub fn exports(&self) -> usize {
        self.received.lock().expect("collector lock").bodies.len()
    }

    /// Whether `text` appears in any export, as bytes anywhere in a body.
    pub fn saw_bytes(&self, text: &str) -> bool {
        let needle = text.as_bytes();
        self.received
            .lock()
            .expect("collector lock")
            .bodies
            .iter()
            .any(|b| b.windows(needle.len()).any(|w| w == needle))
    }
}

impl Drop for Collector {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

fn flatten(export: ExportTraceServiceRequest) -> Vec<Span> {
    let mut out = Vec::new();
    for rs in export.resource_spans {
        let service = rs
            .resource
            .as_ref()
            .and_then(|r| r.attributes.iter().find(|kv| kv.key == "service.name"))
            .map(value_of)
            .unwrap_or_default();
        for ss in rs.scope_spans {
            for s in ss.spans {
                out.push(Span {
                    service: service.clone(),
                    name: s.name,
                    trace_id: s.trace_id,
                    span_id: s.span_id,
                    parent_span_id: s.parent_span_id,
                    attributes: s
                        .attributes
                        .iter()
                        .map(|kv| (kv.key.clone(), value_of(kv)))
                        .collect(),
                });
            }
        }
    }
    out
}

fn value_of(kv: &KeyValue) -> String {
    match kv.value.as_ref().and_then(|v: &AnyValue| v.value.as_ref()) {
        Some(any_value::Value::StringValue(s)) => s.clone(),
        Some(any_value::Value::IntValue(i)) => i.to_string(),
        Some(any_value::Value::BoolValue(b)) => b.to_string(),
        Some(any_value::Value::DoubleValue(d)) => d.to_string(),
        Some(other) => format!("{other:?}"),
        None => String::new(),
    }
}
