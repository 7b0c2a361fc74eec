//! Birthday punching: how two peers meet when one is behind a NAT that picks a random public
//! port for every destination (a symmetric NAT, Linux `masquerade random`) and the other behind
//! a port-restricted cone NAT, which lets in only the exact address it sent to.
//!
//! Neither side can name the port the other must send to, so both guess at once, as Tailscale and
//! iroh do: the symmetric side sends from [`SOCKETS`] fresh sockets toward the cone side (each
//! gets its own random public port), and the cone side sends [`PROBES`] datagrams to random
//! ports of the symmetric side's IP. A probe that lands on one of those ports passes both NATs,
//! and the socket it reached carries that peer's traffic from then on (a *route*). With 256
//! sockets among 64 512 ports and 1 024 probes, one try succeeds with a chance of about 98 %.
//!
//! After an introduction (or a puncture-request) names a peer on another network, the node sends
//! it an introduction-request at once; if nothing comes from that peer's IP within [`SILENCE`]
//! (the tracker told both peers at the same moment, so both try together), the node opens the
//! sockets, sends an
//! introduction-request from each, and then sprays the same request, signed once, at random ports
//! of the peer's IP in bursts. A node that knows its NAT's mapping ([`NatMapping`], from where
//! peers at two IPs saw it) does only its half: no sockets behind a cone, no spray behind a
//! symmetric NAT. One that does not know does both, and the half that does not fit its NAT is
//! wasted, within these bounds: one try per peer IP
//! per [`RETRY_AFTER`], [`MAX_TRIES`] at once and [`TRIES_PER_WINDOW`] per [`TRY_WINDOW`],
//! sockets closed after [`TRY_FOR`], at most
//! [`MAX_ROUTES`] routes, each dropped after [`ROUTE_IDLE`] without traffic.
//!
//! The datagrams are ordinary introduction-requests, so the wire is py-ipv8's; but both peers
//! must run this to meet, which a py-ipv8 peer does not.

use std::collections::{HashMap, HashSet, VecDeque};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::time::{Duration, Instant};

use super::NatMapping;
use crate::proto::shared::Shared;
use crate::proto::{CommunityId, SocketId};

/// Sockets a try opens: the symmetric side's half.
pub const SOCKETS: usize = 256;
/// Random ports a try sends to: the cone side's half.
pub const PROBES: usize = 1024;
/// How long a peer may stay silent after it was introduced before a try starts.
pub const SILENCE: Duration = Duration::from_secs(1);
/// How long after the sockets the spray starts, so that their mappings exist by then.
const SPRAY_AFTER: Duration = Duration::from_millis(500);
/// Probes per burst of the spray.
const BURST: usize = 128;
/// Time between bursts.
const BURST_EVERY: Duration = Duration::from_millis(100);
/// How long a try's sockets wait for the peer.
pub const TRY_FOR: Duration = Duration::from_secs(15);
/// How long a peer IP is not tried again.
pub const RETRY_AFTER: Duration = Duration::from_secs(60);
/// Tries at once at most.
pub const MAX_TRIES: usize = 2;
/// Tries per [`TRY_WINDOW`] at most: where many introduced peers are gone or unreachable, a node
/// sends about `TRIES_PER_WINDOW × (SOCKETS + PROBES)` datagrams per window (17 a second).
pub const TRIES_PER_WINDOW: usize = 8;
/// The window of [`TRIES_PER_WINDOW`].
pub const TRY_WINDOW: Duration = Duration::from_secs(600);
/// Routes (peers reached through a try's socket) kept at most; the least recently used goes.
pub const MAX_ROUTES: usize = 32;
/// How long a route lives without traffic.
pub const ROUTE_IDLE: Duration = Duration::from_secs(180);
/// Lowest port sprayed (below are the well-known and registered-by-convention ones).
const LOWEST_PORT: u16 = 1024;

/// One try to meet a silent peer.
#[derive(Debug)]
struct Try {
    /// The community whose introduction-request the datagrams are, which owns the sockets.
    community: CommunityId,
    /// The peer's address as its introducer saw it.
    peer: SocketAddr,
    /// The signed introduction-request sent from the sockets and sprayed.
    probe: Vec<u8>,
    /// When the try ends (sockets closed).
    until: Instant,
    /// When the next step is due.
    next: Instant,
    /// What has been done.
    stage: Stage,
    /// The sockets opened.
    sockets: Vec<SocketId>,
}

/// How far a try got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Waiting for the peer to speak by itself.
    Waiting,
    /// Sockets open; `sprayed` probes sent so far.
    Spraying { sprayed: usize },
}

