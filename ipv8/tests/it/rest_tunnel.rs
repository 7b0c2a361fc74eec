//! REST `/tunnel/*` on loopback nodes: an originator builds a two-hop circuit through a relay and
//! an exit, and each shows its side of it (the circuit, the two relay routes, the exit) with ids
//! that match across the nodes; candidates show their flags; the settings are the community's;
//! a node without a tunnel community answers empty lists. Hidden services: a seeder's swarm is
//! listed, its introduction point shows it in PEX and the DHT nodes show the announcement; swarm
//! sizes are estimated (0 without circuits) and bad info hashes refused.
#![cfg(feature = "rest")]

use std::net::SocketAddr;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::dht::{self, DhtCommunity};
use ipv8::proto::discovery::DiscoveryCommunity;
use ipv8::proto::tunnel::{
    Circuit, CreateCircuit, PeerFlags, RegisterService, TunnelCommunity, TunnelSettings,
};
use ipv8::proto::{Node, Peer};
use ipv8::rest::RestServer;
use ipv8::runtime::{self, Endpoint, EndpointConfig, NodeHandle};
use serde_json::{Value, json};

/// A running node, the peer its tunnel community speaks as, the peer its other community (a DHT
/// or discovery) speaks as, and its REST address.
struct Started {
    handle: NodeHandle,
    tunnel: Peer,
    node: Peer,
    rest: SocketAddr,
}

/// A node on 127.0.0.1 whose tunnel community (if any) has a key of its own, as py-ipv8's
/// configuration gives it the "anonymous id".
async fn start(seed: u64, tunnels: Option<TunnelCommunity>) -> Started {
    start_with(seed, tunnels, false).await
}

/// As [`start`], with a plain DHT under the node's key if `dht` (else a discovery community when
/// there are no tunnels).
async fn start_with(seed: u64, tunnels: Option<TunnelCommunity>, dht: bool) -> Started {
    let now = Instant::now();
    let node_key = PrivateKey::generate(Curve::Curve25519).unwrap();
    let node_public = node_key.public_key();
    let mut node = Node::new(node_key, seed, now);
    let tunnel_key = PrivateKey::generate(Curve::Curve25519).unwrap();
    let tunnel_public = tunnel_key.public_key();
    let has_tunnels = tunnels.is_some();
    if let Some(tunnels) = tunnels {
        node.add_community_with_key(now, tunnels, tunnel_key).unwrap();
    }
    if dht {
        node.add_community(now, DhtCommunity::new()).unwrap();
    } else if !has_tunnels {
        node.add_community(now, DiscoveryCommunity::new()).unwrap();
    }
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().unwrap());
    let (handle, _events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).unwrap());
    let address = handle.local_addrs().ipv4().unwrap();
    let (tunnel, node) = (Peer::new(tunnel_public, address), Peer::new(node_public, address));
    let server = RestServer::bind_loopback(0).await.unwrap();
    let rest = server.local_addr().unwrap();
    tokio::spawn(server.run(handle.clone()));
    Started { handle, tunnel, node, rest }
}

fn tunnels(flags: PeerFlags, hidden: bool) -> TunnelCommunity {
    let mut settings = TunnelSettings::default();
    settings.peer_flags = flags;
    if hidden { TunnelCommunity::hidden(settings) } else { TunnelCommunity::new(settings) }
}

/// GET `path`: the status code and the JSON body.
async fn get(address: SocketAddr, path: &str) -> (u16, Value) {
    let text = get_text(address, path).await;
    let status = text[9..12].parse().unwrap();
    let json =
        text.split("\r\n\r\n").nth(1).map_or(Value::Null, |b| serde_json::from_str(b).unwrap());
    (status, json)
}

/// GET `path`: the whole response as text (status line, headers, body).
async fn get_text(address: SocketAddr, path: &str) -> String {
    let head = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    tokio::task::spawn_blocking(move || {
        use std::io::{Read as _, Write as _};
        let mut stream = std::net::TcpStream::connect(address).unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        let mut text = String::new();
        stream.read_to_string(&mut text).unwrap();
        text
    })
    .await
    .unwrap()
}

/// GET `path`, which must answer 200; the body.
async fn get_ok(address: SocketAddr, path: &str) -> Value {
    let (status, body) = get(address, path).await;
    assert_eq!(status, 200, "{path}: {body}");
    body
}

