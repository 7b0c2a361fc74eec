//! `/tunnel/circuits/test` and `/tunnel/circuits/{circuit_id}/test` (spec `rest-api.md` §5): a
//! speed test on a new or an existing circuit, streamed as `text/event-stream` lines
//! `speed: {"up": MiB/s, "down": MiB/s}` every 500 ms until the test time is over. The rounds are
//! the tunnel's test-request/-response messages ([`TestCircuit`]), several in flight at once.
//!
//! py-ipv8 serves these only with `ipv8_rust_tunnels`' endpoint and reads the size parameters as
//! strings (so giving one fails, quirk R3); here they are numbers and every endpoint serves them.

use std::collections::HashMap;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::{Path, RawQuery, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde::Serialize;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use crate::proto::tunnel::{
    CircuitState, CircuitType, CreateCircuit, DestroyCircuit, PeerFlags, TestCircuit,
    TunnelCommunity,
};
use crate::runtime::{NodeHandle, RuntimeError};

/// How often a speed line is written.
const REPORT_INTERVAL: Duration = Duration::from_millis(500);
/// Test rounds in flight at once.
const WINDOW: usize = 16;

/// The speed-test routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new()
        .route("/tunnel/circuits/test", get(test_new_circuit))
        .route("/tunnel/circuits/{circuit_id}/test", get(test_circuit))
}

/// `{"error": message}` with `status`, as py-ipv8's tunnel endpoint answers bad requests.
fn error(status: StatusCode, message: &str) -> Response {
    super::reply::bare_error(status, message)
}

/// The test's parameters, py-ipv8's defaults for those not given.
#[derive(Debug, Clone, Copy)]
struct Params {
    request_size: u16,
    response_size: u16,
    test_time: Duration,
}

impl Params {
    /// The parameters in `query`, or py-ipv8's message for a bad one.
    fn parse(query: &HashMap<String, String>) -> Result<Self, &'static str> {
        let number = |name: &str, default: u64| {
            query.get(name).map_or(Some(default), |value| value.parse::<u64>().ok())
        };
        let sizes = (number("request_size", 50), number("response_size", 1024));
        let (Some(request_size @ 0..=2000), Some(response_size @ 0..=2000)) = sizes else {
            return Err("invalid request or response size specified");
        };
        let Some(test_time_ms @ 1..=60_000) = number("test_time_ms", 5000) else {
            return Err("invalid test time specified");
        };
        Ok(Self {
            request_size: u16::try_from(request_size).unwrap_or_default(),
            response_size: u16::try_from(response_size).unwrap_or_default(),
            test_time: Duration::from_millis(test_time_ms),
        })
    }
}

/// `a=1&b=2` as a map (the values are plain numbers: no decoding needed).
fn query_map(query: Option<String>) -> HashMap<String, String> {
    let query = query.unwrap_or_default();
    let pairs = query.split('&').filter_map(|pair| pair.split_once('='));
    pairs.map(|(k, v)| (k.to_owned(), v.to_owned())).collect()
}

