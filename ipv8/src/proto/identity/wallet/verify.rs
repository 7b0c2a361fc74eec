//! The verifier's side: ask the subject for its attestation, rebuild it from the chunks, send up
//! to [`CHALLENGE_WINDOW`] challenges at once (one more per answer, sometimes an honesty check),
//! and turn the answers into a certainty per reference value.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use super::transfer::{Added, Chunks};
use super::{
    AttestationCommunity, CHALLENGE_RESENDS, CHALLENGE_TIMEOUT, CHALLENGE_WINDOW, HONESTY_CHANCE,
    Verify, WALLET_TABLE_LIMIT, WALLET_TIMEOUT, WalletError, WalletEvent, expired, job_rng,
    make_room, sha1,
};
use crate::attestation::{Aggregate, AttestationError, IdFormat, PublicAttestation};
use crate::messages::attestation::{
    AttestationChunkPayload, ChallengePayload, ChallengeResponsePayload,
    VerifyAttestationRequestPayload,
};
use crate::proto::discovery::Timed;
use crate::proto::{Context, Peer};

/// Our proofs and their outcomes.
#[derive(Default)]
pub(super) struct Verifications {
    proofs: HashMap<[u8; 20], Proof>,
    /// Challenges waiting for their answers, by SHA-1 of the challenge.
    in_flight: HashMap<[u8; 20], InFlight>,
    /// Reference values with their certainty (`None` until the proof ends), by attribute hash.
    pub(super) outputs: HashMap<[u8; 20], Output>,
}

/// The reference values of one verification.
pub(super) struct Output {
    pub(super) references: Vec<(Vec<u8>, Option<f64>)>,
    at: Instant,
}

/// One proof we run.
struct Proof {
    subject: Peer,
    format: IdFormat,
    since: Instant,
    /// The attestation's chunks while it arrives.
    chunks: Option<Chunks>,
    public: Option<Arc<PublicAttestation>>,
    /// Challenges not answered yet.
    remaining: Vec<Vec<u8>>,
    aggregate: Aggregate,
    /// Range answers being checked in jobs.
    checking: usize,
}

/// A challenge sent and not answered.
struct InFlight {
    proof: [u8; 20],
    challenge: Vec<u8>,
    /// The value an honesty check encrypts.
    honesty: Option<u8>,
    sent: Instant,
    resends: u8,
}

impl Verifications {
    pub(super) fn sweep(&mut self, ctx: &mut Context<'_, AttestationCommunity>, now: Instant) {
        self.proofs.retain(|_, p| !expired(p.since, now, WALLET_TIMEOUT));
        let proofs = &self.proofs;
        self.in_flight.retain(|_, f| proofs.contains_key(&f.proof));
        self.in_flight.retain(|_, f| {
            f.resends < CHALLENGE_RESENDS || !expired(f.sent, now, CHALLENGE_TIMEOUT)
        });
        for flight in self.in_flight.values_mut() {
            if !expired(flight.sent, now, CHALLENGE_TIMEOUT) {
                continue;
            }
            let Some(proof) = self.proofs.get(&flight.proof) else { continue };
            flight.sent = now;
            flight.resends += 1;
            let global_time = ctx.claim_global_time();
            let payload = ChallengePayload {
                attestation_hash: flight.proof,
                challenge: flight.challenge.clone(),
            };
            ctx.ez_send(&proof.subject, &Timed { global_time, payload });
        }
    }
}

impl AttestationCommunity {
    /// [`Verify`]: ask the subject for the attestation with this hash.
    pub(super) fn verify(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: Verify,
    ) -> Result<(), WalletError> {
        let Verify { subject, hash, references, format } = request;
        let v = &mut self.verify;
        if v.proofs.len() >= WALLET_TABLE_LIMIT && !v.proofs.contains_key(&hash) {
            return Err(WalletError::Busy);
        }
        let now = ctx.now();
        make_room(&mut v.outputs, |o| o.at);
        let references = references.into_iter().map(|r| (r, None)).collect();
        v.outputs.insert(hash, Output { references, at: now });
        v.in_flight.retain(|_, f| f.proof != hash);
        let proof = Proof {
            subject: subject.clone(),
            format,
            since: now,
            chunks: Some(Chunks::default()),
            public: None,
            remaining: Vec::new(),
            aggregate: format.empty_aggregate(),
            checking: 0,
        };
        v.proofs.insert(hash, proof);
        let global_time = ctx.claim_global_time();
        let payload = VerifyAttestationRequestPayload { attestation_hash: hash };
        ctx.ez_send(&subject, &Timed { global_time, payload });
        Ok(())
    }

