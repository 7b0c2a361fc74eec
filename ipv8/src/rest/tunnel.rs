//! `/tunnel/*` (spec `rest-api.md` §5): the settings, circuits, relays, exits and candidates of the
//! node's first [`TunnelCommunity`] (a hidden one included). Without one, each route answers an
//! empty list (an empty object for the settings), as py-ipv8 does.
//!
//! Hidden services, as py-ipv8 serves them: `/tunnel/swarms` lists the swarms a hidden tunnel
//! community joined, `/tunnel/swarms/{infohash}/size` estimates a swarm's size through circuits,
//! `/tunnel/peers/pex` lists the introduction points each PEX overlay of the node knows, and
//! `/tunnel/peers/dht` the introduction points stored in the node's DHT; relays and exits say
//! whether they serve as rendezvous or introduction points. The speed tests are in
//! `tunnel_speed`.

use std::time::{Duration, Instant};

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::error::ApiError;
use super::json::{hex, unix_seconds};
use crate::crypto::PublicKey;
use crate::messages::dht::DHTIntroPointPayload;
use crate::proto::dht::{DhtCommunity, Value as DhtValue};
use crate::proto::tunnel::{
    Circuit, Direction, EstimateSwarmSize, IntroductionPoint, PeerFlags, PeerSource, PexCommunity,
    SwarmInfo, Traffic, TunnelCommunity,
};
use crate::proto::{Community as _, CommunityId, Node, Peer};
use crate::runtime::{NodeHandle, RuntimeError};
use crate::wire::Payload as _;

/// py-ipv8's `dht_lookup_interval` (seconds): not a field of its `TunnelSettings`, but its default
/// configuration passes it to the hidden tunnel community, so `/tunnel/settings` shows it there.
const DHT_LOOKUP_INTERVAL: u64 = 30;

/// Requests a swarm-size estimate sends at most (py-ipv8's `estimate_swarm_size` default).
const SIZE_MAX_REQUESTS: usize = 10;

/// The prefix py-ipv8's curve25519 public keys carry, which DHT introduction points leave out.
const KEY_PREFIX: &[u8] = b"LibNaCLPK:";

/// The `/tunnel` routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new()
        .route("/tunnel/settings", get(settings))
        .route("/tunnel/circuits", get(circuits))
        .route("/tunnel/relays", get(relays))
        .route("/tunnel/exits", get(exits))
        .route("/tunnel/swarms", get(swarms))
        .route("/tunnel/swarms/{infohash}/size", get(swarm_size))
        .route("/tunnel/peers", get(peers))
        .route("/tunnel/peers/dht", get(dht_peers))
        .route("/tunnel/peers/pex", get(pex_peers))
}

/// Builds the body of a route from the tunnel community and the node's current time.
type Body = fn(&TunnelCommunity, Instant) -> Value;

/// `{key: body}` from the node's tunnel community, or `{key: empty}` if it runs none.
async fn wrapped(
    handle: &NodeHandle,
    key: &'static str,
    empty: Value,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let read =
        handle.with_community::<TunnelCommunity, _>(move |tunnels, ctx| body(tunnels, ctx.now()));
    let value = match read.await {
        Ok(value) => value,
        Err(RuntimeError::NoSuchCommunity(_)) => empty,
        Err(error) => return Err(error.into()),
    };
    Ok(Json(json!({ key: value })))
}

/// GET `/tunnel/settings`: `{"settings": {name: value}}`.
#[utoipa::path(
    get,
    path = "/tunnel/settings",
    operation_id = "get_tunnel_settings",
    tag = "tunnel",
    responses((status = 200, description = "`{settings: {name: value}}`", body = Object))
)]
async fn settings(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "settings", json!({}), settings_json).await
}

/// GET `/tunnel/circuits`: `{"circuits": [...]}`, the circuits this node built.
#[utoipa::path(
    get,
    path = "/tunnel/circuits",
    operation_id = "get_tunnel_circuits",
    tag = "tunnel",
    responses(
        (status = 200, description = "`{circuits: [...]}`: the circuits this node built", body = Object),
    )
)]
async fn circuits(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "circuits", json!([]), circuits_json).await
}

