//! Hidden services against hostile or odd input, and the PEX lookup path, driven from inside the
//! crate (the tests send messages a well-behaved node never would).

use std::time::Duration;

use super::swarm::{IntroductionPoint, PeerSource};
use crate::messages::tunnel::{
    CreateE2EPayload, EstablishIntroPayload, EstablishRendezvousPayload, LinkE2EPayload,
    PeersResponsePayload,
};
use crate::proto::dht::DhtCommunity;
use crate::proto::tunnel::{
    CircuitType, CreateCircuit, PeerFlags, RegisterService, TunnelCommunity, TunnelSettings,
};
use crate::proto::{Node, Peer};
use crate::testing::{SimConfig, TestNetwork};

const SERVICE: [u8; 20] = [0x5a; 20];

/// Node 0 and 1 without relay flags, then relays, then exits; all hidden, all with a DHT.
fn network(seed: u64, relays: usize, exits: usize, hidden: bool) -> TestNetwork<TunnelCommunity> {
    let mut net = TestNetwork::empty(SimConfig::new(seed));
    for i in 0..2 + relays + exits {
        let peer_flags = match i {
            0 | 1 => PeerFlags::SPEED_TEST,
            i if i < 2 + relays => PeerFlags::RELAY,
            _ => PeerFlags::RELAY | PeerFlags::EXIT_BT,
        };
        let settings = TunnelSettings { peer_flags, ..TunnelSettings::default() };
        net.add_node(|node: &mut Node, now| {
            let tunnels = if hidden {
                TunnelCommunity::hidden(settings)
            } else {
                TunnelCommunity::new(settings)
            };
            node.add_community(now, tunnels).expect("tunnels");
            node.add_community(now, DhtCommunity::with_peer_discovery()).expect("dht");
        });
    }
    net.introduce_nodes_in::<TunnelCommunity>();
    net.introduce_nodes_in::<DhtCommunity>();
    net
}

/// A one-hop circuit of node 0 and the index of its exit.
fn one_hop(net: &mut TestNetwork<TunnelCommunity>) -> (u32, usize) {
    let info = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(1));
    let info = info.expect("asked").expect("ready");
    let exit = (0..net.len()).find(|&i| net.public_key(i) == info.hops[0].key()).expect("exit");
    (info.id, exit)
}

fn dropped(net: &TestNetwork<TunnelCommunity>, i: usize, reason: &str) -> u64 {
    net.node(i).stats().dropped.get(reason).copied().unwrap_or(0)
}

/// Sends `payload` as a cell on our circuit `circuit`.
fn send_on<P: crate::wire::Message>(
    net: &mut TestNetwork<TunnelCommunity>,
    circuit: u32,
    payload: &P,
) {
    net.with_overlay(0, |t, ctx| {
        let first_hop =
            t.circuits.get(&circuit).and_then(crate::proto::tunnel::Circuit::first_hop_address);
        t.send_cell(ctx, first_hop.expect("a first hop"), payload);
    });
    net.deliver_messages();
}

#[test]
fn a_link_with_an_unknown_cookie_or_an_enabled_exit_is_refused() {
    let mut net = network(1, 0, 2, true);
    let (a, exit) = one_hop(&mut net);
    let link = LinkE2EPayload { circuit_id: a, identifier: 1, cookie: [9; 20] };
    send_on(&mut net, a, &link);
    assert_eq!(dropped(&net, exit, "tunnel_unknown_cookie"), 1);

    // A second circuit to the same exit registers a cookie; the first circuit has let data out.
    let b = (0..20)
        .map(|_| one_hop(&mut net))
        .find_map(|(b, other)| (other == exit).then_some(b))
        .expect("a second circuit through the same exit");
    net.with_overlay(exit, |t, _| {
        if let Some(e) = t.exits.lock().get_mut(&a) {
            e.enabled = true;
        }
    });
    send_on(
        &mut net,
        b,
        &EstablishRendezvousPayload { circuit_id: b, identifier: 2, cookie: [7; 20] },
    );
    send_on(&mut net, a, &LinkE2EPayload { circuit_id: a, identifier: 3, cookie: [7; 20] });
    assert_eq!(dropped(&net, exit, "tunnel_cannot_link"), 1);
    assert_eq!(net.overlay(exit).relay_count(), 0, "nothing linked");
}

#[test]
fn a_circuit_holds_one_rendezvous_cookie_at_a_time() {
    let mut net = network(2, 0, 1, true);
    let (a, exit) = one_hop(&mut net);
    for n in 0..20_u8 {
        let p = EstablishRendezvousPayload { circuit_id: a, identifier: n.into(), cookie: [n; 20] };
        send_on(&mut net, a, &p);
    }
    let cookies = &net.overlay(exit).hidden.rendezvous_point_for;
    assert_eq!(cookies.len(), 1);
    assert_eq!(cookies.get(&[19; 20]), Some(&a), "the latest cookie counts");
}

