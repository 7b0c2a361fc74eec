//! The answers of the `/tunnel` routes, typed, in py-ipv8's shapes: seconds as integers when
//! whole, flags as lists of bit values, keys and hashes in hex, the traffic of circuits, relays and
//! exits flattened into their entries.

use std::borrow::Cow;
use std::time::{Duration, Instant};

use serde::Serialize;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

use super::super::json::{hex, unix_seconds};
use crate::proto::Community as _;
use crate::proto::tunnel::{
    Circuit, Direction, ExitInfo, IntroductionPoint, PeerFlags, RelayInfo, SwarmInfo, Traffic,
    TunnelCommunity,
};

/// py-ipv8's `dht_lookup_interval` (seconds): not a field of its `TunnelSettings`, but its default
/// configuration passes it to the hidden tunnel community, so `/tunnel/settings` shows it there.
const DHT_LOOKUP_INTERVAL: u64 = 30;

/// A number as py-ipv8 gives seconds and times: an integer when whole, else a float.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(untagged)]
pub(super) enum Number {
    /// A whole number, written without a fraction (`60`).
    Int(u64),
    /// Any other, written as a float (`7.5`).
    Float(f64),
}

/// A plain `number` (an integer is one too), which `oneOf` an integer and a float would not be:
/// a whole value would match both.
impl utoipa::PartialSchema for Number {
    fn schema() -> RefOr<Schema> {
        let description = "an integer when whole, else a float";
        ObjectBuilder::new().schema_type(Type::Number).description(Some(description)).into()
    }
}

impl utoipa::ToSchema for Number {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("tunnel.Number")
    }
}

/// `{}`: the settings of a node without a tunnel community.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = tunnel::NoSettings)]
pub(super) struct NoSettings {}

/// py-ipv8's tunnel settings, or `{}` without a tunnel community.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = tunnel::MaybeSettings)]
pub(super) enum MaybeSettings {
    /// The tunnel community's settings.
    Loaded(Box<Settings>),
    /// No tunnel community.
    None(NoSettings),
}

/// `{"settings": {name: value}}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::SettingsReply)]
pub(super) struct SettingsReply {
    /// The settings, `{}` without a tunnel community.
    pub(super) settings: MaybeSettings,
}

/// py-ipv8's settings: its names, seconds as numbers and the flags as a list. `anonymize` is
/// always `false` (no anonymizing endpoint yet) and `dht_lookup_interval` is py-ipv8's default.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Settings)]
pub(super) struct Settings {
    /// Always `false`.
    pub(super) anonymize: bool,
    /// Seconds a circuit may take to be built.
    pub(super) circuit_timeout: Number,
    /// Seconds between DHT lookups of a hidden service (py-ipv8's default).
    pub(super) dht_lookup_interval: u64,
    /// Circuits built at most.
    pub(super) max_circuits: usize,
    /// Circuits of others joined at most.
    pub(super) max_joined_circuits: usize,
    /// Peers the community keeps at most.
    pub(super) max_peers: usize,
    /// `RELAY_EARLY` cells a circuit may carry.
    pub(super) max_relay_early: u32,
    /// Seconds a circuit lives at most.
    pub(super) max_time: Number,
    /// Seconds a circuit may be idle.
    pub(super) max_time_inactive: Number,
    /// Seconds an introduction point circuit lives at most.
    pub(super) max_time_ip: Number,
    /// Bytes a circuit carries at most.
    pub(super) max_traffic: u64,
    /// Circuits kept at least.
    pub(super) min_circuits: usize,
    /// Seconds an extension may take.
    pub(super) next_hop_timeout: Number,
    /// The flags this node advertises, each bit's value.
    pub(super) peer_flags: Vec<u16>,
    /// Seconds before a removed circuit is forgotten.
    pub(super) remove_tunnel_delay: Number,
    /// Rendezvous connections per swarm at most.
    pub(super) swarm_connection_limit: usize,
    /// Seconds between lookups of a swarm.
    pub(super) swarm_lookup_interval: Number,
    /// Seconds before an unanswered circuit counts as unstable.
    pub(super) unstable_timeout: Number,
}

/// The bytes and creation time of a circuit, relay or exit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::TrafficEntry)]
pub(super) struct TrafficEntry {
    /// Bytes sent.
    pub(super) bytes_up: u64,
    /// Bytes received.
    pub(super) bytes_down: u64,
    /// When it was made, in Unix seconds.
    pub(super) creation_time: f64,
}

