//! What applications (and the REST API's `/identity` routes) ask of the wallet, py-ipv8's
//! `CommunicationChannel` calls: request, attest, verify, consent, and the lists of what waits.

use super::{AttestationCommunity, WalletError};
use crate::attestation::IdFormat;
use crate::proto::identity::ExtraMetadata;
use crate::proto::{Context, Peer, Reply, Request, Responder};

/// Asks `attester` to attest our attribute `name` in `format` (a fresh Boneh key is made for
/// it); `metadata` travels with the request and ends up in the signed credential.
#[derive(Debug, Clone)]
pub struct RequestAttestation {
    /// The attester, a peer of our identity overlay.
    pub attester: Peer,
    /// The attribute.
    pub name: String,
    /// The identity format.
    pub format: IdFormat,
    /// Extra metadata, in order.
    pub metadata: ExtraMetadata,
}

impl Request for RequestAttestation {
    type Response = Result<(), WalletError>;
}

/// The attestation requests of others that wait for our value.
#[derive(Debug, Clone, Copy)]
pub struct OutstandingAttestations;

/// One request for an attestation by us.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutstandingAttestation {
    /// The subject's serialized public key.
    pub subject: Vec<u8>,
    /// The attribute.
    pub name: String,
    /// The request's extra metadata as py-ipv8's `json.dumps` writes it.
    pub metadata: String,
}

impl Request for OutstandingAttestations {
    type Response = Vec<OutstandingAttestation>;
}

/// Attests `value` for the outstanding request of `subject` for attribute `name`; answers once
/// the attestation is made and on its way.
#[derive(Debug, Clone)]
pub struct Attest {
    /// The subject's serialized public key.
    pub subject: Vec<u8>,
    /// The attribute.
    pub name: String,
    /// The value (for the range format, one byte holding the number).
    pub value: Vec<u8>,
}

impl Request for Attest {
    type Response = Result<(), WalletError>;
}

/// Starts a proof of `subject`'s attestation `hash` against reference values; the outcome shows
/// in [`VerificationOutputs`] (and a [`WalletEvent::Verified`](super::WalletEvent::Verified)).
#[derive(Debug, Clone)]
pub struct Verify {
    /// The subject, a peer of our identity overlay.
    pub subject: Peer,
    /// The attribute hash.
    pub hash: [u8; 20],
    /// The values to compare with (for the range format, `[1]` for "in range").
    pub references: Vec<Vec<u8>>,
    /// The identity format of the attestation.
    pub format: IdFormat,
}

impl Request for Verify {
    type Response = Result<(), WalletError>;
}

/// Verification requests of our attributes waiting for consent.
#[derive(Debug, Clone, Copy)]
pub struct OutstandingVerifications;

/// A verifier waiting for our consent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutstandingVerification {
    /// The verifier's serialized public key.
    pub verifier: Vec<u8>,
    /// The attribute.
    pub name: String,
}

impl Request for OutstandingVerifications {
    type Response = Vec<OutstandingVerification>;
}

/// Allows (or refuses) the waiting verification of our attribute `name` by `verifier`.
#[derive(Debug, Clone)]
pub struct Consent {
    /// The verifier's serialized public key.
    pub verifier: Vec<u8>,
    /// The attribute.
    pub name: String,
    /// Allow rather than refuse.
    pub allow: bool,
}

impl Request for Consent {
    type Response = Result<(), WalletError>;
}

/// Our verifications (the latest per attribute hash): each reference value with how well it
/// matched, once the proof has ended.
#[derive(Debug, Clone, Copy)]
pub struct VerificationOutputs;

/// One reference value of a verification.
#[derive(Debug, Clone, PartialEq)]
pub struct VerificationOutput {
    /// The attribute hash.
    pub hash: [u8; 20],
    /// The reference value.
    pub reference: Vec<u8>,
    /// How well it matched, 0.0 to 1.0; `None` while the proof runs.
    pub matches: Option<f64>,
}

impl Request for VerificationOutputs {
    type Response = Vec<VerificationOutput>;
}

/// Deletes our attestations with these hashes from the wallet database (removing a pseudonym);
/// answers how many there were.
#[derive(Debug, Clone)]
pub struct ForgetAttestations {
    /// The attribute hashes.
    pub hashes: Vec<[u8; 20]>,
}

impl Request for ForgetAttestations {
    type Response = Result<usize, WalletError>;
}

impl Responder<RequestAttestation> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: RequestAttestation,
        reply: Reply<Result<(), WalletError>>,
    ) {
        Self::request_attestation(ctx, request, reply);
    }
}

impl Responder<OutstandingAttestations> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        _: OutstandingAttestations,
        reply: Reply<Vec<OutstandingAttestation>>,
    ) {
        let mut list: Vec<_> = self
            .enrol
            .asked
            .iter()
            .map(|((subject, name), asked)| OutstandingAttestation {
                subject: subject.clone(),
                name: name.clone(),
                metadata: asked.metadata_json.clone(),
            })
            .collect();
        list.sort_by(|a, b| (&a.subject, &a.name).cmp(&(&b.subject, &b.name)));
        ctx.reply(reply, list);
    }
}

impl Responder<Attest> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: Attest,
        reply: Reply<Result<(), WalletError>>,
    ) {
        self.attest(ctx, request.subject, request.name, request.value, reply);
    }
}

impl Responder<Verify> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: Verify,
        reply: Reply<Result<(), WalletError>>,
    ) {
        let result = self.verify(ctx, request);
        ctx.reply(reply, result);
    }
}

impl Responder<OutstandingVerifications> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        _: OutstandingVerifications,
        reply: Reply<Vec<OutstandingVerification>>,
    ) {
        let mut list: Vec<_> = self
            .prove
            .consents
            .keys()
            .map(|(verifier, name)| OutstandingVerification {
                verifier: verifier.clone(),
                name: name.clone(),
            })
            .collect();
        list.sort_by(|a, b| (&a.verifier, &a.name).cmp(&(&b.verifier, &b.name)));
        ctx.reply(reply, list);
    }
}

impl Responder<Consent> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: Consent,
        reply: Reply<Result<(), WalletError>>,
    ) {
        let result = self.consent(ctx, request.verifier, request.name, request.allow);
        ctx.reply(reply, result);
    }
}

impl Responder<VerificationOutputs> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        _: VerificationOutputs,
        reply: Reply<Vec<VerificationOutput>>,
    ) {
        let mut list = Vec::new();
        for (hash, output) in &self.verify.outputs {
            for (reference, matches) in &output.references {
                let reference = reference.clone();
                list.push(VerificationOutput { hash: *hash, reference, matches: *matches });
            }
        }
        list.sort_by(|a, b| (a.hash, &a.reference).cmp(&(b.hash, &b.reference)));
        ctx.reply(reply, list);
    }
}

impl Responder<ForgetAttestations> for AttestationCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: ForgetAttestations,
        reply: Reply<Result<usize, WalletError>>,
    ) {
        let result = self.db.remove(&request.hashes).map_err(WalletError::from);
        ctx.reply(reply, result);
    }
}
