//! Hidden services in the simulator (spec `tunnels.md` §8): a seeder registers a service behind
//! an introduction point announced in the DHT; a downloader finds it through its exit, the two
//! meet at a rendezvous point, and data flows end to end with neither learning the other's
//! address.

use std::time::Duration;

use ipv8::proto::dht::DhtCommunity;
use ipv8::proto::tunnel::{
    CircuitType, JoinSwarm, PeerFlags, PexCommunity, RegisterService, SwarmInfo, Swarms,
    TunnelCommunity, TunnelData, TunnelError, TunnelEvent, TunnelSettings, circuit_address,
    pex_community_id,
};
use ipv8::proto::{Event, Node};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::wire::format::Address;

const SERVICE: [u8; 20] = *b"a hidden service id!";
const SEEDER: usize = 0;
const DOWNLOADER: usize = 1;

/// Seeder, downloader, then `relays` relays and `exits` exits; every node runs a hidden tunnel
/// community and a DHT.
fn network(seed: u64, relays: usize, exits: usize) -> TestNetwork<TunnelCommunity> {
    let mut net = TestNetwork::empty(SimConfig::new(seed));
    for i in 0..2 + relays + exits {
        let mut settings = TunnelSettings::default();
        settings.peer_flags = match i {
            // Neither end relays, so that no circuit of one passes the other.
            SEEDER | DOWNLOADER => PeerFlags::SPEED_TEST,
            i if i < 2 + relays => PeerFlags::RELAY,
            _ => PeerFlags::RELAY | PeerFlags::EXIT_BT,
        };
        net.add_node(|node: &mut Node, now| {
            node.add_community(now, TunnelCommunity::hidden(settings)).expect("tunnels");
            node.add_community(now, DhtCommunity::with_peer_discovery()).expect("dht");
        });
    }
    net.introduce_nodes_in::<TunnelCommunity>();
    net.introduce_nodes_in::<DhtCommunity>();
    net
}

fn register(net: &mut TestNetwork<TunnelCommunity>, i: usize, seeding: bool) -> Option<Vec<u8>> {
    let request = RegisterService { service: SERVICE, hops: 1, seeding };
    net.ask_and_wait::<TunnelCommunity, _>(i, request).expect("asked").expect("registered")
}

fn events(net: &mut TestNetwork<TunnelCommunity>, i: usize) -> Vec<TunnelEvent> {
    let mut found = Vec::new();
    while let Some(event) = net.node_mut(i).poll_event() {
        if let Event::Community { event, .. } = event
            && let Ok(event) = event.downcast::<TunnelEvent>()
        {
            found.push(*event);
        }
    }
    found
}

/// Runs the network until the downloader's `ServicePeer` event (at most two minutes).
fn wait_for_service_peer(
    net: &mut TestNetwork<TunnelCommunity>,
) -> Option<(u32, std::net::SocketAddr)> {
    for _ in 0..120 {
        net.advance(Duration::from_secs(1));
        for event in events(net, DOWNLOADER) {
            if let TunnelEvent::ServicePeer { info_hash, circuit, address } = event {
                assert_eq!(info_hash, SERVICE);
                return Some((circuit, address));
            }
        }
    }
    None
}

fn send(net: &mut TestNetwork<TunnelCommunity>, i: usize, circuit: u32, data: &[u8]) {
    let request = TunnelData {
        circuit,
        destination: Address::Ip(circuit_address(circuit)),
        data: data.to_vec(),
    };
    net.ask_and_wait::<TunnelCommunity, _>(i, request).expect("asked").expect("sent");
    net.deliver_messages();
}