/// `{"circuits": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::CircuitsReply)]
pub(super) struct CircuitsReply {
    /// The circuits this node built, oldest first.
    pub(super) circuits: Vec<CircuitEntry>,
}

/// One circuit this node built.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Circuit)]
pub(super) struct CircuitEntry {
    /// Its id on the first link.
    // Circuit ids are random `u32`s: described as `u64` here and below, since utoipa's `int32`
    // format for a `u32` would bound them at 2³¹ - 1.
    #[schema(value_type = u64)]
    pub(super) circuit_id: u32,
    /// The hops it is built to have.
    pub(super) goal_hops: usize,
    /// The hops it has.
    pub(super) actual_hops: usize,
    /// The mids of its hops, in hex, first hop first.
    pub(super) verified_hops: Vec<String>,
    /// The mid of the hop being added, `""` when none is.
    pub(super) unverified_hop: String,
    /// Its type (`DATA`, `IP_SEEDER`, ...).
    #[serde(rename = "type")]
    pub(super) ctype: &'static str,
    /// Its state (`READY`, `EXTENDING`, ...).
    pub(super) state: &'static str,
    /// The flags its last hop advertised.
    pub(super) exit_flags: Vec<u16>,
    /// Its bytes and creation time.
    #[serde(flatten)]
    pub(super) traffic: TrafficEntry,
}

/// `{"relays": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::RelaysReply)]
pub(super) struct RelaysReply {
    /// One per direction of each relayed circuit, oldest first.
    pub(super) relays: Vec<RelayEntry>,
}

/// One direction of a relayed circuit.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Relay)]
pub(super) struct RelayEntry {
    /// The circuit id cells arrive under.
    #[schema(value_type = u64)]
    pub(super) circuit_from: u32,
    /// The circuit id they leave under.
    #[schema(value_type = u64)]
    pub(super) circuit_to: u32,
    /// Whether it links two circuits at a rendezvous point.
    pub(super) is_rendezvous: bool,
    /// `forward` (toward the exit) or `backward`.
    pub(super) direction: &'static str,
    /// Its bytes and creation time.
    #[serde(flatten)]
    pub(super) traffic: TrafficEntry,
}

/// `{"exits": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::ExitsReply)]
pub(super) struct ExitsReply {
    /// The circuits this node ends, oldest first (a hidden tunnel community's only).
    pub(super) exits: Vec<ExitEntry>,
}

/// A circuit this node ends.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Exit)]
pub(super) struct ExitEntry {
    /// The circuit id on the link to the previous hop.
    #[schema(value_type = u64)]
    pub(super) circuit_from: u32,
    /// Whether data has left through it.
    pub(super) enabled: bool,
    /// Whether it introduces a hidden-service seeder.
    pub(super) is_introduction: bool,
    /// Whether it waits to be linked at a rendezvous point.
    pub(super) is_rendezvous: bool,
    /// Its bytes and creation time.
    #[serde(flatten)]
    pub(super) traffic: TrafficEntry,
}

/// `{"swarms": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::SwarmsReply)]
pub(super) struct SwarmsReply {
    /// The swarms a hidden tunnel community joined.
    pub(super) swarms: Vec<SwarmEntry>,
}

/// One swarm in py-ipv8's fields (its hop count is not one of them).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Swarm)]
pub(super) struct SwarmEntry {
    /// The info hash, in hex.
    pub(super) info_hash: String,
    /// Distinct seeders among the known introduction points.
    pub(super) num_seeders: usize,
    /// Linked rendezvous circuits.
    pub(super) num_connections: usize,
    /// Rendezvous circuits not linked yet.
    pub(super) num_connections_incomplete: usize,
    /// Introduction points learnt from the DHT.
    pub(super) num_ips_from_dht: usize,
    /// Introduction points learnt from PEX.
    pub(super) num_ips_from_pex: usize,
    /// Whether this node seeds it.
    pub(super) seeding: bool,
    /// When it last looked for peers, in Unix seconds; `0` before the first lookup.
    pub(super) last_lookup: Number,
    /// Bytes sent over its rendezvous circuits.
    pub(super) bytes_up: u64,
    /// Bytes received over them.
    pub(super) bytes_down: u64,
}

/// `{"swarm_size": n}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::SwarmSize)]
pub(super) struct SwarmSize {
    /// The distinct seeders found.
    pub(super) swarm_size: usize,
}

/// The estimate, or `{"swarms": []}` without a hidden tunnel community (as py-ipv8).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = tunnel::SwarmSizeReply)]
pub(super) enum SwarmSizeReply {
    /// The estimate.
    Size(SwarmSize),
    /// No hidden tunnel community: an empty list of swarms.
    NotHidden(SwarmsReply),
}

