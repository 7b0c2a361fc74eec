//! The authority's side: the attribute hashes it attested to ([`KnownHash`]), what it makes of a
//! subject's disclosure, and whether it signs a credential (py-ipv8's `should_sign`).

use std::collections::HashSet;
use std::time::Instant;

use serde_json::{Map, Value};

use super::IdentityCommunity;
use super::identity_community::SIGN_WINDOW;
use crate::messages::identity::{AttestPayload, RequestMissingPayload};
use crate::proto::identity::chain::{
    ChainError, Disclosure, IdentityAttestation, Metadata, Pseudonym,
};
use crate::proto::{Context, Peer};

/// The keys every metadata we sign must have; the others are its extra metadata.
const REQUIRED_KEYS: [&str; 3] = ["name", "date", "schema"];

/// An attribute hash we attested to: for whom, under which name, when, and with which extra
/// metadata (if we care).
#[derive(Debug, Clone)]
pub(super) struct KnownHash {
    pub(super) name: String,
    pub(super) recorded: Instant,
    pub(super) subject: Vec<u8>,
    pub(super) metadata: Option<Map<String, Value>>,
}

impl IdentityCommunity {
    /// A disclosure (or a missing-response's tokens) from `peer`: loaded if we expect one from
    /// it, then every credential we should sign is signed, and missing tokens are asked for.
    pub(super) fn received_disclosure(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        disclosure: &Disclosure,
        missing_response: bool,
    ) {
        let subject = peer.key().to_bin();
        let required: Vec<[u8; 32]> = self
            .known
            .iter()
            .filter(|(_, known)| known.subject == subject)
            .map(|(hash, _)| *hash)
            .collect();
        if required.is_empty() {
            ctx.refuse("identity_unsolicited_disclosure");
            return;
        }
        let Some(pseudonym) = self.other(peer.key()) else { return };
        let before = pseudonym.tree().len();
        let correct = match pseudonym.substantiate(disclosure) {
            Ok(correct) => correct,
            Err(ChainError::Db(error)) => {
                tracing::warn!("identity: cannot store a disclosure: {error}");
                return;
            }
            Err(_) => {
                ctx.refuse("identity_malformed_disclosure");
                return;
            }
        };
        let progressed = !missing_response || pseudonym.tree().len() > before;
        let known_attributes: HashSet<[u8; 32]> =
            pseudonym.tree().tokens().map(|token| *token.content_hash()).collect();
        let Some(pseudonym) = self.others.get(peer.key()) else { return };
        if correct && required.iter().any(|hash| known_attributes.contains(hash)) {
            self.sign_credentials(ctx, peer, pseudonym);
        }
        if progressed && required.iter().any(|hash| !known_attributes.contains(hash)) {
            let known = u32::try_from(pseudonym.tree().len()).unwrap_or(u32::MAX);
            ctx.ez_send(peer, &RequestMissingPayload { known });
        }
    }

    /// Signs and sends every credential of `pseudonym` we should sign.
    fn sign_credentials(&self, ctx: &mut Context<'_, Self>, peer: &Peer, pseudonym: &Pseudonym) {
        let credentials = match pseudonym.credentials() {
            Ok(credentials) => credentials,
            Err(error) => {
                tracing::warn!("identity: cannot read a subject's credentials: {error}");
                return;
            }
        };
        for credential in credentials {
            if !self.should_sign(ctx, pseudonym, &credential.metadata) {
                continue;
            }
            let attestation =
                IdentityAttestation::create(&credential.metadata, ctx.my_private_key());
            if let Err(error) = pseudonym.add_attestation(ctx.my_key(), &attestation) {
                tracing::warn!("identity: cannot store our attestation: {error}");
            }
            ctx.ez_send(peer, &AttestPayload { attestation: attestation.serialize() });
        }
    }

    /// Whether we asked for `metadata` to be signed and still want to: it has a name, date and
    /// schema; its token is in the subject's tree and its content hash is one we recorded for
    /// this subject, no longer than [`SIGN_WINDOW`] ago, under the same name and (if we recorded
    /// any) the same extra metadata; and we have not signed it before.
    fn should_sign(
        &self,
        ctx: &Context<'_, Self>,
        pseudonym: &Pseudonym,
        metadata: &Metadata,
    ) -> bool {
        let Some(transaction) = metadata.json_object() else { return false };
        let Some(token) = pseudonym.tree().get(metadata.token_pointer()) else { return false };
        if !REQUIRED_KEYS.iter().all(|key| transaction.contains_key(*key)) {
            return false;
        }
        let Some(known) = self.known.get(token.content_hash()) else { return false };
        if known.subject != pseudonym.public_key().to_bin()
            || ctx.now().saturating_duration_since(known.recorded) > SIGN_WINDOW
            || transaction.get("name") != Some(&Value::String(known.name.clone()))
        {
            return false;
        }
        if let Some(expected) = &known.metadata {
            let mut extra = transaction.clone();
            extra.retain(|key, _| !REQUIRED_KEYS.contains(&key.as_str()));
            if &extra != expected {
                return false;
            }
        }
        !attested_by(pseudonym, metadata, ctx.my_key().to_bin())
    }
}

/// Whether the database holds an attestation of `metadata` by `authority`.
fn attested_by(pseudonym: &Pseudonym, metadata: &Metadata, authority: &[u8]) -> bool {
    match pseudonym.db().attestations_over(metadata.hash()) {
        Ok(attestations) => attestations.iter().any(|(key, _)| key == authority),
        // Unknown: rather not sign than sign twice.
        Err(_) => true,
    }
}