/// The wall clock in Unix seconds.
fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs_f64()
}

/// Asserts that `body["creation_time"]` is a time between `from` and `to` (with a little slack).
fn assert_time_within(body: &Value, from: f64, to: f64) {
    let time = body["creation_time"].as_f64().unwrap_or_else(|| panic!("no float time: {body}"));
    assert!(from - 0.1 <= time && time <= to + 0.1, "{time} not in [{from}, {to}]: {body}");
}

/// The `/tunnel/peers` entry of a peer with `flags`.
fn peer_json(peer: &Peer, flags: &[u16]) -> Value {
    json!({
        "ip": "127.0.0.1",
        "port": peer.address().port(),
        "mid": peer.mid().to_hex(),
        "is_key_compatible": true,
        "flags": flags,
    })
}

/// Polls `rest`'s `/tunnel/peers` until it lists exactly `expected` (in any order); the list.
async fn wait_for_peers(rest: SocketAddr, mut expected: Vec<Value>) -> Value {
    expected.sort_by_key(|peer| peer["mid"].as_str().map(str::to_owned));
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = get_ok(rest, "/tunnel/peers").await;
        if body == json!({ "peers": expected }) {
            return body;
        }
        assert!(Instant::now() < deadline, "still {body}, want {expected:?}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_node_shows_its_side_of_a_two_hop_circuit() {
    let originator = start(1, Some(tunnels(PeerFlags(0), false))).await;
    let relay = start(2, Some(tunnels(PeerFlags::RELAY | PeerFlags::SPEED_TEST, false))).await;
    let exit = start(3, Some(tunnels(PeerFlags::RELAY | PeerFlags::EXIT_BT, true))).await;
    let walks = [(&originator, &relay), (&originator, &exit), (&relay, &exit)];
    for (from, to) in walks {
        let to = to.tunnel.address();
        from.handle
            .with_node(move |node, now| node.walk_to::<TunnelCommunity>(now, to))
            .await
            .unwrap()
            .unwrap();
    }
    let relay_entry = peer_json(&relay.tunnel, &[1, 8]);
    let exit_entry = peer_json(&exit.tunnel, &[1, 2]);
    let originator_entry = peer_json(&originator.tunnel, &[]);
    wait_for_peers(originator.rest, vec![relay_entry.clone(), exit_entry.clone()]).await;
    wait_for_peers(relay.rest, vec![originator_entry.clone(), exit_entry]).await;
    wait_for_peers(exit.rest, vec![originator_entry, relay_entry]).await;

    let before = unix_now();
    let asked = originator.handle.ask::<TunnelCommunity, _>(CreateCircuit::new(2)).await;
    let circuit = asked.unwrap().expect("a circuit through the relay and the exit");
    let after = unix_now();
    let id = circuit.id;

    // The originator: one ready circuit through the relay, then the exit.
    let listed = get_ok(originator.rest, "/tunnel/circuits").await;
    let traffic = originator
        .handle
        .with_community::<TunnelCommunity, _>(move |t, _| t.circuit(id).map(Circuit::traffic))
        .await
        .unwrap()
        .expect("the circuit");
    let circuits = listed["circuits"].as_array().expect("a list");
    assert_eq!(circuits.len(), 1, "{listed}");
    let shown = &circuits[0];
    assert_time_within(shown, before, after);
    assert!(traffic.bytes_up > 0, "a create and an extend went out");
    let mut expected = json!({
        "circuit_id": id,
        "goal_hops": 2,
        "actual_hops": 2,
        "verified_hops": [relay.tunnel.mid().to_hex(), exit.tunnel.mid().to_hex()],
        "unverified_hop": "",
        "type": "DATA",
        "state": "READY",
        "bytes_up": traffic.bytes_up,
        "bytes_down": traffic.bytes_down,
        "exit_flags": [1, 2],
    });
    expected["creation_time"] = shown["creation_time"].clone();
    assert_eq!(*shown, expected);
    assert_eq!(get_ok(originator.rest, "/tunnel/relays").await, json!({"relays": []}));
    assert_eq!(get_ok(originator.rest, "/tunnel/exits").await, json!({"exits": []}));

    // The relay: a forward route from the originator's circuit id and a backward one to it.
    let listed = get_ok(relay.rest, "/tunnel/relays").await;
    let routes =
        relay.handle.with_community::<TunnelCommunity, _>(|t, _| t.relays()).await.unwrap();
    let relays = listed["relays"].as_array().expect("a list");
    assert_eq!(relays.len(), 2, "{listed}");
    let direction = |d: &str| {
        relays.iter().find(|r| r["direction"] == d).unwrap_or_else(|| panic!("{d}: {listed}"))
    };
    let (forward, backward) = (direction("forward"), direction("backward"));
    assert_eq!(forward["circuit_from"], id, "cells from the originator come under its id");
    assert_eq!(backward["circuit_to"], id);
    assert_eq!(forward["circuit_to"], backward["circuit_from"], "{listed}");
    assert_ne!(forward["circuit_to"], json!(id), "{listed}");
    for shown in relays {
        assert_eq!(shown["is_rendezvous"], false);
        assert_time_within(shown, before, after);
        let route = routes.iter().find(|r| shown["circuit_from"] == r.circuit_from).unwrap();
        assert_eq!(shown["circuit_to"], route.circuit_to);
        assert_eq!(shown["bytes_up"], route.traffic.bytes_up);
        assert_eq!(shown["bytes_down"], route.traffic.bytes_down);
    }
    assert_eq!(get_ok(relay.rest, "/tunnel/circuits").await, json!({"circuits": []}));

    // The exit (a hidden tunnel community, as py-ipv8 lists only theirs): the relay's next id.
    let listed = get_ok(exit.rest, "/tunnel/exits").await;
    let exits = listed["exits"].as_array().expect("a list");
    assert_eq!(exits.len(), 1, "{listed}");
    let shown = &exits[0];
    assert_time_within(shown, before, after);
    let known = exit.handle.with_community::<TunnelCommunity, _>(|t, _| t.exits()).await.unwrap();
    assert_eq!(known.len(), 1);
    let mut expected = json!({
        "circuit_from": forward["circuit_to"],
        "enabled": false,
        "bytes_up": known[0].traffic.bytes_up,
        "bytes_down": known[0].traffic.bytes_down,
        "is_introduction": false,
        "is_rendezvous": false,
    });
    expected["creation_time"] = shown["creation_time"].clone();
    assert_eq!(*shown, expected, "no data has left yet");
    assert_eq!(get_ok(exit.rest, "/tunnel/relays").await, json!({"relays": []}));

    // No hidden service was asked for: no swarms, no introduction points.
    assert_eq!(get_ok(exit.rest, "/tunnel/swarms").await, json!({"swarms": []}));
    assert_eq!(get_ok(exit.rest, "/tunnel/peers/dht").await, json!([]));
    assert_eq!(get_ok(exit.rest, "/tunnel/peers/pex").await, json!([]));
}

#[tokio::test]
async fn settings_are_the_communitys_in_py_ipv8_names_and_units() {
    let mut settings = TunnelSettings::default();
    settings.peer_flags = PeerFlags::RELAY | PeerFlags::SPEED_TEST | PeerFlags::EXIT_HTTP;
    settings.max_circuits = 3;
    settings.max_joined_circuits = 42;
    settings.max_time_inactive = Duration::from_millis(25_500);
    settings.max_traffic = 1234;
    settings.max_relay_early = 5;
    settings.circuit_timeout = Duration::from_secs(61);
    let node = start(4, Some(TunnelCommunity::new(settings))).await;
    let expected = json!({"settings": {
        "anonymize": false,
        "circuit_timeout": 61,
        "dht_lookup_interval": 30,
        "max_circuits": 3,
        "max_joined_circuits": 42,
        "max_peers": 30,
        "max_relay_early": 5,
        "max_time": 3600,
        "max_time_inactive": 25.5,
        "max_time_ip": 86400,
        "max_traffic": 1234,
        "min_circuits": 1,
        "next_hop_timeout": 10,
        "peer_flags": [1, 8, 32768],
        "remove_tunnel_delay": 5,
        "swarm_connection_limit": 15,
        "swarm_lookup_interval": 30,
        "unstable_timeout": 60,
    }});
    assert_eq!(get_ok(node.rest, "/tunnel/settings").await, expected);
}

#[tokio::test]
async fn a_node_without_tunnels_answers_empty_lists() {
    let node = start(5, None).await;
    let empty = [
        ("/tunnel/settings", json!({"settings": {}})),
        ("/tunnel/circuits", json!({"circuits": []})),
        ("/tunnel/relays", json!({"relays": []})),
        ("/tunnel/exits", json!({"exits": []})),
        ("/tunnel/swarms", json!({"swarms": []})),
        ("/tunnel/peers", json!({"peers": []})),
        ("/tunnel/peers/dht", json!([])),
        ("/tunnel/peers/pex", json!([])),
        (SIZE_PATH, json!({"swarms": []})),
    ];
    for (path, body) in empty {
        assert_eq!(get(node.rest, path).await, (200, body), "{path}");
    }
}

/// Three nodes that know each other: an originator, a relay that answers speed tests and an exit
/// that does not.
async fn three_nodes() -> (Started, Started, Started) {
    let originator = start(11, Some(tunnels(PeerFlags(0), false))).await;
    let relay = start(12, Some(tunnels(PeerFlags::RELAY | PeerFlags::SPEED_TEST, false))).await;
    let exit = start(13, Some(tunnels(PeerFlags::RELAY | PeerFlags::EXIT_BT, false))).await;
    for to in [&relay, &exit] {
        let to = to.tunnel.address();
        originator
            .handle
            .with_node(move |node, now| node.walk_to::<TunnelCommunity>(now, to))
            .await
            .unwrap()
            .unwrap();
    }
    let expected = vec![peer_json(&relay.tunnel, &[1, 8]), peer_json(&exit.tunnel, &[1, 2])];
    wait_for_peers(originator.rest, expected).await;
    (originator, relay, exit)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_speed_test_streams_speed_lines_with_data_coming_back() {
    let (originator, _relay, _exit) = three_nodes().await;
    let path = "/tunnel/circuits/test?goal_hops=1&test_time_ms=800&response_size=1000";
    let text = get_text(originator.rest, path).await;
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.to_ascii_lowercase().contains("content-type: text/event-stream"), "{text}");
    let speeds: Vec<Value> = text
        .lines()
        .filter_map(|line| line.strip_prefix("speed: "))
        .map(|json| serde_json::from_str(json).unwrap())
        .collect();
    assert!(!speeds.is_empty(), "{text}");
    assert!(speeds.iter().any(|s| s["down"].as_f64().unwrap() > 0.0), "{speeds:?}");
    assert!(speeds.iter().all(|s| s["up"].as_f64().is_some()), "{speeds:?}");
    // The circuit made for the test is gone afterwards.
    let circuits = get_ok(originator.rest, "/tunnel/circuits").await;
    let live = circuits["circuits"].as_array().unwrap().iter().filter(|c| c["state"] == "READY");
    assert_eq!(live.count(), 0, "{circuits}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn speed_tests_refuse_bad_requests_as_py_ipv8() {
    let (originator, _relay, _exit) = three_nodes().await;
    let asked = originator.handle.ask::<TunnelCommunity, _>(CreateCircuit::new(1)).await;
    let data = asked.unwrap().expect("a data circuit to the exit, which offers no speed test");
    let cases = [
        ("/tunnel/circuits/abc/test".to_owned(), 400, "circuit_id must be an integer"),
        ("/tunnel/circuits/7/test".to_owned(), 404, "could not find requested circuit"),
        (
            format!("/tunnel/circuits/{}/test", data.id),
            400,
            "the requested circuit does not support speed testing",
        ),
        ("/tunnel/circuits/test?goal_hops=4".to_owned(), 400, "invalid number of hops specified"),
        (
            "/tunnel/circuits/test?request_size=5000".to_owned(),
            400,
            "invalid request or response size specified",
        ),
        ("/tunnel/circuits/test?test_time_ms=0".to_owned(), 400, "invalid test time specified"),
    ];
    for (path, status, message) in cases {
        assert_eq!(
            get(originator.rest, &path).await,
            (status, json!({ "error": message })),
            "{path}"
        );
    }
}

/// The service the hidden-service tests register.
const SERVICE: [u8; 20] = *b"a hidden service id!";

/// `/tunnel/swarms/{SERVICE}/size`.
const SIZE_PATH: &str = "/tunnel/swarms/612068696464656e207365727669636520696421/size";

/// `bytes` as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, b| {
        use std::fmt::Write as _;
        let _ = write!(text, "{b:02x}");
        text
    })
}