/// GET `/tunnel/relays`: `{"relays": [...]}`, one per direction of each relayed circuit.
#[utoipa::path(
    get,
    path = "/tunnel/relays",
    operation_id = "get_tunnel_relays",
    tag = "tunnel",
    responses((status = 200, description = "`{relays: [...]}`", body = Object))
)]
async fn relays(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "relays", json!([]), relays_json).await
}

/// GET `/tunnel/exits`: `{"exits": [...]}`, the circuits this node ends; as py-ipv8, only a
/// hidden tunnel community lists them (a plain one answers an empty list).
#[utoipa::path(
    get,
    path = "/tunnel/exits",
    operation_id = "get_tunnel_exits",
    tag = "tunnel",
    responses((status = 200, description = "`{exits: [...]}`", body = Object))
)]
async fn exits(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "exits", json!([]), exits_json).await
}

/// GET `/tunnel/swarms`: `{"swarms": [...]}`, the swarms a hidden tunnel community joined (none
/// for a plain one, as py-ipv8).
#[utoipa::path(
    get,
    path = "/tunnel/swarms",
    operation_id = "get_tunnel_swarms",
    tag = "tunnel",
    responses((status = 200, description = "`{swarms: [...]}`", body = Object))
)]
async fn swarms(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "swarms", json!([]), swarms_json).await
}

/// GET `/tunnel/swarms/{infohash}/size?hops=N`: `{"swarm_size": n}`, the distinct seeders that
/// introduction points of the swarm report through PEX, asked over circuits of `hops` hops
/// (default 1) with at most 10 requests; 0 when no such circuit is ready.
///
/// As py-ipv8, a node without a hidden tunnel community answers `{"swarms": []}` (whatever the
/// info hash). An info hash that is not 40 hex digits, or `hops` that is not a count up to 255,
/// answers `400 {"error": message}` (py-ipv8's unhexlify would fail with a 500 instead).
#[utoipa::path(
    get,
    path = "/tunnel/swarms/{infohash}/size",
    operation_id = "get_tunnel_swarms_infohash_size",
    tag = "tunnel",
    params(
        ("infohash" = String, Path, description = "the swarm's info hash, 40 hex digits", pattern = "^[0-9a-fA-F]{40}$"),
        ("hops" = Option<u8>, Query, description = "hops of the circuits asked through (default 1)", minimum = 0, maximum = 255),
    ),
    responses(
        (status = 200, description = "`{swarm_size: n}`, or `{swarms: []}` without a hidden tunnel community", body = Object),
        (status = 400, description = "`{error: text}`: a bad info hash or hop count", body = Object),
    )
)]
async fn swarm_size(
    State(handle): State<NodeHandle>,
    Path(hex_hash): Path<String>,
    RawQuery(query): RawQuery,
) -> Response {
    match handle.with_community::<TunnelCommunity, _>(|t, _| t.is_hidden()).await {
        Ok(true) => {}
        Ok(false) | Err(RuntimeError::NoSuchCommunity(_)) => {
            return Json(json!({ "swarms": [] })).into_response();
        }
        Err(error) => return ApiError::from(error).into_response(),
    }
    let Some(info_hash) = super::dht::parse_key(&hex_hash) else {
        return bad_request("infohash must be 40 hexadecimal digits");
    };
    // A circuit's hop count is small: more than 255 is refused rather than looked for.
    let hops = query_value(query.as_deref(), "hops").map_or(Some(1), |h| h.parse::<u8>().ok());
    let Some(hops) = hops else {
        return bad_request("hops must be an integer from 0 to 255");
    };
    let hops = usize::from(hops);
    let request = EstimateSwarmSize { info_hash, hops, max_requests: SIZE_MAX_REQUESTS };
    match handle.ask::<TunnelCommunity, _>(request).await {
        Ok(size) => Json(json!({ "swarm_size": size })).into_response(),
        Err(error) => ApiError::from(error).into_response(),
    }
}

/// GET `/tunnel/peers`: `{"peers": [...]}`, the candidates for hops.
#[utoipa::path(
    get,
    path = "/tunnel/peers",
    operation_id = "get_tunnel_peers",
    tag = "tunnel",
    responses(
        (status = 200, description = "`{peers: [...]}`: the candidates for hops", body = Object),
    )
)]
async fn peers(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "peers", json!([]), peers_json).await
}

