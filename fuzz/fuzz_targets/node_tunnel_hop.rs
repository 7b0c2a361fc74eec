//! Fuzzes a tunnel hop as a whole node: datagrams under the tunnel prefix from three sources, with
//! time passing, into a node whose hidden `TunnelCommunity` relays and exits (creates, extends,
//! cells for known and unknown circuits, destroys, and the hidden-service messages that arrive on
//! the socket: create-e2e, peers-request, peers-response). The node never panics, and what it serves for others
//! stays within `max_joined_circuits`. The node's key is made once per process (generating one per
//! input took 13 % of the time) and is the same in every run, so that a crash replays.
#![no_main]

use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use ipv8::crypto::PrivateKey;
use ipv8::proto::Node;
use ipv8::proto::tunnel::{COMMUNITY_ID, PeerFlags, TunnelCommunity, TunnelSettings};

const MAX_JOINED: usize = 8;

/// The node's key, made once per process.
fn key() -> PrivateKey {
    static KEY: OnceLock<PrivateKey> = OnceLock::new();
    KEY.get_or_init(|| ipv8_fuzz::script::fixed_key(0)).clone()
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let start = Instant::now();
    let mut node = Node::new(key(), 1, start);
    node.set_address(SocketAddr::from(([127, 0, 0, 1], 8090)));
    let mut settings = TunnelSettings::default();
    settings.peer_flags = PeerFlags::RELAY | PeerFlags::EXIT_BT | PeerFlags::EXIT_IPV8;
    settings.max_joined_circuits = MAX_JOINED;
    if node.add_community(start, TunnelCommunity::hidden(settings)).is_err() {
        return;
    }
    let mut now = start;
    let mut rest = data;
    // Each datagram: a head byte (bit 7: let 30 s pass first; bits 5-6: which source; bits
    // 0-4 and the next byte: the length), then that many bytes after the tunnel prefix.
    while let [head, low, tail @ ..] = rest {
        if head & 0x80 != 0 {
            now += Duration::from_secs(30);
            node.handle_timeout(now);
        }
        let source = SocketAddr::from(([127, 0, 0, 2 + ((head >> 5) & 3)], 9000));
        let len = usize::from(head & 0x1f) << 8 | usize::from(*low);
        let (chunk, next) = tail.split_at(len.min(tail.len()));
        let mut packet = COMMUNITY_ID.prefix().to_vec();
        packet.extend_from_slice(chunk);
        node.handle_datagram(now, source, &packet);
        while node.poll_transmit().is_some() {}
        while node.poll_socket_request().is_some() {}
        while node.poll_event().is_some() {}
        rest = next;
    }
    if let Some(tunnels) = node.community::<TunnelCommunity>() {
        assert!(tunnels.exit_count() + tunnels.relay_count() <= 2 * MAX_JOINED);
    }
});