/// Polls `path` on `rest` until `done` holds for its body (at most 10 s); the body.
async fn wait_for(rest: SocketAddr, path: &str, done: impl Fn(&Value) -> bool) -> Value {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let body = get_ok(rest, path).await;
        if done(&body) {
            return body;
        }
        assert!(Instant::now() < deadline, "{path}: still {body}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// An introduction point as `/tunnel/peers/*` lists it (`source` 1: DHT, 2: PEX).
fn intro_point_json(introducer: &Peer, seeder_pk: &[u8], source: u8) -> Value {
    json!({
        "address": {
            "ip": "127.0.0.1",
            "port": introducer.address().port(),
            "public_key": hex(introducer.key().to_bin()),
        },
        "seeder_pk": hex(seeder_pk),
        "source": source,
    })
}

#[test]
fn the_size_path_names_the_service() {
    assert_eq!(SIZE_PATH, format!("/tunnel/swarms/{}/size", hex(&SERVICE)));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_seeder_is_listed_in_its_swarm_in_pex_and_in_the_dht() {
    // Every node runs a hidden tunnel community and a DHT; the seeder neither relays nor exits,
    // so its two-hop introduction circuit ends at the relay or the exit.
    let seeder = start_with(21, Some(tunnels(PeerFlags(0), true)), true).await;
    let relay = start_with(22, Some(tunnels(PeerFlags::RELAY, true)), true).await;
    let exit =
        start_with(23, Some(tunnels(PeerFlags::RELAY | PeerFlags::EXIT_BT, true)), true).await;
    let nodes = [&seeder, &relay, &exit];
    for from in nodes {
        for to in nodes {
            if from.rest == to.rest {
                continue;
            }
            let (tunnel, dht) = (to.tunnel.address(), to.node.clone());
            from.handle
                .with_node(move |node, now| {
                    node.add_peer(&dht, &[dht::COMMUNITY_ID]);
                    node.walk_to::<TunnelCommunity>(now, tunnel)
                })
                .await
                .unwrap()
                .unwrap();
        }
    }
    let expected = vec![peer_json(&relay.tunnel, &[1]), peer_json(&exit.tunnel, &[1, 2])];
    wait_for_peers(seeder.rest, expected).await;
    for node in nodes {
        assert_eq!(get_ok(node.rest, "/tunnel/swarms").await, json!({"swarms": []}));
        assert_eq!(get_ok(node.rest, "/tunnel/peers/pex").await, json!([]));
        assert_eq!(get_ok(node.rest, "/tunnel/peers/dht").await, json!([]));
    }

    let request = RegisterService { service: SERVICE, hops: 1, seeding: true };
    let asked = seeder.handle.ask::<TunnelCommunity, _>(request).await.unwrap();
    let seeder_pk = asked.expect("registered").expect("a seeder key");

    // The seeder's swarm: seeding, nothing looked up (seeders do not) or connected yet.
    let swarm = json!({
        "info_hash": hex(&SERVICE),
        "num_seeders": 0,
        "num_connections": 0,
        "num_connections_incomplete": 0,
        "num_ips_from_dht": 0,
        "num_ips_from_pex": 0,
        "seeding": true,
        "last_lookup": 0,
        "bytes_up": 0,
        "bytes_down": 0,
    });
    assert_eq!(get_ok(seeder.rest, "/tunnel/swarms").await, json!({ "swarms": [swarm] }));

    // The introduction point (the last hop of the seeder's introduction circuit) introduces the
    // seeder key in the service's PEX overlay; no other node runs one.
    let mut introducers = Vec::new();
    let deadline = Instant::now() + Duration::from_secs(10);
    while introducers.is_empty() {
        assert!(Instant::now() < deadline, "no introduction point");
        tokio::time::sleep(Duration::from_millis(50)).await;
        for node in [&relay, &exit] {
            if get_ok(node.rest, "/tunnel/peers/pex").await != json!([]) {
                introducers.push(node);
            }
        }
    }
    assert_eq!(introducers.len(), 1, "one introduction point");
    let introducer = introducers[0];
    let point = intro_point_json(&introducer.tunnel, &seeder_pk, 2);
    let pex = json!([{ "info_hash": hex(&SERVICE), "peers": [point] }]);
    assert_eq!(get_ok(introducer.rest, "/tunnel/peers/pex").await, pex);
    assert_eq!(get_ok(seeder.rest, "/tunnel/peers/pex").await, json!([]));

    // It announced itself in the DHT under the info hash: the other nodes store it.
    let point = intro_point_json(&introducer.tunnel, &seeder_pk, 1);
    let announced = json!([{ "info_hash": hex(&SERVICE), "peers": [point] }]);
    for node in nodes.into_iter().filter(|n| n.rest != introducer.rest) {
        let body = wait_for(node.rest, "/tunnel/peers/dht", |b| *b != json!([])).await;
        assert_eq!(body, announced);
    }

    // The seeder's one-hop data circuit (to the exit) finds the introduction point in the DHT,
    // which reports the one seeder through PEX: the seeder itself.
    wait_for(seeder.rest, "/tunnel/circuits", |body| {
        let circuits = body["circuits"].as_array().into_iter().flatten();
        circuits.into_iter().any(|c| c["type"] == "DATA" && c["state"] == "READY")
    })
    .await;
    assert_eq!(get_ok(seeder.rest, SIZE_PATH).await, json!({"swarm_size": 1}));
    let two_hops = format!("{SIZE_PATH}?hops=2");
    assert_eq!(get_ok(seeder.rest, &two_hops).await, json!({"swarm_size": 0}), "no such circuit");
}

#[tokio::test]
async fn swarm_sizes_are_estimated_over_circuits_and_bad_info_hashes_refused() {
    let hidden = start(31, Some(tunnels(PeerFlags(0), true))).await;
    // No circuit of the hop count is ready: nobody to ask.
    assert_eq!(get_ok(hidden.rest, SIZE_PATH).await, json!({"swarm_size": 0}));
    let two_hops = format!("{SIZE_PATH}?hops=2");
    assert_eq!(get_ok(hidden.rest, &two_hops).await, json!({"swarm_size": 0}));
    let upper = format!("/tunnel/swarms/{}/size", hex(&SERVICE).to_uppercase());
    assert_eq!(get_ok(hidden.rest, &upper).await, json!({"swarm_size": 0}));

    let bad_hash = json!({"error": "infohash must be 40 hexadecimal digits"});
    let bad_hops = json!({"error": "hops must be an integer from 0 to 255"});
    let cases = [
        ("/tunnel/swarms/xyz/size".to_owned(), bad_hash.clone()),
        (format!("/tunnel/swarms/{}/size", hex(&SERVICE[..19])), bad_hash.clone()),
        (format!("/tunnel/swarms/{}zz/size", hex(&SERVICE[..19])), bad_hash),
        (format!("{SIZE_PATH}?hops=two"), bad_hops.clone()),
        (format!("{SIZE_PATH}?hops=-1"), bad_hops.clone()),
        // Found by `cargo xtask api-fuzz`: more hops than the document allows were taken.
        (format!("{SIZE_PATH}?hops=256"), bad_hops.clone()),
        (format!("{SIZE_PATH}?hops=9223372036854775808"), bad_hops),
    ];
    for (path, body) in cases {
        assert_eq!(get(hidden.rest, &path).await, (400, body), "{path}");
    }

    // As py-ipv8, a plain tunnel community estimates nothing, whatever the info hash.
    let plain = start(32, Some(tunnels(PeerFlags(0), false))).await;
    for path in [SIZE_PATH, "/tunnel/swarms/xyz/size"] {
        assert_eq!(get(plain.rest, path).await, (200, json!({"swarms": []})), "{path}");
    }
}

#[tokio::test]
async fn a_plain_tunnel_community_lists_no_hidden_services() {
    // With a DHT, but not hidden: no swarm can be joined, no PEX overlay is loaded, and the DHT
    // stores nothing.
    let plain =
        start_with(33, Some(tunnels(PeerFlags::RELAY | PeerFlags::EXIT_BT, false)), true).await;
    let request = RegisterService { service: SERVICE, hops: 1, seeding: true };
    let asked = plain.handle.ask::<TunnelCommunity, _>(request).await.unwrap();
    assert!(asked.is_err(), "{asked:?}");
    assert_eq!(get_ok(plain.rest, "/tunnel/swarms").await, json!({"swarms": []}));
    assert_eq!(get_ok(plain.rest, "/tunnel/peers/pex").await, json!([]));
    assert_eq!(get_ok(plain.rest, "/tunnel/peers/dht").await, json!([]));
}
