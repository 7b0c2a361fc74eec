//! The Lamport clock community on the simulated network (`ipv8::testing`): no sockets, virtual
//! time, and the same run for the same seed.

use std::time::Duration;

use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::wire::Message as _;

use __crate__::{LamportCommunity, MyMessage};

#[test]
fn clocks_increase_across_three_peers() {
    let config = SimConfig::new(1).with_latency(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, 3, |_| LamportCommunity::default());
    net.advance(Duration::from_secs(1));
    for i in 0..3 {
        let overlay = net.overlay(i);
        assert!(overlay.clock() >= 10, "peer {i} only reached {}", overlay.clock());
        let increasing = overlay.history().windows(2).all(|pair| pair[0] < pair[1]);
        assert!(increasing, "peer {i}'s clock went back: {:?}", overlay.history());
    }
}

#[test]
fn a_message_from_peer_0_reaches_peer_1() {
    let mut net = TestNetwork::initialize(2, |_| LamportCommunity::default());
    let peer1 = net.peer(1);
    let received = net.expect_received(1, [MyMessage::MSG_ID]).during(|net| {
        net.with_overlay(0, |_, ctx| ctx.ez_send(&peer1, &MyMessage { clock: 41 }));
        // Peer 0 leaves once its message is on the way: peer 1's answer, and every answer after
        // it, would otherwise keep the exchange going for ever.
        net.set_online(0, false);
        net.deliver_messages();
    });
    assert_eq!(received[0].payload::<MyMessage>(), Some(MyMessage { clock: 41 }));
    assert_eq!(net.overlay(1).clock(), 42);
}
