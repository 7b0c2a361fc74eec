//! [`TestNetwork`]: N nodes of one community on a simulated network with virtual time.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::marker::PhantomData;
use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use super::{ExpectReceived, SimConfig};
use crate::crypto::{Mid, PrivateKey, PublicKey};
use crate::proto::discovery::Strategy;
use crate::proto::{
    Community, CommunityId, Context, Network, Node, Passthrough, Peer, ResolveError, Rng, SocketId,
    SocketRequest,
};

/// A datagram on its way.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct InFlight {
    arrival: Instant,
    seq: u64,
    to: usize,
    /// The receiving node's socket, if not its endpoint.
    socket: Option<SocketId>,
    from: SocketAddr,
    contents: Vec<u8>,
}

/// The sockets communities opened on the simulated network, by address and by owner.
#[derive(Default)]
struct SimSockets {
    by_address: HashMap<SocketAddr, (usize, SocketId)>,
    addresses: HashMap<(usize, SocketId), SocketAddr>,
    next_port: u16,
}

/// The Unix time at which a simulated network's virtual time begins (2027-01-15), so that
/// simulated wall-clock dates ([`Context::unix_time`](crate::proto::Context::unix_time)) are
/// the same in every run.
pub const SIM_UNIX_START: f64 = 1_800_000_000.0;

/// N nodes running community `C`, with virtual time (py-ipv8's `TestBase`).
///
/// # Examples
///
/// ```
/// use ipv8::proto::{Community, CommunityId, Context, Peer};
/// use ipv8::testing::TestNetwork;
/// use ipv8::{community, payload};
///
/// #[payload(msg_id = 1)]
/// struct Hello {
///     text: String,
/// }
///
/// #[derive(Default)]
/// struct Greeter {
///     heard: Vec<String>,
/// }
///
/// #[community]
/// impl Greeter {
///     #[lazy_handler]
///     fn on_hello(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Hello) {
///         self.heard.push(payload.text);
///     }
/// }
///
/// impl Community for Greeter {
///     fn community_id(&self) -> CommunityId {
///         CommunityId(*b"greeter community id")
///     }
/// }
///
/// let mut net = TestNetwork::initialize(2, |_| Greeter::default());
/// let peer1 = net.peer(1);
/// net.with_overlay(0, |_, ctx| ctx.ez_send(&peer1, &Hello { text: "hi".into() }));
/// net.deliver_messages();
/// assert_eq!(net.overlay(1).heard, ["hi"]);
/// ```
pub struct TestNetwork<C: Community> {
    nodes: Vec<Node>,
    addresses: Vec<SocketAddr>,
    by_address: HashMap<SocketAddr, usize>,
    sockets: SimSockets,
    /// Host names the simulated network resolves (see [`TestNetwork::add_name`]).
    names: HashMap<String, std::net::IpAddr>,
    in_flight: BinaryHeap<Reverse<InFlight>>,
    timers: BinaryHeap<Reverse<(Instant, usize)>>,
    deadlines: Vec<Option<Instant>>,
    now: Instant,
    /// When virtual time began; it is [`SIM_UNIX_START`] in Unix time.
    started: Instant,
    seq: u64,
    rng: Rng,
    config: SimConfig,
    lost: u64,
    offline: Vec<bool>,
    community_id: Option<CommunityId>,
    _community: PhantomData<fn() -> C>,
}

impl<C: Community> TestNetwork<C> {
    /// `n` nodes, each running the community `make(i)` returns, all knowing each other as peers.
    #[must_use]
    pub fn initialize(n: usize, make: impl FnMut(usize) -> C) -> Self {
        Self::with_config(SimConfig::default(), n, make)
    }

