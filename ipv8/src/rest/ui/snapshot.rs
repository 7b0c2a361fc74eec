//! The body of `GET /ui/snapshot`: one look at the node, read between two of its datagrams, with
//! the sockets' counters of the driver and the pseudonyms of the REST server added after.

use std::time::{SystemTime, UNIX_EPOCH};

use serde::Serialize;

use super::super::json::hex;
use crate::proto::dht::{Bucket, DhtCommunity, RoutingTable};
use crate::proto::tunnel::TunnelCommunity;
use crate::proto::{Node, OverlayInfo, Peer};
use crate::runtime::{Pseudonyms, Stats};

/// The node at one moment: what the dashboard draws.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::Snapshot)]
pub(in super::super) struct Snapshot {
    /// When the snapshot was taken, in Unix seconds (rates are counted between two snapshots).
    unix_time: f64,
    /// The mid of the node's own key, in hex.
    mid: String,
    /// The node's LAN address, if it knows it.
    lan_address: Option<String>,
    /// The node's WAN address as its peers see it, if one told it.
    wan_address: Option<String>,
    /// Counters of the whole node since it started.
    totals: Totals,
    /// Each community, in the order it was added.
    overlays: Vec<Overlay>,
    /// Packets dropped, by reason, the reasons sorted.
    drops: Vec<Drops>,
    /// The first DHT community's routing table and store, if the node runs one.
    dht: Option<DhtPanel>,
    /// The first tunnel community's circuits, relays and exits, if the node runs one.
    tunnels: Option<TunnelPanel>,
    /// The pseudonyms of the REST server, if it serves them.
    pub(super) pseudonyms: Option<PseudonymPanel>,
}

/// Counters of the whole node since it started.
#[derive(Debug, Default, Serialize, utoipa::ToSchema)]
#[schema(as = ui::Totals)]
struct Totals {
    /// Packets the node received.
    received: u64,
    /// Packets the node queued for sending.
    sent: u64,
    /// Packets handed to a handler.
    handled: u64,
    /// Packets dropped, whatever the reason.
    dropped: u64,
    /// Introduction requests sent (walk steps).
    walks: u64,
    /// Panics of community code the node caught.
    panics: u64,
    /// Datagrams read from the sockets.
    datagrams_in: u64,
    /// Datagrams the sockets took for sending.
    datagrams_out: u64,
    /// Bytes read from the sockets.
    bytes_in: u64,
    /// Bytes the sockets took for sending.
    bytes_out: u64,
}

/// One community with its peers and traffic.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::Overlay)]
struct Overlay {
    /// The community's type name (`overlay_name` of `/overlays`).
    name: String,
    /// The community id, in hex.
    community_id: String,
    /// How many verified peers it has.
    peer_count: usize,
    /// Its verified peers.
    peers: Vec<PeerEntry>,
    /// Messages received (counted while its statistics are on).
    messages_in: u64,
    /// Messages sent (counted while its statistics are on).
    messages_out: u64,
    /// Bytes of messages received.
    bytes_in: u64,
    /// Bytes of messages sent.
    bytes_out: u64,
}

/// A verified peer of a community.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::PeerEntry)]
struct PeerEntry {
    /// Its address, `ip:port`.
    address: String,
    /// The mid of its key, in hex.
    mid: String,
}

/// Packets dropped for one reason.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::Drops)]
struct Drops {
    /// The reason's label.
    reason: String,
    /// Packets dropped for it.
    count: u64,
}

/// The DHT's routing table and store.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::DhtPanel)]
struct DhtPanel {
    /// Nodes in the routing table.
    nodes: usize,
    /// Each bucket's prefix (bits) and node count, sorted by prefix.
    buckets: Vec<BucketEntry>,
    /// Values stored here, for this node and others.
    stored_values: usize,
}

/// One bucket of the routing table.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::BucketEntry)]
struct BucketEntry {
    /// The bits every id in the bucket starts with (`""` for the whole space).
    prefix: String,
    /// Nodes in the bucket.
    nodes: usize,
}

/// The tunnel community's circuits, relays and exits.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::TunnelPanel)]
struct TunnelPanel {
    /// `TunnelCommunity` or `HiddenTunnelCommunity`.
    name: String,
    /// Circuits this node built, in every state.
    circuits: usize,
    /// Relay routes this node serves (two per relayed circuit).
    relays: usize,
    /// Circuits this node is the last hop of.
    exits: usize,
}

