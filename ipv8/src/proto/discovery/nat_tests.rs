//! Discovery through simulated NATs: a tracker on the internet and two nodes, each behind a
//! router that translates and filters like a NAT, driven in virtual time. Deterministic: the
//! routers' "random" ports come from a fixed sequence. The nodes' extra sockets (birthday
//! punching) get local ports of their own, which the routers map like any other.

use std::collections::{HashMap, VecDeque};
use std::net::{Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use super::{DiscoveryCommunity, DispersyBootstrapper, RandomWalk};
use crate::crypto::{Curve, PrivateKey};
use crate::proto::{Node, SocketId, SocketRequest};

/// How a router picks the public port of a new outbound flow.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Mapping {
    /// The host's own port, for every destination (a cone NAT).
    PortPreserving,
    /// The next port of a counter, a new one per destination (a sequential symmetric NAT).
    Sequential,
    /// A pseudo-random port per destination (Linux `masquerade random`).
    Random,
}

/// A NAT router in front of one host: maps per [`Mapping`], lets in only datagrams from an
/// address the host has sent to, to the port mapped for that address (port-restricted filter).
struct Router {
    /// The router's public IP.
    wan: Ipv4Addr,
    /// How new flows are mapped.
    mapping: Mapping,
    /// The next port of a sequential mapping, or the state of the random one.
    next: u64,
    /// The public port of each flow: the host's local port and the remote address it sent to.
    flows: HashMap<(u16, SocketAddr), u16>,
}

impl Router {
    /// A router at `wan`, mapping new flows as `mapping` says.
    fn new(wan: Ipv4Addr, mapping: Mapping) -> Self {
        Self { wan, mapping, next: 20_000, flows: HashMap::new() }
    }

    /// The public source of a datagram the host sends from local port `local` to `to`: the
    /// port of that flow, made on its first datagram.
    fn outbound(&mut self, local: u16, to: SocketAddr) -> SocketAddr {
        let port = if let Some(port) = self.flows.get(&(local, to)) {
            *port
        } else {
            let port = self.new_port(local);
            self.flows.insert((local, to), port);
            port
        };
        SocketAddr::new(self.wan.into(), port)
    }

    /// The public port of a new flow from local port `local`.
    fn new_port(&mut self, local: u16) -> u16 {
        match self.mapping {
            Mapping::PortPreserving => local,
            Mapping::Sequential => {
                self.next += 1;
                self.next as u16
            }
            Mapping::Random => {
                self.next = self.next.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                1024 + ((self.next >> 33) % 64_512) as u16
            }
        }
    }

    /// The local port a datagram from `from` to public port `port` reaches, if any.
    fn inbound(&self, from: SocketAddr, port: u16) -> Option<u16> {
        self.flows
            .iter()
            .find(|((_, to), p)| *to == from && **p == port)
            .map(|((local, _), _)| *local)
    }
}

/// The tracker and two nodes, A behind `routers[0]` and B behind `routers[1]`.
struct World {
    /// The virtual time.
    now: Instant,
    /// The trackers and their addresses (on the internet, no NAT).
    trackers: Vec<(Node, SocketAddr)>,
    /// A and B.
    nodes: [Node; 2],
    /// A's router and B's.
    routers: [Router; 2],
    /// The extra sockets A and B opened, by their local ports.
    sockets: [HashMap<SocketId, u16>; 2],
    /// The next local port of an extra socket.
    next_port: u16,
}

/// Where a datagram goes: the tracker or one of the nodes.
#[derive(Clone, Copy)]
enum To {
    /// A tracker.
    Tracker(usize),
    /// Node A (0) or B (1).
    Node(usize),
}

/// The local port of each node's endpoint.
const HOST_PORT: u16 = 8091;

/// The trackers' addresses (a world has the first or both). The world's public addresses are
/// documentation ranges, not private ones, so that nodes take what peers report as their WAN
/// address (private ones are never adopted).
const TRACKERS: [SocketAddr; 2] = [
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(203, 0, 113, 1)), 8090),
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::new(203, 0, 113, 2)), 8090),
];

/// A fresh key.
fn key() -> PrivateKey {
    PrivateKey::generate(Curve::Curve25519).expect("a fresh key")
}

impl World {
    /// A behind a port-restricted cone NAT, B behind a port-restricted NAT with `b_mapping`;
    /// port prediction on A as `predict`.
    fn new(b_mapping: Mapping, predict: bool) -> Self {
        Self::with(b_mapping, predict, false, 1)
    }