    /// A chunk of an attestation we asked to verify; `false` if we asked for none with its hash.
    pub(super) fn on_proof_chunk(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        p: &AttestationChunkPayload,
    ) -> bool {
        let hash = p.attestation_hash;
        let Some(proof) = self.verify.proofs.get_mut(&hash) else {
            return false;
        };
        let Some(chunks) = proof.chunks.as_mut() else {
            return false;
        };
        if proof.subject.key() != peer.key() {
            ctx.refuse("wallet_chunk_from_stranger");
            return true;
        }
        match chunks.add(&hash, p.sequence_number, &p.data) {
            Added::Waiting => {}
            Added::TooLarge => {
                self.verify.proofs.remove(&hash);
                ctx.refuse("wallet_blob_too_large");
            }
            Added::Complete(blob) => {
                proof.chunks = None;
                let format = proof.format;
                self.read_proof(ctx, hash, format, blob);
            }
        }
        true
    }

    /// Reads the attestation and makes its challenges (a job), then sends the first window.
    fn read_proof(
        &mut self,
        ctx: &mut Context<'_, Self>,
        hash: [u8; 20],
        format: IdFormat,
        blob: Vec<u8>,
    ) {
        let mut rng = job_rng(ctx);
        let work = move || {
            let public = format.read_public(&blob)?;
            let challenges = public.challenges(&mut rng);
            Ok::<_, AttestationError>((public, challenges))
        };
        let spawned = ctx.spawn_job(work, move |me: &mut Self, ctx, read| match read {
            Ok((public, challenges)) => {
                if let Some(proof) = me.verify.proofs.get_mut(&hash) {
                    proof.public = Some(Arc::new(public));
                    proof.remaining = challenges;
                    me.fill_window(ctx, hash);
                }
            }
            Err(e) => {
                tracing::info!("wallet: a malformed attestation to verify: {e}");
                me.finish(ctx, hash, true);
            }
        });
        if spawned.is_err() {
            self.verify.proofs.remove(&hash);
        }
    }

    /// Sends challenges until [`CHALLENGE_WINDOW`] of this proof are in flight or none is left.
    fn fill_window(&mut self, ctx: &mut Context<'_, Self>, hash: [u8; 20]) {
        let v = &self.verify;
        let flying = v.in_flight.values().filter(|f| f.proof == hash).count();
        let Some(proof) = v.proofs.get(&hash) else { return };
        let next: Vec<Vec<u8>> = proof
            .remaining
            .iter()
            .filter(|c| !v.in_flight.contains_key(&sha1(c)))
            .take(CHALLENGE_WINDOW.saturating_sub(flying))
            .cloned()
            .collect();
        for challenge in next {
            self.send_challenge(ctx, hash, challenge, None);
        }
    }

    fn send_challenge(
        &mut self,
        ctx: &mut Context<'_, Self>,
        hash: [u8; 20],
        challenge: Vec<u8>,
        honesty: Option<u8>,
    ) {
        let Some(subject) = self.verify.proofs.get(&hash).map(|p| p.subject.clone()) else {
            return;
        };
        let flight = InFlight {
            proof: hash,
            challenge: challenge.clone(),
            honesty,
            sent: ctx.now(),
            resends: 0,
        };
        self.verify.in_flight.insert(sha1(&challenge), flight);
        let global_time = ctx.claim_global_time();
        let payload = ChallengePayload { attestation_hash: hash, challenge };
        ctx.ez_send(&subject, &Timed { global_time, payload });
    }

