//! A hidden swarm as one member sees it (py-ipv8's `Swarm`, spec `tunnels.md` §8): the
//! introduction points known for its info hash, the end-to-end connections made through them,
//! and when to look for more.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use crate::crypto::PrivateKey;
use crate::proto::Peer;

/// How long an introduction point is kept without being seen again (unless in use).
pub const MAX_IP_AGE: Duration = Duration::from_secs(180);
/// A DHT lookup is due when the last DHT answer is older than this...
pub const DHT_LOOKUP_AGE: Duration = Duration::from_secs(300);
/// ...or older than this while no introduction point is known.
pub const DHT_LOOKUP_AGE_EMPTY: Duration = Duration::from_secs(120);

/// Where an introduction point was learnt (py-ipv8's `PEER_SOURCE_*`, a byte on the wire).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PeerSource {
    /// Unknown (0).
    Unknown,
    /// From the DHT (1).
    Dht,
    /// From a PEX overlay (2).
    Pex,
}

impl PeerSource {
    /// The wire byte.
    #[must_use]
    pub fn to_byte(self) -> u8 {
        match self {
            Self::Unknown => 0,
            Self::Dht => 1,
            Self::Pex => 2,
        }
    }

    /// From the wire byte (unknown values read as [`PeerSource::Unknown`]).
    #[must_use]
    pub fn from_byte(byte: u8) -> Self {
        match byte {
            1 => Self::Dht,
            2 => Self::Pex,
            _ => Self::Unknown,
        }
    }
}

/// A node that introduces a seeder of a swarm: its address and key, and the seeder's public key
/// (serialized, `LibNaCLPK:` prefix included).
#[derive(Debug, Clone)]
pub struct IntroductionPoint {
    /// The introduction point.
    pub peer: Peer,
    /// The key the seeder shows for the swarm.
    pub seeder_pk: Vec<u8>,
    /// Where we learnt of it.
    pub source: PeerSource,
}

impl IntroductionPoint {
    /// The same point (py-ipv8 compares the introducing peer and the seeder key).
    #[must_use]
    pub fn same(&self, other: &Self) -> bool {
        self.peer.key() == other.peer.key() && self.seeder_pk == other.seeder_pk
    }
}

/// A swarm this node joined.
pub(in crate::proto::tunnel) struct Swarm {
    pub(in crate::proto::tunnel) info_hash: [u8; 20],
    pub(in crate::proto::tunnel) hops: usize,
    /// The key seeders show the world (none for a downloader).
    pub(in crate::proto::tunnel) seeder_key: Option<PrivateKey>,
    /// Introduction points with when they were last seen.
    pub(in crate::proto::tunnel) intro_points: Vec<(IntroductionPoint, Instant)>,
    /// Our rendezvous circuits in the swarm, with the introduction point each came through.
    pub(in crate::proto::tunnel) connections: HashMap<u32, IntroductionPoint>,
    /// Seeder keys we are connecting to (create-e2e sent, no circuit yet).
    pub(in crate::proto::tunnel) connecting: Vec<Vec<u8>>,
    pub(in crate::proto::tunnel) last_lookup: Option<Instant>,
    pub(in crate::proto::tunnel) last_dht_response: Option<Instant>,
    /// Introduction points a seeder keeps (0 for a downloader).
    pub(in crate::proto::tunnel) intro_points_wanted: usize,
}

impl Swarm {
    pub(in crate::proto::tunnel) fn new(
        info_hash: [u8; 20],
        hops: usize,
        seeder_key: Option<PrivateKey>,
    ) -> Self {
        Self {
            info_hash,
            hops,
            seeder_key,
            intro_points: Vec::new(),
            connections: HashMap::new(),
            connecting: Vec::new(),
            last_lookup: None,
            last_dht_response: None,
            intro_points_wanted: 0,
        }
    }

    pub(in crate::proto::tunnel) fn seeding(&self) -> bool {
        self.seeder_key.is_some()
    }

    /// The seeder's public key, serialized.
    pub(in crate::proto::tunnel) fn seeder_pk(&self) -> Option<Vec<u8>> {
        self.seeder_key.as_ref().map(|key| key.public_key().to_bin().to_vec())
    }

    pub(in crate::proto::tunnel) fn has_connection(&self, seeder_pk: &[u8]) -> bool {
        self.connections.values().any(|ip| ip.seeder_pk == seeder_pk)
            || self.connecting.iter().any(|pk| pk == seeder_pk)
    }

    /// Adds or refreshes an introduction point.
    pub(in crate::proto::tunnel) fn add_intro_point(
        &mut self,
        ip: IntroductionPoint,
        now: Instant,
    ) {
        match self.intro_points.iter_mut().find(|(known, _)| known.same(&ip)) {
            Some((_, seen)) => *seen = now,
            None => self.intro_points.push((ip, now)),
        }
    }

    pub(in crate::proto::tunnel) fn remove_intro_point(&mut self, ip: &IntroductionPoint) {
        self.intro_points.retain(|(known, _)| !known.same(ip));
    }

    /// Forgets introduction points not seen for [`MAX_IP_AGE`], except those `in_use`.
    pub(in crate::proto::tunnel) fn remove_old_intro_points(
        &mut self,
        now: Instant,
        in_use: &[IntroductionPoint],
    ) {
        self.intro_points.retain(|(ip, seen)| {
            now.saturating_duration_since(*seen) <= MAX_IP_AGE || in_use.iter().any(|u| u.same(ip))
        });
    }

    /// Whether the next lookup should ask the DHT (else the known introduction points).
    pub(in crate::proto::tunnel) fn dht_lookup_due(&self, now: Instant) -> bool {
        let age = self.last_dht_response.map(|at| now.saturating_duration_since(at));
        match age {
            None => true,
            Some(age) => {
                age > DHT_LOOKUP_AGE || (self.intro_points.is_empty() && age > DHT_LOOKUP_AGE_EMPTY)
            }
        }
    }
}
