//! LAN discovery by UDP broadcast on the simulated network: nodes that know no address at all find
//! each other through probes to 255.255.255.255 (the real-socket case runs in network namespaces,
//! `ipv8-cli/tests/it/broadcast_netns.rs`).

use std::time::Duration;

use ipv8::community;
use ipv8::proto::discovery::{RandomWalk, UdpBroadcastBootstrapper, parse_probe};
use ipv8::proto::{Community, CommunityId};
use ipv8::testing::{SimConfig, TestNetwork};

struct Lan;

#[community]
impl Lan {}

impl Community for Lan {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"udp broadcast lan!!!")
    }
}

#[test]
fn nodes_that_know_no_address_meet_through_broadcast_probes() {
    let config = SimConfig::new(4).with_connect_all(false).with_latency(Duration::from_millis(2));
    let mut net = TestNetwork::with_config(config, 4, |_| Lan);
    for i in 0..4 {
        let bootstrapper = UdpBroadcastBootstrapper::new().with_ports(8090..=8090);
        net.node_mut(i).add_bootstrapper::<Lan>(bootstrapper).expect("running");
        net.node_mut(i).add_strategy::<Lan>(RandomWalk::new(), Some(20)).expect("running");
        net.flush(i);
    }
    net.advance(Duration::from_secs(5));
    for i in 0..4 {
        assert_eq!(net.network(i).peers_for(Lan.community_id()).len(), 3, "node {i}");
        assert!(net.node(i).stats().probes_answered >= 1, "node {i} answered a probe");
    }
}

#[test]
fn probes_have_py_ipv8_layout() {
    // Spec V23: the DiscoveryCommunity's probe.
    let v23 = "0000495076380000027e313685c1912a141279f8248fc8db5899c5df5a";
    let bytes: Vec<u8> = (0..v23.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&v23[i..i + 2], 16).unwrap())
        .collect();
    let prefix = parse_probe(&bytes).expect("a probe");
    assert_eq!(prefix, ipv8::proto::discovery::DiscoveryCommunity::ID.prefix());
    assert_eq!(ipv8::proto::discovery::probe(&prefix), bytes);
    assert_eq!(parse_probe(&bytes[..28]), None);
}