    /// As [`TestNetwork::initialize`], with a seed and link model.
    ///
    /// # Panics
    ///
    /// Panics if `make` returns communities with different ids.
    #[must_use]
    pub fn with_config(config: SimConfig, n: usize, mut make: impl FnMut(usize) -> C) -> Self {
        let mut keys = Rng::new(config.seed);
        let mut net = Self::empty(config);
        let now = net.now;
        let mut community_id = None;
        for i in 0..n {
            let community = make(i);
            let id = community.community_id();
            assert!(
                community_id.is_none_or(|first| first == id),
                "node {i} runs another community"
            );
            community_id = Some(id);
            let mut node = Node::new(seeded_key(&mut keys), keys.next_u64(), now);
            net.set_unix_time(&mut node);
            let address = sim_address(i);
            node.set_address(address);
            if let Err(error) = node.add_community(now, community) {
                panic!("node {i}: {error}");
            }
            net.by_address.insert(address, i);
            net.addresses.push(address);
            net.nodes.push(node);
            net.deadlines.push(None);
            net.offline.push(false);
        }
        net.community_id = community_id;
        if net.config.connect_all {
            net.connect_all();
        }
        (0..n).for_each(|i| net.flush(i));
        net
    }

    /// Makes every node a verified peer of every other, running the community (as `TestBase` does).
    fn connect_all(&mut self) {
        for i in 0..self.nodes.len() {
            for j in 0..self.nodes.len() {
                if i != j {
                    self.connect(i, j);
                }
            }
        }
    }

    /// Makes node `j` a verified peer of node `i` that runs the community (one direction).
    pub fn connect(&mut self, i: usize, j: usize) {
        let peer = self.peer(j);
        let own = self.nodes[i].community::<C>().map(Community::community_id);
        if let Some(id) = self.community_id.or(own) {
            self.nodes[i].add_peer(&peer, &[id]);
            self.flush(i);
        }
    }

    /// Adds a bootstrap server (a [`Tracker`](crate::proto::tracker::Tracker) node that runs no
    /// community) and returns its index; `overlay(index)` is not available for it.
    pub fn add_tracker(&mut self) -> usize {
        self.add_node(Node::enable_tracker)
    }

    /// Adds a node that `make` sets up (communities of any type, each under a key of its own, as
    /// on a real node), at the next simulated address; returns its index. The node's own key is
    /// drawn from the seed.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::discovery::DiscoveryCommunity;
    /// use ipv8::proto::tracker::Tracker;
    /// use ipv8::testing::{SimConfig, TestNetwork};
    ///
    /// let mut net = TestNetwork::<DiscoveryCommunity>::empty(SimConfig::new(1));
    /// let pseudonym = PrivateKey::generate(Curve::Curve25519)?;
    /// let i = net.add_node(|node, now| {
    ///     let _ = node.add_community_with_key(now, DiscoveryCommunity::new(), pseudonym.clone());
    ///     node.enable_tracker(now);
    /// });
    /// assert_eq!(net.overlay(i).max_peers(), 30);
    /// assert!(net.community::<Tracker>(i).is_empty());
    /// # use ipv8::proto::Community;
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_node(&mut self, make: impl FnOnce(&mut Node, Instant)) -> usize {
        let index = self.nodes.len();
        let mut keys = Rng::new(self.config.seed ^ index as u64);
        let mut node = Node::new(seeded_key(&mut keys), keys.next_u64(), self.now);
        self.set_unix_time(&mut node);
        node.set_address(sim_address(index));
        make(&mut node, self.now);
        self.push_node(node)
    }

    /// Adds a node built from `config` as [`launch`](crate::launch::launch) builds one (every
    /// overlay under the key it names, with its walkers, bootstrappers, settings and `on_start`
    /// calls), at the next simulated address; returns its index. Bootstrap host names are not
    /// resolved; give trackers by their simulated [`TestNetwork::address`].
    ///
    /// # Errors
    ///
    /// As [`build`](crate::launch::build).
    #[cfg(feature = "config")]
    pub fn add_node_from_config(
        &mut self,
        config: &crate::config::Config,
        registry: &crate::launch::OverlayRegistry,
    ) -> Result<usize, crate::launch::LaunchError> {
        let index = self.nodes.len();
        let seed = Rng::new(self.config.seed ^ index as u64).next_u64();
        let address = Some(sim_address(index));
        let built = crate::launch::build(config, registry, self.now, seed, address)?;
        Ok(self.push_node(built.node))
    }

    /// Gives `node` the simulated wall clock: [`SIM_UNIX_START`] when virtual time began.
    fn set_unix_time(&self, node: &mut Node) {
        let elapsed = self.now.saturating_duration_since(self.started).as_secs_f64();
        node.set_unix_time(self.now, SIM_UNIX_START + elapsed);
    }

