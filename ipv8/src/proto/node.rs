//! [`Node`]: the sans-IO IPv8 node. It owns the key, the peer table and the communities, and turns
//! received datagrams and the passing of time into datagrams to send, timers and events. It never
//! reads a clock or touches a socket: a driver (tokio, or the simulator) does that.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::discovery::{Bootstrapper, Strategy};
use super::host::{Host, Overlay, OverlayInfo};
use super::packet::{HEADER_LEN, Incoming, PREFIX_LEN, SignedParts};
use super::shared::{Event, Received, Shared, Transmit};
use super::tracker::Tracker;
use super::{Community, CommunityId, Context, DropReason, Network, Passthrough, Peer, Stats};
use crate::crypto::{PrivateKey, PublicKey};

/// Why a community could not be added.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NodeError {
    /// A community with the same id runs already.
    #[error("community {0} is already running on this node")]
    DuplicateCommunity(CommunityId),
    /// No community of the requested type runs on this node.
    #[error("no community of that type runs on this node")]
    NoSuchCommunity,
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
    overlays: Vec<Box<dyn Overlay>>,
    by_prefix: HashMap<[u8; PREFIX_LEN], usize>,
    walker_interval: Duration,
    next_walk: Option<Instant>,
    tracker: Option<Tracker>,
}

/// py-ipv8's default `walker_interval`.
pub const DEFAULT_WALKER_INTERVAL: Duration = Duration::from_millis(500);

impl Node {
    /// A node with `key`, whose random choices follow `seed`, starting at `now`.
    #[must_use]
    pub fn new(key: PrivateKey, seed: u64, now: Instant) -> Self {
        Self {
            shared: Shared::new(key, seed, now),
            overlays: Vec::new(),
            by_prefix: HashMap::new(),
            walker_interval: DEFAULT_WALKER_INTERVAL,
            next_walk: None,
            tracker: None,
        }
    }

    /// Tells the node its own address (the socket it is bound to, as others reach it).
    pub fn set_address(&mut self, address: SocketAddr) {
        self.shared.address = Some(address);
    }

    /// Sets the WAN address estimate (normally learned from introduction-responses).
    pub fn set_wan_address(&mut self, address: SocketAddr) {
        self.shared.wan_address = Some(address);
    }

    /// The WAN address estimate: the last one others reported, else the own address.
    #[must_use]
    pub fn wan_address(&self) -> Option<SocketAddr> {
        self.shared.wan_address.or(self.shared.address)
    }

    /// The node's own address, once set.
    #[must_use]
    pub fn address(&self) -> Option<SocketAddr> {
        self.shared.address
    }

    /// Adds and starts a community.
    pub fn add_community<C: Community>(
        &mut self,
        now: Instant,
        community: C,
    ) -> Result<(), NodeError> {
        let id = community.community_id();
        if self.by_prefix.contains_key(&id.prefix()) {
            return Err(NodeError::DuplicateCommunity(id));
        }
        self.shared.now = now;
        self.by_prefix.insert(id.prefix(), self.overlays.len());
        self.shared.local_communities.push(id);
        let mut host = Box::new(Host::new(community));
        host.start(&mut self.shared);
        self.overlays.push(host);
        self.notify_new_services();
        Ok(())
    }

    /// Handles one received datagram.
    pub fn handle_datagram(&mut self, now: Instant, source: SocketAddr, data: &[u8]) {
        self.shared.now = now;
        self.handle_one(source, data, false);
        self.notify_new_services();
    }

    /// Handles a batch of received datagrams, checking the signatures of the signed ones together
    /// (Ed25519 batch verification), which is faster than one by one.
    pub fn handle_datagrams(&mut self, now: Instant, datagrams: &[(SocketAddr, &[u8])]) {
        self.shared.now = now;
        let verified = self.verify_batch(datagrams);
        for ((source, data), verified) in datagrams.iter().zip(verified) {
            self.handle_one(*source, data, verified);
        }
        self.notify_new_services();
    }

    /// Which datagrams carry a valid signature over a signed layout, checked as one batch.
    fn verify_batch(&self, datagrams: &[(SocketAddr, &[u8])]) -> Vec<bool> {
        let parts: Vec<Option<SignedParts<'_>>> = datagrams
            .iter()
            .map(|(_, data)| {
                let known = data
                    .get(..PREFIX_LEN)
                    .is_some_and(|prefix| self.by_prefix.contains_key(prefix));
                known.then(|| SignedParts::split(data, &self.shared.keys).ok()).flatten()
            })
            .collect();
        let items: Vec<_> =
            parts.iter().flatten().map(|p| (&p.key, p.signed, p.signature)).collect();
        let mut results = crate::crypto::verify_batch(&items).into_iter();
        parts.iter().map(|part| part.is_some() && results.next().unwrap_or(false)).collect()
    }

