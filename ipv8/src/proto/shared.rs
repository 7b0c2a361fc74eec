//! [`Shared`]: the node-wide state the components of a node work on, in parts with narrow APIs:
//! the clock and addresses, the peer table, the outbox (with its redirections), the events, the
//! membership queues, and the mailbox of calls and jobs between components.

use std::any::Any;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;

use super::ask::Envelope;
use super::job::Job;
use super::packet::{KeyCache, PREFIX_LEN};
use super::socket::{SocketId, Sockets};
use super::{CommunityId, Network, Peer, Rng, Stats};
use crate::crypto::{PrivateKey, PublicKey};
use crate::wire::Payload;

/// Most datagrams queued for sending before new ones are refused (and counted).
pub(crate) const OUTBOX_LIMIT: usize = 1 << 16;
/// Most events kept for [`Node::poll_event`](super::Node::poll_event) before the oldest are dropped.
pub(crate) const EVENT_LIMIT: usize = 4096;
/// Most peer removals queued by strategies before further requests are ignored (until drained).
pub(crate) const REMOVAL_LIMIT: usize = 4096;
/// Most calls and replies between components waiting to be delivered.
pub(crate) const MAILBOX_LIMIT: usize = 4096;
/// Most CPU jobs waiting for the driver to take them.
pub(crate) const JOB_LIMIT: usize = 256;

/// A datagram to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transmit {
    /// Where to send it.
    pub destination: SocketAddr,
    /// The bytes.
    pub contents: Vec<u8>,
    /// The socket to send it from: a community's own ([`Context::open_socket`](super::Context::open_socket)),
    /// or `None` for the node's endpoint.
    pub socket: Option<SocketId>,
}

/// A datagram the node queued, whose signature may still have to be written: the node leaves
/// signing to the moment it is taken, so that a driver can sign many at once on several threads
/// ([`Node::poll_outgoing`](super::Node::poll_outgoing)). [`Node::poll_transmit`](super::Node::poll_transmit)
/// hands them out signed.
///
/// # Examples
///
/// ```
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::{Community, CommunityId, Node};
///
/// struct Walker;
/// #[ipv8::community]
/// impl Walker {}
/// impl Community for Walker {
///     fn community_id(&self) -> CommunityId {
///         CommunityId(*b"outgoing doc example")
///     }
/// }
///
/// let now = Instant::now();
/// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, now);
/// node.add_community(now, Walker)?;
/// node.with_community::<Walker, _>(now, |_, ctx| ctx.walk_to("127.0.0.1:9".parse().unwrap()));
/// // The introduction-request is signed when it is finished, on any thread.
/// let outgoing = node.poll_outgoing().expect("a request");
/// assert!(!outgoing.is_signed());
/// let transmit = std::thread::spawn(move || outgoing.finish()).join().unwrap();
/// assert_eq!(transmit.destination.port(), 9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Outgoing {
    transmit: Transmit,
    /// The key whose signature goes into the last bytes, while it is not written.
    signer: Option<Arc<PrivateKey>>,
}

impl Outgoing {
    /// Whether the datagram is complete (signed, or never to be signed).
    #[must_use]
    pub fn is_signed(&self) -> bool {
        self.signer.is_none()
    }

    /// The datagram; while it is not signed, its last bytes are zeros where the signature goes.
    #[must_use]
    pub fn transmit(&self) -> &Transmit {
        &self.transmit
    }

    /// The datagram to send, signed if it was not yet.
    #[must_use]
    pub fn finish(mut self) -> Transmit {
        if let Some(key) = self.signer.take() {
            super::packet::sign_in_place(&mut self.transmit.contents, &key);
        }
        self.transmit
    }
}