    /// As [`World::new`], with birthday punching on both nodes as `birthday`, and `trackers`
    /// trackers (1 or 2).
    fn with(b_mapping: Mapping, predict: bool, birthday: bool, trackers: usize) -> Self {
        let now = Instant::now();
        let addresses = &TRACKERS[..trackers];
        let trackers: Vec<(Node, SocketAddr)> = addresses
            .iter()
            .map(|address| {
                let mut tracker = Node::new(key(), 10 + u64::from(address.port()), now);
                tracker.set_address(*address);
                tracker.enable_tracker(now);
                (tracker, *address)
            })
            .collect();
        let host = |side: u8| SocketAddr::from(([192, 168, side, 2], HOST_PORT));
        let node = |side: u8| {
            let mut node = Node::new(key(), u64::from(side) + 1, now);
            node.set_address(host(side));
            node.add_community(now, DiscoveryCommunity::new()).expect("added");
            node.add_bootstrapper::<DiscoveryCommunity>(DispersyBootstrapper::new(
                addresses.to_vec(),
            ))
            .expect("running");
            node.add_strategy::<DiscoveryCommunity>(RandomWalk::new(), Some(20)).expect("running");
            node
        };
        let mut nodes = [node(1), node(2)];
        nodes[0].set_port_prediction(predict);
        for node in &mut nodes {
            node.set_birthday_punching(birthday);
        }
        let routers = [
            Router::new(Ipv4Addr::new(198, 51, 100, 1), Mapping::PortPreserving),
            Router::new(Ipv4Addr::new(198, 51, 100, 2), b_mapping),
        ];
        let sockets = [HashMap::new(), HashMap::new()];
        Self { now, trackers, nodes, routers, sockets, next_port: 40_000 }
    }

    /// Opens and closes the sockets node `i` asks for.
    fn serve_sockets(&mut self, i: usize) {
        while let Some(request) = self.nodes[i].poll_socket_request() {
            match request {
                SocketRequest::Open { id, .. } => {
                    self.next_port += 1;
                    self.sockets[i].insert(id, self.next_port);
                    let address =
                        SocketAddr::new([192, 168, i as u8 + 1, 2].into(), self.next_port);
                    self.nodes[i].handle_socket_opened(self.now, id, Ok(address));
                }
                SocketRequest::Close { id } => {
                    self.sockets[i].remove(&id);
                }
            }
        }
    }

    /// The node `to` names.
    fn node_mut(&mut self, to: To) -> &mut Node {
        match to {
            To::Tracker(i) => &mut self.trackers[i].0,
            To::Node(i) => &mut self.nodes[i],
        }
    }

    /// Runs `duration` of virtual time: timers in order, each datagram delivered at once
    /// (or dropped by a router, or lost toward an address nobody has).
    fn run(&mut self, duration: Duration) {
        let until = self.now + duration;
        let mut all: Vec<To> = (0..self.trackers.len()).map(To::Tracker).collect();
        all.extend([To::Node(0), To::Node(1)]);
        while self.now < until {
            for &to in &all {
                let now = self.now;
                let node = self.node_mut(to);
                if node.poll_timeout().is_some_and(|due| due <= now) {
                    node.handle_timeout(now);
                }
            }
            let mut queue = VecDeque::new();
            loop {
                self.serve_sockets(0);
                self.serve_sockets(1);
                for &from in &all {
                    self.collect(from, &mut queue);
                }
                let Some((source, destination, contents)) = queue.pop_front() else { break };
                self.deliver(source, destination, &contents);
            }
            let next = all.iter().filter_map(|to| self.peek_timeout(*to)).min();
            self.now = next.map_or(until, |due| due.max(self.now + Duration::from_millis(1)));
        }
    }

    /// When node `to` wants its next timeout.
    fn peek_timeout(&mut self, to: To) -> Option<Instant> {
        self.node_mut(to).poll_timeout()
    }

    /// Moves what `from` sends into `queue`, with the public source its router gives it.
    fn collect(&mut self, from: To, queue: &mut VecDeque<(SocketAddr, SocketAddr, Vec<u8>)>) {
        while let Some(transmit) = self.node_mut(from).poll_transmit() {
            let source = match from {
                To::Tracker(i) => self.trackers[i].1,
                To::Node(i) => {
                    let local = match transmit.socket {
                        None => HOST_PORT,
                        Some(id) => match self.sockets[i].get(&id) {
                            Some(port) => *port,
                            None => continue,
                        },
                    };
                    self.routers[i].outbound(local, transmit.destination)
                }
            };
            queue.push_back((source, transmit.destination, transmit.contents));
        }
    }