/// `{"peers": [...]}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::PeersReply)]
pub(super) struct PeersReply {
    /// The candidates for hops, by mid.
    pub(super) peers: Vec<Candidate>,
}

/// A candidate for a hop.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Candidate)]
pub(super) struct Candidate {
    /// Its IP address.
    pub(super) ip: String,
    /// Its port.
    pub(super) port: u16,
    /// The mid of its key, in hex.
    pub(super) mid: String,
    /// Whether its key can make circuit keys (curve25519).
    pub(super) is_key_compatible: bool,
    /// The flags it advertises, each bit's value.
    pub(super) flags: Vec<u16>,
}

/// The introduction points of one swarm.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::SwarmPoints)]
pub(super) struct SwarmPoints {
    /// The info hash, in hex.
    pub(super) info_hash: String,
    /// Its introduction points.
    pub(super) peers: Vec<IntroPoint>,
}

/// An introduction point as py-ipv8's `IntroductionPoint.to_dict`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::IntroPoint)]
pub(super) struct IntroPoint {
    /// The introducer.
    pub(super) address: Introducer,
    /// The seeder's key, in hex.
    pub(super) seeder_pk: String,
    /// Where it was learnt: 1 DHT, 2 PEX.
    pub(super) source: u8,
}

/// The introducer of an introduction point.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = tunnel::Introducer)]
pub(super) struct Introducer {
    /// Its IP address.
    pub(super) ip: String,
    /// Its port.
    pub(super) port: u16,
    /// Its key, in hex, prefix included.
    pub(super) public_key: String,
}

/// Seconds as py-ipv8 gives them: an integer when whole, else a float.
pub(super) fn seconds(duration: Duration) -> Number {
    if duration.subsec_nanos() == 0 {
        Number::Int(duration.as_secs())
    } else {
        Number::Float(duration.as_secs_f64())
    }
}

/// The set flags as py-ipv8 lists them: each bit's value, lowest first (9 → `[1, 8]`).
pub(super) fn flag_list(flags: PeerFlags) -> Vec<u16> {
    (0..16).map(|bit| 1_u16 << bit).filter(|value| flags.0 & value != 0).collect()
}

impl TrafficEntry {
    /// The bytes and creation time of `traffic`.
    pub(super) fn new(traffic: &Traffic, now: Instant) -> Self {
        Self {
            bytes_up: traffic.bytes_up,
            bytes_down: traffic.bytes_down,
            creation_time: unix_seconds(Some(traffic.created_at), now),
        }
    }
}

impl Settings {
    /// The settings of `tunnels`.
    pub(super) fn new(tunnels: &TunnelCommunity) -> Self {
        let s = tunnels.settings();
        Self {
            anonymize: false,
            circuit_timeout: seconds(s.circuit_timeout),
            dht_lookup_interval: DHT_LOOKUP_INTERVAL,
            max_circuits: s.max_circuits,
            max_joined_circuits: s.max_joined_circuits,
            max_peers: tunnels.max_peers(),
            max_relay_early: s.max_relay_early,
            max_time: seconds(s.max_time),
            max_time_inactive: seconds(s.max_time_inactive),
            max_time_ip: seconds(s.max_time_ip),
            max_traffic: s.max_traffic,
            min_circuits: s.min_circuits,
            next_hop_timeout: seconds(s.next_hop_timeout),
            peer_flags: flag_list(s.peer_flags),
            remove_tunnel_delay: seconds(s.remove_tunnel_delay),
            swarm_connection_limit: s.swarm_connection_limit,
            swarm_lookup_interval: seconds(s.swarm_lookup_interval),
            unstable_timeout: seconds(s.unstable_timeout),
        }
    }
}

impl CircuitEntry {
    /// One circuit. `exit_flags` are the flags its last verified hop advertised, as py-ipv8
    /// reports them; `unverified_hop` is the mid of the hop being added, `""` when none is.
    pub(super) fn new(circuit: &Circuit, now: Instant) -> Self {
        let hops = circuit.hops();
        Self {
            circuit_id: circuit.id(),
            goal_hops: circuit.goal_hops(),
            actual_hops: hops.len(),
            verified_hops: hops.iter().map(|hop| hop.peer.mid().to_hex()).collect(),
            unverified_hop: circuit.unverified_hop().map_or_else(String::new, |k| k.mid().to_hex()),
            ctype: circuit.ctype().as_str(),
            state: circuit.state().as_str(),
            exit_flags: hops.last().map_or_else(Vec::new, |hop| flag_list(hop.flags)),
            traffic: TrafficEntry::new(&circuit.traffic(), now),
        }
    }
}