/// Something that happened in a node, for the application driving it.
#[derive(Debug)]
#[non_exhaustive]
pub enum Event {
    /// A verified peer started running a community of this node.
    PeerAdded {
        /// The community.
        community_id: CommunityId,
        /// The peer.
        peer: Peer,
    },
    /// A peer was removed from the network table.
    PeerRemoved {
        /// The peer.
        peer: Peer,
    },
    /// A community emitted an event of its own with [`Context::emit`](super::Context::emit).
    Community {
        /// The community.
        community_id: CommunityId,
        /// The event; downcast it to the community's event type.
        event: Box<dyn Any + Send>,
    },
    /// A handler, task, timeout, call or job of a community panicked. The node caught the panic,
    /// counted it in [`Stats::panics`] and went on; the community keeps whatever state the panic
    /// left it in.
    Panicked {
        /// The community.
        community_id: CommunityId,
        /// What was running: `message 7`, `task`, `job`, ...
        during: String,
        /// The panic's message, if it was a string.
        message: String,
    },
}

/// A message a handler accepted, as recorded for tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// The community it arrived in.
    pub community_id: CommunityId,
    /// Its message id.
    pub msg_id: u8,
    /// Where it came from.
    pub source: SocketAddr,
    /// Whether it was signed.
    pub signed: bool,
    /// The whole packet.
    pub packet: Vec<u8>,
}

impl Received {
    /// Decodes the payload as `P` (`None` if it is not one).
    #[must_use]
    pub fn payload<P: Payload>(&self) -> Option<P> {
        let start = super::packet::HEADER_LEN;
        if self.signed {
            let parts =
                super::packet::SignedParts::split(&self.packet, &KeyCache::default()).ok()?;
            P::from_bytes(parts.body).ok()
        } else {
            P::from_bytes(self.packet.get(start..)?).ok()
        }
    }
}

/// The node's own addresses: the one it is bound to (its LAN address) and the WAN estimate.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct Addresses {
    pub(crate) lan: Option<SocketAddr>,
    /// The WAN address others report seeing us at (py-ipv8's WAN estimate).
    pub(crate) wan: Option<SocketAddr>,
}

impl Addresses {
    /// The WAN estimate, else the LAN address.
    pub(crate) fn wan_or_lan(&self) -> Option<SocketAddr> {
        self.wan.or(self.lan)
    }
}

/// Datagrams to send, and the communities whose datagrams another component carries.
#[derive(Default)]
pub(crate) struct Outbox {
    queue: VecDeque<Outgoing>,
    /// Prefix of a community → the community that carries its datagrams (py-ipv8's
    /// `TunnelEndpoint`).
    redirects: HashMap<[u8; PREFIX_LEN], CommunityId>,
    /// Datagrams taken by a redirection, for their carrier.
    pub(crate) redirected: VecDeque<(CommunityId, Transmit)>,
}

impl Outbox {
    pub(crate) fn pop(&mut self) -> Option<Outgoing> {
        self.queue.pop_front()
    }

    pub(crate) fn redirect(&mut self, community: CommunityId, carrier: Option<CommunityId>) {
        match carrier {
            Some(by) => self.redirects.insert(community.prefix(), by),
            None => self.redirects.remove(&community.prefix()),
        };
    }

    /// Whether a carrier takes the datagrams of the community with `prefix`.
    pub(crate) fn is_redirected(&self, prefix: &[u8; PREFIX_LEN]) -> bool {
        self.redirects.contains_key(prefix)
    }

    /// Stops every redirection to `carrier` (it was removed).
    pub(crate) fn forget_carrier(&mut self, carrier: CommunityId) {
        self.redirects.retain(|_, c| *c != carrier);
    }
}

/// Peers learned and lost during a step, for the node to tell its communities afterwards.
#[derive(Default)]
pub(crate) struct Membership {
    /// Peers that started running a community since the node last told its communities, with the
    /// identity whose peer table they are in.
    pub(crate) new_services: Vec<(usize, Peer, CommunityId)>,
    /// Peers components asked to remove, with the identity whose peer table they are in; the node
    /// removes them and tells their communities.
    pub(crate) removals: VecDeque<(usize, PublicKey)>,
    /// The communities this node runs, with their identities, in the order they were added.
    pub(crate) local_communities: Vec<(CommunityId, usize)>,
}

