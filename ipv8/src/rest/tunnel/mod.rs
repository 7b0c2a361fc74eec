//! `/tunnel/*` (spec `rest-api.md` §5): the settings, circuits, relays, exits and candidates of the
//! node's first [`TunnelCommunity`] (a hidden one included). Without one, each route answers an
//! empty list (an empty object for the settings), as py-ipv8 does.
//!
//! Hidden services, as py-ipv8 serves them: `/tunnel/swarms` lists the swarms a hidden tunnel
//! community joined, `/tunnel/swarms/{infohash}/size` estimates a swarm's size through circuits,
//! `/tunnel/peers/pex` lists the introduction points each PEX overlay of the node knows, and
//! `/tunnel/peers/dht` the introduction points stored in the node's DHT; relays and exits say
//! whether they serve as rendezvous or introduction points. The speed tests are in
//! `tunnel_speed`; the answers' types, which the `OpenAPI` document describes, in `bodies`.

use std::time::Instant;

use axum::extract::{Path, RawQuery, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};

use self::bodies::{
    Candidate, CircuitEntry, CircuitsReply, ExitEntry, ExitsReply, IntroPoint, MaybeSettings,
    NoSettings, PeersReply, RelayEntry, RelaysReply, Settings, SettingsReply, SwarmEntry,
    SwarmPoints, SwarmSize, SwarmSizeReply, SwarmsReply, flag_list,
};
use super::error::ApiError;
use super::json::hex;
use super::reply::bare_error;
use crate::crypto::PublicKey;
use crate::messages::dht::DHTIntroPointPayload;
use crate::proto::dht::{DhtCommunity, Value as DhtValue};
use crate::proto::tunnel::{
    Circuit, EstimateSwarmSize, IntroductionPoint, PeerSource, PexCommunity, TunnelCommunity,
};
use crate::proto::{Community as _, CommunityId, Node, Peer};
use crate::runtime::{NodeHandle, RuntimeError};
use crate::wire::Payload as _;

mod bodies;

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
type Body<T> = fn(&TunnelCommunity, Instant) -> T;

/// `body` from the node's tunnel community, or `empty` if it runs none.
async fn read<T: Send + 'static>(
    handle: &NodeHandle,
    empty: T,
    body: Body<T>,
) -> Result<Json<T>, ApiError> {
    let read =
        handle.with_community::<TunnelCommunity, _>(move |tunnels, ctx| body(tunnels, ctx.now()));
    match read.await {
        Ok(value) => Ok(Json(value)),
        Err(RuntimeError::NoSuchCommunity(_)) => Ok(Json(empty)),
        Err(error) => Err(error.into()),
    }
}

/// GET `/tunnel/settings`: `{"settings": {name: value}}`.
#[utoipa::path(
    get,
    path = "/tunnel/settings",
    operation_id = "get_tunnel_settings",
    tag = "tunnel",
    responses((status = 200, description = "`{settings: {name: value}}`", body = SettingsReply))
)]
async fn settings(State(handle): State<NodeHandle>) -> Result<Json<SettingsReply>, ApiError> {
    let empty = SettingsReply { settings: MaybeSettings::None(NoSettings {}) };
    read(&handle, empty, |tunnels, _| SettingsReply {
        settings: MaybeSettings::Loaded(Box::new(Settings::new(tunnels))),
    })
    .await
}

/// GET `/tunnel/circuits`: `{"circuits": [...]}`, the circuits this node built.
#[utoipa::path(
    get,
    path = "/tunnel/circuits",
    operation_id = "get_tunnel_circuits",
    tag = "tunnel",
    responses(
        (status = 200, description = "`{circuits: [...]}`: the circuits this node built", body = CircuitsReply),
    )
)]
async fn circuits(State(handle): State<NodeHandle>) -> Result<Json<CircuitsReply>, ApiError> {
    let empty = CircuitsReply { circuits: Vec::new() };
    read(&handle, empty, |t, now| CircuitsReply { circuits: circuit_entries(t, now) }).await
}

