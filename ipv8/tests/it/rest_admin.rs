//! REST `/overlays/statistics`, `/isolation` and `/asyncio/*` on loopback nodes (spec
//! `rest-api.md` §6): py-ipv8's shapes and error bodies; statistics by message id and handler
//! name, switched off and on by `POST`; exit nodes walked to by tunnel communities only, and
//! bootstrap servers walked to by every community and kept out of their peer tables; drift
//! measured while enabled; the communities' tasks; slow steps of the loop in debug mode.
#![cfg(feature = "rest")]

use crate::rest_support;

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::discovery::RandomWalk;
use ipv8::proto::tunnel::{TunnelCommunity, TunnelSettings};
use ipv8::proto::{Community, CommunityId, Context, Node, Peer, Schedule};
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle};
use ipv8::{community, payload};
use rest_support::{get, poll, request, request_raw};
use serde_json::{Value, json};

#[payload(msg_id = 1)]
struct Tick {
    count: u32,
}

/// A message no handler takes.
#[payload(msg_id = 2)]
struct Stray {
    count: u32,
}

/// Counts ticks; a tick that asks for it takes 40 ms to handle. Registers a periodic task.
struct Counter;

#[community]
impl Counter {
    #[lazy_handler]
    fn on_tick(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, tick: Tick) {
        if tick.count == SLOW {
            std::thread::sleep(Duration::from_millis(40));
        }
    }
}

impl Community for Counter {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"rest admin test comm")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let _ = ctx.register_task("count", Schedule::every(Duration::from_secs(5)), |_, _| {});
    }
}

/// The tick whose handler is slow.
const SLOW: u32 = 99;

/// A running node on 127.0.0.1 and its REST address.
struct Started {
    handle: NodeHandle,
    address: SocketAddr,
    key: ipv8::crypto::PublicKey,
    rest: SocketAddr,
}

/// A node whose communities `add` adds, with its REST API.
async fn start(seed: u64, add: impl FnOnce(&mut Node, Instant)) -> Started {
    let now = Instant::now();
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).expect("a key"), seed, now);
    add(&mut node, now);
    let key = node.public_key().clone();
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
    let (handle, _, _) = runtime::spawn(node, Endpoint::bind(&loopback).expect("bound"));
    let address = handle.local_addrs().ipv4().expect("an IPv4 address");
    let server = RestServer::bind_loopback(0).await.expect("bound");
    let rest = server.local_addr().expect("an address");
    tokio::spawn(server.run(handle.clone()));
    Started { handle, address, key, rest }
}

async fn counter(seed: u64) -> Started {
    start(seed, |node, now| node.add_community(now, Counter).expect("added")).await
}

/// `from` sends `payload` to `to` in the counter community.
async fn send<P: ipv8::wire::Message + Send + 'static>(from: &Started, to: &Started, payload: P) {
    let peer = Peer::new(to.key.clone(), to.address);
    let sent = from.handle.with_community::<Counter, _>(move |_, ctx| ctx.ez_send(&peer, &payload));
    sent.await.expect("running");
}

/// The `Counter` entry of `GET /overlays/statistics`.
async fn counter_statistics(rest: SocketAddr) -> Value {
    let body = get(rest, "/overlays/statistics").await;
    let entries = body["statistics"].as_array().expect("a list").clone();
    assert_eq!(entries.len(), 1, "{body}");
    entries[0]["Counter"].clone()
}

fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64()
}