/// Calls and replies between components, and CPU jobs waiting for the driver.
#[derive(Default)]
pub(crate) struct Mailbox {
    pub(crate) envelopes: VecDeque<Envelope>,
    pub(crate) jobs: VecDeque<Job>,
    pub(crate) next_job: u64,
    /// Datagrams carriers unwrapped, to be handled as received.
    pub(crate) injected: VecDeque<(SocketAddr, Vec<u8>)>,
}

/// Node-wide state.
pub(crate) struct Shared {
    pub(crate) now: Instant,
    /// An instant with its Unix time in seconds (see `Node::set_unix_time`).
    pub(crate) unix_anchor: (Instant, f64),
    pub(crate) addresses: Addresses,
    /// Where each of the last peers that answered us saw us, which tells the NAT's mapping.
    pub(crate) sightings: super::discovery::Sightings,
    /// The peer table of the active identity (see `Node::enter`).
    pub(crate) network: Network,
    /// Which identity is active.
    pub(crate) identity: usize,
    pub(crate) outbox: Outbox,
    events: VecDeque<Event>,
    pub(crate) rng: Rng,
    pub(crate) stats: Stats,
    pub(crate) keys: KeyCache,
    pub(crate) global_time: u64,
    pub(crate) membership: Membership,
    pub(crate) mailbox: Mailbox,
    pub(crate) sockets: Sockets,
    pub(crate) resolves: super::resolve::Resolves,
    /// Communities to load or unload once the current step returns.
    pub(crate) loads: super::load::Loads,
    /// Communities' fast paths, by their prefix ([`Context::set_fast_path`](super::Context::set_fast_path)).
    pub(crate) fast_paths: HashMap<[u8; PREFIX_LEN], Box<dyn super::FastPath>>,
    /// Port prediction for walkers behind symmetric NATs, when enabled
    /// ([`Node::set_port_prediction`](super::Node::set_port_prediction)).
    pub(crate) port_prediction: Option<super::discovery::PortPrediction>,
    /// Birthday punching, when enabled
    /// ([`Node::set_birthday_punching`](super::Node::set_birthday_punching)); taken out while
    /// it works on the rest of `Shared`.
    pub(crate) birthday: Option<super::discovery::Birthday>,
}

impl Shared {
    pub(crate) fn new(seed: u64, now: Instant) -> Self {
        Self {
            now,
            unix_anchor: (now, 0.0),
            addresses: Addresses::default(),
            network: Network::default(),
            identity: 0,
            outbox: Outbox::default(),
            events: VecDeque::new(),
            rng: Rng::new(seed),
            stats: Stats::default(),
            keys: KeyCache::default(),
            global_time: 0,
            membership: Membership::default(),
            mailbox: Mailbox::default(),
            sockets: Sockets::default(),
            resolves: super::resolve::Resolves::default(),
            loads: super::load::Loads::default(),
            fast_paths: HashMap::new(),
            port_prediction: None,
            birthday: None,
            sightings: super::discovery::Sightings::default(),
        }
    }

    /// Queues a datagram, unless a component carries its community's traffic (then it goes to
    /// that component).
    pub(crate) fn transmit(&mut self, destination: SocketAddr, contents: Vec<u8>) {
        let prefix = contents.get(..PREFIX_LEN).and_then(|p| <[u8; PREFIX_LEN]>::try_from(p).ok());
        if !self.outbox.redirects.is_empty()
            && let Some(carrier) = prefix.and_then(|p| self.outbox.redirects.get(&p).copied())
        {
            if self.outbox.redirected.len() >= OUTBOX_LIMIT {
                self.stats.send_failed("outbox_full");
                return;
            }
            let transmit = Transmit { destination, contents, socket: None };
            self.outbox.redirected.push_back((carrier, transmit));
            return;
        }
        self.transmit_on(None, destination, contents);
    }