/// GET `/tunnel/peers/dht`: `[{"info_hash": hex, "peers": [...]}]` (not wrapped, as py-ipv8),
/// the introduction points stored in the node's DHT; see [`dht_peers_json`].
#[utoipa::path(
    get,
    path = "/tunnel/peers/dht",
    operation_id = "get_tunnel_peers_dht",
    tag = "tunnel",
    responses(
        (status = 200, description = "`[{info_hash: hex, peers: [...]}]`: introduction points in the DHT", body = [Object]),
    )
)]
async fn dht_peers(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    Ok(Json(handle.with_node(|node, _| dht_peers_json(node)).await?))
}

/// GET `/tunnel/peers/pex`: `[{"info_hash": hex, "peers": [...]}]` (not wrapped, as py-ipv8),
/// the introduction points each PEX overlay knows; see [`pex_peers_json`].
#[utoipa::path(
    get,
    path = "/tunnel/peers/pex",
    operation_id = "get_tunnel_peers_pex",
    tag = "tunnel",
    responses(
        (status = 200, description = "`[{info_hash: hex, peers: [...]}]`: introduction points each PEX overlay knows", body = [Object]),
    )
)]
async fn pex_peers(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    Ok(Json(handle.with_node(pex_peers_json).await?))
}

/// `400 {"error": message}`, as py-ipv8's tunnel endpoint answers bad requests.
fn bad_request(message: &str) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": message }))).into_response()
}

/// The value of `name` in the query `a=1&b=2` (the values wanted are plain numbers: no decoding).
fn query_value<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    let mut pairs = query?.split('&').filter_map(|pair| pair.split_once('='));
    pairs.find(|(key, _)| *key == name).map(|(_, value)| value)
}

/// Seconds as py-ipv8 gives them: an integer when whole, else a float.
fn seconds(duration: Duration) -> Value {
    if duration.subsec_nanos() == 0 {
        json!(duration.as_secs())
    } else {
        json!(duration.as_secs_f64())
    }
}

/// The set flags as py-ipv8 lists them: each bit's value, lowest first (9 → `[1, 8]`).
fn flag_list(flags: PeerFlags) -> Vec<u16> {
    (0..16).map(|bit| 1_u16 << bit).filter(|value| flags.0 & value != 0).collect()
}

/// `body` (an object) with the bytes and creation time of a circuit, relay or exit.
fn with_traffic(mut body: Value, traffic: &Traffic, now: Instant) -> Value {
    body["bytes_up"] = json!(traffic.bytes_up);
    body["bytes_down"] = json!(traffic.bytes_down);
    body["creation_time"] = json!(super::json::unix_seconds(Some(traffic.created_at), now));
    body
}

/// py-ipv8's settings: its names, seconds as numbers and the flags as a list. `anonymize` is
/// always `false` (no anonymizing endpoint yet) and `dht_lookup_interval` is py-ipv8's default.
fn settings_json(tunnels: &TunnelCommunity, _: Instant) -> Value {
    let s = tunnels.settings();
    json!({
        "anonymize": false,
        "circuit_timeout": seconds(s.circuit_timeout),
        "dht_lookup_interval": DHT_LOOKUP_INTERVAL,
        "max_circuits": s.max_circuits,
        "max_joined_circuits": s.max_joined_circuits,
        "max_peers": tunnels.max_peers(),
        "max_relay_early": s.max_relay_early,
        "max_time": seconds(s.max_time),
        "max_time_inactive": seconds(s.max_time_inactive),
        "max_time_ip": seconds(s.max_time_ip),
        "max_traffic": s.max_traffic,
        "min_circuits": s.min_circuits,
        "next_hop_timeout": seconds(s.next_hop_timeout),
        "peer_flags": flag_list(s.peer_flags),
        "remove_tunnel_delay": seconds(s.remove_tunnel_delay),
        "swarm_connection_limit": s.swarm_connection_limit,
        "swarm_lookup_interval": seconds(s.swarm_lookup_interval),
        "unstable_timeout": seconds(s.unstable_timeout),
    })
}

/// Every circuit, oldest first.
fn circuits_json(tunnels: &TunnelCommunity, now: Instant) -> Value {
    let mut circuits: Vec<&Circuit> = tunnels.circuits().collect();
    circuits.sort_by_key(|circuit| (circuit.traffic().created_at, circuit.id()));
    circuits.into_iter().map(|circuit| circuit_json(circuit, now)).collect()
}