/// GET `/tunnel/relays`: `{"relays": [...]}`, one per direction of each relayed circuit.
#[utoipa::path(
    get,
    path = "/tunnel/relays",
    operation_id = "get_tunnel_relays",
    tag = "tunnel",
    responses((status = 200, description = "`{relays: [...]}`", body = RelaysReply))
)]
async fn relays(State(handle): State<NodeHandle>) -> Result<Json<RelaysReply>, ApiError> {
    let empty = RelaysReply { relays: Vec::new() };
    read(&handle, empty, |t, now| RelaysReply { relays: relay_entries(t, now) }).await
}

/// GET `/tunnel/exits`: `{"exits": [...]}`, the circuits this node ends; as py-ipv8, only a
/// hidden tunnel community lists them (a plain one answers an empty list).
#[utoipa::path(
    get,
    path = "/tunnel/exits",
    operation_id = "get_tunnel_exits",
    tag = "tunnel",
    responses((status = 200, description = "`{exits: [...]}`", body = ExitsReply))
)]
async fn exits(State(handle): State<NodeHandle>) -> Result<Json<ExitsReply>, ApiError> {
    let empty = ExitsReply { exits: Vec::new() };
    read(&handle, empty, |t, now| ExitsReply { exits: exit_entries(t, now) }).await
}

/// GET `/tunnel/swarms`: `{"swarms": [...]}`, the swarms a hidden tunnel community joined (none
/// for a plain one, as py-ipv8).
#[utoipa::path(
    get,
    path = "/tunnel/swarms",
    operation_id = "get_tunnel_swarms",
    tag = "tunnel",
    responses((status = 200, description = "`{swarms: [...]}`", body = SwarmsReply))
)]
async fn swarms(State(handle): State<NodeHandle>) -> Result<Json<SwarmsReply>, ApiError> {
    let empty = SwarmsReply { swarms: Vec::new() };
    read(&handle, empty, |t, now| SwarmsReply { swarms: swarm_entries(t, now) }).await
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
        (status = 200, description = "`{swarm_size: n}`, or `{swarms: []}` without a hidden tunnel community", body = SwarmSizeReply),
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
            let empty = SwarmSizeReply::NotHidden(SwarmsReply { swarms: Vec::new() });
            return Json(empty).into_response();
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
        Ok(swarm_size) => Json(SwarmSizeReply::Size(SwarmSize { swarm_size })).into_response(),
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
        (status = 200, description = "`{peers: [...]}`: the candidates for hops", body = PeersReply),
    )
)]
async fn peers(State(handle): State<NodeHandle>) -> Result<Json<PeersReply>, ApiError> {
    let empty = PeersReply { peers: Vec::new() };
    read(&handle, empty, |t, _| PeersReply { peers: candidates(t) }).await
}

/// GET `/tunnel/peers/dht`: `[{"info_hash": hex, "peers": [...]}]` (not wrapped, as py-ipv8),
/// the introduction points stored in the node's DHT; see [`dht_points`].
#[utoipa::path(
    get,
    path = "/tunnel/peers/dht",
    operation_id = "get_tunnel_peers_dht",
    tag = "tunnel",
    responses(
        (status = 200, description = "`[{info_hash: hex, peers: [...]}]`: introduction points in the DHT", body = [SwarmPoints]),
    )
)]
async fn dht_peers(State(handle): State<NodeHandle>) -> Result<Json<Vec<SwarmPoints>>, ApiError> {
    Ok(Json(handle.with_node(|node, _| dht_points(node)).await?))
}

/// GET `/tunnel/peers/pex`: `[{"info_hash": hex, "peers": [...]}]` (not wrapped, as py-ipv8),
/// the introduction points each PEX overlay knows; see [`pex_points`].
#[utoipa::path(
    get,
    path = "/tunnel/peers/pex",
    operation_id = "get_tunnel_peers_pex",
    tag = "tunnel",
    responses(
        (status = 200, description = "`[{info_hash: hex, peers: [...]}]`: introduction points each PEX overlay knows", body = [SwarmPoints]),
    )
)]
async fn pex_peers(State(handle): State<NodeHandle>) -> Result<Json<Vec<SwarmPoints>>, ApiError> {
    Ok(Json(handle.with_node(pex_points).await?))
}

/// `400 {"error": message}`, as py-ipv8's tunnel endpoint answers bad requests.
fn bad_request(message: &str) -> Response {
    bare_error(StatusCode::BAD_REQUEST, message)
}

