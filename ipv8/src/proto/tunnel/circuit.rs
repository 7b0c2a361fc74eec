//! [`Circuit`]: a circuit this node built, as its originator sees it (spec `tunnels.md` §6.1): the
//! verified hops with their session keys, the hop being added, and the onion layers cells to and
//! from it get.

use std::time::Instant;

use super::{CryptoError, Direction, EphemeralKey, PeerFlags, ReplayWindow, SessionKeys};
use crate::crypto::PublicKey;
use crate::proto::{Peer, Reply};

/// Where a circuit is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CircuitState {
    /// Fewer verified hops than it should have.
    Extending,
    /// All hops verified: data may flow.
    Ready,
    /// Being removed; late cells still count until it is forgotten.
    Closing,
}

impl CircuitState {
    /// py-ipv8's name of the state (`EXTENDING`, `READY`, `CLOSING`), as the REST API shows it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Extending => "EXTENDING",
            Self::Ready => "READY",
            Self::Closing => "CLOSING",
        }
    }
}

/// What a circuit is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CircuitType {
    /// Data to the internet through an exit.
    Data,
    /// A hidden service's circuit to its introduction point.
    IpSeeder,
    /// A hidden service's circuit to a rendezvous point.
    RpSeeder,
    /// A downloader's circuit to a rendezvous point.
    RpDownloader,
    /// A circuit for a speed test.
    SpeedTest,
}

impl CircuitType {
    /// py-ipv8's name of the type (`DATA`, `IP_SEEDER`, ...), as the REST API shows it.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Data => "DATA",
            Self::IpSeeder => "IP_SEEDER",
            Self::RpSeeder => "RP_SEEDER",
            Self::RpDownloader => "RP_DOWNLOADER",
            Self::SpeedTest => "SPEED_TEST",
        }
    }
}

/// A verified hop of a circuit.
#[derive(Debug, Clone)]
pub struct Hop {
    /// The hop (its address is known for the first hop only; later hops show `0.0.0.0:0`).
    pub peer: Peer,
    /// The flags it advertised, when we knew it as a candidate.
    pub flags: PeerFlags,
    pub(super) keys: SessionKeys,
    /// BACKWARD counters seen.
    pub(super) window: ReplayWindow,
}

/// The hop being added: who it should be and our half of the handshake.
pub(super) struct PendingHop {
    pub(super) key: PublicKey,
    pub(super) address: std::net::SocketAddr,
    pub(super) flags: PeerFlags,
    pub(super) ephemeral: EphemeralKey,
}

/// Bytes and time a circuit, relay or exit has seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Traffic {
    /// When it was made.
    pub created_at: Instant,
    /// When a cell last went through it.
    pub last_activity: Instant,
    /// Bytes sent.
    pub bytes_up: u64,
    /// Bytes received.
    pub bytes_down: u64,
}

impl Traffic {
    pub(super) fn new(now: Instant) -> Self {
        Self { created_at: now, last_activity: now, bytes_up: 0, bytes_down: 0 }
    }

    pub(super) fn up(&mut self, bytes: usize) {
        self.bytes_up = self.bytes_up.saturating_add(bytes as u64);
    }

    pub(super) fn down(&mut self, now: Instant, bytes: usize) {
        self.bytes_down = self.bytes_down.saturating_add(bytes as u64);
        self.last_activity = now;
    }

    /// Bytes both ways.
    #[must_use]
    pub fn total(&self) -> u64 {
        self.bytes_up.saturating_add(self.bytes_down)
    }
}

/// A circuit this node built.
pub struct Circuit {
    pub(super) id: u32,
    pub(super) goal_hops: usize,
    pub(super) ctype: CircuitType,
    pub(super) state: CircuitState,
    pub(super) hops: Vec<Hop>,
    pub(super) pending: Option<PendingHop>,
    pub(super) required_exit: Option<Peer>,
    pub(super) exit_flags: PeerFlags,
    pub(super) traffic: Traffic,
    /// Cells sent with the relay-early flag.
    pub(super) relay_early_sent: u32,
    /// When a closing circuit is forgotten.
    pub(super) remove_at: Option<Instant>,
    /// Who waits for the circuit to be ready.
    pub(super) waiting: Vec<Reply<Result<CircuitInfo, super::TunnelError>>>,
    /// The swarm a hidden-service circuit serves.
    pub(super) info_hash: Option<[u8; 20]>,
    /// The end-to-end layer of a rendezvous circuit, once linked (innermost).
    pub(super) e2e: Option<EndToEnd>,
    /// The hidden-service step that waits for the circuit to be ready.
    pub(super) on_ready: Option<super::hidden::OnReady>,
}

/// The innermost layer of a linked rendezvous circuit, shared with the other end (spec §5:
/// `hs_session_keys`).
pub(super) struct EndToEnd {
    pub(super) keys: SessionKeys,
    /// Counters seen from the other end.
    pub(super) window: ReplayWindow,
}