/// The pseudonyms of the REST server.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = ui::PseudonymPanel)]
pub(super) struct PseudonymPanel {
    /// Every pseudonym with a key file, sorted.
    names: Vec<String>,
    /// The pseudonyms whose nodes run.
    loaded: Vec<String>,
}

impl Snapshot {
    /// Reads the node; the sockets' counters stay zero until [`Snapshot::add_sockets`].
    pub(in super::super) fn read(node: &Node) -> Self {
        let stats = node.stats();
        Self {
            unix_time: unix_now(),
            mid: node.public_key().mid().to_hex(),
            lan_address: node.address().map(|a| a.to_string()),
            wan_address: node.wan_address().map(|a| a.to_string()),
            totals: Totals::read(stats),
            overlays: node.overlays().iter().map(|o| Overlay::read(node, o)).collect(),
            drops: stats.dropped.iter().map(|(&r, &count)| Drops::new(r, count)).collect(),
            dht: node.community::<DhtCommunity>().map(DhtPanel::read),
            tunnels: node.community::<TunnelCommunity>().map(TunnelPanel::read),
            pseudonyms: None,
        }
    }

    /// Adds the driver's counters of datagrams and bytes on the sockets.
    pub(in super::super) fn add_sockets(&mut self, stats: &Stats) {
        self.totals.datagrams_in = stats.datagrams_received;
        self.totals.datagrams_out = stats.datagrams_sent;
        self.totals.bytes_in = stats.bytes_received;
        self.totals.bytes_out = stats.bytes_sent;
    }
}

/// Now in Unix seconds (`0.0` if the clock is before 1970).
fn unix_now() -> f64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

impl Totals {
    /// The node's own counters.
    fn read(stats: &crate::proto::Stats) -> Self {
        Self {
            received: stats.received,
            sent: stats.sent,
            handled: stats.handled.values().sum(),
            dropped: stats.dropped.values().sum(),
            walks: stats.walks,
            panics: stats.panics,
            ..Self::default()
        }
    }
}

impl Overlay {
    /// The community `info` of `node`, with the peers of its identity's table.
    fn read(node: &Node, info: &OverlayInfo) -> Self {
        let id = info.community_id;
        let peers = node.network_of(id).map(|n| n.peers_for(id)).unwrap_or_default();
        let total = node.stats().community_total(id);
        Self {
            name: info.name.to_owned(),
            community_id: hex(&id.0),
            peer_count: peers.len(),
            peers: peers.iter().map(PeerEntry::new).collect(),
            messages_in: total.num_down,
            messages_out: total.num_up,
            bytes_in: total.bytes_down,
            bytes_out: total.bytes_up,
        }
    }
}

impl PeerEntry {
    /// The address and mid of `peer`.
    fn new(peer: &Peer) -> Self {
        Self { address: peer.address().to_string(), mid: peer.mid().to_hex() }
    }
}

impl Drops {
    /// `count` packets dropped for `reason`.
    fn new(reason: &str, count: u64) -> Self {
        Self { reason: reason.to_owned(), count }
    }
}

impl DhtPanel {
    /// The routing table and store of `dht` (empty before its table is made).
    fn read(dht: &DhtCommunity) -> Self {
        let table = dht.routing_table();
        let mut buckets: Vec<BucketEntry> = table
            .map(RoutingTable::buckets)
            .unwrap_or_default()
            .iter()
            .map(BucketEntry::new)
            .collect();
        buckets.sort_by(|a, b| a.prefix.cmp(&b.prefix));
        Self {
            nodes: table.map_or(0, RoutingTable::len),
            buckets,
            stored_values: dht.storage().len(),
        }
    }
}

impl BucketEntry {
    /// The prefix and size of `bucket`.
    fn new(bucket: &Bucket) -> Self {
        Self { prefix: bucket.prefix(), nodes: bucket.nodes().len() }
    }
}

impl TunnelPanel {
    /// The counts of `tunnels`.
    fn read(tunnels: &TunnelCommunity) -> Self {
        let name = if tunnels.is_hidden() { "HiddenTunnelCommunity" } else { "TunnelCommunity" };
        Self {
            name: name.to_owned(),
            circuits: tunnels.circuits().count(),
            relays: tunnels.relay_count(),
            exits: tunnels.exit_count(),
        }
    }
}

impl PseudonymPanel {
    /// The names in the working directory (none if it cannot be read) and those loaded.
    pub(super) async fn read(pseudonyms: &Pseudonyms) -> Self {
        let mut loaded = pseudonyms.loaded().await;
        loaded.sort();
        Self { names: pseudonyms.names().unwrap_or_default(), loaded }
    }
}