/// A peer reached through a try's socket.
#[derive(Debug, Clone, Copy)]
struct Route {
    socket: SocketId,
    community: CommunityId,
    last: Instant,
}

/// What became of a datagram on a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Arrived {
    /// Not a birthday socket: the owning community's.
    NotMine,
    /// From the peer of a route or try: handle it as if it came to the node's endpoint.
    Deliver,
    /// On a birthday socket but from someone else: drop it.
    Stray,
}

/// The tries under way, the routes they made and the peer IPs tried recently.
#[derive(Debug, Default)]
pub(crate) struct Birthday {
    tries: Vec<Try>,
    recent: VecDeque<(Instant, IpAddr)>,
    routes: HashMap<SocketAddr, Route>,
    /// Every socket of the tries and routes, so that a datagram on another community socket is
    /// told apart with one lookup.
    owned: HashSet<SocketId>,
}

impl Birthday {
    /// Whether socket `id` is a try's or a route's.
    pub(crate) fn owns(&self, id: SocketId) -> bool {
        self.owned.contains(&id)
    }

    /// Closes `sockets` of `community`, which are no longer this module's.
    fn close(&mut self, shared: &mut Shared, community: CommunityId, sockets: &[SocketId]) {
        for id in sockets {
            self.owned.remove(id);
        }
        close(shared, community, sockets);
    }

    /// Whether a try at `peer` could start at `now`: an IPv4 peer (IPv6 needs no NAT
    /// traversal), none at its IP within [`RETRY_AFTER`], fewer than [`MAX_TRIES`] under way and
    /// [`TRIES_PER_WINDOW`] within [`TRY_WINDOW`], and no route to it yet.
    pub(crate) fn wants(&mut self, now: Instant, peer: SocketAddr) -> bool {
        while self
            .recent
            .front()
            .is_some_and(|(at, _)| now.saturating_duration_since(*at) >= TRY_WINDOW)
        {
            self.recent.pop_front();
        }
        let tried = |(at, ip): &(Instant, IpAddr)| {
            *ip == peer.ip() && now.saturating_duration_since(*at) < RETRY_AFTER
        };
        peer.is_ipv4()
            && self.tries.len() < MAX_TRIES
            && self.recent.len() < TRIES_PER_WINDOW
            && !self.recent.iter().any(tried)
            && !self.routes.keys().any(|a| a.ip() == peer.ip())
    }

    /// Starts a try at `peer` with `probe` (a signed introduction-request of `community`); it
    /// acts only if nothing comes from the peer's IP within [`SILENCE`].
    pub(crate) fn expect(
        &mut self,
        now: Instant,
        community: CommunityId,
        peer: SocketAddr,
        probe: Vec<u8>,
    ) {
        if !self.wants(now, peer) {
            return;
        }
        self.recent.push_back((now, peer.ip()));
        let stage = Stage::Waiting;
        let (until, next) = (now + SILENCE + TRY_FOR, now + SILENCE);
        self.tries.push(Try { community, peer, probe, until, next, stage, sockets: Vec::new() });
    }

    /// Whether a try at `source`'s IP is under way (checked on every datagram, so kept cheap).
    pub(crate) fn is_trying(&self, source: SocketAddr) -> bool {
        !self.tries.is_empty() && self.tries.iter().any(|t| t.peer.ip() == source.ip())
    }

    /// A datagram came to the endpoint from `source`: a try at its IP is not needed (the peer
    /// found its way), and its sockets close.
    pub(crate) fn heard(&mut self, shared: &mut Shared, source: SocketAddr) {
        let (done, left): (Vec<Try>, Vec<Try>) =
            std::mem::take(&mut self.tries).into_iter().partition(|t| t.peer.ip() == source.ip());
        self.tries = left;
        for done in done {
            self.close(shared, done.community, &done.sockets);
        }
    }

    /// When [`Birthday::handle_timeout`] has work next.
    pub(crate) fn next_deadline(&self) -> Option<Instant> {
        let tries = self.tries.iter().map(|t| t.next.min(t.until));
        let routes = self.routes.values().map(|r| r.last + ROUTE_IDLE);
        tries.chain(routes).min()
    }

