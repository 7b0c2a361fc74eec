//! The subject's side of a verification: a verifier asks for one of our attestations, our
//! application consents (or not), we send the public attestation and answer the verifier's
//! challenges with our key, each answer a job.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::{
    AttestationCommunity, WALLET_TIMEOUT, WalletError, WalletEvent, expired, job_rng, make_room,
    sha1,
};
use crate::attestation::{AttestationError, BonehPrivateKey, IdFormat, OwnedAttestation};
use crate::messages::attestation::{ChallengePayload, ChallengeResponsePayload};
use crate::proto::discovery::Timed;
use crate::proto::identity::{AttributeName, IdentityCommunity};
use crate::proto::{AskError, Context, Peer};

/// Verifications of our attributes.
#[derive(Default)]
pub(super) struct Proving {
    /// Requests waiting for consent, by (verifier key, attribute name).
    pub(super) consents: HashMap<(Vec<u8>, String), Waiting>,
    /// Attestations we prove now, by attribute hash.
    active: HashMap<[u8; 20], Active>,
}

/// A verification request waiting for consent.
pub(super) struct Waiting {
    verifier: Peer,
    hash: [u8; 20],
    since: Instant,
}

/// An attestation being proven to one verifier.
struct Active {
    owned: Arc<OwnedAttestation>,
    key: Arc<BonehPrivateKey>,
    verifier: Vec<u8>,
    used: Instant,
}

impl Proving {
    pub(super) fn sweep(&mut self, now: Instant) {
        self.consents.retain(|_, w| !expired(w.since, now, WALLET_TIMEOUT));
        self.active.retain(|_, a| !expired(a.used, now, WALLET_TIMEOUT));
    }
}

impl AttestationCommunity {
    /// A verifier asks for one of our attestations: known ones wait for the application's
    /// consent under the attribute's name (which the identity overlay knows).
    pub(super) fn on_verify_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        hash: [u8; 20],
    ) {
        if !matches!(self.db.get(&hash), Ok(Some(_))) {
            ctx.refuse("wallet_unknown_attestation");
            return;
        }
        let verifier = peer.clone();
        let asked =
            ctx.ask::<IdentityCommunity, _>(AttributeName { hash }, move |me, ctx, name| {
                let name = match name {
                    Ok(Some(name)) => name,
                    Ok(None) => return,
                    Err(AskError::NoSuchCommunity) => hex(&hash),
                    Err(e) => {
                        tracing::warn!("wallet: no attribute name for a verification: {e}");
                        return;
                    }
                };
                me.wait_for_consent(ctx, verifier, hash, name);
            });
        if asked.is_err() {
            ctx.refuse("wallet_busy");
        }
    }

    fn wait_for_consent(
        &mut self,
        ctx: &mut Context<'_, Self>,
        verifier: Peer,
        hash: [u8; 20],
        name: String,
    ) {
        let key = verifier.key().to_bin().to_vec();
        make_room(&mut self.prove.consents, |w| w.since);
        let waiting = Waiting { verifier, hash, since: ctx.now() };
        self.prove.consents.insert((key.clone(), name.clone()), waiting);
        ctx.emit(WalletEvent::VerificationRequested { verifier: key, name });
    }

    /// [`Consent`](super::Consent): on consent, read our attestation (a job) and send its public
    /// part to the verifier.
    pub(super) fn consent(
        &mut self,
        ctx: &mut Context<'_, Self>,
        verifier: Vec<u8>,
        name: String,
        allow: bool,
    ) -> Result<(), WalletError> {
        let waiting =
            self.prove.consents.remove(&(verifier, name)).ok_or(WalletError::NotOutstanding)?;
        if !allow {
            return Ok(());
        }
        let row = self.db.get(&waiting.hash)?.ok_or(WalletError::NotOutstanding)?;
        let format = IdFormat::from_name(&row.id_format)
            .ok_or_else(|| WalletError::Db(format!("unknown id_format {}", row.id_format)))?;
        let work = move || {
            let key = BonehPrivateKey::from_bytes(&row.key)?;
            let owned = format.read_owned(&key, &row.blob)?;
            Ok::<_, AttestationError>((key, owned))
        };
        let done = move |me: &mut Self, ctx: &mut Context<'_, Self>, read: Loaded| match read {
            Ok((key, owned)) => me.start_proving(ctx, &waiting, key, owned),
            Err(e) => tracing::error!("wallet: our attestation cannot be read: {e}"),
        };
        ctx.spawn_job(work, done).map(|_| ()).map_err(|_| WalletError::Busy)
    }

    fn start_proving(
        &mut self,
        ctx: &mut Context<'_, Self>,
        waiting: &Waiting,
        key: BonehPrivateKey,
        owned: OwnedAttestation,
    ) {
        let public = owned.public_bytes();
        make_room(&mut self.prove.active, |a| a.used);
        let active = Active {
            owned: Arc::new(owned),
            key: Arc::new(key),
            verifier: waiting.verifier.key().to_bin().to_vec(),
            used: ctx.now(),
        };
        self.prove.active.insert(waiting.hash, active);
        Self::send_blob(ctx, &waiting.verifier, &public, None);
    }

    /// A challenge for an attestation we prove to this peer: answered in a job.
    pub(super) fn answer_challenge(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        p: ChallengePayload,
    ) {
        let now = ctx.now();
        let Some(active) = self.prove.active.get_mut(&p.attestation_hash) else {
            ctx.refuse("wallet_not_proving");
            return;
        };
        if active.verifier != peer.key().to_bin() {
            ctx.refuse("wallet_challenge_from_stranger");
            return;
        }
        active.used = now;
        let (owned, key) = (active.owned.clone(), active.key.clone());
        if !self.start_job() {
            ctx.refuse("wallet_busy");
            return;
        }
        let mut rng = job_rng(ctx);
        let challenge = p.challenge;
        let work = move || {
            let response = owned.respond(&key, &challenge, &mut rng);
            (sha1(&challenge), response)
        };
        let to = peer.clone();
        let done = move |me: &mut Self, ctx: &mut Context<'_, Self>, answered: Answered| {
            let (challenge_hash, response) = answered;
            me.end_job();
            match response {
                Ok(response) => {
                    let global_time = ctx.claim_global_time();
                    let payload = ChallengeResponsePayload { challenge_hash, response };
                    ctx.ez_send(&to, &Timed { global_time, payload });
                }
                Err(e) => tracing::debug!("wallet: a malformed challenge: {e}"),
            }
        };
        if ctx.spawn_job(work, done).is_err() {
            self.end_job();
            ctx.refuse("wallet_busy");
        }
    }
}

/// Our attestation read from the database with its key.
type Loaded = Result<(BonehPrivateKey, OwnedAttestation), AttestationError>;
/// A challenge's hash and our answer.
type Answered = ([u8; 20], Result<Vec<u8>, AttestationError>);

/// Lowercase hexadecimal.
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    bytes.iter().fold(String::new(), |mut out, b| {
        let _ = write!(out, "{b:02x}");
        out
    })
}
