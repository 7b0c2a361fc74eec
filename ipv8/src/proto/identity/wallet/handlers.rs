//! The wallet's five messages (py-ipv8's `on_verify_attestation_request`,
//! `on_attestation_chunk`, `on_challenge`, `on_challenge_response`, `on_request_attestation`):
//! signed, after a global time.

use super::AttestationCommunity;
use crate::community;
use crate::messages::attestation::{
    AttestationChunkPayload, ChallengePayload, ChallengeResponsePayload, RequestAttestationPayload,
    VerifyAttestationRequestPayload,
};
use crate::proto::discovery::Timed;
use crate::proto::{Context, Peer};

#[community]
impl AttestationCommunity {
    /// A verifier asks for one of our attestations.
    #[lazy_handler]
    fn on_verify_attestation_request(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<VerifyAttestationRequestPayload>,
    ) {
        self.on_verify_request(ctx, peer, message.payload.attestation_hash);
    }

    /// A piece of an attestation: of a proof we run, or of an enrolment of ours.
    #[lazy_handler]
    fn on_attestation_chunk(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<AttestationChunkPayload>,
    ) {
        let Timed { global_time, payload } = message;
        if !self.on_proof_chunk(ctx, peer, &payload)
            && !self.on_enrolment_chunk(ctx, peer, global_time, &payload)
        {
            ctx.refuse("wallet_unrequested_chunk");
        }
    }

    /// A verifier's challenge.
    #[lazy_handler]
    fn on_challenge(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<ChallengePayload>,
    ) {
        self.answer_challenge(ctx, peer, message.payload);
    }

    /// A subject's answer to our challenge.
    #[lazy_handler]
    fn on_challenge_response(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<ChallengeResponsePayload>,
    ) {
        self.take_response(ctx, peer, message.payload);
    }

    /// A subject asks us to attest one of its attributes.
    #[lazy_handler]
    fn on_request_attestation(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<RequestAttestationPayload>,
    ) {
        self.record_request(ctx, peer, message.global_time, &message.payload);
    }
}