    /// Does what is due at `shared.now`: opens the sockets of tries whose peer stayed silent,
    /// sprays the next bursts, ends tries that ran out and drops idle routes.
    pub(crate) fn handle_timeout(&mut self, shared: &mut Shared) {
        let now = shared.now;
        let (ended, mut left): (Vec<Try>, Vec<Try>) =
            std::mem::take(&mut self.tries).into_iter().partition(|t| t.until <= now);
        for ended in ended {
            shared.stats.birthday_failed += 1;
            self.close(shared, ended.community, &ended.sockets);
        }
        for try_ in left.iter_mut().filter(|t| t.next <= now) {
            step(shared, try_);
            self.owned.extend(&try_.sockets);
        }
        self.tries = left;
        let idle: Vec<SocketAddr> = self
            .routes
            .iter()
            .filter(|(_, r)| r.last + ROUTE_IDLE <= now)
            .map(|(a, _)| *a)
            .collect();
        for address in idle {
            if let Some(route) = self.routes.remove(&address) {
                self.close(shared, route.community, &[route.socket]);
            }
        }
    }

    /// A socket opened: if it is a try's, its introduction-request goes out from it. Returns
    /// whether the socket was a try's.
    pub(crate) fn socket_opened(&mut self, shared: &mut Shared, id: SocketId, ok: bool) -> bool {
        let Some(try_) = self.tries.iter_mut().find(|t| t.sockets.contains(&id)) else {
            return false;
        };
        if ok {
            shared.transmit_on(Some(id), try_.peer, try_.probe.clone());
        } else {
            try_.sockets.retain(|s| *s != id);
            self.owned.remove(&id);
        }
        true
    }

    /// A datagram arrived on socket `id` from `source` at `now`. On a try's socket from the
    /// peer's IP, the socket becomes the peer's route (the try's other sockets close); on a
    /// route's socket, the route is used.
    pub(crate) fn socket_datagram(
        &mut self,
        shared: &mut Shared,
        id: SocketId,
        source: SocketAddr,
    ) -> Arrived {
        let now = shared.now;
        if !self.owns(id) {
            return Arrived::NotMine;
        }
        if let Some(route) = self.routes.get_mut(&source)
            && route.socket == id
        {
            route.last = now;
            return Arrived::Deliver;
        }
        if self.routes.values().any(|r| r.socket == id) {
            return Arrived::Stray;
        }
        let Some(index) = self.tries.iter().position(|t| t.sockets.contains(&id)) else {
            return Arrived::Stray;
        };
        if self.tries[index].peer.ip() != source.ip() {
            return Arrived::Stray;
        }
        let done = self.tries.swap_remove(index);
        let others: Vec<SocketId> = done.sockets.iter().copied().filter(|s| *s != id).collect();
        self.close(shared, done.community, &others);
        self.add_route(shared, source, Route { socket: id, community: done.community, last: now });
        shared.stats.birthday_routes += 1;
        Arrived::Deliver
    }

    /// Adds a route, dropping the least recently used one beyond [`MAX_ROUTES`].
    fn add_route(&mut self, shared: &mut Shared, to: SocketAddr, route: Route) {
        if self.routes.len() >= MAX_ROUTES
            && let Some(oldest) = self.routes.iter().min_by_key(|(_, r)| r.last).map(|(a, _)| *a)
            && let Some(old) = self.routes.remove(&oldest)
        {
            self.close(shared, old.community, &[old.socket]);
        }
        if let Some(old) = self.routes.insert(to, route) {
            self.close(shared, old.community, &[old.socket]);
        }
    }

    /// The socket datagrams to `destination` leave from, if a route leads there.
    pub(crate) fn route(&self, destination: SocketAddr) -> Option<SocketId> {
        if self.routes.is_empty() {
            return None;
        }
        self.routes.get(&destination).map(|r| r.socket)
    }

    /// Closes every socket of the tries and routes (birthday punching was turned off).
    pub(crate) fn close_all(self, shared: &mut Shared) {
        for try_ in self.tries {
            close(shared, try_.community, &try_.sockets);
        }
        for route in self.routes.into_values() {
            close(shared, route.community, &[route.socket]);
        }
    }

    /// Forgets the sockets of `community` (it was removed, and its sockets with it).
    pub(crate) fn forget(&mut self, community: CommunityId) {
        self.tries.retain(|t| t.community != community);
        self.routes.retain(|_, r| r.community != community);
        let kept = self
            .tries
            .iter()
            .flat_map(|t| t.sockets.iter())
            .chain(self.routes.values().map(|r| &r.socket));
        self.owned = kept.copied().collect();
    }
}