fn data_at(net: &mut TestNetwork<TunnelCommunity>, i: usize) -> Vec<(u32, Vec<u8>)> {
    events(net, i)
        .into_iter()
        .filter_map(|event| match event {
            TunnelEvent::Data { circuit, data, .. } => Some((circuit, data)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_downloader_reaches_a_seeder_through_the_dht_and_a_rendezvous_point() {
    let mut net = network(5, 3, 3);
    let seeder_pk = register(&mut net, SEEDER, true).expect("a seeder key");
    assert!(register(&mut net, DOWNLOADER, false).is_none());
    let (circuit, address) = wait_for_service_peer(&mut net).expect("the downloader got a peer");
    assert_eq!(address, circuit_address(circuit));

    // The downloader's rendezvous circuit ends at the seeder's rendezvous point.
    let downloader = net.community::<TunnelCommunity>(DOWNLOADER);
    let rp = downloader.circuit(circuit).expect("the linked circuit");
    assert_eq!(rp.ctype(), CircuitType::RpDownloader);
    assert_eq!(rp.hops().len(), 2, "one hop more than the service's");

    // Data end to end, both ways.
    send(&mut net, DOWNLOADER, circuit, b"hello seeder");
    let at_seeder = data_at(&mut net, SEEDER);
    assert_eq!(at_seeder.len(), 1, "{at_seeder:?}");
    let (seeder_circuit, data) = at_seeder.into_iter().next().expect("one datagram");
    assert_eq!(data, b"hello seeder");
    let seeders = net.community::<TunnelCommunity>(SEEDER);
    let back = seeders.circuit(seeder_circuit).expect("the seeder's rendezvous circuit");
    assert_eq!(back.ctype(), CircuitType::RpSeeder);
    send(&mut net, SEEDER, seeder_circuit, b"hello downloader");
    assert_eq!(data_at(&mut net, DOWNLOADER), [(circuit, b"hello downloader".to_vec())]);

    // Neither end's circuits start or end at the other.
    let seeder_key = net.public_key(SEEDER).clone();
    let downloader_key = net.public_key(DOWNLOADER).clone();
    let downloader = net.community::<TunnelCommunity>(DOWNLOADER);
    assert!(
        downloader
            .circuits()
            .flat_map(ipv8::proto::tunnel::Circuit::hops)
            .all(|h| *h.peer.key() != seeder_key)
    );
    let seeders = net.community::<TunnelCommunity>(SEEDER);
    assert!(
        seeders
            .circuits()
            .flat_map(ipv8::proto::tunnel::Circuit::hops)
            .all(|h| *h.peer.key() != downloader_key)
    );

    // The introduction point announced the seeder key in PEX as well.
    let pex_id = pex_community_id(&SERVICE);
    let introducers: Vec<usize> = (2..net.len())
        .filter(|&i| net.node(i).overlays().iter().any(|o| o.community_id == pex_id))
        .collect();
    assert_eq!(introducers.len(), 1, "one introduction point");
    let pex = net.node(introducers[0]).community_by_id::<PexCommunity>(pex_id).expect("pex");
    assert_eq!(pex.announcing(), [seeder_pk]);
    let ip = net.community::<TunnelCommunity>(introducers[0]);
    assert_eq!(ip.exits().iter().filter(|e| e.introduction).count(), 1);

    // One node joins the two rendezvous circuits: a pair of rendezvous routes.
    let rendezvous: Vec<usize> = (2..net.len())
        .filter(|&i| net.community::<TunnelCommunity>(i).relays().iter().any(|r| r.rendezvous))
        .collect();
    assert_eq!(rendezvous.len(), 1, "one rendezvous point");
    let routes = net.community::<TunnelCommunity>(rendezvous[0]).relays();
    assert_eq!(routes.iter().filter(|r| r.rendezvous).count(), 2);

    let swarms: Vec<SwarmInfo> =
        net.ask_and_wait::<TunnelCommunity, _>(DOWNLOADER, Swarms).expect("asked");
    assert_eq!(swarms.len(), 1);
    assert_eq!(swarms[0].num_connections, 1);
    assert!(!swarms[0].seeding);
    assert_eq!(swarms[0].num_ips_from_dht, 1);
}

#[test]
fn leaving_the_swarm_tears_its_circuits_down_and_unloads_pex() {
    let mut net = network(6, 3, 3);
    register(&mut net, SEEDER, true);
    register(&mut net, DOWNLOADER, false);
    wait_for_service_peer(&mut net).expect("linked");
    let left = net.ask_and_wait::<TunnelCommunity, _>(
        SEEDER,
        ipv8::proto::tunnel::LeaveSwarm { info_hash: SERVICE },
    );
    assert_eq!(left, Ok(true));
    net.advance(Duration::from_secs(10));
    let seeder = net.community::<TunnelCommunity>(SEEDER);
    let hidden = seeder.circuits().filter(|c| c.ctype() != CircuitType::Data).count();
    assert_eq!(hidden, 0, "introduction and rendezvous circuits are gone");
    let pex_id = pex_community_id(&SERVICE);
    let with_pex =
        (0..net.len()).filter(|&i| net.node(i).overlays().iter().any(|o| o.community_id == pex_id));
    assert_eq!(with_pex.count(), 0, "the introduction point unloaded its PEX overlay");
}

#[test]
fn a_plain_tunnel_community_has_no_hidden_services() {
    let mut net = TestNetwork::initialize(1, |_| TunnelCommunity::new(TunnelSettings::default()));
    let request = JoinSwarm { info_hash: SERVICE, hops: 1, seeding: true };
    let answer = net.ask_and_wait::<TunnelCommunity, _>(0, request).expect("asked");
    assert_eq!(answer, Err(TunnelError::NotHidden));
}