/// One circuit. `exit_flags` are the flags its last verified hop advertised, as py-ipv8 reports
/// them; `unverified_hop` is the mid of the hop being added, `""` when none is.
fn circuit_json(circuit: &Circuit, now: Instant) -> Value {
    let hops = circuit.hops();
    let verified: Vec<String> = hops.iter().map(|hop| hop.peer.mid().to_hex()).collect();
    let exit_flags = hops.last().map_or_else(Vec::new, |hop| flag_list(hop.flags));
    let fields = json!({
        "circuit_id": circuit.id(),
        "goal_hops": circuit.goal_hops(),
        "actual_hops": hops.len(),
        "verified_hops": verified,
        "unverified_hop": circuit.unverified_hop().map_or_else(String::new, |key| key.mid().to_hex()),
        "type": circuit.ctype().as_str(),
        "state": circuit.state().as_str(),
        "exit_flags": exit_flags,
    });
    with_traffic(fields, &circuit.traffic(), now)
}

/// Every relay route, oldest first.
fn relays_json(tunnels: &TunnelCommunity, now: Instant) -> Value {
    let relays = tunnels.relays().into_iter().map(|relay| {
        let direction = match relay.direction {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        };
        let fields = json!({
            "circuit_from": relay.circuit_from,
            "circuit_to": relay.circuit_to,
            "is_rendezvous": relay.rendezvous,
            "direction": direction,
        });
        with_traffic(fields, &relay.traffic, now)
    });
    relays.collect()
}

/// Every exit, oldest first, of a hidden tunnel community (none of a plain one, as py-ipv8).
fn exits_json(tunnels: &TunnelCommunity, now: Instant) -> Value {
    if tunnels.name() != "HiddenTunnelCommunity" {
        return json!([]);
    }
    let exits = tunnels.exits().into_iter().map(|exit| {
        let fields = json!({
            "circuit_from": exit.circuit_from,
            "enabled": exit.enabled,
            "is_introduction": exit.introduction,
            "is_rendezvous": exit.rendezvous,
        });
        with_traffic(fields, &exit.traffic, now)
    });
    exits.collect()
}

/// Every swarm of a hidden tunnel community, by info hash (none of a plain one, as py-ipv8).
/// `last_lookup` is `0` until the first lookup (a seeder never looks up), as py-ipv8.
fn swarms_json(tunnels: &TunnelCommunity, now: Instant) -> Value {
    if !tunnels.is_hidden() {
        return json!([]);
    }
    tunnels.swarms().iter().map(|swarm| swarm_json(swarm, now)).collect()
}

/// One swarm in py-ipv8's fields (its hop count is not one of them).
fn swarm_json(swarm: &SwarmInfo, now: Instant) -> Value {
    let last_lookup = swarm.last_lookup.map_or(json!(0), |at| json!(unix_seconds(Some(at), now)));
    json!({
        "info_hash": hex(&swarm.info_hash),
        "num_seeders": swarm.num_seeders,
        "num_connections": swarm.num_connections,
        "num_connections_incomplete": swarm.num_connections_incomplete,
        "num_ips_from_dht": swarm.num_ips_from_dht,
        "num_ips_from_pex": swarm.num_ips_from_pex,
        "seeding": swarm.seeding,
        "last_lookup": last_lookup,
        "bytes_up": swarm.bytes_up,
        "bytes_down": swarm.bytes_down,
    })
}

/// An introduction point as py-ipv8's `IntroductionPoint.to_dict`: the introducer's address and
/// key (hex, prefix included), the seeder's key (hex) and the source (1 DHT, 2 PEX).
fn intro_point_json(point: &IntroductionPoint) -> Value {
    let address = point.peer.address();
    json!({
        "address": {
            "ip": address.ip().to_string(),
            "port": address.port(),
            "public_key": hex(point.peer.key().to_bin()),
        },
        "seeder_pk": hex(&point.seeder_pk),
        "source": point.source.to_byte(),
    })
}