/// The next step of a try whose time has come.
fn step(shared: &mut Shared, try_: &mut Try) {
    let now = shared.now;
    match try_.stage {
        Stage::Waiting => {
            let mapping = shared.sightings.mapping(now);
            // Behind a cone NAT the sockets would all be mapped to ports the peer cannot guess
            // better than the endpoint's; behind a symmetric one, spraying the peer, whose port
            // is known, adds nothing.
            if mapping != NatMapping::EndpointIndependent {
                open_sockets(shared, try_);
            }
            let sprayed = if mapping == NatMapping::EndpointDependent { PROBES } else { 0 };
            shared.stats.birthday_tries += 1;
            try_.stage = Stage::Spraying { sprayed };
            try_.next = now + SPRAY_AFTER;
        }
        Stage::Spraying { sprayed } if sprayed < PROBES => {
            let burst = BURST.min(PROBES - sprayed);
            for _ in 0..burst {
                let span = u64::from(u16::MAX - LOWEST_PORT) + 1;
                let port = LOWEST_PORT + u16::try_from(shared.rng.below(span)).unwrap_or(0);
                let probe = try_.probe.clone();
                shared.transmit(SocketAddr::new(try_.peer.ip(), port), probe);
            }
            try_.stage = Stage::Spraying { sprayed: sprayed + burst };
            try_.next = now + BURST_EVERY;
        }
        Stage::Spraying { .. } => try_.next = try_.until,
    }
}

/// Opens the [`SOCKETS`] of a try whose peer stayed silent.
fn open_sockets(shared: &mut Shared, try_: &mut Try) {
    let ip = shared.addresses.lan.map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |a| a.ip());
    let bind = SocketAddr::new(ip, 0);
    for _ in 0..SOCKETS {
        match shared.sockets.open(try_.community, bind) {
            Ok(id) => try_.sockets.push(id),
            Err(_) => break,
        }
    }
}