    /// An answer to one of our challenges.
    pub(super) fn take_response(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        p: ChallengeResponsePayload,
    ) {
        let Some(flight) = self.verify.in_flight.get(&p.challenge_hash) else {
            ctx.refuse("wallet_unexpected_response");
            return;
        };
        let hash = flight.proof;
        let Some(proof) = self.verify.proofs.get_mut(&hash) else {
            ctx.refuse("wallet_unexpected_response");
            return;
        };
        if proof.subject.key() != peer.key() {
            ctx.refuse("wallet_response_from_stranger");
            return;
        }
        let Some(flight) = self.verify.in_flight.remove(&p.challenge_hash) else { return };
        if let Some(value) = flight.honesty {
            if p.response == [value] {
                self.next_challenge(ctx, hash);
            } else {
                tracing::warn!("wallet: {} failed an honesty check", peer.address());
                self.finish(ctx, hash, true);
            }
            return;
        }
        proof.remaining.retain(|c| *c != flight.challenge);
        let Some(public) = proof.public.clone() else { return };
        if let Aggregate::Range(_) = proof.aggregate {
            proof.checking += 1;
            self.check_range_answer(ctx, hash, public, flight.challenge, p.response);
            return;
        }
        public.process(&mut proof.aggregate, &flight.challenge, &p.response);
        self.after_answer(ctx, hash);
    }

    /// Checks a range answer in a job (the modular exponentiations are the costly part).
    fn check_range_answer(
        &mut self,
        ctx: &mut Context<'_, Self>,
        hash: [u8; 20],
        public: Arc<PublicAttestation>,
        challenge: Vec<u8>,
        response: Vec<u8>,
    ) {
        let work = move || {
            let mut learnt = Aggregate::Range(Vec::new());
            public.process(&mut learnt, &challenge, &response);
            learnt
        };
        let spawned = ctx.spawn_job(work, move |me: &mut Self, ctx, learnt| {
            let Some(proof) = me.verify.proofs.get_mut(&hash) else { return };
            proof.checking = proof.checking.saturating_sub(1);
            if let (Aggregate::Range(all), Aggregate::Range(new)) = (&mut proof.aggregate, learnt) {
                all.extend(new);
            }
            me.after_answer(ctx, hash);
        });
        if spawned.is_err() {
            self.finish(ctx, hash, true);
        }
    }

    fn after_answer(&mut self, ctx: &mut Context<'_, Self>, hash: [u8; 20]) {
        let Some(proof) = self.verify.proofs.get(&hash) else { return };
        if proof.remaining.is_empty() && proof.checking == 0 {
            self.finish(ctx, hash, false);
        } else {
            self.next_challenge(ctx, hash);
        }
    }

    /// One more challenge after an answer: sometimes an honesty check (exact values), else the
    /// next bit pair not in flight.
    fn next_challenge(&mut self, ctx: &mut Context<'_, Self>, hash: [u8; 20]) {
        let Some(public) = self.verify.proofs.get(&hash).and_then(|p| p.public.clone()) else {
            return;
        };
        if ctx.rng().below(256) < HONESTY_CHANCE {
            let mut rng = job_rng(ctx);
            if let Some((value, check)) = public.honesty_check(&mut rng)
                && !self.verify.in_flight.contains_key(&sha1(&check))
            {
                self.send_challenge(ctx, hash, check, Some(value));
                return;
            }
        }
        self.fill_window(ctx, hash);
    }

    /// Ends a proof: each reference gets its certainty (0 for a caught liar).
    fn finish(&mut self, ctx: &mut Context<'_, Self>, hash: [u8; 20], liar: bool) {
        let v = &mut self.verify;
        let Some(proof) = v.proofs.remove(&hash) else { return };
        v.in_flight.retain(|_, f| f.proof != hash);
        let aggregate = if liar { proof.format.empty_aggregate() } else { proof.aggregate };
        let Some(output) = v.outputs.get_mut(&hash) else { return };
        let mut matches = Vec::new();
        for (reference, certainty) in &mut output.references {
            let c = proof.format.certainty(&aggregate, reference);
            *certainty = Some(c);
            matches.push((reference.clone(), c));
        }
        ctx.emit(WalletEvent::Verified { hash, matches });
    }
}