#[tokio::test]
async fn statistics_name_each_message_by_id_and_handler() {
    let (a, b) = (counter(1).await, counter(2).await);
    send(&a, &b, Tick { count: 1 }).await;
    send(&a, &b, Stray { count: 2 }).await;
    let received = poll(b.rest, "/overlays/statistics", |body| {
        body["statistics"][0]["Counter"].as_object().is_some_and(|m| m.len() == 2)
    })
    .await;
    let counters = &received["statistics"][0]["Counter"];
    let tick = &counters["1:on_tick"];
    let keys: Vec<&str> = tick.as_object().expect("an object").keys().map(String::as_str).collect();
    let mut expected = [
        "identifier",
        "num_up",
        "num_down",
        "bytes_up",
        "bytes_down",
        "first_measured_up",
        "first_measured_down",
        "last_measured_up",
        "last_measured_down",
    ];
    expected.sort_unstable();
    assert_eq!(keys, expected);
    assert_eq!((tick["identifier"].clone(), tick["num_down"].clone()), (json!(1), json!(1)));
    assert_eq!((tick["num_up"].clone(), tick["first_measured_up"].clone()), (json!(0), json!(0.0)));
    assert!(tick["bytes_down"].as_u64().is_some_and(|n| n > 23), "{tick}");
    let first = tick["first_measured_down"].as_f64().expect("a time");
    assert!((first - unix_now()).abs() < 30.0, "{tick}");
    assert_eq!(counters["2:unknown"]["num_down"], 1);
    let sent = counter_statistics(a.rest).await;
    assert_eq!(sent["1:on_tick"]["num_up"], 1);
    assert!(sent["1:on_tick"]["last_measured_up"].as_f64().is_some_and(|t| t > 1e9));
}

#[tokio::test]
async fn statistics_stop_and_start_counting_on_post() {
    let (a, b) = (counter(3).await, counter(4).await);
    send(&a, &b, Tick { count: 1 }).await;
    poll(b.rest, "/overlays/statistics", |body| body["statistics"][0]["Counter"] != json!({}))
        .await;
    let off = json!({ "enable": false, "overlay_name": "Counter" });
    let answer = request(b.rest, "POST", "/overlays/statistics", Some(off)).await;
    assert_eq!(answer, (200, json!({ "success": true })));
    assert_eq!(counter_statistics(b.rest).await, json!({}));
    send(&a, &b, Tick { count: 2 }).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(counter_statistics(b.rest).await, json!({}), "not counted while off");
    let overlays = get(b.rest, "/overlays").await;
    assert_eq!(overlays["overlays"][0]["statistics"]["num_down"], 0);

    let on = json!({ "enable": true, "all": true });
    assert_eq!(request(b.rest, "POST", "/overlays/statistics", Some(on)).await.0, 200);
    send(&a, &b, Tick { count: 3 }).await;
    let body =
        poll(b.rest, "/overlays/statistics", |body| body["statistics"][0]["Counter"] != json!({}))
            .await;
    assert_eq!(body["statistics"][0]["Counter"]["1:on_tick"]["num_down"], 1, "counted afresh");
    let other = json!({ "enable": false, "overlay_name": "NoSuchCommunity" });
    assert_eq!(request(b.rest, "POST", "/overlays/statistics", Some(other)).await.0, 200);
    assert_ne!(counter_statistics(b.rest).await, json!({}), "only the named overlay");
}

#[tokio::test]
async fn statistics_errors_have_py_ipv8_bodies() {
    let node = counter(5).await;
    let post = |body: Value| request(node.rest, "POST", "/overlays/statistics", Some(body));
    let no_enable = (400, json!({ "success": false, "error": "Parameter \"enable\" is required" }));
    assert_eq!(post(json!({ "all": true })).await, no_enable);
    let error = "Parameter \"all\" or \"overlay_name\" is required";
    assert_eq!(
        post(json!({ "enable": true })).await,
        (412, json!({ "success": false, "error": error }))
    );
    let (status, body) =
        request_raw(node.rest, "POST", "/overlays/statistics", &[], "{not json".into()).await;
    assert_eq!(
        (status, &body["success"], &body["error"]["code"]),
        (400, &json!(false), &json!("JSONDecodeError"))
    );

    node.handle.shutdown().await;
    let stopped = post(json!({ "enable": true, "all": true })).await;
    assert_eq!(stopped, (412, json!({ "success": false, "error": "IPv8 is not running" })));
    let drift = request(node.rest, "PUT", "/asyncio/drift", Some(json!({ "enable": true }))).await;
    assert_eq!(drift, (200, json!({ "success": false, "error": "Session not initialized." })));
}

