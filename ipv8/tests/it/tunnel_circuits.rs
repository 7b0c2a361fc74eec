//! Circuits on the simulated network: built hop by hop through relays to an exit, data out to an
//! echo server and back, removal by destroy, retries past a silent hop, and the limits a hop keeps
//! against hostile input.
#![cfg(feature = "test-util")]

use crate::tunnel_support;

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::proto::dht::DhtCommunity;
use ipv8::proto::tunnel::{
    ActiveDataCircuits, BuildTunnels, CircuitState, CreateCircuit, DestroyCircuit, PeerFlags,
    TestCircuit, TunnelCommunity, TunnelData, TunnelError, TunnelSettings, TunnelsReady,
};
use ipv8::testing::TestNetwork;
use ipv8::wire::format::Address;
use tunnel_support::{BT, circuit, data_events, dropped, network, network_with, send};

#[test]
fn a_one_hop_circuit_carries_data_to_a_server_and_back() {
    let (mut net, echo) = network(0, 1);
    let info = circuit(&mut net, 1);
    assert_eq!(info.state, CircuitState::Ready);
    assert_eq!(info.hops.len(), 1);
    assert_eq!(info.hops[0].key(), net.public_key(1), "the exit is the only hop");
    assert_eq!(net.community::<TunnelCommunity>(1).exit_count(), 1);

    let to = net.address(echo);
    for round in 0..3 {
        send(&mut net, info.id, to, BT).expect("sent");
        let back = data_events(&mut net, 0);
        assert_eq!(back.len(), 1, "the echo came back in round {round}");
        let (circuit, origin, data) = &back[0];
        assert_eq!(*circuit, info.id);
        assert_eq!(*origin, Address::Ip(net.address(echo)), "from the server, as the exit saw it");
        assert_eq!(data, BT);
    }
    // The first data opened the exit's socket through the handlers; the next took the fast path
    // straight out of that socket.
    assert_eq!(net.node(1).stats().fast_forwarded, 2, "the exit's fast path");
    assert_eq!(net.node(0).stats().fast_forwarded, 0, "the originator's data reaches its handlers");
}

#[test]
fn a_three_hop_circuit_goes_through_two_relays() {
    let (mut net, echo) = network(2, 1);
    let info = circuit(&mut net, 3);
    assert_eq!(info.hops.len(), 3);
    let keys: Vec<_> = info.hops.iter().map(|p| p.key().clone()).collect();
    assert_eq!(&keys[2], net.public_key(3), "the exit is last");
    assert!(keys[..2].contains(net.public_key(1)) && keys[..2].contains(net.public_key(2)));
    for relay in [1, 2] {
        assert_eq!(net.community::<TunnelCommunity>(relay).relay_count(), 2, "both directions");
        assert_eq!(net.community::<TunnelCommunity>(relay).exit_count(), 0);
    }
    for round in 0..3_u8 {
        let mut message = BT.to_vec();
        message.insert(1, b'0' + round);
        let to = net.address(echo);
        send(&mut net, info.id, to, BT).expect("sent");
        let back = data_events(&mut net, 0);
        assert_eq!(back.len(), 1, "round {round}");
        assert_eq!(back[0].2, BT);
    }
    // The relays' cells took the fast path: each relay passed every round's cell out and its
    // echo back, and the second hop's extend, without the handlers; so did the exit's data
    // once its socket was open.
    for relay in [1, 2] {
        let forwarded = net.node(relay).stats().fast_forwarded;
        assert!(forwarded >= 6, "relay {relay} forwarded {forwarded} cells on the fast path");
    }
    assert_eq!(net.node(3).stats().fast_forwarded, 2, "the exit's socket opened in round 0");
    assert_eq!(net.node(0).stats().fast_forwarded, 0, "the originator's data reaches its handlers");
}

#[test]
fn data_the_exit_may_not_let_out_is_dropped_and_counted() {
    let (mut net, echo) = network(0, 1);
    let info = circuit(&mut net, 1);
    let to = net.address(echo);
    send(&mut net, info.id, to, b"plain bytes, not bittorrent").expect("sent");
    assert!(data_events(&mut net, 0).is_empty());
    assert_eq!(dropped(&net, 1, "tunnel_exit_not_allowed"), 1);
    let lan: SocketAddr = "192.168.1.7:6881".parse().unwrap();
    send(&mut net, info.id, lan, BT).expect("sent");
    assert_eq!(dropped(&net, 1, "tunnel_exit_destination"), 1, "off this machine");
    let error = send(&mut net, info.id, "0.0.0.0:0".parse().unwrap(), BT);
    assert!(matches!(error, Err(TunnelError::BadDestination(_))));
}

