//! [`Node`]: the sans-IO IPv8 node. It owns the key, the peer table and the communities, and turns
//! received datagrams and the passing of time into datagrams to send, timers and events. It never
//! reads a clock or touches a socket: a driver (tokio, or the simulator) does that.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::ask::{self, AskError, Envelope, Reply, Request, Responder, Target};
use super::discovery::{Bootstrapper, Strategy};
use super::host::{Host, Overlay, OverlayInfo};
use super::job::{Job, JobDone};
use super::oneshot;
use super::packet::{Checked, HEADER_LEN, Incoming, PREFIX_LEN};
use super::shared::{Event, Outgoing, Shared, Transmit};
use super::socket::{SocketError, SocketId, SocketRequest};
use super::tracker::Tracker;
use super::{
    Arrived, Community, CommunityId, Context, DropReason, Forward, Network, Passthrough, Peer,
    Stats,
};
use crate::crypto::{PrivateKey, PublicKey};

mod admin;
mod checks;

pub use checks::SignatureCheck;

/// How a datagram reached the node.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Arrival {
    /// From a socket, with what a batch's check found of its signature.
    Socket(Checked),
    /// Delivered by a carrier (a tunnel community unwrapping it from a circuit).
    Carried,
}

impl Arrival {
    /// What is known of the datagram's signature: carried ones were never checked.
    fn checked(self) -> Checked {
        match self {
            Self::Socket(checked) => checked,
            Self::Carried => Checked::No,
        }
    }
}

/// Most rounds of follow-up work (announcements, calls, carried datagrams) run after one step;
/// what is left waits for the next step, so components that keep calling each other cannot hang
/// the node.
const FOLLOW_UP_ROUNDS: usize = 64;

/// Why a community could not be added, found or removed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NodeError {
    /// A community with the same id runs already.
    #[error("community {0} is already running on this node")]
    DuplicateCommunity(CommunityId),
    /// No community of the requested type runs on this node.
    #[error("no community of that type runs on this node")]
    NoSuchCommunity,
    /// No community with this id runs on this node (or it has another type).
    #[error("no community {0} of that type runs on this node")]
    UnknownCommunity(CommunityId),
    /// The community's code panicked (the node caught it; see [`Event::Panicked`]).
    #[error("community {0} panicked")]
    Panicked(CommunityId),
}

/// A sans-IO IPv8 node (quinn-proto style: feed it datagrams and time, poll what to do). It is
/// `Send`, so a runtime can move it onto any thread.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::Node;
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.handle_datagram(now, "127.0.0.1:8090".parse()?, b"not ipv8");
/// assert_eq!(node.stats().dropped("too_short"), 1);
/// assert!(node.poll_transmit().is_none());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct Node {
    shared: Shared,
    /// The node's own key: the identity of every community added without a key of its own.
    key: PrivateKey,
    public_key: PublicKey,
    overlays: Vec<Box<dyn Overlay>>,
    /// The identity (index into `identities`) of each community, by the index in `overlays`.
    slots: Vec<usize>,
    /// One peer table per identity the node speaks with; the active one is in `shared.network`.
    identities: Vec<Identity>,
    by_prefix: HashMap<[u8; PREFIX_LEN], usize>,
    walker_interval: Duration,
    next_walk: Option<Instant>,
    /// The identity whose peer table is in `shared.network`.
    active: usize,
    /// Where communities loaded at run time bootstrap.
    spawn_bootstrap: Vec<SocketAddr>,
    #[cfg(feature = "test-util")]
    recorder: Option<Vec<super::Received>>,
}

/// py-ipv8's default `walker_interval`.
pub const DEFAULT_WALKER_INTERVAL: Duration = Duration::from_millis(500);

impl Node {
    /// A node with `key`, whose random choices follow `seed`, starting at `now`.
    #[must_use]
    pub fn new(key: PrivateKey, seed: u64, now: Instant) -> Self {
        Self {
            shared: Shared::new(seed, now),
            identities: vec![Identity {
                key: key.public_key(),
                network: Network::default(),
                isolated: false,
            }],
            public_key: key.public_key(),
            key,
            overlays: Vec::new(),
            slots: Vec::new(),
            by_prefix: HashMap::new(),
            walker_interval: DEFAULT_WALKER_INTERVAL,
            next_walk: None,
            active: 0,
            spawn_bootstrap: Vec::new(),
            #[cfg(feature = "test-util")]
            recorder: None,
        }
    }

    /// Tells the node the Unix time (seconds) at `now`, which communities read through
    /// [`Context::unix_time`](super::Context::unix_time): the node reads no clock itself. The
    /// runtime sets it from the system clock when it spawns a node, the simulator to a fixed
    /// date; unset, Unix time starts at 0 when the node is made.
    pub fn set_unix_time(&mut self, now: Instant, unix_seconds: f64) {
        self.shared.unix_anchor = (now, unix_seconds);
    }

    /// Replaces the node's random generator. [`Node::new`] seeds it from `seed`, which replays
    /// exactly (the simulator's way); a node on a real network should draw it from the operating
    /// system, as `launch` does: `node.set_rng(Rng::from_os())`.
    pub fn set_rng(&mut self, rng: super::Rng) {
        self.shared.rng = rng;
    }

    /// Tells the node its own address (the socket it is bound to, as others reach it).
    pub fn set_address(&mut self, address: SocketAddr) {
        self.shared.addresses.lan = Some(address);
    }

