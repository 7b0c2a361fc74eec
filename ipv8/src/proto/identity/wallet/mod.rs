//! [`AttestationCommunity`]: py-ipv8's wallet (spec `attestation.md` §1). It moves
//! zero-knowledge attestations in 800-byte chunks and runs their proofs: a subject asks an
//! attester for an attestation of one attribute ([`RequestAttestation`]), the attester's
//! application gives the value ([`Attest`]), the subject keeps the attestation in its
//! [`WalletDb`]; later a verifier asks for a proof ([`Verify`]), the subject consents
//! ([`Consent`]) and answers the verifier's challenges, and the verifier learns how well the
//! attested value matches its references ([`VerificationOutputs`]).
//!
//! The arithmetic runs as CPU jobs off the node's loop. The wallet works beside an
//! [`IdentityCommunity`](super::IdentityCommunity) under the same key (a pseudonym): it asks that
//! overlay to advertise new attributes, to record what it attested, and for the names of our
//! attributes. It does not walk: it speaks to the peers its identity overlay finds.

mod db;
mod enrol;
mod handlers;
mod prove;
mod requests;
#[cfg(test)]
mod tests;
mod transfer;
mod verify;

use std::collections::HashMap;
use std::time::{Duration, Instant};

pub use db::{StoredAttestation, WALLET_DB_VERSION, WalletDb, WalletDbError};
pub use requests::{
    Attest, Consent, ForgetAttestations, OutstandingAttestation, OutstandingAttestations,
    OutstandingVerification, OutstandingVerifications, RequestAttestation, VerificationOutput,
    VerificationOutputs, Verify,
};

use crate::attestation::SeededRng;
use crate::proto::{Community, CommunityId, Context, Schedule};

/// py-ipv8's `AttestationCommunity` id.
pub const WALLET_COMMUNITY_ID: CommunityId = CommunityId([
    0xb4, 0x2c, 0x93, 0xd1, 0x67, 0xa0, 0xfc, 0x4a, 0x08, 0x43, 0xf9, 0x17, 0xd4, 0xbf, 0x1e, 0x9e,
    0xbb, 0x34, 0x0e, 0xc4,
]);

/// Bytes per attestation chunk.
pub const CHUNK_SIZE: usize = 800;
/// The largest attestation blob accepted (an `id_metadata_huge` one is about 42 kB).
pub const MAX_BLOB: usize = 128 * CHUNK_SIZE;
/// How long transfers, enrolments, proofs, consents and requests wait (py-ipv8's caches).
pub const WALLET_TIMEOUT: Duration = Duration::from_secs(120);
/// How long a challenge waits for its answer before it is sent again.
pub const CHALLENGE_TIMEOUT: Duration = Duration::from_secs(10);
/// Times a challenge is sent again before it is given up (py-ipv8 never sends one again).
pub const CHALLENGE_RESENDS: u8 = 3;
/// Challenges of one proof in flight at once.
pub const CHALLENGE_WINDOW: usize = 10;
/// Chance (out of 256) that a follow-up challenge of an exact-value proof is an honesty check.
pub const HONESTY_CHANCE: u64 = 38;
/// Most entries in each table the network can grow (enrolments, requests, consents, proofs).
pub const WALLET_TABLE_LIMIT: usize = 64;
/// Most CPU jobs the wallet runs at once for others (answers to challenges, attestations).
pub const WALLET_JOB_LIMIT: usize = 32;

/// Why a wallet request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum WalletError {
    /// No request of this peer for this attribute waits (py-ipv8 answers `KeyError`).
    #[error("nothing outstanding for this peer and attribute")]
    NotOutstanding,
    /// Too many requests, proofs or jobs wait already.
    #[error("the wallet is busy")]
    Busy,
    /// The attestation could not be made (a value out of range, a malformed key).
    #[error("the attestation could not be made: {0}")]
    Attestation(String),
    /// The wallet database failed.
    #[error("{0}")]
    Db(String),
}

impl From<WalletDbError> for WalletError {
    fn from(e: WalletDbError) -> Self {
        Self::Db(e.to_string())
    }
}