/// GET `/tunnel/circuits/{circuit_id}/test`: a speed test on one of our ready circuits.
#[utoipa::path(
    get,
    path = "/tunnel/circuits/{circuit_id}/test",
    operation_id = "get_tunnel_circuits_circuit_id_test",
    tag = "tunnel",
    params(
        ("circuit_id" = String, Path, description = "one of our ready circuits"),
        ("request_size" = Option<u16>, Query, description = "bytes per request, 0-2000 (default 50)"),
        ("response_size" = Option<u16>, Query, description = "bytes per response, 0-2000 (default 1024)"),
        ("test_time_ms" = Option<u32>, Query, description = "1-60000 (default 5000)"),
    ),
    responses(
        (status = 200, description = "a stream of speed lines (`text/event-stream`)", content_type = "text/event-stream"),
        (status = 400, description = "`{error: text}`: a bad parameter, or the circuit cannot test", body = Object),
        (status = 404, description = "`{error: text}`: no tunnel community or no such circuit", body = Object),
    )
)]
async fn test_circuit(
    State(handle): State<NodeHandle>,
    Path(circuit_id): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    let Ok(id) = circuit_id.parse::<u32>() else {
        return error(StatusCode::BAD_REQUEST, "circuit_id must be an integer");
    };
    let params = match Params::parse(&query_map(query)) {
        Ok(params) => params,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let look = handle.with_community::<TunnelCommunity, _>(move |tunnels, _| {
        tunnels.circuit(id).map(|c| {
            let exit_flags = c.hops().last().map(|hop| hop.flags).unwrap_or_default();
            (c.state(), c.ctype(), exit_flags.contains(PeerFlags::SPEED_TEST))
        })
    });
    match look.await {
        Err(RuntimeError::NoSuchCommunity(_)) => {
            error(StatusCode::NOT_FOUND, "TunnelCommunity is not initialized")
        }
        Err(other) => super::error::ApiError::from(other).into_response(),
        Ok(None) => error(StatusCode::NOT_FOUND, "could not find requested circuit"),
        Ok(Some((state, _, _))) if state != CircuitState::Ready => {
            error(StatusCode::BAD_REQUEST, "the requested circuit is not ready to transfer data")
        }
        Ok(Some((_, CircuitType::Data, false))) => {
            error(StatusCode::BAD_REQUEST, "the requested circuit does not support speed testing")
        }
        Ok(Some(_)) => stream(handle, id, params, false),
    }
}

/// GET `/tunnel/circuits/test`: a speed test on a new circuit of `goal_hops` hops (1–3) to a
/// peer that offers speed tests; the circuit is destroyed afterwards.
#[utoipa::path(
    get,
    path = "/tunnel/circuits/test",
    operation_id = "get_tunnel_circuits_test",
    tag = "tunnel",
    params(
        ("goal_hops" = Option<u8>, Query, description = "hops of the new circuit, 1-3 (default 1)"),
        ("request_size" = Option<u16>, Query, description = "bytes per request, 0-2000 (default 50)"),
        ("response_size" = Option<u16>, Query, description = "bytes per response, 0-2000 (default 1024)"),
        ("test_time_ms" = Option<u32>, Query, description = "1-60000 (default 5000)"),
    ),
    responses(
        (status = 200, description = "a stream of speed lines (`text/event-stream`)", content_type = "text/event-stream"),
        (status = 400, description = "`{error: text}`: a bad parameter", body = Object),
        (status = 404, description = "`{error: text}`: no tunnel community", body = Object),
    )
)]
async fn test_new_circuit(State(handle): State<NodeHandle>, RawQuery(query): RawQuery) -> Response {
    let query = query_map(query);
    let hops = query.get("goal_hops").map_or(Some(1), |hops| hops.parse::<usize>().ok());
    let Some(hops @ 1..=3) = hops else {
        return error(StatusCode::BAD_REQUEST, "invalid number of hops specified");
    };
    let params = match Params::parse(&query) {
        Ok(params) => params,
        Err(message) => return error(StatusCode::BAD_REQUEST, message),
    };
    let request = CreateCircuit {
        hops,
        ctype: CircuitType::SpeedTest,
        exit_flags: Some(PeerFlags::SPEED_TEST),
    };
    match handle.ask::<TunnelCommunity, _>(request).await {
        Ok(Ok(circuit)) => stream(handle, circuit.id, params, true),
        Err(RuntimeError::NoSuchCommunity(_)) => {
            error(StatusCode::NOT_FOUND, "TunnelCommunity is not initialized")
        }
        _ => error(StatusCode::INTERNAL_SERVER_ERROR, "failed to create circuit"),
    }
}

