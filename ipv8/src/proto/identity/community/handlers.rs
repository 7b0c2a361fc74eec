//! The identity overlay's message handlers (ids 1–4). Refused input is counted under an
//! `identity_*` drop reason ([`Context::refuse`]).

use super::{IdentityCommunity, IdentityEvent};
use crate::community;
use crate::messages::identity::{
    AttestPayload, DisclosePayload, MissingResponsePayload, RequestMissingPayload,
};
use crate::proto::identity::chain::{Disclosure, IdentityAttestation, SAFE_UDP_PACKET_LENGTH};
use crate::proto::{Context, Peer};

#[community]
impl IdentityCommunity {
    /// A subject shows us (part of) its chain: we sign what we expect to sign.
    #[lazy_handler]
    fn on_disclosure(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: DisclosePayload) {
        let disclosure = Disclosure {
            metadata: p.metadata,
            tokens: p.tokens,
            attestations: p.attestations,
            authorities: p.authorities,
        };
        self.received_disclosure(ctx, peer, &disclosure, false);
    }

    /// An authority signed one of our credentials: stored if it did sign it, and it is ours.
    #[lazy_handler]
    fn on_attest(&mut self, ctx: &mut Context<Self>, peer: &Peer, p: AttestPayload) {
        let Ok(attestation) =
            IdentityAttestation::parse(&p.attestation, peer.key().signature_len())
        else {
            ctx.refuse("identity_malformed_attestation");
            return;
        };
        if !attestation.verify(peer.key()) {
            ctx.refuse("identity_bad_attestation");
            return;
        }
        let me = ctx.my_key().to_bin().to_vec();
        let ours = self.db.metadata_for(&me).ok().and_then(|metadata| {
            metadata.into_iter().find(|m| m.hash() == attestation.metadata_pointer())
        });
        let Some(metadata) = ours else {
            ctx.refuse("identity_attest_unknown_metadata");
            return;
        };
        match self.db.insert_attestation(&me, peer.key().to_bin(), &attestation) {
            Ok(true) => {
                let name = metadata
                    .json_object()
                    .and_then(|json| json.get("name").and_then(|n| n.as_str()).map(str::to_owned))
                    .unwrap_or_default();
                let authority = peer.key().to_bin().to_vec();
                ctx.emit(IdentityEvent::Attested { authority, name });
            }
            Ok(false) => {}
            Err(error) => tracing::warn!("identity: cannot store an attestation: {error}"),
        }
    }

    /// A peer asks for our tokens from index `known` on: it gets those it may see, as many as
    /// fit in a packet.
    #[lazy_handler]
    fn on_request_missing(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: RequestMissingPayload,
    ) {
        let permitted = self.permissions.get(peer.key()).copied().unwrap_or(0);
        let skip = usize::try_from(p.known).unwrap_or(usize::MAX);
        let mut tokens = Vec::new();
        for token in self.token_chain.iter().take(permitted).skip(skip) {
            let serialized = token.serialize();
            if tokens.len() + serialized.len() > SAFE_UDP_PACKET_LENGTH {
                break;
            }
            tokens.extend_from_slice(&serialized);
        }
        ctx.ez_send(peer, &MissingResponsePayload { tokens });
    }

    /// Tokens we asked a subject for.
    #[lazy_handler]
    fn on_missing_response(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        p: MissingResponsePayload,
    ) {
        let disclosure = Disclosure { tokens: p.tokens, ..Disclosure::default() };
        self.received_disclosure(ctx, peer, &disclosure, true);
    }
}
