//! `/tunnel/*` (spec `rest-api.md` §5): the settings, circuits, relays, exits and candidates of the
//! node's first [`TunnelCommunity`] (a hidden one included). Without one, each route answers an
//! empty list (an empty object for the settings), as py-ipv8 does.
//!
//! Hidden services (swarms, introduction and rendezvous points) are not built yet: their routes
//! answer empty lists and the `is_introduction`/`is_rendezvous` fields are always `false`, and
//! `/tunnel/swarms/{infohash}/size` is not served. The speed tests are in `tunnel_speed`.

use std::time::{Duration, Instant};

use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{Value, json};

use super::error::ApiError;
use crate::proto::Community as _;
use crate::proto::tunnel::{Circuit, Direction, PeerFlags, Traffic, TunnelCommunity};
use crate::runtime::{NodeHandle, RuntimeError};

/// py-ipv8's `dht_lookup_interval` (seconds): not a field of its `TunnelSettings`, but its default
/// configuration passes it to the hidden tunnel community, so `/tunnel/settings` shows it there.
const DHT_LOOKUP_INTERVAL: u64 = 30;

/// The `/tunnel` routes.
pub(super) fn routes() -> Router<NodeHandle> {
    Router::new()
        .route("/tunnel/settings", get(settings))
        .route("/tunnel/circuits", get(circuits))
        .route("/tunnel/relays", get(relays))
        .route("/tunnel/exits", get(exits))
        .route("/tunnel/swarms", get(swarms))
        .route("/tunnel/peers", get(peers))
        .route("/tunnel/peers/dht", get(no_hidden_peers))
        .route("/tunnel/peers/pex", get(no_hidden_peers))
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
async fn settings(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "settings", json!({}), settings_json).await
}

/// GET `/tunnel/circuits`: `{"circuits": [...]}`, the circuits this node built.
async fn circuits(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "circuits", json!([]), circuits_json).await
}

/// GET `/tunnel/relays`: `{"relays": [...]}`, one per direction of each relayed circuit.
async fn relays(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "relays", json!([]), relays_json).await
}

/// GET `/tunnel/exits`: `{"exits": [...]}`, the circuits this node ends; as py-ipv8, only a
/// hidden tunnel community lists them (a plain one answers an empty list).
async fn exits(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "exits", json!([]), exits_json).await
}

/// GET `/tunnel/swarms`: `{"swarms": []}`; hidden-service swarms are not built yet.
async fn swarms(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "swarms", json!([]), |_, _| json!([])).await
}

/// GET `/tunnel/peers`: `{"peers": [...]}`, the candidates for hops.
async fn peers(State(handle): State<NodeHandle>) -> Result<Json<Value>, ApiError> {
    wrapped(&handle, "peers", json!([]), peers_json).await
}

/// GET `/tunnel/peers/dht` and `/tunnel/peers/pex`: a bare `[]`; hidden services (and their
/// introduction points in the DHT and PEX) are not built yet.
async fn no_hidden_peers() -> Json<Value> {
    Json(json!([]))
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
            "is_rendezvous": false,
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
            "is_introduction": false,
            "is_rendezvous": false,
        });
        with_traffic(fields, &exit.traffic, now)
    });
    exits.collect()
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
}