    fn push_node(&mut self, mut node: Node) -> usize {
        self.set_unix_time(&mut node);
        let index = self.nodes.len();
        let address = node.address().unwrap_or_else(|| sim_address(index));
        self.by_address.insert(address, index);
        self.addresses.push(address);
        self.nodes.push(node);
        self.deadlines.push(None);
        self.offline.push(false);
        self.flush(index);
        index
    }

    /// A network with no nodes yet: add them with [`TestNetwork::add_node`],
    /// [`TestNetwork::add_node_from_config`] and [`TestNetwork::add_tracker`]. `C` is the
    /// community that [`TestNetwork::overlay`] and the other shortcuts without a type serve.
    #[must_use]
    pub fn empty(config: SimConfig) -> Self {
        let started = Instant::now();
        Self {
            nodes: Vec::new(),
            addresses: Vec::new(),
            by_address: HashMap::new(),
            sockets: SimSockets::default(),
            names: HashMap::new(),
            in_flight: BinaryHeap::new(),
            timers: BinaryHeap::new(),
            deadlines: Vec::new(),
            now: started,
            started,
            seq: 0,
            rng: Rng::new(config.seed ^ 0x5eed_5eed),
            config,
            lost: 0,
            offline: Vec::new(),
            community_id: None,
            _community: PhantomData,
        }
    }

    /// The community of type `D` of node `i`, whatever `C` is.
    ///
    /// # Panics
    ///
    /// Panics if node `i` runs no `D`.
    #[must_use]
    pub fn community<D: Community>(&self, i: usize) -> &D {
        self.node(i).community::<D>().unwrap_or_else(|| panic!("node {i} runs no such community"))
    }

    /// Runs `f` with node `i`'s community of type `D` and its context at the current virtual
    /// time, then queues what it sent.
    ///
    /// # Panics
    ///
    /// Panics if node `i` runs no `D`.
    pub fn with_community<D: Community, R>(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut D, &mut Context<'_, D>) -> R,
    ) -> R {
        let now = self.now;
        let result = self
            .node_mut(i)
            .with_community(now, f)
            .unwrap_or_else(|| panic!("node {i} runs no such community"));
        self.flush(i);
        result
    }