/// What the wallet tells the application (through [`Context::emit`]).
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum WalletEvent {
    /// A peer asks us to attest one of its attributes; answer with [`Attest`].
    AttestationRequested {
        /// The subject's serialized public key.
        subject: Vec<u8>,
        /// The attribute.
        name: String,
    },
    /// An attester's attestation of one of our attributes arrived and was stored.
    Attested {
        /// The attribute hash.
        hash: [u8; 20],
        /// The attribute.
        name: String,
    },
    /// A peer wants to verify one of our attributes; answer with [`Consent`].
    VerificationRequested {
        /// The verifier's serialized public key.
        verifier: Vec<u8>,
        /// The attribute.
        name: String,
    },
    /// A proof we ran has finished.
    Verified {
        /// The attribute hash.
        hash: [u8; 20],
        /// Each reference value with how well it matches.
        matches: Vec<(Vec<u8>, f64)>,
    },
}

/// py-ipv8's `AttestationCommunity`, the wallet of one pseudonym.
///
/// # Examples
///
/// A wallet with its database in memory, added to a simulated node beside nothing else (a
/// pseudonym runs it beside an [`IdentityCommunity`](super::IdentityCommunity)):
///
/// ```
/// use ipv8::proto::identity::wallet::{AttestationCommunity, WalletDb};
/// use ipv8::testing::TestNetwork;
///
/// let db = WalletDb::in_memory()?;
/// let net = TestNetwork::initialize(1, |_| AttestationCommunity::new(db.clone()));
/// assert!(net.overlay(0).attribute_hashes().is_empty());
/// # Ok::<(), ipv8::proto::identity::wallet::WalletDbError>(())
/// ```
pub struct AttestationCommunity {
    db: WalletDb,
    enrol: enrol::Enrolments,
    prove: prove::Proving,
    verify: verify::Verifications,
    jobs: usize,
}

impl AttestationCommunity {
    /// A wallet that keeps our attestations in `db`.
    #[must_use]
    pub fn new(db: WalletDb) -> Self {
        Self {
            db,
            enrol: enrol::Enrolments::default(),
            prove: prove::Proving::default(),
            verify: verify::Verifications::default(),
            jobs: 0,
        }
    }

    /// The hashes of the attestations in our database.
    #[must_use]
    pub fn attribute_hashes(&self) -> Vec<[u8; 20]> {
        self.db.all().map(|rows| rows.into_iter().map(|r| r.hash).collect()).unwrap_or_default()
    }

    /// Whether another job for a peer may start; counts it when it may.
    fn start_job(&mut self) -> bool {
        if self.jobs >= WALLET_JOB_LIMIT {
            return false;
        }
        self.jobs += 1;
        true
    }

    fn end_job(&mut self) {
        self.jobs = self.jobs.saturating_sub(1);
    }

    fn sweep(&mut self, ctx: &mut Context<'_, Self>) {
        let now = ctx.now();
        self.enrol.sweep(now);
        self.prove.sweep(now);
        self.verify.sweep(ctx, now);
    }
}

impl Community for AttestationCommunity {
    fn community_id(&self) -> CommunityId {
        WALLET_COMMUNITY_ID
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let sweep = Schedule::every(Duration::from_secs(1));
        let _ = ctx.register_task("wallet_sweep", sweep, Self::sweep);
    }
}

/// A generator for one job, seeded from the node's (deterministic in the simulator).
fn job_rng(ctx: &mut Context<'_, AttestationCommunity>) -> SeededRng {
    let mut seed = [0; 32];
    for chunk in seed.chunks_mut(8) {
        chunk.copy_from_slice(&ctx.rng().next_u64().to_le_bytes());
    }
    SeededRng::from_seed(seed)
}

/// Whether `at` is more than `timeout` before `now`.
fn expired(at: Instant, now: Instant, timeout: Duration) -> bool {
    now.saturating_duration_since(at) > timeout
}

/// SHA-1 of `bytes`.
fn sha1(bytes: &[u8]) -> [u8; 20] {
    use sha1::Digest as _;
    sha1::Sha1::digest(bytes).into()
}

/// Drops the oldest entry of `map` when it holds [`WALLET_TABLE_LIMIT`] (by `at`).
fn make_room<K: Clone + Eq + std::hash::Hash, V>(
    map: &mut HashMap<K, V>,
    at: impl Fn(&V) -> Instant,
) {
    if map.len() < WALLET_TABLE_LIMIT {
        return;
    }
    if let Some(oldest) = map.iter().min_by_key(|(_, v)| at(v)).map(|(k, _)| k.clone()) {
        map.remove(&oldest);
    }
}