/// The value of `name` in the query `a=1&b=2` (the values wanted are plain numbers: no decoding).
fn query_value<'q>(query: Option<&'q str>, name: &str) -> Option<&'q str> {
    let mut pairs = query?.split('&').filter_map(|pair| pair.split_once('='));
    pairs.find(|(key, _)| *key == name).map(|(_, value)| value)
}

/// Every circuit, oldest first.
fn circuit_entries(tunnels: &TunnelCommunity, now: Instant) -> Vec<CircuitEntry> {
    let mut circuits: Vec<&Circuit> = tunnels.circuits().collect();
    circuits.sort_by_key(|circuit| (circuit.traffic().created_at, circuit.id()));
    circuits.into_iter().map(|circuit| CircuitEntry::new(circuit, now)).collect()
}

/// Every relay route, oldest first.
fn relay_entries(tunnels: &TunnelCommunity, now: Instant) -> Vec<RelayEntry> {
    tunnels.relays().iter().map(|relay| RelayEntry::new(relay, now)).collect()
}

/// Every exit, oldest first, of a hidden tunnel community (none of a plain one, as py-ipv8).
fn exit_entries(tunnels: &TunnelCommunity, now: Instant) -> Vec<ExitEntry> {
    if tunnels.name() != "HiddenTunnelCommunity" {
        return Vec::new();
    }
    tunnels.exits().iter().map(|exit| ExitEntry::new(exit, now)).collect()
}

/// Every swarm of a hidden tunnel community, by info hash (none of a plain one, as py-ipv8).
fn swarm_entries(tunnels: &TunnelCommunity, now: Instant) -> Vec<SwarmEntry> {
    if !tunnels.is_hidden() {
        return Vec::new();
    }
    tunnels.swarms().iter().map(|swarm| SwarmEntry::new(swarm, now)).collect()
}

/// `[{"info_hash": hex, "peers": [intro point, ...]}]`, by info hash.
fn by_info_hash(mut groups: Vec<([u8; 20], Vec<IntroductionPoint>)>) -> Vec<SwarmPoints> {
    groups.sort_by_key(|(info_hash, _)| *info_hash);
    let groups = groups.into_iter().map(|(info_hash, points)| SwarmPoints {
        info_hash: hex(&info_hash),
        peers: points.iter().map(IntroPoint::new).collect(),
    });
    groups.collect()
}

/// The introduction points in the storage of the node's first [`DhtCommunity`], by key: every
/// key it stores, with the values that decode as a `DHTIntroPointPayload` (others are skipped,
/// so a key without one lists no peers, as py-ipv8). Empty unless the node runs a tunnel community
/// and a DHT (py-ipv8 asks for a `dht_provider`; ours is the node's DHT).
fn dht_points(node: &Node) -> Vec<SwarmPoints> {
    let (Some(_), Some(dht)) =
        (node.community::<TunnelCommunity>(), node.community::<DhtCommunity>())
    else {
        return Vec::new();
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
fn pex_points(node: &mut Node, now: Instant) -> Vec<SwarmPoints> {
    if !node.community::<TunnelCommunity>().is_some_and(TunnelCommunity::is_hidden) {
        return Vec::new();
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
fn candidates(tunnels: &TunnelCommunity) -> Vec<Candidate> {
    let mut candidates: Vec<_> = tunnels.candidates().collect();
    candidates.sort_by_key(|(peer, _)| peer.mid());
    let peers = candidates.into_iter().map(|(peer, flags)| {
        let address = peer.address();
        Candidate {
            ip: address.ip().to_string(),
            port: address.port(),
            mid: peer.mid().to_hex(),
            is_key_compatible: peer.key().x25519().is_some(),
            flags: flag_list(*flags),
        }
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
    use std::time::Duration;

    use serde_json::{Value, json};

    use super::*;
    use crate::proto::tunnel::PeerFlags;

    /// The JSON of [`bodies::seconds`].
    fn seconds(duration: Duration) -> Value {
        json!(bodies::seconds(duration))
    }

    /// The JSON of [`exit_entries`], as the route lists them.
    fn exits_json(tunnels: &TunnelCommunity, now: Instant) -> Value {
        json!(exit_entries(tunnels, now))
    }

    /// The JSON of [`swarm_entries`], as the route lists them.
    fn swarms_json(tunnels: &TunnelCommunity, now: Instant) -> Value {
        json!(swarm_entries(tunnels, now))
    }

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