    /// Adds `make(i)` as a strategy of community `C` to every node that runs it, run while it has
    /// fewer than `target_peers` peers (`None`: always).
    pub fn add_strategy_to_all<S: Strategy<C> + 'static>(
        &mut self,
        mut make: impl FnMut(usize) -> S,
        target_peers: Option<usize>,
    ) {
        for i in 0..self.nodes.len() {
            if self.nodes[i].community::<C>().is_some() {
                let _ = self.nodes[i].add_strategy::<C>(make(i), target_peers);
                self.flush(i);
            }
        }
    }

    /// Takes node `i` off the network (`false`) or back on: an offline node's datagrams, in and
    /// out, are lost, as if it were unplugged; its timers still run.
    pub fn set_online(&mut self, i: usize, online: bool) {
        self.offline[i] = !online;
    }

    /// How many nodes there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether there are no nodes.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The community of node `i` (py-ipv8's `overlay(i)`).
    ///
    /// # Panics
    ///
    /// Panics if there is no node `i`.
    #[must_use]
    pub fn overlay(&self, i: usize) -> &C {
        self.community::<C>(i)
    }

    /// Runs `f` with node `i`'s community and context at the current virtual time, then queues
    /// what it sent.
    ///
    /// # Panics
    ///
    /// Panics if there is no node `i`.
    pub fn with_overlay<R>(
        &mut self,
        i: usize,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> R {
        self.with_community::<C, R>(i, f)
    }

    /// Node `i` (py-ipv8's `node(i)`).
    ///
    /// # Panics
    ///
    /// Panics if there is no node `i`.
    #[must_use]
    pub fn node(&self, i: usize) -> &Node {
        &self.nodes[i]
    }

    /// Node `i`, to change it; call [`TestNetwork::flush`] if you make it send.
    ///
    /// # Panics
    ///
    /// Panics if there is no node `i`.
    pub fn node_mut(&mut self, i: usize) -> &mut Node {
        &mut self.nodes[i]
    }

    /// Node `i` as others see it: its public key at its address (py-ipv8's `peer(i)`).
    #[must_use]
    pub fn peer(&self, i: usize) -> Peer {
        let node = &self.nodes[i];
        let key = node.community_key::<C>().unwrap_or_else(|| node.public_key());
        Peer::new(key.clone(), self.address(i))
    }

    /// The address of node `i`.
    #[must_use]
    pub fn address(&self, i: usize) -> SocketAddr {
        self.addresses[i]
    }

    /// The public key of node `i`.
    #[must_use]
    pub fn public_key(&self, i: usize) -> &PublicKey {
        self.nodes[i].public_key()
    }

    /// The private key of node `i`.
    #[must_use]
    pub fn private_key(&self, i: usize) -> &PrivateKey {
        self.nodes[i].private_key()
    }

    /// The serialized public key of node `i`.
    #[must_use]
    pub fn key_bin(&self, i: usize) -> Vec<u8> {
        self.public_key(i).to_bin().to_vec()
    }

    /// The serialized private key of node `i`.
    #[must_use]
    pub fn key_bin_private(&self, i: usize) -> Vec<u8> {
        self.private_key(i).to_bin()
    }

    /// The mid (SHA-1 of the public key) of node `i`.
    #[must_use]
    pub fn mid(&self, i: usize) -> Mid {
        self.public_key(i).mid()
    }

    /// The peer table of node `i`.
    #[must_use]
    pub fn network(&self, i: usize) -> &Network {
        self.nodes[i].network()
    }

    /// The current virtual time.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.now
    }

    /// Datagrams lost so far (to the loss model or to unknown addresses).
    #[must_use]
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Replaces cache timeouts of node `i` from now on (py-ipv8's `passthrough()`).
    pub fn passthrough(&mut self, i: usize, passthrough: &Passthrough) {
        self.nodes[i].set_passthrough(passthrough);
    }

    /// Expects node `i` to accept messages with these ids while an action runs
    /// (py-ipv8's `assertReceivedBy`).
    pub fn expect_received(
        &mut self,
        i: usize,
        msg_ids: impl IntoIterator<Item = u8>,
    ) -> ExpectReceived<'_, C> {
        ExpectReceived::new(self, i, msg_ids.into_iter().collect())
    }

    /// Makes every node that runs `C` send an introduction-request to every other, then delivers
    /// the messages (py-ipv8's `introduce_nodes`): peers meet through the real discovery messages.
    pub fn introduce_nodes(&mut self) {
        self.introduce_nodes_in::<C>();
    }

    /// As [`TestNetwork::introduce_nodes`], in community `D`: every node that runs `D` walks to
    /// every other.
    pub fn introduce_nodes_in<D: Community>(&mut self) {
        let now = self.now;
        let running: Vec<usize> =
            (0..self.nodes.len()).filter(|&i| self.nodes[i].community::<D>().is_some()).collect();
        for &i in &running {
            for &j in &running {
                if i != j {
                    let address = self.addresses[j];
                    // Every node of `running` runs `D`, so the walk cannot fail.
                    let _ = self.nodes[i].walk_to::<D>(now, address);
                }
            }
            self.flush(i);
        }
        self.deliver_messages();
    }

    /// Runs what is due now, then delivers datagrams, firing timers on the way, until none is in
    /// flight (or the configured horizon of virtual time has passed); returns how many were delivered.
    pub fn deliver_messages(&mut self) -> usize {
        let horizon = self.now + self.config.horizon;
        let mut delivered = 0;
        while !self.in_flight.is_empty()
            || self.next_timer().is_some_and(|(due, _)| due <= self.now)
        {
            match self.step(horizon) {
                Some(true) => delivered += 1,
                Some(false) => {}
                None => break,
            }
        }
        delivered
    }

    /// Runs virtual time until node `i` has no pending task (py-ipv8's `wait_for_tasks`); returns
    /// `false` if tasks are still pending after the configured horizon (periodic tasks never end).
    ///
    /// # Panics
    ///
    /// Panics if node `i` does not run the community.
    pub fn wait_for_tasks(&mut self, i: usize) -> bool {
        let until = self.now + self.config.horizon;
        loop {
            let pending = self.with_overlay(i, |_, ctx| ctx.tasks().pending().next().is_some());
            if !pending {
                return true;
            }
            if self.step(until).is_none() {
                return false;
            }
        }
    }

    /// Runs virtual time forward by `duration`: every timer and delivery due by then happens.
    pub fn advance(&mut self, duration: Duration) {
        let until = self.now + duration;
        while self.step(until).is_some() {}
        self.now = until;
    }

    /// Runs the earliest event due by `until`: `Some(true)` for a delivery, `Some(false)` for a
    /// timer, `None` if nothing is due.
    /// The configured horizon of virtual time.
    pub(super) fn horizon(&self) -> std::time::Duration {
        self.config.horizon
    }

    pub(super) fn step(&mut self, until: Instant) -> Option<bool> {
        let timer = self.next_timer();
        let arrival = self.in_flight.peek().map(|Reverse(datagram)| datagram.arrival);
        match (timer, arrival) {
            (Some((due, i)), arrival) if due <= until && arrival.is_none_or(|a| due < a) => {
                self.timers.pop();
                self.deadlines[i] = None;
                self.now = self.now.max(due);
                let now = self.now;
                self.nodes[i].handle_timeout(now);
                self.flush(i);
                Some(false)
            }
            (_, Some(arrival)) if arrival <= until => {
                let Reverse(datagram) = self.in_flight.pop()?;
                self.now = self.now.max(arrival);
                if self.offline[datagram.to] {
                    self.lost += 1;
                    return Some(false);
                }
                let now = self.now;
                let node = &mut self.nodes[datagram.to];
                match datagram.socket {
                    Some(id) => {
                        node.handle_socket_datagram(now, id, datagram.from, &datagram.contents);
                    }
                    None => node.handle_datagram(now, datagram.from, &datagram.contents),
                }
                self.flush(datagram.to);
                Some(true)
            }
            _ => None,
        }
    }

    /// The earliest live timer, skipping stale heap entries.
    fn next_timer(&mut self) -> Option<(Instant, usize)> {
        while let Some(&Reverse((due, i))) = self.timers.peek() {
            if self.deadlines[i] == Some(due) {
                return Some((due, i));
            }
            self.timers.pop();
        }
        None
    }

    /// Runs the CPU jobs node `i` spawned, at once and in order (deterministic), handing each
    /// result back before the next; jobs their callbacks spawn run too.
    fn run_jobs(&mut self, i: usize) {
        let now = self.now;
        while let Some(job) = self.nodes[i].poll_job() {
            let done = job.run();
            self.nodes[i].handle_job_done(now, done);
        }
    }

    /// Opens and closes the sockets node `i`'s communities asked for: each gets an address of its
    /// own on the simulated network (the node's IP, ports from 40000 up).
    fn run_socket_requests(&mut self, i: usize) {
        while let Some(request) = self.nodes[i].poll_socket_request() {
            match request {
                SocketRequest::Open { id, .. } => {
                    let port = 40_000_u16.wrapping_add(self.sockets.next_port);
                    self.sockets.next_port = self.sockets.next_port.wrapping_add(1);
                    let address = SocketAddr::new(self.addresses[i].ip(), port);
                    self.sockets.by_address.insert(address, (i, id));
                    self.sockets.addresses.insert((i, id), address);
                    let now = self.now;
                    self.nodes[i].handle_socket_opened(now, id, Ok(address));
                }
                SocketRequest::Close { id } => {
                    if let Some(address) = self.sockets.addresses.remove(&(i, id)) {
                        self.sockets.by_address.remove(&address);
                    }
                }
            }
        }
    }

    /// Makes `host` resolve to `ip` for every node's [`Context::resolve`](crate::proto::Context::resolve)
    /// (IP literals and `localhost` resolve without it; other names fail).
    pub fn add_name(&mut self, host: impl Into<String>, ip: std::net::IpAddr) {
        self.names.insert(host.into(), ip);
    }

    /// Answers the names node `i`'s communities asked to resolve, from [`TestNetwork::add_name`].
    fn run_resolve_requests(&mut self, i: usize) {
        while let Some(request) = self.nodes[i].poll_resolve_request() {
            let ip = request.host.parse().ok().or_else(|| match request.host.as_str() {
                "localhost" => Some(Ipv4Addr::LOCALHOST.into()),
                host => self.names.get(host).copied(),
            });
            let result = ip
                .map(|ip| vec![SocketAddr::new(ip, request.port)])
                .ok_or_else(|| ResolveError::Failed(format!("unknown name {}", request.host)));
            let now = self.now;
            self.nodes[i].handle_resolved(now, request.id, result);
        }
    }

    /// Moves what node `i` wants to send onto the network (after running the CPU jobs it
    /// spawned, opening the sockets and resolving the names it asked for), and notes its next
    /// timer.
    pub fn flush(&mut self, i: usize) {
        self.run_jobs(i);
        self.run_socket_requests(i);
        self.run_resolve_requests(i);
        // What the answers started (an exit's socket for a resolved destination).
        self.run_socket_requests(i);
        let endpoint = self.addresses[i];
        while let Some(transmit) = self.nodes[i].poll_transmit() {
            let from = match transmit.socket {
                None => Some(endpoint),
                Some(id) => self.sockets.addresses.get(&(i, id)).copied(),
            };
            let Some(from) = from else {
                self.lost += 1;
                continue;
            };
            if self.offline[i] {
                self.lost += 1;
                continue;
            }
            if transmit.destination.ip() == std::net::IpAddr::V4(Ipv4Addr::BROADCAST) {
                // A LAN broadcast reaches every other node listening on that port.
                let port = transmit.destination.port();
                let receivers: Vec<usize> = (0..self.nodes.len())
                    .filter(|&j| j != i && self.addresses[j].port() == port)
                    .collect();
                for to in receivers {
                    self.send(from, (to, None), transmit.contents.clone());
                }
                continue;
            }
            let destination = &transmit.destination;
            let endpoint = self.by_address.get(destination).map(|&to| (to, None));
            let socket =
                || self.sockets.by_address.get(destination).map(|&(to, id)| (to, Some(id)));
            let Some(to) = endpoint.or_else(socket) else {
                self.lost += 1;
                continue;
            };
            self.send(from, to, transmit.contents);
        }
        let deadline = self.nodes[i].poll_timeout();
        if deadline != self.deadlines[i] {
            self.deadlines[i] = deadline;
            if let Some(due) = deadline {
                self.timers.push(Reverse((due, i)));
            }
        }
    }
}