    fn handle_one(&mut self, source: SocketAddr, data: &[u8], verified: bool) {
        self.shared.stats.received += 1;
        if let Some(prefix) = super::discovery::parse_probe(data) {
            self.answer_probe(source, &prefix);
            return;
        }
        let result = self.route(source, data, verified);
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
        let from_self = self.shared.address == Some(source);
        match self.by_prefix.get(prefix).copied().filter(|_| !from_self) {
            Some(index) => {
                if let Some(overlay) = self.overlays.get_mut(index) {
                    overlay.walk_to(&mut self.shared, source);
                }
                self.shared.stats.probes_answered += 1;
            }
            None => self.shared.stats.drop(&DropReason::Refused("probe_for_unknown_community")),
        }
    }

    fn route(&mut self, source: SocketAddr, data: &[u8], verified: bool) -> Result<u8, DropReason> {
        let (prefix, _) = data
            .split_first_chunk::<PREFIX_LEN>()
            .filter(|_| data.len() >= HEADER_LEN)
            .ok_or(DropReason::TooShort)?;
        let Some(&index) = self.by_prefix.get(prefix) else {
            return match &mut self.tracker {
                Some(tracker) => tracker.handle(&mut self.shared, source, data),
                None => Err(DropReason::UnknownCommunity),
            };
        };
        self.shared.network.touch(source, self.shared.now);
        if let (Some(overlay), Some(&msg_id)) = (self.overlays.get(index), data.get(PREFIX_LEN)) {
            let now = self.shared.now;
            self.shared.stats.traffic(overlay.community_id(), msg_id, data.len(), false, now);
        }
        let keys = std::mem::take(&mut self.shared.keys);
        let mut incoming = Incoming::new(source, data, &keys);
        if verified {
            incoming.set_verified();
        }
        let result = match self.overlays.get_mut(index) {
            Some(overlay) => {
                overlay.handle(&mut self.shared, &incoming).map(|()| incoming.msg_id())
            }
            None => Err(DropReason::UnknownCommunity),
        };
        self.shared.keys = keys;
        result
    }