/// `[{"info_hash": hex, "peers": [intro point, ...]}]`, by info hash.
fn by_info_hash(mut groups: Vec<([u8; 20], Vec<IntroductionPoint>)>) -> Value {
    groups.sort_by_key(|(info_hash, _)| *info_hash);
    let groups = groups.into_iter().map(|(info_hash, points)| {
        let peers: Vec<Value> = points.iter().map(intro_point_json).collect();
        json!({ "info_hash": hex(&info_hash), "peers": peers })
    });
    groups.collect()
}

/// The introduction points in the storage of the node's first [`DhtCommunity`], by key: every
/// key it stores, with the values that decode as a `DHTIntroPointPayload` (others are skipped,
/// so a key without one lists no peers, as py-ipv8). Empty unless the node runs a tunnel community
/// and a DHT (py-ipv8 asks for a `dht_provider`; ours is the node's DHT).
fn dht_peers_json(node: &Node) -> Value {
    let (Some(_), Some(dht)) =
        (node.community::<TunnelCommunity>(), node.community::<DhtCommunity>())
    else {
        return json!([]);
    };
    let groups = dht.storage().iter().map(|(key, values)| {
        let data = values.into_iter().filter_map(|bytes| match DhtValue::parse(bytes).ok()? {
            DhtValue::Unsigned(data) | DhtValue::Signed { data, .. } => Some(data),
        });
        (*key, data.filter_map(|data| dht_intro_point(&data)).collect())
    });
    by_info_hash(groups.collect())
}

/// An introduction point from a stored DHT value (its keys get their prefix back); `None` if the
/// value is not one.
fn dht_intro_point(data: &[u8]) -> Option<IntroductionPoint> {
    let value = DHTIntroPointPayload::from_bytes(data).ok()?;
    let key = PublicKey::from_bin(&[KEY_PREFIX, &value.intro_pk].concat()).ok()?;
    Some(IntroductionPoint {
        peer: Peer::new(key, value.address),
        seeder_pk: [KEY_PREFIX, &value.seeder_pk].concat(),
        source: PeerSource::Dht,
    })
}

/// The introduction points of every [`PexCommunity`] of the node (its hidden tunnel community
/// loads one per swarm it introduces a seeder of), by info hash: those learnt from others and the
/// node itself for each seeder it introduces. Empty unless the node's tunnel community is hidden,
/// as py-ipv8.
fn pex_peers_json(node: &mut Node, now: Instant) -> Value {
    if !node.community::<TunnelCommunity>().is_some_and(TunnelCommunity::is_hidden) {
        return json!([]);
    }
    let ids: Vec<CommunityId> = node.overlays().iter().map(|o| o.community_id).collect();
    let groups = ids.into_iter().filter_map(|id| {
        node.with_community_id::<PexCommunity, _>(now, id, |pex, ctx| {
            (pex.info_hash(), pex.intro_points(ctx))
        })
    });
    by_info_hash(groups.collect())
}

