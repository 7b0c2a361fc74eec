//! `GET /metrics`: the node's counters in the Prometheus text format (`OpenMetrics`), made fresh
//! from the node at every scrape: peers per overlay, messages and bytes per community and message
//! id, drops per reason, walks and bootstrap walks, datagrams and bytes on the sockets, and the
//! REST API's own requests (counted by a layer in front of every route).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::encoding::text::encode;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::Registry;

use super::error::ApiError;
use super::json::hex;
use crate::proto::Node;
use crate::runtime::{NodeHandle, Stats};

/// The `OpenMetrics` text format's content type.
const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

/// Requests the REST API answered, by method and status; shared by the counting layer and the
/// `/metrics` route. Bounded: methods and status codes are few.
#[derive(Debug, Default)]
pub(super) struct RestCounters {
    answered: Mutex<BTreeMap<(String, u16), u64>>,
}

impl RestCounters {
    fn count(&self, method: &str, status: u16) {
        if let Ok(mut answered) = self.answered.lock() {
            let method = if is_known_method(method) { method } else { "OTHER" };
            *answered.entry((method.to_owned(), status)).or_default() += 1;
        }
    }

    fn snapshot(&self) -> BTreeMap<(String, u16), u64> {
        self.answered.lock().map(|a| a.clone()).unwrap_or_default()
    }
}

fn is_known_method(method: &str) -> bool {
    matches!(method, "GET" | "PUT" | "POST" | "PATCH" | "DELETE" | "OPTIONS" | "HEAD")
}

/// The layer in front of every route that counts what the REST API answered.
pub(super) async fn count_requests(
    State(counters): State<Arc<RestCounters>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method().as_str().to_owned();
    let response = next.run(request).await;
    counters.count(&method, response.status().as_u16());
    response
}

/// The `/metrics` route for the node behind `handle`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(
    handle: NodeHandle,
    counters: Arc<RestCounters>,
) -> Router<S> {
    Router::new().route("/metrics", get(metrics)).with_state(Scrape { handle, counters })
}