#[test]
fn build_tunnels_keeps_the_circuits_asked_for() {
    let (mut net, _) = network(2, 2);
    let ready = net.ask_and_wait::<TunnelCommunity, _>(0, TunnelsReady { hops: 2 }).unwrap();
    assert!((ready - 1.0).abs() < f64::EPSILON, "nothing asked for yet");
    net.ask_and_wait::<TunnelCommunity, _>(0, BuildTunnels { hops: 2 }).unwrap();
    net.advance(Duration::from_secs(2));
    let active =
        net.ask_and_wait::<TunnelCommunity, _>(0, ActiveDataCircuits { hops: Some(2) }).unwrap();
    assert_eq!(active.len(), TunnelSettings::default().max_circuits);
    assert!(active.iter().all(|c| c.hops.len() == 2));
    let ready = net.ask_and_wait::<TunnelCommunity, _>(0, TunnelsReady { hops: 2 }).unwrap();
    assert!((ready - 1.0).abs() < f64::EPSILON);
}

#[test]
fn a_destroyed_circuit_is_taken_down_at_every_hop() {
    let (mut net, _) = network(2, 1);
    let info = circuit(&mut net, 3);
    net.ask_and_wait::<TunnelCommunity, _>(0, DestroyCircuit { circuit: info.id })
        .unwrap()
        .expect("ours");
    net.deliver_messages();
    assert_eq!(
        net.community::<TunnelCommunity>(0)
            .circuit(info.id)
            .map(ipv8::proto::tunnel::Circuit::state),
        Some(CircuitState::Closing)
    );
    for relay in [1, 2] {
        assert_eq!(net.community::<TunnelCommunity>(relay).relay_count(), 0, "node {relay}");
    }
    assert_eq!(net.community::<TunnelCommunity>(3).exit_count(), 0);
    net.advance(Duration::from_secs(11));
    assert!(net.community::<TunnelCommunity>(0).circuit(info.id).is_none(), "forgotten");
}

#[test]
fn a_silent_first_hop_is_replaced_by_another() {
    // Two relays and an exit; relay 1 is offline. Over several seeds it is tried first at least
    // once, and every circuit still gets built, past it, after `next_hop_timeout`.
    let mut retried = 0;
    for seed in 1..=12 {
        let (mut net, _) = network_with(seed, 2, 1, |_, _| {});
        net.set_online(1, false);
        let started = net.now();
        let info = circuit(&mut net, 2);
        assert_eq!(info.hops.len(), 2, "seed {seed}");
        assert!(info.hops.iter().all(|p| p.key() != net.public_key(1)), "seed {seed}");
        if net.now() - started >= TunnelSettings::default().next_hop_timeout {
            retried += 1;
        }
    }
    assert!(retried > 0, "the silent relay was never tried first");
}

#[test]
fn a_circuit_whose_only_exit_is_silent_times_out() {
    let (mut net, _) = network(0, 1);
    net.set_online(1, false);
    let now = net.now();
    let pending = net.node_mut(0).ask::<TunnelCommunity, _>(now, CreateCircuit::new(1));
    net.advance(Duration::from_secs(1));
    let tunnels = net.community::<TunnelCommunity>(0);
    let circuit = tunnels.circuits().next().expect("one circuit, extending");
    assert_eq!(circuit.state(), CircuitState::Extending);
    assert_eq!(circuit.unverified_hop(), Some(net.public_key(1)), "the exit is being added");
    net.advance(Duration::from_secs(10));
    let answer = pending.try_take().expect("answered");
    assert!(matches!(answer, Ok(Ok(Err(TunnelError::Removed(_))))), "{answer:?}");
    let answer = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(1)).unwrap();
    let Err(TunnelError::Removed(reason)) = answer else { panic!("{answer:?}") };
    assert!(reason.starts_with("timeout"), "{reason}");
}

#[test]
fn idle_circuits_relays_and_exits_are_removed() {
    let (mut net, _) = network(1, 1);
    let info = circuit(&mut net, 2);
    // Keep-alive pings hold it up.
    net.advance(Duration::from_secs(40));
    let state = net
        .community::<TunnelCommunity>(0)
        .circuit(info.id)
        .map(ipv8::proto::tunnel::Circuit::state);
    assert_eq!(state, Some(CircuitState::Ready), "pinged, so active");
    // Without the originator, the relay and the exit go idle.
    net.set_online(0, false);
    net.advance(Duration::from_secs(30));
    assert_eq!(net.community::<TunnelCommunity>(1).relay_count(), 0);
    assert_eq!(net.community::<TunnelCommunity>(2).exit_count(), 0);
}