/// Found by `cargo xtask api-fuzz`: a body that is not JSON, an empty one included, is the
/// client's error (`400` with py-ipv8's middleware body), never a server error.
#[tokio::test]
async fn bodies_that_are_not_json_are_refused_with_400() {
    let node = counter(6).await;
    let routes = [
        ("POST", "/overlays/statistics"),
        ("PUT", "/asyncio/drift"),
        ("PUT", "/asyncio/debug"),
        ("POST", "/isolation"),
    ];
    for (method, path) in routes {
        for body in ["", "{not json", "\u{0}"] {
            let (status, reply) = request_raw(node.rest, method, path, &[], body.into()).await;
            let shape = (status, &reply["success"], &reply["error"]["code"]);
            assert_eq!(shape, (400, &json!(false), &json!("JSONDecodeError")), "{method} {path}");
            assert!(reply["error"]["message"].is_string(), "{method} {path}: {reply}");
        }
    }
}

/// The peers' ports of the overlay named `name` in `GET /overlays`.
async fn peer_ports(rest: SocketAddr, name: &str) -> Vec<u64> {
    let body = get(rest, "/overlays").await;
    let overlays = body["overlays"].as_array().expect("a list");
    let overlay = overlays.iter().find(|o| o["overlay_name"] == name).expect("the overlay");
    let peers = overlay["peers"].as_array().expect("a list");
    peers.iter().filter_map(|p| p["port"].as_u64()).collect()
}

#[tokio::test]
async fn isolation_errors_have_py_ipv8_bodies() {
    let node = counter(6).await;
    let post = |body: Value| request(node.rest, "POST", "/isolation", Some(body));
    let error = "Parameters \"ip\" and \"port\" are required";
    assert_eq!(post(json!({})).await, (400, json!({ "success": false, "error": error })));
    let error = "Parameter \"exitnode\" or \"bootstrapnode\" is required";
    let address = json!({ "ip": "127.0.0.1", "port": 8090 });
    assert_eq!(post(address).await, (400, json!({ "success": false, "error": error })));
    let bad_port = post(json!({ "ip": "127.0.0.1", "port": 70000, "bootstrapnode": true })).await;
    assert_eq!((bad_port.0, &bad_port.1["success"]), (400, &json!(false)));
    let bad_ip = post(json!({ "ip": 127, "port": 8090, "exitnode": true })).await;
    assert_eq!((bad_ip.0, &bad_ip.1["success"]), (400, &json!(false)));
}