    /// Queues a signed packet built by [`to_sign`](super::packet::to_sign), to be signed with
    /// `key` when it is taken; a carrier gets it signed at once.
    pub(crate) fn transmit_signed(
        &mut self,
        destination: SocketAddr,
        mut contents: Vec<u8>,
        key: &Arc<PrivateKey>,
    ) {
        let carried = !self.outbox.redirects.is_empty()
            && contents
                .first_chunk::<PREFIX_LEN>()
                .is_some_and(|prefix| self.outbox.redirects.contains_key(prefix));
        if carried {
            super::packet::sign_in_place(&mut contents, key);
            self.transmit(destination, contents);
            return;
        }
        self.queue(Transmit { destination, contents, socket: None }, Some(Arc::clone(key)));
    }

    /// Queues a datagram for the node's endpoint, whatever its community.
    pub(crate) fn transmit_direct(&mut self, destination: SocketAddr, contents: Vec<u8>) {
        self.transmit_on(None, destination, contents);
    }

    /// Queues a datagram for `socket` (`None`: the node's endpoint).
    pub(crate) fn transmit_on(
        &mut self,
        socket: Option<SocketId>,
        destination: SocketAddr,
        contents: Vec<u8>,
    ) {
        self.queue(Transmit { destination, contents, socket }, None);
    }

    /// Puts a datagram into the outbox, counted as sent, unless the outbox is full.
    /// A datagram for the endpoint toward a peer that birthday punching reached through one of
    /// its sockets leaves from that socket.
    fn queue(&mut self, mut transmit: Transmit, signer: Option<Arc<PrivateKey>>) {
        if transmit.socket.is_none()
            && let Some(birthday) = &self.birthday
        {
            transmit.socket = birthday.route(transmit.destination);
        }
        if self.outbox.queue.len() >= OUTBOX_LIMIT {
            self.stats.send_failed("outbox_full");
            return;
        }
        self.count_sent(&transmit.contents);
        self.outbox.queue.push_back(Outgoing { transmit, signer });
    }

    /// Counts a datagram that leaves the node.
    pub(crate) fn count_sent(&mut self, contents: &[u8]) {
        self.stats.sent += 1;
        if let (Some(prefix), Some(&msg_id)) =
            (contents.get(2..PREFIX_LEN), contents.get(PREFIX_LEN))
        {
            let mut id = [0; 20];
            id.copy_from_slice(prefix);
            self.stats.traffic(CommunityId(id), msg_id, contents.len(), true, self.now);
        }
    }

    /// Asks the node to remove the peer with `key` once the current step is over.
    pub(crate) fn request_removal(&mut self, key: &PublicKey) {
        let removal = (self.identity, key.clone());
        let removals = &mut self.membership.removals;
        if removals.len() < REMOVAL_LIMIT && !removals.contains(&removal) {
            removals.push_back(removal);
        }
    }

    /// Records that `peer` runs `community`, to tell that community once the step is over.
    pub(crate) fn announce(&mut self, peer: Peer, community: CommunityId) {
        self.membership.new_services.push((self.identity, peer, community));
    }

    /// The communities of the active identity.
    pub(crate) fn identity_communities(&self) -> Vec<CommunityId> {
        let local = &self.membership.local_communities;
        local.iter().filter(|(_, slot)| *slot == self.identity).map(|(id, _)| *id).collect()
    }

    pub(crate) fn emit(&mut self, event: Event) {
        if self.events.len() >= EVENT_LIMIT {
            self.events.pop_front();
        }
        self.events.push_back(event);
    }

    pub(crate) fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }

    /// Queues a datagram a carrier unwrapped, to be handled as received.
    pub(crate) fn inject(&mut self, source: SocketAddr, datagram: Vec<u8>) {
        if self.mailbox.injected.len() >= OUTBOX_LIMIT {
            self.stats.drop(&super::DropReason::Refused("inbox_full"));
            return;
        }
        self.mailbox.injected.push_back((source, datagram));
    }

    /// Queues a call or reply between components; `false` when the mailbox is full.
    pub(crate) fn post(&mut self, envelope: Envelope) -> bool {
        if self.mailbox.envelopes.len() >= MAILBOX_LIMIT {
            self.stats.send_failed("mailbox_full");
            return false;
        }
        self.mailbox.envelopes.push_back(envelope);
        true
    }
}