    /// Runs the walker tick, tasks and cache timeouts that are due at `now`.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.shared.now = now;
        if self.next_walk.is_some_and(|due| due <= now) {
            self.next_walk = Some(now + self.walker_interval);
            for overlay in &mut self.overlays {
                overlay.walk(&mut self.shared);
            }
        }
        for overlay in &mut self.overlays {
            overlay.handle_timeout(&mut self.shared);
        }
        if let Some(tracker) = &mut self.tracker {
            tracker.handle_timeout(&mut self.shared);
        }
        self.notify_new_services();
    }

    /// Makes this node a bootstrap server (py-ipv8's `tracker_service.py`): it answers
    /// introduction-requests under any prefix, introducing peers of the same community.
    pub fn enable_tracker(&mut self, now: Instant) {
        self.tracker = Some(Tracker::new(now));
    }

    /// The tracker state, if [`Node::enable_tracker`] was called.
    #[must_use]
    pub fn tracker(&self) -> Option<&Tracker> {
        self.tracker.as_ref()
    }

    /// Sets the time between walker ticks (py-ipv8's `walker_interval`, 0.5 s by default).
    pub fn set_walker_interval(&mut self, interval: Duration) {
        self.walker_interval = interval.max(Duration::from_millis(1));
    }

    /// Adds a discovery strategy to community `C`, run on every walker tick while `C` has fewer
    /// than `target_peers` peers (`None`: always).
    pub fn add_strategy<C: Community>(
        &mut self,
        strategy: impl Strategy + 'static,
        target_peers: Option<usize>,
    ) -> Result<(), NodeError> {
        let name = super::host::short_name(std::any::type_name_of_val(&strategy));
        self.overlay_of::<C>()?.add_strategy(Box::new(strategy), name, target_peers);
        self.next_walk.get_or_insert(self.shared.now);
        Ok(())
    }

    /// Adds a bootstrapper to community `C`.
    pub fn add_bootstrapper<C: Community>(
        &mut self,
        bootstrapper: impl Bootstrapper + 'static,
    ) -> Result<(), NodeError> {
        self.overlay_of::<C>()?.add_bootstrapper(Box::new(bootstrapper));
        Ok(())
    }

    /// Sends an introduction-request to `address` in community `C` (py-ipv8's `walk_to`).
    pub fn walk_to<C: Community>(
        &mut self,
        now: Instant,
        address: SocketAddr,
    ) -> Result<(), NodeError> {
        self.shared.now = now;
        let shared = &mut self.shared;
        let overlay = self
            .overlays
            .iter_mut()
            .find(|o| o.as_any().is::<Host<C>>())
            .ok_or(NodeError::NoSuchCommunity)?;
        overlay.walk_to(shared, address);
        Ok(())
    }

    fn overlay_of<C: Community>(&mut self) -> Result<&mut Box<dyn Overlay>, NodeError> {
        self.overlays
            .iter_mut()
            .find(|o| o.as_any().is::<Host<C>>())
            .ok_or(NodeError::NoSuchCommunity)
    }

    /// The next datagram to send.
    pub fn poll_transmit(&mut self) -> Option<Transmit> {
        self.shared.outbox.pop_front()
    }

    /// When [`Node::handle_timeout`] should be called next.
    #[must_use]
    pub fn poll_timeout(&self) -> Option<Instant> {
        let tracker = self.tracker.as_ref().map(Tracker::next_deadline);
        self.overlays
            .iter()
            .filter_map(|overlay| overlay.next_deadline())
            .chain(self.next_walk)
            .chain(tracker)
            .min()
    }

    /// The next event for the application.
    pub fn poll_event(&mut self) -> Option<Event> {
        self.shared.events.pop_front()
    }

    /// The community of type `C`.
    #[must_use]
    pub fn community<C: Community>(&self) -> Option<&C> {
        self.overlays
            .iter()
            .find_map(|overlay| overlay.as_any().downcast_ref::<Host<C>>())
            .map(|host| &host.community)
    }

    /// Runs `f` with the community of type `C` and its context, as a handler would run, at `now`.
    pub fn with_community<C: Community, R>(
        &mut self,
        now: Instant,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R,
    ) -> Option<R> {
        self.shared.now = now;
        let host = self
            .overlays
            .iter_mut()
            .find_map(|overlay| overlay.as_any_mut().downcast_mut::<Host<C>>())?;
        let result = host.with(&mut self.shared, f);
        self.notify_new_services();
        Some(result)
    }

    /// Adds a verified peer that runs `services`, telling those communities (as py-ipv8's
    /// `TestBase` does).
    pub fn add_peer(&mut self, peer: &Peer, services: &[CommunityId]) {
        self.shared.network.add_verified_peer(peer);
        for service in services {
            if self.shared.network.add_service(peer.key(), *service) {
                self.shared.new_services.push((peer.clone(), *service));
            }
        }
        self.notify_new_services();
    }

    /// Removes a peer from the network table, telling the communities it ran.
    pub fn remove_peer(&mut self, key: &PublicKey) -> Option<Peer> {
        let entry = self.shared.network.remove_peer(key)?;
        for overlay in &mut self.overlays {
            if entry.services.contains(&overlay.community_id()) {
                overlay.peer_removed(&mut self.shared, &entry.peer);
            }
        }
        tracing::info!(peer = %entry.peer.mid(), address = %entry.peer.address(), "peer removed");
        self.shared.emit(Event::PeerRemoved { peer: entry.peer.clone() });
        Some(entry.peer)
    }

    fn notify_new_services(&mut self) {
        self.drain_discovery_queues();
        while let Some((peer, service)) = self.shared.new_services.pop() {
            let index = self.by_prefix.get(&service.prefix()).copied();
            if let Some(overlay) = index.and_then(|index| self.overlays.get_mut(index)) {
                overlay.peer_added(&mut self.shared, &peer);
            }
            tracing::info!(peer = %peer.mid(), address = %peer.address(), community = %service, "peer added");
            self.shared.emit(Event::PeerAdded { community_id: service, peer });
        }
    }

    /// Removes the peers strategies asked to remove (telling their communities), and queues the
    /// services of this node's communities that peers turned out to run when they were verified.
    fn drain_discovery_queues(&mut self) {
        while let Some(key) = self.shared.removals.pop_front() {
            self.remove_peer(&key);
        }
        let announced = self.shared.network.take_announced();
        let local = announced.into_iter().filter(|(_, s)| self.by_prefix.contains_key(&s.prefix()));
        self.shared.new_services.extend(local);
    }

    /// Replaces the timeouts of caches added from now on, in every community (for tests).
    pub fn set_passthrough(&mut self, passthrough: &Passthrough) {
        for overlay in &mut self.overlays {
            overlay.set_passthrough(passthrough.clone());
        }
    }

    /// Starts or stops recording the messages handlers accept (for tests).
    pub fn record_received(&mut self, on: bool) {
        self.shared.received = on.then(Vec::new);
    }

    /// Takes the messages recorded since the last call.
    pub fn take_received(&mut self) -> Vec<Received> {
        self.shared.received.as_mut().map(std::mem::take).unwrap_or_default()
    }

    /// Stops every community's tasks and caches (their pending responses resolve as cancelled).
    pub fn shutdown(&mut self) {
        for overlay in &mut self.overlays {
            overlay.shutdown();
        }
    }

    /// The peer table.
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.shared.network
    }

    /// The peer table, to change it (communities are not told; prefer [`Node::add_peer`]).
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.shared.network
    }

    /// What the node tells about each of its communities, in the order they were added.
    #[must_use]
    pub fn overlays(&self) -> Vec<OverlayInfo> {
        self.overlays.iter().map(|overlay| overlay.info()).collect()
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

    /// The node's public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.shared.public_key
    }

    /// The node's private key.
    #[must_use]
    pub fn private_key(&self) -> &PrivateKey {
        &self.shared.key
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn node_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<super::Node>();
    }
}
