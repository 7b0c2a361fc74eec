//! [`Context`]: what a community's handlers, tasks and cache timeouts act through: sending, peers,
//! the request cache, tasks, time and randomness.

use std::any::Any;
use std::net::SocketAddr;
use std::time::Instant;

use super::discovery::{Core, Discovery};
use super::host::Local;
use super::shared::{Event, Shared};
use super::tasks::{Schedule, TaskError, TaskManager};
use super::{CacheError, CommunityId, Network, NumberCache, Peer, RequestCache, Rng, packet};
use crate::crypto::{PrivateKey, PublicKey};
use crate::wire::{EncodeError, Message};

/// Where a message goes: a [`Peer`] or an address.
pub trait Destination {
    /// The address to send to.
    fn address(&self) -> SocketAddr;
}

impl Destination for SocketAddr {
    fn address(&self) -> SocketAddr {
        *self
    }
}

impl Destination for Peer {
    fn address(&self) -> SocketAddr {
        Peer::address(self)
    }
}

impl<D: Destination + ?Sized> Destination for &D {
    fn address(&self) -> SocketAddr {
        (**self).address()
    }
}

/// The world as one community sees it during a handler, task, timeout, strategy step or callback.
pub struct Context<'a, C> {
    pub(crate) shared: &'a mut Shared,
    pub(crate) local: &'a mut Local,
    pub(crate) tasks: &'a mut TaskManager<C>,
    pub(crate) cache: &'a mut RequestCache<C>,
}