    /// Turns port prediction on or off (off by default, as in py-ipv8). When on, a
    /// puncture-request about a walker on another network is answered with the usual puncture
    /// to the walker's address and the same puncture to the
    /// [`PREDICTED_PORTS`](super::discovery::PREDICTED_PORTS) ports after it, so a walker
    /// behind a NAT that allocates ports in sequence (a symmetric NAT) gets through a
    /// port-restricted NAT on this side. Bounded per walker and per node (see
    /// [`REPEAT_AFTER`](super::discovery::REPEAT_AFTER) and
    /// [`MAX_PER_WINDOW`](super::discovery::MAX_PER_WINDOW)); nothing new on the wire.
    pub fn set_port_prediction(&mut self, enabled: bool) {
        self.shared.port_prediction = enabled.then(super::discovery::PortPrediction::default);
    }

    /// Turns birthday punching on or off (off by default; py-ipv8 has none). When on, a peer on
    /// another network that stays silent for [`SILENCE`](super::discovery::SILENCE) after an
    /// introduction or a puncture-request named it gets a try: [`SOCKETS`](super::discovery::SOCKETS)
    /// sockets send it an introduction-request each, and the same request goes to
    /// [`PROBES`](super::discovery::PROBES) random ports of its IP. Two nodes with this on meet
    /// across a port-restricted cone NAT and a symmetric NAT with random ports, which punctures
    /// alone never do. The socket the peer's answer reaches carries its traffic from then on.
    /// Bounded per peer IP and per node ([`BIRTHDAY_RETRY_AFTER`](super::discovery::BIRTHDAY_RETRY_AFTER),
    /// [`MAX_TRIES`](super::discovery::MAX_TRIES), [`MAX_ROUTES`](super::discovery::MAX_ROUTES)).
    /// Turning it off ends the tries under way and closes their sockets and the routes'.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::Node;
    ///
    /// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, Instant::now());
    /// node.set_birthday_punching(true);
    /// assert!(node.birthday_punching());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_birthday_punching(&mut self, enabled: bool) {
        match (enabled, &self.shared.birthday) {
            (true, None) => self.shared.birthday = Some(super::discovery::Birthday::default()),
            (false, Some(_)) => {
                if let Some(birthday) = self.shared.birthday.take() {
                    birthday.close_all(&mut self.shared);
                }
            }
            _ => {}
        }
    }

    /// Whether birthday punching is on ([`Node::set_birthday_punching`]).
    #[must_use]
    pub fn birthday_punching(&self) -> bool {
        self.shared.birthday.is_some()
    }

    /// What the node has learned of its NAT's mapping from where the peers that answered its
    /// introduction-requests saw it (the last 16, for 10 minutes): two at different IPs must
    /// have answered before it knows.
    #[must_use]
    pub fn nat_mapping(&self) -> super::discovery::NatMapping {
        self.shared.sightings.mapping(self.shared.now)
    }

    /// Sets the WAN address estimate (normally learned from introduction-responses).
    pub fn set_wan_address(&mut self, address: SocketAddr) {
        self.shared.addresses.wan = Some(address);
    }

    /// The WAN address estimate: the last one others reported, else the own address.
    #[must_use]
    pub fn wan_address(&self) -> Option<SocketAddr> {
        self.shared.addresses.wan_or_lan()
    }

    /// The node's own address, once set.
    #[must_use]
    pub fn address(&self) -> Option<SocketAddr> {
        self.shared.addresses.lan
    }

    /// The time the node was last given.
    pub(crate) fn now(&self) -> Instant {
        self.shared.now
    }

    /// Sets the bootstrap servers of communities that communities load while the node runs
    /// ([`Context::load_community`](super::Context::load_community): a hidden service's PEX
    /// overlays, pseudonyms). None by default, so a node never reaches a server it was not
    /// given; a launched node uses its configuration's (what `--bootstrap` sets).
    pub fn set_spawn_bootstrap(&mut self, addresses: Vec<SocketAddr>) {
        self.spawn_bootstrap = addresses;
    }

    /// The bootstrap servers of communities loaded at run time.
    #[must_use]
    pub fn spawn_bootstrap(&self) -> &[SocketAddr] {
        &self.spawn_bootstrap
    }

    /// Adds and starts a community that speaks with the node's own key.
    pub fn add_community<C: Community>(
        &mut self,
        now: Instant,
        community: C,
    ) -> Result<(), NodeError> {
        let key = self.key.clone();
        self.add_community_with_key(now, community, key)
    }

    /// Adds and starts a community that speaks with `key`: its own identity, as py-ipv8 gives each
    /// overlay the key its configuration names (and each pseudonym its own). Several communities
    /// of one type may run side by side under different ids and keys.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::Node;
    /// use ipv8::proto::discovery::DiscoveryCommunity;
    ///
    /// let now = Instant::now();
    /// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
    /// let pseudonym = PrivateKey::generate(Curve::Curve25519)?;
    /// node.add_community_with_key(now, DiscoveryCommunity::new(), pseudonym.clone())?;
    /// assert_eq!(node.overlays()[0].public_key, pseudonym.public_key());
    /// assert_ne!(node.overlays()[0].public_key, *node.public_key());
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn add_community_with_key<C: Community>(
        &mut self,
        now: Instant,
        community: C,
        key: PrivateKey,
    ) -> Result<(), NodeError> {
        let slot = self.identity_slot(&key.public_key());
        self.add_in_slot(now, community, key, slot)
    }

    /// As [`Node::add_community_with_key`], with a peer table of its own even if other
    /// communities speak with the same key: the IPv8 documentation's advice for an overlay with
    /// other walk parameters, `max_peers` or `target_peers` (and the DHT's private table).
    pub fn add_isolated_community<C: Community>(
        &mut self,
        now: Instant,
        community: C,
        key: PrivateKey,
    ) -> Result<(), NodeError> {
        let slot = self.identities.len();
        let network = Network::default();
        self.identities.push(Identity { key: key.public_key(), network, isolated: true });
        self.add_in_slot(now, community, key, slot)
    }

    fn add_in_slot<C: Community>(
        &mut self,
        now: Instant,
        community: C,
        key: PrivateKey,
        slot: usize,
    ) -> Result<(), NodeError> {
        let id = community.community_id();
        if self.by_prefix.contains_key(&id.prefix()) {
            return Err(NodeError::DuplicateCommunity(id));
        }
        self.shared.now = now;
        self.by_prefix.insert(id.prefix(), self.overlays.len());
        self.shared.membership.local_communities.push((id, slot));
        self.overlays.push(Box::new(Host::new(community, key)));
        self.slots.push(slot);
        if let Some((overlay, shared)) = self.at(self.overlays.len() - 1) {
            overlay.start(shared);
        }
        self.follow_up();
        Ok(())
    }

    /// Stops and removes the community `id` (py-ipv8's `unload_overlay`): its tasks and caches
    /// stop (pending responses resolve as cancelled), it no longer receives packets, and traffic
    /// it carried for others goes to the socket again. Peers stay in the node's table.
    pub fn remove_community(&mut self, id: CommunityId) -> Result<(), NodeError> {
        let index = self.index_of(id).ok_or(NodeError::UnknownCommunity(id))?;
        let mut host = self.overlays.remove(index);
        self.slots.remove(index);
        host.shutdown();
        self.shared.membership.local_communities.retain(|(c, _)| *c != id);
        self.shared.outbox.redirect(id, None);
        self.shared.outbox.forget_carrier(id);
        self.shared.sockets.close_all(id);
        if let Some(birthday) = &mut self.shared.birthday {
            birthday.forget(id);
        }
        self.shared.fast_paths.remove(&id.prefix());
        self.by_prefix =
            self.overlays.iter().enumerate().map(|(i, o)| (o.community_id().prefix(), i)).collect();
        tracing::info!(community = %id, "community removed");
        Ok(())
    }

    fn index_of(&self, id: CommunityId) -> Option<usize> {
        self.by_prefix.get(&id.prefix()).copied()
    }

    /// The identity that speaks with `key`, made if it is new.
    fn identity_slot(&mut self, key: &PublicKey) -> usize {
        if let Some(slot) = self.identities.iter().position(|i| &i.key == key && !i.isolated) {
            return slot;
        }
        let network = Network::default();
        self.identities.push(Identity { key: key.clone(), network, isolated: false });
        self.identities.len() - 1
    }

    /// Makes identity `slot`'s peer table the active one (`shared.network`).
    fn enter(&mut self, slot: usize) {
        if slot == self.active || slot >= self.identities.len() {
            return;
        }
        let shared = &mut self.shared.network;
        if let Some(parked) = self.identities.get_mut(self.active) {
            std::mem::swap(shared, &mut parked.network);
        }
        if let Some(next) = self.identities.get_mut(slot) {
            std::mem::swap(shared, &mut next.network);
        }
        self.active = slot;
        self.shared.identity = slot;
    }

    /// Community `index` and the shared state, with its identity's peer table active.
    fn at(&mut self, index: usize) -> Option<(&mut (dyn Overlay + 'static), &mut Shared)> {
        let slot = *self.slots.get(index)?;
        self.enter(slot);
        let overlay = self.overlays.get_mut(index)?;
        Some((&mut **overlay, &mut self.shared))
    }

    /// The peer table of identity `slot`.
    fn network_at(&self, slot: usize) -> Option<&Network> {
        if slot == self.active {
            return Some(&self.shared.network);
        }
        self.identities.get(slot).map(|identity| &identity.network)
    }

    /// Handles one received datagram.
    pub fn handle_datagram(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        self.shared.now = now;
        self.handle_one(source, data, Arrival::Socket(Checked::No));
        self.follow_up();
    }

    /// Handles a batch of received datagrams, checking the signatures of the signed ones together
    /// (Ed25519 batch verification), which is faster than one by one. A driver that checks them
    /// elsewhere (on worker threads) uses [`Node::signature_checks`] and
    /// [`Node::handle_checked_datagrams`] instead.
    pub fn handle_datagrams(&mut self, now: Instant, datagrams: &[(SocketAddr, &[u8])]) {
        let checks = self.signature_checks(datagrams);
        let verdicts = SignatureCheck::verify_some(&checks, datagrams);
        self.handle_checked_datagrams(now, datagrams, &verdicts);
    }

    /// Offers a datagram received at `now` from `source` to the fast path of the community it is
    /// for ([`FastPath`](super::FastPath)). If that forwards it, the datagram to send is appended
    /// to `out`, it is counted as received, handled and sent, and where it goes is returned; the
    /// caller sends it. `None`: nothing changed, and the datagram goes to
    /// [`Node::handle_datagrams`] as usual.
    pub fn forward_fast(
        &mut self,
        now: Instant,
        source: SocketAddr,
        datagram: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Forward> {
        let start = out.len();
        let forward = self.fast_path(now, source, datagram, out)?;
        self.shared.count_sent(out.get(start..).unwrap_or_default());
        Some(forward)
    }

    /// The fast path's part of [`Node::forward_fast`]: what it forwards is counted as received
    /// and handled (and its sender seen), not yet as sent.
    fn fast_path(
        &mut self,
        now: Instant,
        source: SocketAddr,
        datagram: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Forward> {
        let prefix = datagram.first_chunk::<PREFIX_LEN>()?;
        if self.shared.fast_paths.is_empty() || self.shared.outbox.is_redirected(prefix) {
            return None;
        }
        let arrived = Arrived { now, source, local: self.shared.addresses.lan };
        let forward = self.shared.fast_paths.get_mut(prefix)?.forward(&arrived, datagram, out)?;
        let index = self.by_prefix.get(prefix).copied();
        if let Some(&slot) = index.and_then(|index| self.slots.get(index)) {
            self.enter(slot);
        }
        let shared = &mut self.shared;
        shared.now = now;
        shared.stats.received += 1;
        shared.network.touch(source, now);
        let msg_id = datagram.get(PREFIX_LEN).copied().unwrap_or_default();
        if let Some(overlay) = index.and_then(|index| self.overlays.get(index)) {
            shared.stats.traffic(overlay.community_id(), msg_id, datagram.len(), false, now);
        }
        shared.stats.handled(msg_id);
        shared.stats.fast_forwarded += 1;
        Some(forward)
    }

    fn handle_one(&mut self, source: SocketAddr, data: &[u8], arrival: Arrival) {
        if matches!(arrival, Arrival::Socket(_)) {
            let mut out = Vec::new();
            if let Some(forward) = self.fast_path(self.shared.now, source, data, &mut out) {
                self.shared.transmit_on(forward.socket, forward.destination, out);
                return;
            }
        }
        self.shared.stats.received += 1;
        if matches!(arrival, Arrival::Socket(_))
            && self.shared.birthday.as_ref().is_some_and(|b| b.is_trying(source))
            && let Some(mut birthday) = self.shared.birthday.take()
        {
            birthday.heard(&mut self.shared, source);
            self.shared.birthday = Some(birthday);
        }
        if let Some(prefix) = super::discovery::parse_probe(data) {
            self.answer_probe(source, &prefix);
            return;
        }
        let result = self.route(source, data, arrival);
        match result {
            Ok(msg_id) => self.shared.stats.handled(msg_id),
            Err(reason) => {
                tracing::debug!(%source, %reason, "dropped a packet");
                self.shared.stats.drop(&reason);
            }
        }
    }

    /// A LAN probe for one of our overlays: walk to its sender (spec §4.11).
    fn answer_probe(&mut self, source: SocketAddr, prefix: &[u8; PREFIX_LEN]) {
        let from_self = self.shared.addresses.lan == Some(source);
        match self.by_prefix.get(prefix).copied().filter(|_| !from_self) {
            Some(index) => {
                if let Some((overlay, shared)) = self.at(index) {
                    overlay.walk_to(shared, source);
                }
                self.shared.stats.probes_answered += 1;
            }
            None => self.shared.stats.drop(&DropReason::Refused("probe_for_unknown_community")),
        }
    }

    fn route(
        &mut self,
        source: SocketAddr,
        data: &[u8],
        arrival: Arrival,
    ) -> Result<u8, DropReason> {
        let prefix = data.first_chunk::<PREFIX_LEN>().filter(|_| data.len() >= HEADER_LEN);
        let Some(&index) = prefix.and_then(|prefix| self.by_prefix.get(prefix)) else {
            return self.route_unclaimed(source, data, arrival);
        };
        // A carried community hears only what its carrier delivers (py-ipv8's TunnelEndpoint).
        if arrival != Arrival::Carried
            && prefix.is_some_and(|p| self.shared.outbox.is_redirected(p))
        {
            return Err(DropReason::Refused("not_through_carrier"));
        }
        if let Some(&slot) = self.slots.get(index) {
            self.enter(slot);
        }
        self.shared.network.touch(source, self.shared.now);
        let msg_id = data.get(PREFIX_LEN).copied().unwrap_or_default();
        let keys = std::mem::take(&mut self.shared.keys);
        keys.budget.refill(self.shared.now);
        let mut incoming = Incoming::new(source, data, &keys);
        incoming.set_checked(arrival.checked());
        let result = match self.overlays.get_mut(index) {
            Some(overlay) => {
                let now = self.shared.now;
                self.shared.stats.traffic(overlay.community_id(), msg_id, data.len(), false, now);
                overlay.handle(&mut self.shared, &incoming)
            }
            None => Err(DropReason::UnknownCommunity),
        };
        #[cfg(feature = "test-util")]
        if result.is_ok() {
            self.record(index, &incoming);
        }
        self.shared.keys = keys;
        result.map(|()| msg_id)
    }

    /// A datagram under no community's prefix: each listening community in turn may take it.
    fn route_unclaimed(
        &mut self,
        source: SocketAddr,
        data: &[u8],
        arrival: Arrival,
    ) -> Result<u8, DropReason> {
        if data.len() < HEADER_LEN && !self.overlays.iter().any(|o| o.listens_unclaimed()) {
            return Err(DropReason::TooShort);
        }
        let keys = std::mem::take(&mut self.shared.keys);
        keys.budget.refill(self.shared.now);
        let mut incoming = Incoming::new(source, data, &keys);
        incoming.set_checked(arrival.checked());
        let mut result = Err(DropReason::UnknownCommunity);
        for index in 0..self.overlays.len() {
            let Some((overlay, shared)) = self.at(index) else { continue };
            if overlay.listens_unclaimed() {
                result = overlay.handle_unclaimed(shared, &incoming);
                if !matches!(result, Err(DropReason::UnknownCommunity)) {
                    break;
                }
            }
        }
        let msg_id = incoming.msg_id();
        self.shared.keys = keys;
        match result {
            Err(DropReason::UnknownCommunity) if data.len() < HEADER_LEN => {
                Err(DropReason::TooShort)
            }
            other => other.map(|()| msg_id),
        }
    }

    /// Runs the walker tick, tasks and cache timeouts that are due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.shared.now = now;
        if self.next_walk.is_some_and(|due| due <= now) {
            self.next_walk = Some(now + self.walker_interval);
            for index in 0..self.overlays.len() {
                if let Some((overlay, shared)) = self.at(index) {
                    overlay.walk(shared);
                }
            }
        }
        for index in 0..self.overlays.len() {
            let due = self.overlays.get(index).and_then(|o| o.next_deadline());
            if due.is_some_and(|due| due <= now)
                && let Some((overlay, shared)) = self.at(index)
            {
                overlay.handle_timeout(shared);
            }
        }
        if let Some(mut birthday) = self.shared.birthday.take() {
            if birthday.next_deadline().is_some_and(|due| due <= now) {
                birthday.handle_timeout(&mut self.shared);
            }
            self.shared.birthday = Some(birthday);
        }
        self.follow_up();
    }

    /// Makes this node a bootstrap server (py-ipv8's `tracker_service.py`): a [`Tracker`]
    /// community under a random id answers introduction-requests under any other prefix,
    /// introducing peers of the same community.
    pub fn enable_tracker(&mut self, now: Instant) {
        let mut id = [0; 20];
        for chunk in id.chunks_mut(8) {
            let random = self.shared.rng.next_u64().to_le_bytes();
            chunk.copy_from_slice(random.get(..chunk.len()).unwrap_or_default());
        }
        let _ = self.add_community(now, Tracker::new(CommunityId(id)));
    }

    /// The tracker state, if [`Node::enable_tracker`] was called.
    #[must_use]
    pub fn tracker(&self) -> Option<&Tracker> {
        self.community::<Tracker>()
    }

    /// Sets the time between walker ticks (py-ipv8's `walker_interval`, 0.5 s by default).
    pub fn set_walker_interval(&mut self, interval: Duration) {
        self.walker_interval = interval.max(Duration::from_millis(1));
    }

    /// Adds a discovery strategy to community `C`, run on every walker tick while `C` has fewer
    /// than `target_peers` peers (`None`: always).
    pub fn add_strategy<C: Community>(
        &mut self,
        strategy: impl Strategy<C> + 'static,
        target_peers: Option<usize>,
    ) -> Result<(), NodeError> {
        let name = super::host::short_name(std::any::type_name_of_val(&strategy));
        self.host_mut::<C>(None)?.add_strategy(Box::new(strategy), name, target_peers);
        self.next_walk.get_or_insert(self.shared.now);
        Ok(())
    }

    /// As [`Node::add_strategy`], for the community `id` of type `C`.
    pub fn add_strategy_to<C: Community>(
        &mut self,
        id: CommunityId,
        strategy: impl Strategy<C> + 'static,
        target_peers: Option<usize>,
    ) -> Result<(), NodeError> {
        let name = super::host::short_name(std::any::type_name_of_val(&strategy));
        self.host_mut::<C>(Some(id))?.add_strategy(Box::new(strategy), name, target_peers);
        self.next_walk.get_or_insert(self.shared.now);
        Ok(())
    }

    /// As [`Node::add_strategy_to`], with a strategy built at run time (from a configuration),
    /// listed under `name`.
    pub fn add_boxed_strategy_to<C: Community>(
        &mut self,
        id: CommunityId,
        name: &'static str,
        strategy: Box<dyn Strategy<C>>,
        target_peers: Option<usize>,
    ) -> Result<(), NodeError> {
        self.host_mut::<C>(Some(id))?.add_strategy(strategy, name, target_peers);
        self.next_walk.get_or_insert(self.shared.now);
        Ok(())
    }

    /// Adds a bootstrapper to community `C`.
    pub fn add_bootstrapper<C: Community>(
        &mut self,
        bootstrapper: impl Bootstrapper + 'static,
    ) -> Result<(), NodeError> {
        self.host_mut::<C>(None)?.add_bootstrapper(Box::new(bootstrapper));
        Ok(())
    }

    /// Adds a bootstrapper to the community `id`, whatever its type.
    pub fn add_bootstrapper_to(
        &mut self,
        id: CommunityId,
        bootstrapper: impl Bootstrapper + 'static,
    ) -> Result<(), NodeError> {
        let index = self.index_of(id).ok_or(NodeError::UnknownCommunity(id))?;
        let overlay = self.overlays.get_mut(index).ok_or(NodeError::UnknownCommunity(id))?;
        overlay.add_bootstrapper(Box::new(bootstrapper));
        Ok(())
    }

    /// Sends an introduction-request to `address` in community `C` (py-ipv8's `walk_to`).
    pub fn walk_to<C: Community>(
        &mut self,
        now: Instant,
        address: SocketAddr,
    ) -> Result<(), NodeError> {
        self.shared.now = now;
        let index = self.find::<C>(None).ok_or(NodeError::NoSuchCommunity)?;
        if let Some((overlay, shared)) = self.at(index) {
            overlay.walk_to(shared, address);
        }
        self.follow_up();
        Ok(())
    }

    /// The index of the first community of type `C`, or of the one with `id` if it has type `C`.
    fn find<C: Community>(&self, id: Option<CommunityId>) -> Option<usize> {
        let is_c = |o: &dyn Overlay| o.as_any().is::<Host<C>>();
        match id {
            Some(id) => {
                self.index_of(id).filter(|&i| self.overlays.get(i).is_some_and(|o| is_c(&**o)))
            }
            None => self.overlays.iter().position(|o| is_c(&**o)),
        }
    }

    fn host_mut<C: Community>(
        &mut self,
        id: Option<CommunityId>,
    ) -> Result<&mut Host<C>, NodeError> {
        let missing = id.map_or(NodeError::NoSuchCommunity, NodeError::UnknownCommunity);
        let index = self.find::<C>(id).ok_or_else(|| missing.clone())?;
        host_at(&mut self.overlays, index).ok_or(missing)
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.shared.outbox.pop().map(Outgoing::finish)
    }

    /// The next datagram to send as [`Node::poll_transmit`] gives it, but perhaps not signed yet:
    /// a driver that signs elsewhere (many at once, on worker threads) takes datagrams this way
    /// and sends each after [`Outgoing::finish`], in the order taken.
    pub fn poll_outgoing(&mut self) -> Option<Outgoing> {
        self.shared.outbox.pop()
    }

    /// When [`Node::handle_timeout`] should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        self.overlays
            .iter()
            .filter_map(|overlay| overlay.next_deadline())
            .chain(self.next_walk)
            .chain(
                self.shared.birthday.as_ref().and_then(super::discovery::Birthday::next_deadline),
            )
            .min()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.shared.poll_event()
    }

    /// The next CPU job a community spawned ([`Context::spawn_job`]): run it off the node's loop
    /// with [`Job::run`] and hand the result back with [`Node::handle_job_done`]. A driver must
    /// poll for jobs after every step, as it polls for datagrams.
    pub fn poll_job(&mut self) -> Option<Job> {
        self.shared.mailbox.jobs.pop_front()
    }

    /// Hands a finished job's result to the community that spawned it.
    pub fn handle_job_done(&mut self, now: Instant, done: JobDone) {
        self.shared.now = now;
        match self.index_of(done.owner()).and_then(|i| self.at(i)) {
            Some((overlay, shared)) => done.apply(Some(overlay), shared),
            None => done.apply(None, &mut self.shared),
        }
        self.follow_up();
    }

    /// The next socket to open or close for a community ([`Context::open_socket`]); a driver that
    /// opens one reports back with [`Node::handle_socket_opened`], and feeds what arrives on it to
    /// [`Node::handle_socket_datagram`].
    pub fn poll_socket_request(&mut self) -> Option<SocketRequest> {
        self.shared.sockets.requests.pop_front()
    }

    /// Tells the socket's community whether its socket opened, and at which address.
    pub fn handle_socket_opened(
        &mut self,
        now: Instant,
        id: SocketId,
        result: Result<SocketAddr, SocketError>,
    ) {
        self.shared.now = now;
        if self.shared.birthday.as_ref().is_some_and(|b| b.owns(id))
            && let Some(mut birthday) = self.shared.birthday.take()
        {
            birthday.socket_opened(&mut self.shared, id, result.is_ok());
            self.shared.birthday = Some(birthday);
            return;
        }
        let Some(index) = self.shared.sockets.owner(id).and_then(|owner| self.index_of(owner))
        else {
            return;
        };
        if let Some((overlay, shared)) = self.at(index) {
            overlay.socket_opened(shared, id, result);
        }
        self.follow_up();
    }

    /// The next name a community asked to resolve (see [`Context::resolve`]); answer it with
    /// [`Node::handle_resolved`].
    pub fn poll_resolve_request(&mut self) -> Option<super::ResolveRequest> {
        self.shared.resolves.requests.pop_front()
    }

    /// The addresses of the name of request `id` (or why there are none), for the community that
    /// asked.
    pub fn handle_resolved(
        &mut self,
        now: Instant,
        id: u64,
        result: Result<Vec<SocketAddr>, super::ResolveError>,
    ) {
        self.shared.now = now;
        let owner = self.shared.resolves.answered(id);
        let Some(index) = owner.and_then(|owner| self.index_of(owner)) else { return };
        if let Some((overlay, shared)) = self.at(index) {
            overlay.resolved(shared, id, result);
        }
        self.follow_up();
    }

    /// Hands a datagram that arrived on a community's socket to that community.
    pub fn handle_socket_datagram(
        &mut self,
        now: Instant,
        id: SocketId,
        source: SocketAddr,
        data: &[u8],
    ) {
        self.shared.now = now;
        if self.shared.birthday.as_ref().is_some_and(|b| b.owns(id))
            && let Some(mut birthday) = self.shared.birthday.take()
        {
            let arrived = birthday.socket_datagram(&mut self.shared, id, source);
            self.shared.birthday = Some(birthday);
            match arrived {
                super::discovery::Arrived::NotMine => {}
                super::discovery::Arrived::Deliver => {
                    self.handle_one(source, data, Arrival::Socket(Checked::No));
                    self.follow_up();
                    return;
                }
                super::discovery::Arrived::Stray => {
                    self.shared.stats.received += 1;
                    self.shared.stats.drop(&DropReason::Refused("birthday_stray"));
                    return;
                }
            }
        }
        self.shared.stats.received += 1;
        let index = self.shared.sockets.owner(id).and_then(|owner| self.index_of(owner));
        match index.and_then(|i| self.at(i)) {
            Some((overlay, shared)) => overlay.socket_datagram(shared, id, source, data),
            None => self.shared.stats.drop(&DropReason::Refused("unknown_socket")),
        }
        self.follow_up();
    }

    /// Asks the first community of type `S` to answer `request`, from outside the node (a REST
    /// route, an application task); the answer comes through the returned future once the
    /// community replies (see [`Responder`]).
    pub fn ask<S, R>(
        &mut self,
        now: Instant,
        request: R,
    ) -> oneshot::Response<Result<R::Response, AskError>>
    where
        S: Responder<R>,
        R: Request,
    {
        self.ask_at::<S, R>(now, ask::type_target::<S>(), request)
    }

    /// As [`Node::ask`], to the community of type `S` with id `community_id`.
    pub fn ask_community<S, R>(
        &mut self,
        now: Instant,
        community_id: CommunityId,
        request: R,
    ) -> oneshot::Response<Result<R::Response, AskError>>
    where
        S: Responder<R>,
        R: Request,
    {
        self.ask_at::<S, R>(now, Target::Id(community_id), request)
    }

    fn ask_at<S, R>(
        &mut self,
        now: Instant,
        target: Target,
        request: R,
    ) -> oneshot::Response<Result<R::Response, AskError>>
    where
        S: Responder<R>,
        R: Request,
    {
        self.shared.now = now;
        let (completer, response) = oneshot::channel();
        let envelope = ask::call::<S, R>(target, request, Reply::external(completer));
        self.deliver(envelope);
        self.follow_up();
        response
    }

    /// The first community of type `C`.
    #[must_use]
    pub fn community<C: Community>(&self) -> Option<&C> {
        let host = self.overlays.get(self.find::<C>(None)?)?.as_any().downcast_ref::<Host<C>>();
        host.map(|host| &host.community)
    }

    /// The public key the first community of type `C` speaks with (its identity).
    #[must_use]
    pub fn community_key<C: Community>(&self) -> Option<&PublicKey> {
        let host = self.overlays.get(self.find::<C>(None)?)?.as_any().downcast_ref::<Host<C>>();
        host.map(|host| &host.local.public_key)
    }

    /// The community of type `C` with id `id`.
    #[must_use]
    pub fn community_by_id<C: Community>(&self, id: CommunityId) -> Option<&C> {
        let host = self.overlays.get(self.find::<C>(Some(id))?)?.as_any().downcast_ref::<Host<C>>();
        host.map(|host| &host.community)
    }

    /// Runs `f` with the first community of type `C` and its context, as a handler would run, at
    /// `now`. `None` if there is no such community, or if `f` panicked (the panic is caught and
    /// reported as [`Event::Panicked`]).
    pub fn with_community<C: Community, R>(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> Option<R> {
        self.with_host::<C, R>(now, None, f).ok()
    }

    /// As [`Node::with_community`], saying why `f` did not return.
    pub fn try_with_community<C: Community, R>(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> Result<R, NodeError> {
        self.with_host::<C, R>(now, None, f)
    }

    /// As [`Node::with_community`], with the community of type `C` whose id is `id`.
    pub fn with_community_id<C: Community, R>(
        &mut self,
        now: Instant,
        id: CommunityId,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> Option<R> {
        self.with_host::<C, R>(now, Some(id), f).ok()
    }

    fn with_host<C: Community, R>(
        &mut self,
        now: Instant,
        id: Option<CommunityId>,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> Result<R, NodeError> {
        self.shared.now = now;
        let missing = id.map_or(NodeError::NoSuchCommunity, NodeError::UnknownCommunity);
        let index = self.find::<C>(id).ok_or_else(|| missing.clone())?;
        if let Some(&slot) = self.slots.get(index) {
            self.enter(slot);
        }
        let host = host_at::<C>(&mut self.overlays, index).ok_or(missing)?;
        let community_id = host.local.id;
        let result = host.run(&mut self.shared, super::host::During::Handle, f);
        self.follow_up();
        result.ok_or(NodeError::Panicked(community_id))
    }

    /// Adds a verified peer that runs `services`, telling those communities (as py-ipv8's
    /// `TestBase` does). The peer goes into the peer table of each service's identity (the node's
    /// own for services no community of this node runs).
    pub fn add_peer(&mut self, peer: &Peer, services: &[CommunityId]) {
        for service in services {
            let slot = self.index_of(*service).and_then(|i| self.slots.get(i).copied());
            self.enter(slot.unwrap_or(0));
            self.shared.network.add_verified_peer(peer);
            if self.shared.network.add_service(peer.key(), *service) {
                self.shared.announce(peer.clone(), *service);
            }
        }
        if services.is_empty() {
            self.enter(0);
            self.shared.network.add_verified_peer(peer);
        }
        self.follow_up();
    }

    /// Removes a peer from the peer table of the node's own identity, telling the communities it
    /// ran.
    pub fn remove_peer(&mut self, key: &PublicKey) -> Option<Peer> {
        self.remove_peer_of(0, key)
    }

    /// Removes a peer from the peer table of identity `slot`, telling that identity's
    /// communities it ran.
    fn remove_peer_of(&mut self, slot: usize, key: &PublicKey) -> Option<Peer> {
        self.enter(slot);
        let entry = self.shared.network.remove_peer(key)?;
        for index in 0..self.overlays.len() {
            let runs = self.overlays.get(index).is_some_and(|o| {
                entry.services.contains(&o.community_id()) && self.slots.get(index) == Some(&slot)
            });
            if runs && let Some((overlay, shared)) = self.at(index) {
                overlay.peer_removed(shared, &entry.peer);
            }
        }
        tracing::info!(peer = %entry.peer.mid(), address = %entry.peer.address(), "peer removed");
        self.shared.emit(Event::PeerRemoved { peer: entry.peer.clone() });
        Some(entry.peer)
    }

    /// Runs the work a step left for afterwards, until none is left (within
    /// [`FOLLOW_UP_ROUNDS`]): peers removed and added (telling their communities), calls and
    /// replies between communities, datagrams carried for other communities and datagrams
    /// carriers delivered.
    fn follow_up(&mut self) {
        for _ in 0..FOLLOW_UP_ROUNDS {
            if !self.has_follow_up() {
                return;
            }
            self.drain_membership();
            // Loads first: a community may ask one it just loaded.
            for action in self.shared.loads.take() {
                if let Err(error) = action(self) {
                    tracing::warn!(%error, "a community could not be loaded or unloaded");
                }
            }
            for envelope in std::mem::take(&mut self.shared.mailbox.envelopes) {
                self.deliver(envelope);
            }
            for (carrier, transmit) in std::mem::take(&mut self.shared.outbox.redirected) {
                match self.index_of(carrier).and_then(|i| self.at(i)) {
                    Some((overlay, shared)) => overlay.carry(shared, transmit),
                    None => self.shared.transmit_on(
                        transmit.socket,
                        transmit.destination,
                        transmit.contents,
                    ),
                }
            }
            for (source, datagram) in std::mem::take(&mut self.shared.mailbox.injected) {
                self.handle_one(source, &datagram, Arrival::Carried);
            }
        }
    }

    /// Whether a step left anything for [`Node::follow_up`] (checked first: most steps leave
    /// nothing).
    fn has_follow_up(&self) -> bool {
        let shared = &self.shared;
        !shared.membership.removals.is_empty()
            || !shared.membership.new_services.is_empty()
            || shared.network.has_announced()
            || !shared.mailbox.envelopes.is_empty()
            || !shared.outbox.redirected.is_empty()
            || !shared.mailbox.injected.is_empty()
            || !shared.loads.is_empty()
            || self.identities.iter().any(|identity| identity.network.has_announced())
    }

    /// Opens an envelope at the community it is for.
    fn deliver(&mut self, envelope: Envelope) {
        let index = match envelope.to {
            Target::Id(id) => self.index_of(id),
            Target::Type(type_id) => {
                self.overlays.iter().position(|o| o.as_any().type_id() == type_id)
            }
        };
        match index.and_then(|i| self.at(i)) {
            Some((overlay, shared)) => (envelope.open)(Some(overlay), shared),
            None => (envelope.open)(None, &mut self.shared),
        }
    }

    /// Removes the peers components asked to remove, and tells communities of the peers that
    /// started running them (each in its own identity's peer table).
    fn drain_membership(&mut self) {
        while let Some((slot, key)) = self.shared.membership.removals.pop_front() {
            self.remove_peer_of(slot, &key);
        }
        for slot in 0..self.identities.len() {
            self.enter(slot);
            for (peer, service) in self.shared.network.take_announced() {
                self.shared.membership.new_services.push((slot, peer, service));
            }
        }
        while let Some((slot, peer, service)) = self.shared.membership.new_services.pop() {
            let index = self.index_of(service).filter(|&i| self.slots.get(i) == Some(&slot));
            let Some((overlay, shared)) = index.and_then(|index| self.at(index)) else { continue };
            overlay.peer_added(shared, &peer);
            tracing::info!(peer = %peer.mid(), address = %peer.address(), community = %service, "peer added");
            self.shared.emit(Event::PeerAdded { community_id: service, peer });
        }
    }

    /// Replaces the timeouts of caches added from now on, in every community (for tests).
    pub fn set_passthrough(&mut self, passthrough: &Passthrough) {
        for overlay in &mut self.overlays {
            overlay.set_passthrough(passthrough.clone());
        }
    }

    /// Starts or stops recording the messages communities accept (feature `test-util`).
    #[cfg(feature = "test-util")]
    pub fn record_received(&mut self, on: bool) {
        self.recorder = on.then(Vec::new);
    }

    /// Takes the messages recorded since the last call (feature `test-util`).
    #[cfg(feature = "test-util")]
    pub fn take_received(&mut self) -> Vec<super::Received> {
        self.recorder.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Records a message community `index` accepted, when recording.
    #[cfg(feature = "test-util")]
    fn record(&mut self, index: usize, incoming: &Incoming<'_>) {
        let (Some(recorder), Some(overlay)) = (&mut self.recorder, self.overlays.get(index)) else {
            return;
        };
        if super::discovery::CORE_IDS.contains(&incoming.msg_id()) {
            return;
        }
        let signed = super::packet::SignedParts::split(incoming.data(), &self.shared.keys)
            .is_ok_and(|parts| parts.key.verify(parts.signed, parts.signature));
        recorder.push(super::Received {
            community_id: overlay.community_id(),
            msg_id: incoming.msg_id(),
            source: incoming.source(),
            signed,
            packet: incoming.data().to_vec(),
        });
    }

    /// Stops every community's tasks and caches (their pending responses resolve as cancelled).
    pub fn shutdown(&mut self) {
        for overlay in &mut self.overlays {
            overlay.shutdown();
        }
    }

    /// The peer table of the node's own identity (shared by every community that speaks with
    /// the node's key).
    #[must_use]
    pub fn network(&self) -> &Network {
        self.network_at(0).unwrap_or(&self.shared.network)
    }

    /// The peer table of the identity community `id` speaks with: the node's own, or the table of
    /// a community added with another key (and of the communities that share that key).
    #[must_use]
    pub fn network_of(&self, id: CommunityId) -> Option<&Network> {
        self.network_at(*self.slots.get(self.index_of(id)?)?)
    }

    /// The peer table of the node's own identity, to change it (communities are not told; prefer
    /// [`Node::add_peer`]).
    pub fn network_mut(&mut self) -> &mut Network {
        self.enter(0);
        &mut self.shared.network
    }

    /// What the node tells about each of its communities, in the order they were added.
    #[must_use]
    pub fn overlays(&self) -> Vec<OverlayInfo> {
        let infos = self.overlays.iter().map(|overlay| overlay.info());
        infos
            .zip(&self.slots)
            .map(|(info, slot)| OverlayInfo { isolated: *slot != 0, ..info })
            .collect()
    }

    /// The node's global time (the Lamport clock its built-in messages claim from).
    #[must_use]
    pub fn global_time(&self) -> u64 {
        self.shared.global_time
    }

    /// Counters of received, handled, dropped and sent packets.
    #[must_use]
    pub fn stats(&self) -> &Stats {
        &self.shared.stats
    }

    /// The node's own public key (the identity of communities added without a key of their
    /// own; see [`OverlayInfo::public_key`] for each community's).
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The node's own private key.
    #[must_use]
    pub fn private_key(&self) -> &PrivateKey {
        &self.key
    }
}

/// One identity of a node (a key its communities speak with) and its peer table, parked while
/// another identity's table is active.
struct Identity {
    key: PublicKey,
    network: Network,
    /// Made for one community alone ([`Node::add_isolated_community`]).
    isolated: bool,
}

/// The community at `index`, if it has type `C`.
fn host_at<C: Community>(overlays: &mut [Box<dyn Overlay>], index: usize) -> Option<&mut Host<C>> {
    overlays.get_mut(index).and_then(|o| o.as_any_mut().downcast_mut::<Host<C>>())
}

#[cfg(test)]
mod tests {
    #[test]
    fn node_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Node>();
    }
}