impl<C: Community> TestNetwork<C> {
    /// Puts one datagram on the wire, subject to loss, latency and jitter.
    fn send(&mut self, from: SocketAddr, to: (usize, Option<SocketId>), contents: Vec<u8>) {
        let (to, socket) = to;
        if self.config.loss > 0.0 && self.rng.chance(self.config.loss) {
            self.lost += 1;
            return;
        }
        let jitter = self.config.jitter.as_nanos().min(u128::from(u64::MAX)) as u64;
        let delay = self.config.latency + Duration::from_nanos(self.rng.below(jitter));
        self.seq += 1;
        let arrival = self.now + delay;
        let datagram = InFlight { arrival, seq: self.seq, to, socket, from, contents };
        self.in_flight.push(Reverse(datagram));
    }
}

/// A curve25519 key drawn from the simulation's seed, so that runs repeat exactly.
fn seeded_key(rng: &mut Rng) -> PrivateKey {
    let mut bin = b"LibNaCLSK:".to_vec();
    bin.extend((0..64).map(|_| rng.next_u64() as u8));
    PrivateKey::from_bin(&bin).expect("64 random bytes after LibNaCLSK: are a curve25519 key")
}

/// The simulated address of node `i`: in the loopback range, and never sent to (all in memory).
fn sim_address(i: usize) -> SocketAddr {
    let i = u32::try_from(i).unwrap_or(u32::MAX);
    let ip = Ipv4Addr::from(0x7f01_0000 + i / 250 * 256 + i % 250 + 1);
    SocketAddr::V4(SocketAddrV4::new(ip, 8090))
}