impl RelayEntry {
    /// One direction of a relayed circuit.
    pub(super) fn new(relay: &RelayInfo, now: Instant) -> Self {
        let direction = match relay.direction {
            Direction::Forward => "forward",
            Direction::Backward => "backward",
        };
        Self {
            circuit_from: relay.circuit_from,
            circuit_to: relay.circuit_to,
            is_rendezvous: relay.rendezvous,
            direction,
            traffic: TrafficEntry::new(&relay.traffic, now),
        }
    }
}

impl ExitEntry {
    /// One exit.
    pub(super) fn new(exit: &ExitInfo, now: Instant) -> Self {
        Self {
            circuit_from: exit.circuit_from,
            enabled: exit.enabled,
            is_introduction: exit.introduction,
            is_rendezvous: exit.rendezvous,
            traffic: TrafficEntry::new(&exit.traffic, now),
        }
    }
}

impl SwarmEntry {
    /// One swarm. `last_lookup` is `0` until the first lookup (a seeder never looks up), as
    /// py-ipv8.
    pub(super) fn new(swarm: &SwarmInfo, now: Instant) -> Self {
        let last_lookup = swarm
            .last_lookup
            .map_or(Number::Int(0), |at| Number::Float(unix_seconds(Some(at), now)));
        Self {
            info_hash: hex(&swarm.info_hash),
            num_seeders: swarm.num_seeders,
            num_connections: swarm.num_connections,
            num_connections_incomplete: swarm.num_connections_incomplete,
            num_ips_from_dht: swarm.num_ips_from_dht,
            num_ips_from_pex: swarm.num_ips_from_pex,
            seeding: swarm.seeding,
            last_lookup,
            bytes_up: swarm.bytes_up,
            bytes_down: swarm.bytes_down,
        }
    }
}

impl IntroPoint {
    /// An introduction point as py-ipv8's `IntroductionPoint.to_dict`: the introducer's address
    /// and key (hex, prefix included), the seeder's key (hex) and the source (1 DHT, 2 PEX).
    pub(super) fn new(point: &IntroductionPoint) -> Self {
        let address = point.peer.address();
        Self {
            address: Introducer {
                ip: address.ip().to_string(),
                port: address.port(),
                public_key: hex(point.peer.key().to_bin()),
            },
            seeder_pk: hex(&point.seeder_pk),
            source: point.source.to_byte(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// The typed bodies write what the `json!` values they replaced wrote: traffic flattened
    /// into each entry, `{}` settings and `{"swarms": []}` without a community, times as
    /// integers when whole.
    #[test]
    fn typed_bodies_write_the_json_they_replaced() {
        let traffic = || TrafficEntry { bytes_up: 3, bytes_down: 4, creation_time: 1.5 };
        let relay = RelayEntry {
            circuit_from: 1,
            circuit_to: 2,
            is_rendezvous: true,
            direction: "backward",
            traffic: traffic(),
        };
        let old = json!({
            "circuit_from": 1, "circuit_to": 2, "is_rendezvous": true, "direction": "backward",
            "bytes_up": 3, "bytes_down": 4, "creation_time": 1.5,
        });
        assert_eq!(json!(RelaysReply { relays: vec![relay] }), json!({ "relays": [old] }));
        let exit = ExitEntry {
            circuit_from: 7,
            enabled: true,
            is_introduction: false,
            is_rendezvous: false,
            traffic: traffic(),
        };
        let old = json!({
            "circuit_from": 7, "enabled": true, "is_introduction": false, "is_rendezvous": false,
            "bytes_up": 3, "bytes_down": 4, "creation_time": 1.5,
        });
        assert_eq!(json!(exit), old);
        let empty = SettingsReply { settings: MaybeSettings::None(NoSettings {}) };
        assert_eq!(json!(empty), json!({ "settings": {} }));
        let not_hidden = SwarmSizeReply::NotHidden(SwarmsReply { swarms: Vec::new() });
        assert_eq!(json!(not_hidden), json!({ "swarms": [] }));
        let size = SwarmSizeReply::Size(SwarmSize { swarm_size: 3 });
        assert_eq!(json!(size), json!({ "swarm_size": 3 }));
        assert_eq!(json!(Number::Int(0)), json!(0));
        assert!(json!(Number::Float(2.0)).is_f64(), "a float stays one");
    }
}
