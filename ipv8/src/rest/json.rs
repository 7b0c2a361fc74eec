//! The JSON bodies of py-ipv8's REST endpoints, built from a node's state.

use std::net::SocketAddr;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use crate::proto::{CommunityId, Node, StrategyInfo};

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut text, byte| {
        use std::fmt::Write as _;
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn address(address: Option<SocketAddr>) -> Value {
    let (ip, port) = address.map_or(("0.0.0.0".to_owned(), 0), |a| (a.ip().to_string(), a.port()));
    json!({ "ip": ip, "port": port })
}

/// `GET /network`: every verified peer by base64 mid, with its address, key and services, as
/// py-ipv8's `NetworkEndpoint` returns it.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
///
/// let node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, Instant::now());
/// assert_eq!(ipv8::rest::network_json(&node), serde_json::json!({ "peers": {} }));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[must_use]
pub fn network_json(node: &Node) -> Value {
    let peers: serde_json::Map<String, Value> = node
        .network()
        .peers()
        .map(|entry| {
            let peer = &entry.peer;
            let services: Vec<_> = entry.services.iter().map(|id| STANDARD.encode(id.0)).collect();
            let body = json!({
                "ip": peer.address().ip().to_string(),
                "port": peer.address().port(),
                "public_key": STANDARD.encode(peer.key().to_bin()),
                "services": services,
            });
            (STANDARD.encode(peer.mid().0), body)
        })
        .collect();
    json!({ "peers": peers })
}

/// `GET /overlays`: every community with its peers, estimates, strategies and traffic statistics, as
/// py-ipv8's `OverlaysEndpoint` returns it with statistics enabled.
#[must_use]
pub fn overlays_json(node: &Node) -> Value {
    let overlays: Vec<Value> = node
        .overlays()
        .into_iter()
        .map(|overlay| {
            let my_peer = hex(overlay.public_key.to_bin());
            let network = node.network_of(overlay.community_id).unwrap_or_else(|| node.network());
            let peers: Vec<Value> = network
                .peers_for(overlay.community_id)
                .iter()
                .map(|peer| {
                    json!({
                        "ip": peer.address().ip().to_string(),
                        "port": peer.address().port(),
                        "public_key": hex(peer.key().to_bin()),
                    })
                })
                .collect();
            json!({
                "id": overlay.community_id.to_string(),
                "my_peer": my_peer,
                "global_time": node.global_time(),
                "peers": peers,
                "overlay_name": overlay.name,
                "statistics": statistics(node, overlay.community_id),
                "max_peers": overlay.max_peers,
                "is_isolated": overlay.isolated,
                "my_estimated_wan": address(node.wan_address()),
                "my_estimated_lan": address(node.address()),
                "strategies": overlay.strategies.iter().map(strategy).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "overlays": overlays })
}

/// py-ipv8's aggregate statistics of one overlay.
fn statistics(node: &Node, community: CommunityId) -> Value {
    let total = node.stats().community_total(community);
    json!({
        "num_up": total.num_up,
        "num_down": total.num_down,
        "bytes_up": total.bytes_up,
        "bytes_down": total.bytes_down,
        "diff_time": total.diff_time(),
    })
}

fn strategy(info: &StrategyInfo) -> Value {
    let target = info.target_peers.and_then(|t| i64::try_from(t).ok()).unwrap_or(-1);
    json!({ "name": info.name, "target_peers": target })
}

/// Unix seconds of an instant on the node's clock (`0.0` for never, as py-ipv8's defaults).
pub(super) fn unix_seconds(at: Option<Instant>, now: Instant) -> f64 {
    let Some(at) = at else { return 0.0 };
    let ago = now.saturating_duration_since(at);
    let wall = SystemTime::now().checked_sub(ago).unwrap_or(UNIX_EPOCH);
    wall.duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64())
}

#[cfg(test)]
mod unix_time_tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn instants_become_unix_seconds() {
        let now = Instant::now();
        assert!((unix_seconds(None, now) - 0.0).abs() < f64::EPSILON);
        let wall = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0.0, |d| d.as_secs_f64());
        let ten_ago = unix_seconds(now.checked_sub(Duration::from_secs(10)), now);
        assert!((wall - 10.0 - ten_ago).abs() < 1.0, "{wall} {ten_ago}");
    }
}