/// Closes `sockets` of `community`.
fn close(shared: &mut Shared, community: CommunityId, sockets: &[SocketId]) {
    for id in sockets {
        shared.sockets.close(community, *id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn peer(port: u16) -> SocketAddr {
        SocketAddr::from(([10, 0, 2, 2], port))
    }

    #[test]
    fn one_try_per_peer_ip_per_interval_and_at_most_two_at_once() {
        let mut birthday = Birthday::default();
        let now = Instant::now();
        let id = CommunityId([1; 20]);
        birthday.expect(now, id, peer(20_000), vec![1]);
        assert!(!birthday.wants(now, peer(20_001)), "the same IP on another port");
        birthday.expect(now, id, SocketAddr::from(([10, 0, 3, 2], 1)), vec![1]);
        assert!(!birthday.wants(now, SocketAddr::from(([10, 0, 4, 2], 1))), "two at once");
        assert_eq!(birthday.tries.len(), 2);
        birthday.tries.clear();
        let almost = now + RETRY_AFTER.saturating_sub(Duration::from_millis(1));
        assert!(!birthday.wants(almost, peer(20_000)));
        assert!(birthday.wants(now + RETRY_AFTER, peer(20_000)));
        assert!(!birthday.wants(now + RETRY_AFTER, "[::1]:5".parse().expect("v6")), "IPv6");
    }

    #[test]
    fn at_most_so_many_tries_per_window() {
        let mut birthday = Birthday::default();
        let start = Instant::now();
        for n in 0..TRIES_PER_WINDOW {
            let at = start + RETRY_AFTER * u32::try_from(n).expect("small");
            birthday.expect(
                at,
                CommunityId([1; 20]),
                SocketAddr::from(([10, 0, 9, n as u8], 1)),
                vec![],
            );
            birthday.tries.clear();
        }
        let late = start + RETRY_AFTER * 9;
        assert!(!birthday.wants(late, peer(1)), "the window's budget is spent");
        assert!(birthday.wants(start + TRY_WINDOW, peer(1)), "the first try left the window");
    }

    /// A try whose peer stays silent: its sockets, with the probe sent from each once open.
    fn silent_try(shared: &mut Shared, birthday: &mut Birthday) -> Vec<SocketId> {
        birthday.expect(shared.now, CommunityId([1; 20]), peer(20_000), vec![7; 10]);
        shared.now += SILENCE;
        birthday.handle_timeout(shared);
        let mut opened = Vec::new();
        while let Some(request) = shared.sockets.requests.pop_front() {
            if let crate::proto::SocketRequest::Open { id, .. } = request {
                assert!(birthday.socket_opened(shared, id, true));
                opened.push(id);
            }
        }
        opened
    }

    #[test]
    fn a_silent_peer_gets_the_sockets_then_the_spray_and_a_stray_datagram_is_refused() {
        let mut shared = Shared::new(1, Instant::now());
        let mut birthday = Birthday::default();
        let opened = silent_try(&mut shared, &mut birthday);
        assert_eq!(opened.len(), SOCKETS);
        let from_sockets = std::iter::from_fn(|| shared.outbox.pop()).count();
        assert_eq!(from_sockets, SOCKETS, "one request from each socket");
        for _ in 0..=(PROBES / BURST) {
            shared.now = birthday.next_deadline().expect("a step is due");
            birthday.handle_timeout(&mut shared);
        }
        let sprayed: Vec<SocketAddr> =
            std::iter::from_fn(|| shared.outbox.pop()).map(|o| o.transmit().destination).collect();
        assert_eq!(sprayed.len(), PROBES);
        assert!(sprayed.iter().all(|a| a.ip() == peer(0).ip() && a.port() >= LOWEST_PORT));
        let stranger = SocketAddr::from(([10, 9, 9, 9], 1));
        assert_eq!(birthday.socket_datagram(&mut shared, opened[3], stranger), Arrived::Stray);
        assert_eq!(birthday.socket_datagram(&mut shared, opened[3], peer(999)), Arrived::Deliver);
        assert_eq!(birthday.route(peer(999)), Some(opened[3]));
        assert_eq!(shared.sockets.owner(opened[4]), None, "the try's other sockets closed");
        assert_eq!(birthday.socket_datagram(&mut shared, opened[3], stranger), Arrived::Stray);
        shared.now += ROUTE_IDLE;
        birthday.handle_timeout(&mut shared);
        assert_eq!(birthday.route(peer(999)), None, "an idle route goes");
        assert_eq!(shared.sockets.owner(opened[3]), None, "with its socket");
    }

    #[test]
    fn turning_it_off_closes_the_sockets_of_tries_and_routes() {
        let mut shared = Shared::new(1, Instant::now());
        let mut birthday = Birthday::default();
        let opened = silent_try(&mut shared, &mut birthday);
        assert_eq!(birthday.socket_datagram(&mut shared, opened[0], peer(5)), Arrived::Deliver);
        birthday.expect(
            shared.now,
            CommunityId([1; 20]),
            SocketAddr::from(([10, 0, 7, 2], 9)),
            vec![],
        );
        shared.now += SILENCE;
        birthday.handle_timeout(&mut shared);
        let second: Vec<SocketId> = birthday.tries.iter().flat_map(|t| t.sockets.clone()).collect();
        assert_eq!(second.len(), SOCKETS);
        birthday.close_all(&mut shared);
        assert_eq!(shared.sockets.owner(opened[0]), None, "the route's socket");
        assert!(second.iter().all(|id| shared.sockets.owner(*id).is_none()), "the try's");
    }

    /// The sockets a silent peer's try opens and the datagrams it sprays, once it ran.
    fn halves(sightings: &[(u8, u16)]) -> (usize, usize) {
        let mut shared = Shared::new(1, Instant::now());
        for (reporter, port) in sightings {
            let seen = SocketAddr::from(([5, 5, 5, 5], *port));
            shared.sightings.record(shared.now, SocketAddr::from(([1, 1, 1, *reporter], 1)), seen);
        }
        let mut birthday = Birthday::default();
        let opened = silent_try(&mut shared, &mut birthday).len();
        let _ = std::iter::from_fn(|| shared.outbox.pop()).count();
        while let Some(due) = birthday.next_deadline() {
            shared.now = due;
            birthday.handle_timeout(&mut shared);
        }
        (opened, std::iter::from_fn(|| shared.outbox.pop()).count())
    }

    #[test]
    fn a_node_that_knows_its_nat_does_only_its_half() {
        assert_eq!(halves(&[]), (SOCKETS, PROBES), "unknown: both halves");
        assert_eq!(halves(&[(1, 7000), (2, 7000)]), (0, PROBES), "behind a cone: spray only");
        assert_eq!(halves(&[(1, 7000), (2, 9000)]), (SOCKETS, 0), "behind a symmetric NAT");
    }

    #[test]
    fn a_try_that_finds_nobody_closes_its_sockets() {
        let mut shared = Shared::new(1, Instant::now());
        let mut birthday = Birthday::default();
        let opened = silent_try(&mut shared, &mut birthday);
        while let Some(due) = birthday.next_deadline() {
            shared.now = due;
            birthday.handle_timeout(&mut shared);
        }
        assert!(opened.iter().all(|id| shared.sockets.owner(*id).is_none()));
        assert_eq!(shared.stats.birthday_failed, 1);
        assert_eq!(birthday.socket_datagram(&mut shared, opened[0], peer(1)), Arrived::NotMine);
    }
}