/// The streaming response; the test runs in a task of its own and writes lines as it goes.
fn stream(handle: NodeHandle, circuit: u32, params: Params, destroy: bool) -> Response {
    let (lines, receiver) = mpsc::channel(8);
    tokio::spawn(async move {
        run(&handle, circuit, params, &lines).await;
        if destroy {
            let _ = handle.ask::<TunnelCommunity, _>(DestroyCircuit { circuit }).await;
        }
    });
    let headers =
        [(header::CONTENT_TYPE, "text/event-stream"), (header::CACHE_CONTROL, "no-cache")];
    (headers, Body::from_stream(Lines(receiver))).into_response()
}

/// Runs test rounds on `circuit` for the test time, `WINDOW` in flight, writing a speed line
/// every `REPORT_INTERVAL` and one at the end.
async fn run(handle: &NodeHandle, circuit: u32, params: Params, lines: &mpsc::Sender<String>) {
    let start = Instant::now();
    let mut rounds = JoinSet::new();
    let mut report = tokio::time::interval(REPORT_INTERVAL);
    report.tick().await;
    let mut meter = Meter::new();
    let test = TestCircuit {
        circuit,
        request_size: params.request_size,
        response_size: params.response_size,
    };
    loop {
        while rounds.len() < WINDOW && start.elapsed() < params.test_time {
            let handle = handle.clone();
            rounds.spawn(async move { handle.ask::<TunnelCommunity, _>(test).await });
            meter.up += u64::from(params.request_size);
        }
        if rounds.is_empty() {
            break;
        }
        tokio::select! {
            Some(done) = rounds.join_next() => {
                if let Ok(Ok(Ok(answer))) = done {
                    meter.down += answer.received as u64;
                }
            }
            _ = report.tick() => {
                if lines.send(meter.line()).await.is_err() {
                    return;
                }
            }
        }
    }
    let _ = lines.send(meter.line()).await;
}

/// A speed line's rates, in MiB/s. Not in the `OpenAPI` document, which describes the stream as
/// text. `down` comes first, so that the line is written as before (`json!` sorted its keys).
#[derive(Debug, Serialize)]
struct Speed {
    /// Received.
    down: f64,
    /// Sent.
    up: f64,
}

/// Bytes up and down since the last speed line.
struct Meter {
    since: Instant,
    up: u64,
    down: u64,
}

impl Meter {
    fn new() -> Self {
        Self { since: Instant::now(), up: 0, down: 0 }
    }

    /// `speed: {"up": MiB/s, "down": MiB/s}` over the time since the last line; starts anew.
    fn line(&mut self) -> String {
        let seconds = self.since.elapsed().as_secs_f64().max(1e-3);
        let rate = |bytes: u64| f64::from(u32::try_from(bytes).unwrap_or(u32::MAX)) / seconds;
        let speed = Speed { down: rate(self.down) / 1_048_576.0, up: rate(self.up) / 1_048_576.0 };
        *self = Self::new();
        // Two floats cannot fail to serialize (a NaN would be written as `null`).
        format!("speed: {}\n", serde_json::to_string(&speed).unwrap_or_default())
    }
}

/// The lines of a running test as a response body.
struct Lines(mpsc::Receiver<String>);

impl futures_core::Stream for Lines {
    type Item = Result<String, std::convert::Infallible>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.0.poll_recv(cx).map(|line| line.map(Ok))
    }
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(test_circuit, test_new_circuit))]
pub(super) struct Doc;

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A speed line is written as the `json!` value it replaced wrote it, byte for byte.
    #[test]
    fn speed_lines_are_as_the_json_values_were() {
        let speed = Speed { down: 0.25, up: 1.5 };
        let old = json!({ "up": 1.5, "down": 0.25 });
        assert_eq!(serde_json::to_string(&speed).ok(), Some(old.to_string()));
        let idle = Speed { down: 0.0, up: 0.0 };
        assert_eq!(
            serde_json::to_string(&idle).ok(),
            Some(json!({"up": 0.0, "down": 0.0}).to_string())
        );
    }
}