#[test]
fn socket_messages_for_unknown_seeders_and_unasked_peers_responses_are_refused() {
    let mut net = network(3, 0, 1, true);
    let to = net.address(2);
    let create = CreateE2EPayload {
        identifier: 1,
        info_hash: SERVICE,
        node_public_key: net.key_bin(1),
        key: vec![1; 32],
    };
    let response =
        PeersResponsePayload { circuit_id: 1, identifier: 2, info_hash: SERVICE, peers: vec![] };
    net.with_overlay(0, |_, ctx| {
        ctx.send_raw(to, super::unsigned_packet(&create).expect("encodes"));
        ctx.send_raw(to, super::unsigned_packet(&response).expect("encodes"));
    });
    net.deliver_messages();
    assert_eq!(dropped(&net, 2, "tunnel_not_introducing"), 1);
    assert_eq!(dropped(&net, 2, "tunnel_peers_response_not_via_circuit"), 1);
}

#[test]
fn a_circuit_introduces_one_seeder() {
    let mut net = network(7, 0, 1, true);
    let (a, exit) = one_hop(&mut net);
    for (n, key) in [net.key_bin(0), net.key_bin(1)].into_iter().enumerate() {
        let identifier = u16::try_from(n).expect("small");
        let p = EstablishIntroPayload {
            circuit_id: a,
            identifier,
            info_hash: SERVICE,
            public_key: key,
        };
        send_on(&mut net, a, &p);
    }
    assert_eq!(net.overlay(exit).hidden.intro_point_for.len(), 1);
    assert_eq!(dropped(&net, exit, "tunnel_already_introducing"), 1);
}

#[test]
fn a_plain_tunnel_community_refuses_to_introduce() {
    let mut net = network(4, 0, 1, false);
    let (a, exit) = one_hop(&mut net);
    let p = EstablishIntroPayload {
        circuit_id: a,
        identifier: 1,
        info_hash: SERVICE,
        public_key: net.key_bin(0),
    };
    send_on(&mut net, a, &p);
    assert_eq!(dropped(&net, exit, "tunnel_not_hidden"), 1);
    assert!(net.overlay(exit).hidden.intro_point_for.is_empty());
}

#[test]
fn a_downloader_that_knows_an_introduction_point_asks_it_through_pex() {
    let mut net = network(5, 2, 2, true);
    let register = |seeding| RegisterService { service: SERVICE, hops: 1, seeding };
    net.ask_and_wait::<TunnelCommunity, _>(0, register(true)).expect("asked").expect("seeding");
    net.advance(Duration::from_secs(15));
    let ip_circuit = net
        .overlay(0)
        .circuits()
        .find(|c| c.ctype() == CircuitType::IpSeeder)
        .map(|c| c.hops().last().cloned());
    let ip_key = ip_circuit.flatten().expect("an introduction point").peer.key().clone();
    let ip = (0..net.len()).find(|&i| *net.public_key(i) == ip_key).expect("the ip node");
    let seeder_pk = net.overlay(0).hidden.swarms[&SERVICE].seeder_pk().expect("a seeder key");

    // The downloader knows the point already and heard from the DHT lately: PEX, not the DHT.
    net.ask_and_wait::<TunnelCommunity, _>(1, register(false)).expect("asked").expect("joined");
    let known = IntroductionPoint {
        peer: Peer::new(ip_key, net.address(ip)),
        seeder_pk: seeder_pk.clone(),
        source: PeerSource::Unknown,
    };
    let now = net.now();
    net.with_overlay(1, |t, _| {
        let swarm = t.hidden.swarms.get_mut(&SERVICE).expect("joined");
        swarm.add_intro_point(known, now);
        swarm.last_dht_response = Some(now);
    });
    net.node_mut(ip).record_received(true);
    net.advance(Duration::from_secs(30));
    let raw_requests = net.node_mut(ip).take_received().iter().filter(|m| m.msg_id == 17).count();
    let data_circuit = net.overlay(1).circuits().find(|c| c.ctype() == CircuitType::Data);
    let exit_key = data_circuit.and_then(|c| c.hops().last()).map(|h| h.peer.key().clone());
    if exit_key.as_ref() != Some(net.public_key(ip)) {
        assert!(raw_requests >= 1, "the point got a peers-request from the downloader's exit");
    }
    let swarm = &net.overlay(1).hidden.swarms[&SERVICE];
    assert_eq!(swarm.last_dht_response, Some(now), "no DHT lookup was made");
    assert!(!swarm.connections.is_empty(), "the point answered and the seeder was contacted");
}