impl<C: 'static> Context<'_, C> {
    /// The same context, borrowed for a shorter time.
    pub(crate) fn reborrow(&mut self) -> Context<'_, C> {
        Context {
            shared: &mut *self.shared,
            local: &mut *self.local,
            tasks: &mut *self.tasks,
            cache: &mut *self.cache,
        }
    }

    /// The current time, as given to the node.
    #[must_use]
    pub fn now(&self) -> Instant {
        self.shared.now
    }

    /// The current Unix time in seconds (wall-clock dates: metadata, value versions), from the
    /// time the driver gave with [`Node::set_unix_time`](super::Node::set_unix_time) and the
    /// time elapsed since on the node's clock.
    #[must_use]
    pub fn unix_time(&self) -> f64 {
        let (at, unix) = self.shared.unix_anchor;
        unix + self.shared.now.saturating_duration_since(at).as_secs_f64()
    }

    /// [`Context::unix_time`] in whole seconds, as py-ipv8's value versions and `last_seen`
    /// fields carry it.
    #[must_use]
    #[expect(clippy::cast_sign_loss, reason = "clamped to the range of u32 first")]
    pub fn unix_seconds(&self) -> u32 {
        self.unix_time().clamp(0.0, f64::from(u32::MAX)) as u32
    }

    /// This community's id.
    #[must_use]
    pub fn community_id(&self) -> CommunityId {
        self.local.id
    }

    /// The 22-byte prefix of this community's packets (py-ipv8's `get_prefix()`), for raw packets.
    #[must_use]
    pub fn prefix(&self) -> [u8; packet::PREFIX_LEN] {
        self.local.prefix
    }

    /// The public key this community speaks with (its identity; by default the node's).
    #[must_use]
    pub fn my_key(&self) -> &PublicKey {
        &self.local.public_key
    }

    /// The private key this community signs with.
    #[must_use]
    pub fn my_private_key(&self) -> &PrivateKey {
        &self.local.key
    }

    /// This node's own address, once known.
    #[must_use]
    pub fn my_address(&self) -> Option<SocketAddr> {
        self.shared.addresses.lan
    }

    /// The node's WAN address estimate (what peers report seeing), else its own address.
    #[must_use]
    pub fn wan_address(&self) -> Option<SocketAddr> {
        self.shared.addresses.wan_or_lan()
    }

    /// Sends `payload` to a peer or an address, signed with this community's key (py-ipv8's
    /// `ez_send`). A payload that cannot be encoded is counted in
    /// [`Stats::send_failed`](super::Stats) and not sent; use [`Context::try_ez_send`] to handle
    /// that yourself.
    pub fn ez_send<P: Message>(&mut self, to: impl Destination, payload: &P) {
        if self.try_ez_send(to, payload).is_err() {
            self.shared.stats.send_failed("encode");
        }
    }

    /// Sends `payload` signed to a peer or an address, or says why it could not be encoded.
    pub fn try_ez_send<P: Message>(
        &mut self,
        to: impl Destination,
        payload: &P,
    ) -> Result<(), EncodeError> {
        let local = &*self.local;
        let signature_len = local.key.curve().signature_len();
        let packet =
            packet::to_sign(&local.prefix, local.public_key.to_bin(), signature_len, payload)?;
        self.shared.transmit_signed(to.address(), packet, &local.key);
        Ok(())
    }

    /// Sends `payload` unsigned to a peer or an address.
    pub fn ez_send_unsigned<P: Message>(&mut self, to: impl Destination, payload: &P) {
        match packet::unsigned(&self.local.prefix, payload) {
            Ok(packet) => self.shared.transmit(to.address(), packet),
            Err(_) => self.shared.stats.send_failed("encode"),
        }
    }

    /// Sends bytes as they are, for custom packet formats (start them with [`Context::prefix`]).
    pub fn send_raw(&mut self, address: SocketAddr, packet: Vec<u8>) {
        self.shared.transmit(address, packet);
    }

    /// Sends datagrams as they are, past any redirection of this community's traffic (a
    /// community that carries other communities' packets sends what it wrapped this way).
    pub fn send_direct(&mut self, address: SocketAddr, packet: Vec<u8>) {
        self.shared.transmit_direct(address, packet);
    }

    /// Sends an introduction-request to `address` (py-ipv8's `walk_to`); returns its identifier,
    /// which the response echoes.
    pub fn walk_to(&mut self, address: SocketAddr) -> u16 {
        self.discovery().walk_to(address)
    }

    /// Sends an introduction-request to `peer` (py-ipv8's `send_introduction_request`).
    pub fn send_introduction_request(&mut self, peer: &Peer) {
        self.walk_to(peer.address());
    }

    /// Sets the `extra_bytes` of this community's introduction-requests and -responses from now on
    /// (py-ipv8's `create_introduction_request`/`create_introduction_response` overrides, as
    /// tunnels use for their peer flags). Peers' extra bytes arrive in
    /// [`Community::introduction_request_callback`](super::Community::introduction_request_callback)
    /// and [`Community::introduction_response_callback`](super::Community::introduction_response_callback).
    pub fn set_introduction_extra_bytes(&mut self, extra_bytes: Vec<u8>) {
        self.local.extra_bytes = extra_bytes;
    }

    /// Datagrams under no community's prefix come to this community's
    /// [`Community::on_unclaimed`](super::Community::on_unclaimed) (`true`), or stop coming
    /// (`false`). Several communities may listen; each is asked in the order they were added.
    pub fn listen_unclaimed(&mut self, on: bool) {
        self.local.listens_unclaimed = on;
    }

    /// This community carries the traffic of `community` (`true`), or stops carrying it
    /// (`false`): every datagram `community` sends goes to
    /// [`Community::on_carried`](super::Community::on_carried) instead of the socket (py-ipv8's
    /// `TunnelEndpoint`). The carrier hands what it receives for `community` back with
    /// [`Context::deliver_carried`].
    pub fn carry(&mut self, community: CommunityId, on: bool) {
        let carrier = on.then_some(self.local.id);
        self.shared.outbox.redirect(community, carrier);
    }

    /// Hands a datagram to the node as if it had arrived from `source` on the socket (a carrier
    /// delivering what it unwrapped). It is handled once the current step is over.
    pub fn deliver_carried(&mut self, source: SocketAddr, datagram: Vec<u8>) {
        self.shared.inject(source, datagram);
    }

    /// Gives this community a fast path: the node offers it every datagram under this
    /// community's prefix before the handlers, and sends what it forwards (see [`FastPath`]). A
    /// second call replaces the first; the fast path goes when the community is removed.
    ///
    /// [`FastPath`]: super::FastPath
    pub fn set_fast_path(&mut self, fast_path: impl super::FastPath + 'static) {
        self.shared.fast_paths.insert(self.local.prefix, Box::new(fast_path));
    }

    /// Parses a serialized public key (as [`PublicKey::from_bin`]) through the node's cache of
    /// parsed keys: keys that arrive inside payloads (the DHT's node lists, say) and repeat are
    /// parsed once. `None` if the bytes are not a public key.
    #[must_use]
    pub fn parse_public_key(&self, bin: &[u8]) -> Option<PublicKey> {
        self.shared.keys.parse(bin)
    }

    /// Refuses the packet being handled: the node counts it as dropped under `reason` (see
    /// [`Stats::dropped`](super::Stats::dropped)) rather than handled. How a handler reports
    /// hostile or useless input, such as a forged token or an unsolicited response; outside a
    /// message handler it does nothing.
    ///
    /// ```
    /// use ipv8::proto::{Community, CommunityId, Context, Peer};
    /// use ipv8::testing::TestNetwork;
    /// use ipv8::{community, payload};
    ///
    /// #[payload(msg_id = 1)]
    /// struct Vote { choice: u8 }
    ///
    /// #[derive(Default)]
    /// struct Poll { votes: [u32; 2] }
    ///
    /// #[community]
    /// impl Poll {
    ///     #[lazy_handler]
    ///     fn on_vote(&mut self, ctx: &mut Context<Self>, _peer: &Peer, vote: Vote) {
    ///         match self.votes.get_mut(usize::from(vote.choice)) {
    ///             Some(count) => *count += 1,
    ///             None => ctx.refuse("poll_no_such_choice"),
    ///         }
    ///     }
    /// }
    ///
    /// impl Community for Poll {
    ///     fn community_id(&self) -> CommunityId { CommunityId(*b"poll community 00001") }
    /// }
    ///
    /// let mut net = TestNetwork::initialize(2, |_| Poll::default());
    /// let to = net.peer(1);
    /// net.with_overlay(0, |_, ctx| ctx.ez_send(&to, &Vote { choice: 9 }));
    /// net.deliver_messages();
    /// assert_eq!(net.node(1).stats().dropped("poll_no_such_choice"), 1);
    /// ```
    pub fn refuse(&mut self, reason: &'static str) {
        self.local.refused = Some(reason);
    }

    /// The discovery messages of this community: introductions and punctures.
    pub fn discovery(&mut self) -> Discovery<'_> {
        let id = self.local.id;
        self.discovery_as(id)
    }

    /// The discovery messages of any community, spoken with this community's key: how a
    /// bootstrap server answers introduction-requests under every prefix.
    pub fn discovery_as(&mut self, community: CommunityId) -> Discovery<'_> {
        let mut core = Core::new(self.shared, self.local, usize::MAX);
        core.community_id = community;
        core.prefix = community.prefix();
        Discovery { core }
    }

    /// The verified peers that run this community (py-ipv8's `get_peers()`).
    #[must_use]
    pub fn peers(&self) -> Vec<Peer> {
        self.shared.network.peers_for(self.local.id)
    }

    /// The ids of the communities this node runs with this community's identity (key), in the
    /// order they were added: what the DiscoveryCommunity advertises in its similarity messages.
    #[must_use]
    pub fn local_communities(&self) -> Vec<CommunityId> {
        self.shared.identity_communities()
    }

    /// The peer table of this community's identity (shared by the communities that speak with
    /// the same key).
    #[must_use]
    pub fn network(&self) -> &Network {
        &self.shared.network
    }

    /// The node's peer table, to change it directly (nothing is announced; prefer
    /// [`Context::add_verified_peer`] and [`Context::discover_services`]).
    pub fn network_mut(&mut self) -> &mut Network {
        &mut self.shared.network
    }

    /// Adds a verified peer that runs this community; communities are told through
    /// [`Community::on_peer_added`](super::Community::on_peer_added).
    pub fn add_verified_peer(&mut self, peer: Peer) {
        self.shared.network.add_verified_peer(&peer);
        if self.shared.network.add_service(peer.key(), self.local.id) {
            self.shared.announce(peer, self.local.id);
        }
    }

    /// Records that `peer` runs `services` (it need not be verified yet); once it is verified,
    /// this node's communities among them are told through
    /// [`Community::on_peer_added`](super::Community::on_peer_added).
    pub fn discover_services(&mut self, peer: &Peer, services: &[CommunityId]) {
        let news = self.shared.network.discover_services(peer, services);
        let network = &self.shared.network;
        let known = network.get(peer.key()).map_or_else(|| peer.clone(), |e| e.peer.clone());
        let local = self.shared.identity_communities();
        let local: Vec<_> = news.into_iter().filter(|s| local.contains(s)).collect();
        for service in local {
            self.shared.announce(known.clone(), service);
        }
    }

    /// Removes the peer with `key` from the node's peer table once the current step is over; the
    /// communities it ran are told through
    /// [`Community::on_peer_removed`](super::Community::on_peer_removed).
    pub fn remove_peer(&mut self, key: &PublicKey) {
        self.shared.request_removal(key);
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
        let community_id = self.local.id;
        self.shared.emit(Event::Community { community_id, event: Box::new(event) });
    }
}