#[test]
fn no_exit_no_circuit() {
    let (mut net, _) = network(2, 0);
    let answer = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(1)).unwrap();
    assert_eq!(answer.unwrap_err(), TunnelError::NoExit);
}

#[test]
fn a_speed_test_round_trip_needs_a_last_hop_that_offers_speed_tests() {
    let with_speed_test = |i: usize, s: &mut TunnelSettings| {
        if i == 2 {
            s.peer_flags = s.peer_flags | PeerFlags::SPEED_TEST;
        }
    };
    let test = |circuit| TestCircuit { circuit, request_size: 100, response_size: 1000 };
    let (mut net, _) = network_with(1, 1, 1, with_speed_test);
    let info = circuit(&mut net, 2);
    let answer = net.ask_and_wait::<TunnelCommunity, _>(0, test(info.id)).unwrap();
    let answer = answer.expect("the exit answers");
    assert_eq!(answer.received, 1000);
    assert!(answer.rtt >= Duration::from_millis(4), "two hops each way at 1 ms: {answer:?}");

    let (mut net, _) = network(1, 1);
    let info = circuit(&mut net, 2);
    let answer = net.ask_and_wait::<TunnelCommunity, _>(0, test(info.id)).unwrap();
    assert_eq!(answer, Err(TunnelError::TestTimeout(info.id)));
    assert_eq!(dropped(&net, 2, "tunnel_no_speed_test"), 1);
}

/// Node 0 meets the relay (1) and the exit (2) in the tunnel community; the relay never meets the
/// exit there, so it offers no candidate and the originator names the exit by address; a minute
/// of silence follows, so the relay has not heard from the exit lately.
fn strangers(relay_dht: bool) -> TestNetwork<TunnelCommunity> {
    let mut net = TestNetwork::initialize(3, |i| {
        let flags = [PeerFlags(0), PeerFlags::RELAY, PeerFlags::RELAY | PeerFlags::EXIT_BT][i];
        TunnelCommunity::new(tunnel_support::settings(flags))
    });
    let now = net.now();
    for j in [1, 2] {
        let to = net.address(j);
        net.node_mut(0).walk_to::<TunnelCommunity>(now, to).expect("runs tunnels");
    }
    net.flush(0);
    net.deliver_messages();
    if relay_dht {
        let now = net.now();
        net.node_mut(1).add_community(now, DhtCommunity::with_peer_discovery()).expect("added");
    }
    net.advance(Duration::from_secs(60));
    net
}

#[test]
fn a_relay_has_the_dht_connect_a_target_it_has_not_heard_from_lately_before_extending() {
    for relay_dht in [false, true] {
        let mut net = strangers(relay_dht);
        let started = net.now();
        let info = circuit(&mut net, 2);
        let hops: Vec<_> = info.hops.iter().map(|p| p.key().clone()).collect();
        assert_eq!(hops, [net.public_key(1).clone(), net.public_key(2).clone()]);
        let took = net.now() - started;
        // The relay's DHT pings the exit first (which runs no DHT: dropped there), and the
        // extend goes on once that ping times out.
        let pinged = dropped(&net, 2, "unknown_community");
        if relay_dht {
            assert_eq!(pinged, 1, "the DHT's ping reached the exit");
            assert!(took >= Duration::from_secs(5), "the extend waited for the DHT: {took:?}");
        } else {
            assert_eq!(pinged, 0);
            assert!(took < Duration::from_secs(1), "no DHT, no wait: {took:?}");
        }
    }
}

#[test]
fn data_to_a_host_name_is_resolved_at_the_exit() {
    let (mut net, echo) = network(0, 1);
    let echo_address = net.address(echo);
    net.add_name("echo.test", echo_address.ip());
    let info = circuit(&mut net, 1);
    for host in ["echo.test", "nowhere.test"] {
        let destination = Address::Host { host: host.into(), port: echo_address.port() };
        let request = TunnelData { circuit: info.id, destination, data: BT.to_vec() };
        net.ask_and_wait::<TunnelCommunity, _>(0, request).unwrap().expect("sent");
        net.deliver_messages();
    }
    let back = data_events(&mut net, 0);
    assert_eq!(back.len(), 1, "the known name's echo, nothing for the unknown one");
    assert_eq!(back[0].1, Address::Ip(echo_address));
    assert_eq!(back[0].2, BT);
}