    /// Hands a datagram from `source` to `destination` to whoever receives it: the tracker, or
    /// a node's endpoint or extra socket behind its router, if the router lets it in.
    fn deliver(&mut self, source: SocketAddr, destination: SocketAddr, contents: &[u8]) {
        let now = self.now;
        if let Some((tracker, _)) = self.trackers.iter_mut().find(|(_, a)| *a == destination) {
            tracker.handle_datagram(now, source, contents);
            return;
        }
        let Some(side) = self.routers.iter().position(|r| destination.ip() == r.wan) else {
            return;
        };
        let Some(local) = self.routers[side].inbound(source, destination.port()) else { return };
        if local == HOST_PORT {
            self.nodes[side].handle_datagram(now, source, contents);
        } else if let Some((id, _)) = self.sockets[side].iter().find(|(_, p)| **p == local) {
            let id = *id;
            self.nodes[side].handle_socket_datagram(now, id, source, contents);
        }
    }

    /// Whether node `i` has verified the other node.
    fn found(&self, i: usize) -> bool {
        let other = self.nodes[1 - i].public_key();
        self.nodes[i].network().peers_for(DiscoveryCommunity::ID).iter().any(|p| p.key() == other)
    }
}

#[test]
fn cone_nats_on_both_sides_punch_through_without_prediction() {
    let mut world = World::new(Mapping::PortPreserving, false);
    world.run(Duration::from_secs(10));
    assert!(world.found(0) && world.found(1));
}

#[test]
fn a_sequential_symmetric_nat_needs_port_prediction_on_the_cone_side() {
    let mut world = World::new(Mapping::Sequential, false);
    world.run(Duration::from_secs(30));
    assert!(!world.found(0) && !world.found(1), "py-ipv8's single puncture misses the new port");

    let mut world = World::new(Mapping::Sequential, true);
    world.run(Duration::from_secs(10));
    assert!(world.found(0) && world.found(1), "a predicted port lets B's request in");
}

#[test]
fn port_prediction_does_not_beat_random_ports() {
    let mut world = World::new(Mapping::Random, true);
    world.run(Duration::from_secs(30));
    assert!(!world.found(0) && !world.found(1));
}

#[test]
fn birthday_punching_meets_a_random_symmetric_nat_behind_a_port_restricted_one() {
    let mut world = World::with(Mapping::Random, false, true, 1);
    world.run(Duration::from_secs(30));
    assert!(world.found(0) && world.found(1), "a sprayed request hit one of B's sockets");
    let (a, b) = (world.nodes[0].stats(), world.nodes[1].stats());
    assert!(a.birthday_tries >= 1 && b.birthday_tries >= 1, "both stayed silent and tried");
    assert_eq!(a.birthday_routes, 0, "A's cone NAT keeps one port: no socket route");
    assert_eq!(b.birthday_routes, 1, "B reaches A through the socket A's probe found");
    assert!(world.sockets[1].len() == 1, "B's other sockets closed, the route's stays open");
    // The route carries on: B still hears A (and answers) after the try is long over.
    world.run(Duration::from_secs(60));
    assert!(world.found(0) && world.found(1));
    for node in &world.nodes {
        assert_eq!(node.stats().birthday_failed, 0, "one try each, and it worked");
    }
}

#[test]
fn birthday_punching_stays_quiet_when_punctures_suffice() {
    let mut world = World::with(Mapping::PortPreserving, false, true, 1);
    world.run(Duration::from_secs(10));
    assert!(world.found(0) && world.found(1));
    for node in &world.nodes {
        assert_eq!(node.stats().birthday_tries, 0, "the peer answered within the silence");
    }
    assert!(world.sockets.iter().all(HashMap::is_empty), "no socket was opened");
}

#[test]
fn with_two_trackers_each_side_knows_its_nat_and_does_only_its_half() {
    let mut world = World::with(Mapping::Random, false, true, 2);
    world.run(Duration::from_secs(30));
    assert!(world.found(0) && world.found(1));
    assert_eq!(world.nodes[0].nat_mapping(), super::NatMapping::EndpointIndependent);
    assert_eq!(world.nodes[1].nat_mapping(), super::NatMapping::EndpointDependent);
    assert_eq!(world.nodes[1].stats().birthday_routes, 1, "B's sockets did their half");
    assert_eq!(world.next_port, 40_000 + 256, "only B opened sockets, once");
}