#[tokio::test]
async fn an_exit_node_is_walked_to_by_tunnel_communities_only() {
    let tunnels = || TunnelCommunity::new(TunnelSettings::default());
    let exit = start(7, |node, now| node.add_community(now, tunnels()).expect("added")).await;
    let node = start(8, |node, now| {
        node.add_community(now, tunnels()).expect("added");
        node.add_community(now, Counter).expect("added");
    })
    .await;
    // Only the presence of the key counts, as in py-ipv8.
    let body = json!({ "ip": "127.0.0.1", "port": exit.address.port(), "exitnode": false });
    assert_eq!(request(node.rest, "POST", "/isolation", Some(body)).await.0, 200);
    let port = u64::from(exit.address.port());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !peer_ports(node.rest, "TunnelCommunity").await.contains(&port) {
        assert!(Instant::now() < deadline, "the exit node never answered");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(peer_ports(node.rest, "Counter").await.is_empty());
}

#[tokio::test]
async fn a_bootstrap_server_introduces_peers_and_stays_out_of_the_table() {
    let (_tracker, tracker) = rest_support::tracker();
    let walk = |node: &mut Node, now| {
        node.add_community(now, Counter).expect("added");
        node.add_strategy::<Counter>(RandomWalk::new(), Some(20)).expect("running");
    };
    let known = start(9, walk).await;
    let node = start(10, walk).await;
    let body = json!({ "ip": "127.0.0.1", "port": tracker.port(), "bootstrapnode": null });
    let added = request(known.rest, "POST", "/isolation", Some(body.clone())).await;
    assert_eq!(added, (200, json!({ "success": true })));
    assert_eq!(request(node.rest, "POST", "/isolation", Some(body)).await.0, 200);
    let port = u64::from(known.address.port());
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let ports = peer_ports(node.rest, "Counter").await;
        assert!(!ports.contains(&u64::from(tracker.port())), "the tracker is no peer");
        if ports.contains(&port) {
            break;
        }
        assert!(Instant::now() < deadline, "the tracker never introduced the other node");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The discovery messages every community handles carry py-ipv8's handler names.
    let counters = counter_statistics(node.rest).await;
    let names = ["245:on_old_introduction_response", "233:on_new_introduction_response"];
    assert!(names.iter().any(|name| counters.get(name).is_some()), "{counters}");
}

#[tokio::test]
async fn drift_is_measured_while_enabled() {
    let node = counter(11).await;
    let disabled = (404, json!({ "success": false, "error": "Core drift disabled." }));
    assert_eq!(request(node.rest, "GET", "/asyncio/drift", None).await, disabled);
    let missing = request(node.rest, "PUT", "/asyncio/drift", Some(json!({}))).await;
    assert_eq!(missing, (400, json!({ "error": "incorrect parameters" })));
    let on = request(node.rest, "PUT", "/asyncio/drift", Some(json!({ "enable": true }))).await;
    assert_eq!(on, (200, json!({ "success": true })));
    let body = poll(node.rest, "/asyncio/drift", |body| {
        body["measurements"].as_array().is_some_and(|m| m.len() >= 2)
    })
    .await;
    for measurement in body["measurements"].as_array().expect("a list") {
        let keys: Vec<_> = measurement.as_object().expect("an object").keys().collect();
        assert_eq!(keys, ["drift", "timestamp"]);
        assert!(measurement["drift"].as_f64().is_some_and(|d| (0.0..5.0).contains(&d)));
        let at = measurement["timestamp"].as_f64().expect("a time");
        assert!((at - unix_now()).abs() < 30.0, "{measurement}");
    }
    let off = request(node.rest, "PUT", "/asyncio/drift", Some(json!({ "enable": 0 }))).await;
    assert_eq!(off.0, 200);
    assert_eq!(request(node.rest, "GET", "/asyncio/drift", None).await, disabled);
}

#[tokio::test]
async fn tasks_list_the_loop_and_each_community_task() {
    let node = counter(12).await;
    let body = get(node.rest, "/asyncio/tasks").await;
    let tasks = body["tasks"].as_array().expect("a list");
    assert_eq!(tasks[0], json!({ "name": "node loop", "running": true, "stack": [] }));
    let count = tasks.iter().find(|t| t["name"] == "count").expect("the community's task");
    assert_eq!(count["taskmanager"], "Counter");
    assert_eq!((count["running"].clone(), count["stack"].clone()), (json!(false), json!([])));
    assert_eq!(count["interval"], 5.0);
    let started = count["start_time"].as_f64().expect("a time");
    assert!((started - unix_now()).abs() < 30.0, "{count}");
}

#[tokio::test]
async fn debug_mode_reports_slow_steps() {
    let (a, b) = (counter(13).await, counter(14).await);
    let initial = get(b.rest, "/asyncio/debug").await;
    assert_eq!(initial, json!({ "messages": [], "enable": false, "slow_callback_duration": 0.1 }));
    let put = |body: Value| request(b.rest, "PUT", "/asyncio/debug", Some(body));
    let incorrect = (400, json!({ "success": false, "error": "incorrect parameters" }));
    assert_eq!(put(json!({})).await, incorrect);
    assert_eq!(put(json!({ "slow_callback_duration": -1 })).await, incorrect);
    let on = json!({ "enable": true, "slow_callback_duration": 0.03 });
    assert_eq!(put(on).await, (200, json!({ "success": true })));

    send(&a, &b, Tick { count: SLOW }).await;
    let body = poll(b.rest, "/asyncio/debug", |body| {
        body["messages"].as_array().is_some_and(|m| !m.is_empty())
    })
    .await;
    assert_eq!(
        (body["enable"].clone(), body["slow_callback_duration"].clone()),
        (json!(true), json!(0.03))
    );
    let messages = body["messages"].as_array().expect("a list");
    let slow = messages.iter().filter_map(|m| m["message"].as_str());
    assert!(
        slow.clone().any(|m| m.starts_with("handling 1 datagram took 0.0")),
        "the slow handler: {messages:?}"
    );
    assert!(slow.clone().all(|m| m.ends_with(" seconds")));

    assert_eq!(put(json!({ "enable": false })).await.0, 200);
    let off = get(b.rest, "/asyncio/debug").await;
    assert_eq!(off, json!({ "messages": [], "enable": false, "slow_callback_duration": 0.03 }));
}
