//! [`Context`]: what a community's handlers, tasks and cache timeouts act through: sending, peers,
//! the request cache, tasks, time and randomness.

use std::any::Any;
use std::net::SocketAddr;
use std::time::Instant;

use super::discovery::Core;
use super::shared::{Event, Received, Shared};
use super::tasks::{Schedule, TaskError, TaskManager};
use super::{
    CacheError, CommunityId, Incoming, Network, NumberCache, Peer, RequestCache, Rng, packet,
};
use crate::crypto::PublicKey;
use crate::wire::{EncodeError, Message};

/// The world as one community sees it during a handler, task or timeout.
pub struct Context<'a, C> {
    pub(crate) shared: &'a mut Shared,
    pub(crate) community_id: CommunityId,
    pub(crate) prefix: [u8; packet::PREFIX_LEN],
    pub(crate) tasks: &'a mut TaskManager<C>,
    pub(crate) cache: &'a mut RequestCache<C>,
}

impl<C: 'static> Context<'_, C> {
    /// The current time, as given to the node.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.shared.now
    }

    /// This community's id.
    #[must_use]
    pub fn community_id(&self) -> CommunityId {
        self.community_id
    }

    /// The 22-byte prefix of this community's packets (py-ipv8's `get_prefix()`), for raw packets.
    #[must_use]
    pub fn prefix(&self) -> [u8; packet::PREFIX_LEN] {
        self.prefix
    }

    /// This node's public key.
    #[must_use]
    pub fn my_key(&self) -> &PublicKey {
        &self.shared.public_key
    }

    /// This node's own address, once known.
    #[must_use]
    pub fn my_address(&self) -> Option<SocketAddr> {
        self.shared.address
    }

    /// Sends `payload` to `peer`, signed with this node's key (py-ipv8's `ez_send`). A payload that
    /// cannot be encoded is counted in [`Stats::send_failed`](super::Stats) and not sent; use
    /// [`Context::try_ez_send`] to handle that yourself.
    pub fn ez_send<P: Message>(&mut self, peer: &Peer, payload: &P) {
        if self.try_ez_send(peer.address(), payload).is_err() {
            self.shared.stats.send_failed("encode");
        }
    }

    /// Sends `payload` signed to `address`, or says why it could not be encoded.
    pub fn try_ez_send<P: Message>(
        &mut self,
        address: SocketAddr,
        payload: &P,
    ) -> Result<(), EncodeError> {
        let key_bin = self.shared.public_key.to_bin();
        let packet = packet::signed(&self.prefix, &self.shared.key, key_bin, payload)?;
        self.shared.transmit(address, packet);
        Ok(())
    }

    /// Sends `payload` unsigned to `address`.
    pub fn ez_send_unsigned<P: Message>(&mut self, address: SocketAddr, payload: &P) {
        match packet::unsigned(&self.prefix, payload) {
            Ok(packet) => self.shared.transmit(address, packet),
            Err(_) => self.shared.stats.send_failed("encode"),
        }
    }

    /// Sends bytes as they are, for custom packet formats (start them with [`Context::prefix`]).
    pub fn send_raw(&mut self, address: SocketAddr, packet: Vec<u8>) {
        self.shared.transmit(address, packet);
    }

    /// Sends an introduction-request to `address` (py-ipv8's `walk_to`).
    pub fn walk_to(&mut self, address: SocketAddr) {
        let mut core = Core {
            shared: self.shared,
            community_id: self.community_id,
            prefix: self.prefix,
            max_peers: usize::MAX,
        };
        core.walk_to(address);
    }

    /// Sends an introduction-request to `peer` (py-ipv8's `send_introduction_request`).
    pub fn send_introduction_request(&mut self, peer: &Peer) {
        self.walk_to(peer.address());
    }

    /// The verified peers that run this community (py-ipv8's `get_peers()`).
    #[must_use]
    pub fn peers(&self) -> Vec<Peer> {
        self.shared.network.peers_for(self.community_id)
    }

    /// The ids of every community this node runs, in the order they were added (what the
    /// DiscoveryCommunity advertises in its similarity messages).
    #[must_use]
    pub fn local_communities(&self) -> &[CommunityId] {
        &self.shared.local_communities
    }

    /// The node's peer table.
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.shared.network
    }

    /// Adds a verified peer that runs this community; communities are told through
    /// [`Community::on_peer_added`](super::Community::on_peer_added).
    pub fn add_verified_peer(&mut self, peer: Peer) {
        self.shared.network.add_verified_peer(&peer);
        if self.shared.network.add_service(peer.key(), self.community_id) {
            self.shared.new_services.push((peer, self.community_id));
        }
    }

    /// This community's request cache.
    pub fn request_cache(&mut self) -> &mut RequestCache<C> {
        self.cache
    }

    /// Adds a cache under `number` (see [`RequestCache::add`]).
    pub fn add_cache<T: NumberCache<C>>(
        &mut self,
        number: u64,
        cache: T,
    ) -> Result<u64, CacheError> {
        self.cache.add(self.shared.now, number, cache)
    }

    /// Adds a cache under a random free number and returns it (see [`RequestCache::add_random`]).
    pub fn add_random_cache<T: NumberCache<C>>(&mut self, cache: T) -> Result<u64, CacheError> {
        self.cache.add_random(self.shared.now, &mut self.shared.rng, cache)
    }

    /// Registers a named task (py-ipv8's `register_task`).
    pub fn register_task(
        &mut self,
        name: impl Into<String>,
        schedule: Schedule,
        task: impl FnMut(&mut C, &mut Context<'_, C>) + Send + 'static,
    ) -> Result<(), TaskError> {
        self.tasks.register(self.shared.now, name, schedule, Box::new(task))
    }

    /// Registers a task under a fresh name made from `name`; returns that name.
    pub fn register_anonymous_task(
        &mut self,
        name: &str,
        schedule: Schedule,
        task: impl FnMut(&mut C, &mut Context<'_, C>) + Send + 'static,
    ) -> Result<String, TaskError> {
        self.tasks.register_anonymous(self.shared.now, name, schedule, Box::new(task))
    }

    /// Cancels a pending task (py-ipv8's `cancel_pending_task`); returns whether there was one.
    pub fn cancel_task(&mut self, name: &str) -> bool {
        self.tasks.cancel(name)
    }

    /// This community's tasks.
    pub fn tasks(&mut self) -> &mut TaskManager<C> {
        self.tasks
    }

    /// The node's deterministic random numbers.
    pub fn rng(&mut self) -> &mut Rng {
        &mut self.shared.rng
    }

    /// Increments and returns the node's global time (a Lamport clock shared by its communities).
    pub fn claim_global_time(&mut self) -> u64 {
        self.shared.global_time += 1;
        self.shared.global_time
    }

    /// Hands an event to the application driving the node ([`Event::Community`]).
    pub fn emit<E: Any + Send>(&mut self, event: E) {
        let community_id = self.community_id;
        self.shared.emit(Event::Community { community_id, event: Box::new(event) });
    }

    /// Records an accepted message when the node records them (for tests); called by generated code.
    #[doc(hidden)]
    pub fn record_received(&mut self, incoming: &Incoming<'_>, signed: bool) {
        if let Some(received) = &mut self.shared.received {
            received.push(Received {
                community_id: self.community_id,
                msg_id: incoming.msg_id(),
                source: incoming.source(),
                signed,
                packet: incoming.data().to_vec(),
            });
        }
    }
}