#[derive(Clone)]
struct Scrape {
    handle: NodeHandle,
    counters: Arc<RestCounters>,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OverlayLabels {
    overlay: String,
    community_id: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct MessageLabels {
    community_id: String,
    msg_id: u8,
    direction: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReasonLabels {
    reason: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    method: String,
    status: u16,
}

/// What a scrape reads from the node in one step of its loop.
struct Snapshot {
    overlays: Vec<(String, String, usize)>,
    walks: u64,
    bootstrap_walks: u64,
    fast_forwarded: u64,
    birthday_tries: u64,
    birthday_routes: u64,
    birthday_failed: u64,
}

fn snapshot(node: &Node) -> Snapshot {
    let overlays = node
        .overlays()
        .iter()
        .map(|o| {
            let peers =
                node.network_of(o.community_id).map_or(0, |n| n.peers_for(o.community_id).len());
            (o.name.to_owned(), hex(&o.community_id.0), peers)
        })
        .collect();
    let stats = node.stats();
    Snapshot {
        overlays,
        walks: stats.walks,
        bootstrap_walks: stats.bootstrap_walks,
        fast_forwarded: stats.fast_forwarded,
        birthday_tries: stats.birthday_tries,
        birthday_routes: stats.birthday_routes,
        birthday_failed: stats.birthday_failed,
    }
}

/// GET `/metrics`: Prometheus metrics, made at each scrape.
#[utoipa::path(
    get,
    path = "/metrics",
    operation_id = "get_metrics",
    tag = "metrics",
    responses(
        (
            status = 200,
            description = "Prometheus metrics (OpenMetrics text): peers per overlay, messages and bytes per message id, drops per reason, walks, REST requests",
            content_type = "application/openmetrics-text",
        ),
    )
)]
async fn metrics(State(scrape): State<Scrape>) -> Response {
    let handle = &scrape.handle;
    let (snapshot, stats) =
        match (handle.with_node(|node, _| snapshot(node)).await, handle.stats().await) {
            (Ok(snapshot), Ok(stats)) => (snapshot, stats),
            (Err(e), _) | (_, Err(e)) => return ApiError::from(e).into_response(),
        };
    let registry = registry(&snapshot, &stats, &scrape.counters.snapshot());
    let mut text = String::new();
    if encode(&mut text, &registry).is_err() {
        let failed = axum::http::StatusCode::INTERNAL_SERVER_ERROR;
        return (failed, "the metrics could not be written").into_response();
    }
    ([(CONTENT_TYPE, OPENMETRICS)], text).into_response()
}

/// A counter family registered under `name`.
fn counters<L>(registry: &mut Registry, name: &str, help: &str) -> Family<L, Counter>
where
    L: Clone + std::hash::Hash + Eq + EncodeLabelSet + std::fmt::Debug + Send + Sync + 'static,
{
    let family = Family::<L, Counter>::default();
    registry.register(name, help, family.clone());
    family
}

/// A plain counter registered under `name` with `value`.
fn counter(registry: &mut Registry, name: &str, help: &str, value: u64) {
    let counter = Counter::<u64>::default();
    counter.inc_by(value);
    registry.register(name, help, counter);
}

/// The counters that have no labels.
fn plain_counters(registry: &mut Registry, snapshot: &Snapshot, stats: &Stats) {
    let node = &stats.node;
    let plain = [
        ("walks", "Introduction requests sent (walk steps)", snapshot.walks),
        (
            "bootstrap_walks",
            "Introduction requests sent to bootstrap servers",
            snapshot.bootstrap_walks,
        ),
        (
            "fast_forwarded",
            "Datagrams forwarded on a community's fast path (tunnel relays' cells)",
            snapshot.fast_forwarded,
        ),
        (
            "birthday_tries",
            "Birthday punching tries that opened their sockets and sprayed",
            snapshot.birthday_tries,
        ),
        (
            "birthday_routes",
            "Peers reached through a birthday punching socket",
            snapshot.birthday_routes,
        ),
        (
            "birthday_failed",
            "Birthday punching tries that ran out without hearing from their peer",
            snapshot.birthday_failed,
        ),
        (
            "datagrams_received",
            "Datagrams received on the node's sockets",
            stats.datagrams_received,
        ),
        ("datagrams_sent", "Datagrams sent from the node's sockets", stats.datagrams_sent),
        ("bytes_received", "Bytes received on the node's sockets", stats.bytes_received),
        ("bytes_sent", "Bytes sent from the node's sockets", stats.bytes_sent),
        ("panics", "Panics of community code the node caught", node.panics),
        (
            "signatures_checked_on_workers",
            "Signatures of received datagrams checked on the runtime's crypto workers",
            stats.checked_on_workers,
        ),
        (
            "signed_on_workers",
            "Datagrams signed on the runtime's crypto workers",
            stats.signed_on_workers,
        ),
    ];
    for (name, help, value) in plain {
        counter(registry, name, help, value);
    }
}

fn registry(
    snapshot: &Snapshot,
    stats: &Stats,
    requests: &BTreeMap<(String, u16), u64>,
) -> Registry {
    let mut registry = Registry::with_prefix("ipv8");
    let peers = Family::<OverlayLabels, Gauge>::default();
    registry.register("peers", "Verified peers of each overlay", peers.clone());
    for (overlay, community_id, count) in &snapshot.overlays {
        let labels = OverlayLabels { overlay: overlay.clone(), community_id: community_id.clone() };
        peers.get_or_create(&labels).set(i64::try_from(*count).unwrap_or(i64::MAX));
    }
    let node = &stats.node;
    let messages = counters::<MessageLabels>(
        &mut registry,
        "messages",
        "Messages per community and message id",
    );
    let bytes = counters::<MessageLabels>(
        &mut registry,
        "message_bytes",
        "Bytes of messages per community and message id",
    );
    for (community, per_id) in &node.communities {
        let community_id = hex(&community.0);
        for (msg_id, m) in per_id {
            for (direction, count, size) in
                [("up", m.num_up, m.bytes_up), ("down", m.num_down, m.bytes_down)]
            {
                let labels = MessageLabels {
                    community_id: community_id.clone(),
                    msg_id: *msg_id,
                    direction,
                };
                messages.get_or_create(&labels).inc_by(count);
                bytes.get_or_create(&labels).inc_by(size);
            }
        }
    }
    let dropped = counters::<ReasonLabels>(&mut registry, "dropped", "Packets dropped, by reason");
    for (reason, count) in &node.dropped {
        dropped.get_or_create(&ReasonLabels { reason: (*reason).to_owned() }).inc_by(*count);
    }
    plain_counters(&mut registry, snapshot, stats);
    let answered = counters::<RequestLabels>(
        &mut registry,
        "rest_requests",
        "REST requests answered, by method and status",
    );
    for ((method, status), count) in requests {
        answered
            .get_or_create(&RequestLabels { method: method.clone(), status: *status })
            .inc_by(*count);
    }
    registry
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(metrics))]
pub(super) struct Doc;