impl Circuit {
    pub(super) fn new(id: u32, goal_hops: usize, ctype: CircuitType, now: Instant) -> Self {
        Self {
            id,
            goal_hops,
            ctype,
            state: CircuitState::Extending,
            hops: Vec::new(),
            pending: None,
            required_exit: None,
            exit_flags: PeerFlags::default(),
            traffic: Traffic::new(now),
            relay_early_sent: 0,
            remove_at: None,
            waiting: Vec::new(),
            info_hash: None,
            e2e: None,
            on_ready: None,
        }
    }

    /// The circuit id on the link to the first hop.
    #[must_use]
    pub fn id(&self) -> u32 {
        self.id
    }

    /// Where it is in its life.
    #[must_use]
    pub fn state(&self) -> CircuitState {
        self.state
    }

    /// What it is for.
    #[must_use]
    pub fn ctype(&self) -> CircuitType {
        self.ctype
    }

    /// The hops it should have.
    #[must_use]
    pub fn goal_hops(&self) -> usize {
        self.goal_hops
    }

    /// Its verified hops, first hop first.
    #[must_use]
    pub fn hops(&self) -> &[Hop] {
        &self.hops
    }

    /// Bytes and time it has seen.
    #[must_use]
    pub fn traffic(&self) -> Traffic {
        self.traffic
    }

    /// The key of the hop being added, while one is.
    #[must_use]
    pub fn unverified_hop(&self) -> Option<&PublicKey> {
        self.pending.as_ref().map(|pending| &pending.key)
    }

    /// The first hop, to which every cell of the circuit goes: the verified one, or the one
    /// being added while there is none.
    pub(super) fn first_hop_address(&self) -> Option<std::net::SocketAddr> {
        self.hops.first().map(|hop| hop.peer.address()).or(self.pending.as_ref().map(|p| p.address))
    }

    /// Wraps a message in one FORWARD layer per hop, the last hop's innermost, inside the
    /// end-to-end layer of a linked rendezvous circuit (the seeder's side encrypts FORWARD, the
    /// downloader's BACKWARD).
    pub(super) fn wrap(&mut self, mut message: Vec<u8>) -> Vec<u8> {
        let direction = self.e2e_direction(CircuitType::RpSeeder);
        if let Some(e2e) = &mut self.e2e {
            message = e2e.keys.encrypt(direction, &message);
        }
        self.hops
            .iter_mut()
            .rev()
            .fold(message, |message, hop| hop.keys.encrypt(Direction::Forward, &message))
    }

    /// Takes the BACKWARD layers off a message, the first hop's outermost, then the end-to-end
    /// layer of a linked rendezvous circuit.
    pub(super) fn unwrap(&mut self, message: &[u8]) -> Result<Vec<u8>, CryptoError> {
        let mut message = message.to_vec();
        for hop in &mut self.hops {
            message = hop.keys.decrypt_once(Direction::Backward, &message, &mut hop.window)?;
        }
        let direction = self.e2e_direction(CircuitType::RpDownloader);
        if let Some(e2e) = &mut self.e2e {
            message = e2e.keys.decrypt_once(direction, &message, &mut e2e.window)?;
        }
        Ok(message)
    }

    /// FORWARD for circuits of type `forward`, else BACKWARD.
    fn e2e_direction(&self, forward: CircuitType) -> Direction {
        if self.ctype == forward { Direction::Forward } else { Direction::Backward }
    }

    /// Whether it is a rendezvous circuit (its data is the application's, end to end).
    pub(super) fn is_e2e(&self) -> bool {
        matches!(self.ctype, CircuitType::RpSeeder | CircuitType::RpDownloader)
    }

    /// A snapshot for those outside the community.
    #[must_use]
    pub fn info(&self) -> CircuitInfo {
        CircuitInfo {
            id: self.id,
            state: self.state,
            ctype: self.ctype,
            goal_hops: self.goal_hops,
            hops: self.hops.iter().map(|hop| hop.peer.clone()).collect(),
            exit_flags: self.exit_flags,
            traffic: self.traffic,
        }
    }
}

/// A circuit as those outside the tunnel community see it.
#[derive(Debug, Clone)]
pub struct CircuitInfo {
    /// The circuit id, to send data with.
    pub id: u32,
    /// Where it is in its life.
    pub state: CircuitState,
    /// What it is for.
    pub ctype: CircuitType,
    /// The hops it should have.
    pub goal_hops: usize,
    /// Its verified hops, first hop first (only the first hop's address is known).
    pub hops: Vec<Peer>,
    /// The flags its exit must have.
    pub exit_flags: PeerFlags,
    /// Bytes and time it has seen.
    pub traffic: Traffic,
}