/// Every candidate, by mid.
fn peers_json(tunnels: &TunnelCommunity, _: Instant) -> Value {
    let mut candidates: Vec<_> = tunnels.candidates().collect();
    candidates.sort_by_key(|(peer, _)| peer.mid());
    let peers = candidates.into_iter().map(|(peer, flags)| {
        let address = peer.address();
        json!({
            "ip": address.ip().to_string(),
            "port": address.port(),
            "mid": peer.mid().to_hex(),
            "is_key_compatible": peer.key().x25519().is_some(),
            "flags": flag_list(*flags),
        })
    });
    peers.collect()
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    settings, circuits, relays, exits, swarms, swarm_size, peers, dht_peers, pex_peers
))]
pub(super) struct Doc;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flags_list_their_set_bits_lowest_first() {
        assert_eq!(flag_list(PeerFlags(9)), vec![1, 8]);
        assert_eq!(flag_list(PeerFlags(0)), Vec::<u16>::new());
        assert_eq!(flag_list(PeerFlags::RELAY | PeerFlags::EXIT_HTTP), vec![1, 32768]);
    }

    #[test]
    fn whole_seconds_are_integers_and_others_floats() {
        assert_eq!(seconds(Duration::from_secs(60)), json!(60));
        assert_eq!(seconds(Duration::from_millis(7500)), json!(7.5));
    }

    #[cfg(feature = "test-util")]
    #[test]
    fn only_a_hidden_community_lists_its_exits() {
        use crate::proto::tunnel::{CreateCircuit, TunnelSettings};
        use crate::testing::TestNetwork;
        for hidden in [false, true] {
            let mut net = TestNetwork::initialize(2, |i| {
                let mut settings = TunnelSettings::default();
                if i == 1 {
                    settings.peer_flags = PeerFlags::RELAY | PeerFlags::EXIT_BT;
                }
                if hidden {
                    TunnelCommunity::hidden(settings)
                } else {
                    TunnelCommunity::new(settings)
                }
            });
            net.introduce_nodes();
            let circuit = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(1));
            assert!(matches!(circuit, Ok(Ok(_))), "{circuit:?}");
            let exit = net.community::<TunnelCommunity>(1);
            assert_eq!(exit.exit_count(), 1);
            let listed = exits_json(exit, net.now());
            assert_eq!(listed.as_array().map(Vec::len), Some(usize::from(hidden)), "{listed}");
        }
    }

    #[cfg(feature = "test-util")]
    #[test]
    fn a_downloader_lists_when_it_looked_and_what_it_found() {
        use std::time::{SystemTime, UNIX_EPOCH};

        use crate::proto::Node;
        use crate::proto::dht::DhtCommunity;
        use crate::proto::tunnel::{RegisterService, TunnelSettings};
        use crate::testing::{SimConfig, TestNetwork};

        const SERVICE: [u8; 20] = *b"a hidden service id!";
        // A seeder, a downloader, three relays and three exits, all with a DHT.
        let mut net = TestNetwork::empty(SimConfig::new(5));
        for i in 0..8 {
            let peer_flags = match i {
                0 | 1 => PeerFlags::SPEED_TEST,
                2..=4 => PeerFlags::RELAY,
                _ => PeerFlags::RELAY | PeerFlags::EXIT_BT,
            };
            let settings = TunnelSettings { peer_flags, ..TunnelSettings::default() };
            net.add_node(|node: &mut Node, now| {
                node.add_community(now, TunnelCommunity::hidden(settings)).expect("tunnels");
                node.add_community(now, DhtCommunity::with_peer_discovery()).expect("dht");
            });
        }
        net.introduce_nodes_in::<TunnelCommunity>();
        net.introduce_nodes_in::<DhtCommunity>();
        for (i, seeding) in [(0, true), (1, false)] {
            let request = RegisterService { service: SERVICE, hops: 1, seeding };
            let asked = net.ask_and_wait::<TunnelCommunity, _>(i, request);
            assert!(matches!(asked, Ok(Ok(_))), "{asked:?}");
        }
        let linked = |net: &TestNetwork<TunnelCommunity>| {
            net.community::<TunnelCommunity>(1).swarms().iter().any(|s| s.num_connections > 0)
        };
        for _ in 0..120 {
            if linked(&net) {
                break;
            }
            net.advance(Duration::from_secs(1));
        }
        assert!(linked(&net), "the downloader reached the seeder");

        let now = net.now();
        let downloader = net.community::<TunnelCommunity>(1);
        let swarm = downloader.swarms().into_iter().next().expect("one swarm");
        let listed = swarms_json(downloader, now);
        let looked = swarm.last_lookup.expect("a downloader looks up");
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).expect("after 1970").as_secs_f64();
        let expected_time = wall - now.duration_since(looked).as_secs_f64();
        let shown_time = listed[0]["last_lookup"].as_f64().expect("a time");
        assert!((shown_time - expected_time).abs() < 1.0, "{shown_time} vs {expected_time}");
        let mut expected = json!([{
            "info_hash": hex(&SERVICE),
            "num_seeders": 1,
            "num_connections": 1,
            "num_connections_incomplete": swarm.num_connections_incomplete,
            "num_ips_from_dht": swarm.num_ips_from_dht,
            "num_ips_from_pex": swarm.num_ips_from_pex,
            "seeding": false,
            "bytes_up": swarm.bytes_up,
            "bytes_down": swarm.bytes_down,
        }]);
        expected[0]["last_lookup"] = listed[0]["last_lookup"].clone();
        assert_eq!(listed, expected);
        assert!(swarm.num_ips_from_dht >= 1, "{swarm:?}");
        assert!(swarm.bytes_up > 0 && swarm.bytes_down > 0, "the rendezvous circuit carried cells");
    }
}
