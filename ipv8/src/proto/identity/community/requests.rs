//! What applications (and the wallet) ask of the identity overlay: create and show credentials,
//! record the hashes we attest to, look credentials up, and remove our pseudonym's rows.

use serde_json::Value;

use super::IdentityCommunity;
use super::sign::KnownHash;
use crate::proto::identity::chain::{Pseudonym, pad_hash, strip_sha1_padding};
use crate::proto::{Context, Peer, Reply, Request, Responder};

/// Extra metadata beyond name/schema/date, in the order given.
pub type ExtraMetadata = Vec<(String, String)>;

/// Creates a credential of ours for an attribute hash (py-ipv8's `self_advertise`); answers
/// whether one was made.
#[derive(Debug, Clone)]
pub struct SelfAdvertise {
    /// The attribute's SHA-1 hash.
    pub hash: [u8; 20],
    /// The attribute's name.
    pub name: String,
    /// Its schema (identity format), e.g. `id_metadata`.
    pub schema: String,
    /// Extra metadata.
    pub metadata: ExtraMetadata,
}

impl Request for SelfAdvertise {
    type Response = bool;
}

/// Creates a credential (as [`SelfAdvertise`]), lets `authority` see our tokens up to it and
/// sends it the disclosure (py-ipv8's `request_attestation_advertisement`); answers whether the
/// credential was made.
#[derive(Debug, Clone)]
pub struct RequestAdvertisement {
    /// The authority that attested the attribute.
    pub authority: Peer,
    /// The attribute's SHA-1 hash.
    pub hash: [u8; 20],
    /// The attribute's name.
    pub name: String,
    /// Its schema (identity format).
    pub schema: String,
    /// Extra metadata.
    pub metadata: ExtraMetadata,
}

impl Request for RequestAdvertisement {
    type Response = bool;
}

/// Records that we attested `hash` for `subject`: for [`SIGN_WINDOW`](super::SIGN_WINDOW) we
/// sign that subject's credential of it (py-ipv8's `add_known_hash`).
#[derive(Debug, Clone)]
pub struct AddKnownHash {
    /// The attribute's SHA-1 hash.
    pub hash: [u8; 20],
    /// The attribute's name.
    pub name: String,
    /// The subject's serialized public key.
    pub subject: Vec<u8>,
    /// The extra metadata the credential must carry, if it matters.
    pub metadata: Option<ExtraMetadata>,
}

impl Request for AddKnownHash {
    type Response = ();
}

/// The name of our credential whose token holds this attribute hash (py-ipv8's
/// `get_attestation_by_hash`), if we have one.
#[derive(Debug, Clone, Copy)]
pub struct AttributeName {
    /// The attribute's SHA-1 hash.
    pub hash: [u8; 20],
}

impl Request for AttributeName {
    type Response = Option<String>;
}

/// The credentials of a pseudonym, as the REST API lists them (py-ipv8's `get_attributes`).
#[derive(Debug, Clone)]
pub struct Credentials {
    /// The subject's serialized public key; `None` for our own pseudonym.
    pub subject: Option<Vec<u8>>,
}

impl Request for Credentials {
    type Response = Vec<CredentialInfo>;
}

/// One credential of a pseudonym.
#[derive(Debug, Clone, PartialEq)]
pub struct CredentialInfo {
    /// Its name (the metadata's `name`).
    pub name: String,
    /// The attribute hash, without the SHA-1 padding.
    pub hash: Vec<u8>,
    /// The metadata, a JSON object.
    pub metadata: Value,
    /// The serialized keys of the authorities that attested it.
    pub attesters: Vec<Vec<u8>>,
}

/// Deletes our pseudonym's rows from the identity database, in one transaction; answers the
/// removed tokens' attribute hashes (without the SHA-1 padding).
#[derive(Debug, Clone, Copy)]
pub struct RemoveMine;

impl Request for RemoveMine {
    type Response = Vec<Vec<u8>>;
}

impl Responder<SelfAdvertise> for IdentityCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: SelfAdvertise,
        reply: Reply<bool>,
    ) {
        let made = self
            .self_advertise(
                &request.hash,
                &request.name,
                &request.schema,
                &request.metadata,
                ctx.unix_time(),
            )
            .is_some();
        ctx.reply(reply, made);
    }
}

impl Responder<RequestAdvertisement> for IdentityCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: RequestAdvertisement,
        reply: Reply<bool>,
    ) {
        let RequestAdvertisement { authority, hash, name, schema, metadata } = request;
        let made = match self.self_advertise(&hash, &name, &schema, &metadata, ctx.unix_time()) {
            Some(credential) => self.request_advertisement(ctx, &authority, &credential),
            None => false,
        };
        ctx.reply(reply, made);
    }
}

impl Responder<AddKnownHash> for IdentityCommunity {
    fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: AddKnownHash, reply: Reply<()>) {
        let metadata = request.metadata.map(|extra| {
            extra.into_iter().map(|(key, value)| (key, Value::String(value))).collect()
        });
        let known = KnownHash {
            name: request.name,
            recorded: ctx.now(),
            subject: request.subject,
            metadata,
        };
        self.known.insert(pad_hash(&request.hash), known);
        ctx.reply(reply, ());
    }
}

impl Responder<AttributeName> for IdentityCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: AttributeName,
        reply: Reply<Option<String>>,
    ) {
        let padded = pad_hash(&request.hash);
        let name = self.mine.as_ref().and_then(|mine| {
            credential_infos(mine).into_iter().find(|(content_hash, _)| *content_hash == padded)
        });
        ctx.reply(reply, name.map(|(_, info)| info.name));
    }
}

impl Responder<Credentials> for IdentityCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: Credentials,
        reply: Reply<Vec<CredentialInfo>>,
    ) {
        let theirs = match &request.subject {
            Some(subject) if subject.as_slice() != ctx.my_key().to_bin() => {
                Some(ctx.parse_public_key(subject))
            }
            _ => None,
        };
        let pseudonym = match theirs {
            Some(Some(key)) => self.other(&key).map(|pseudonym| &*pseudonym),
            Some(None) => None,
            None => self.mine.as_ref(),
        };
        let mut infos: Vec<CredentialInfo> = Vec::new();
        for (_, info) in pseudonym.map(credential_infos).unwrap_or_default() {
            // As a Python dictionary keyed by hash: a later credential replaces an earlier one.
            match infos.iter_mut().find(|known| known.hash == info.hash) {
                Some(known) => *known = info,
                None => infos.push(info),
            }
        }
        ctx.reply(reply, infos);
    }
}

impl Responder<RemoveMine> for IdentityCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        _request: RemoveMine,
        reply: Reply<Vec<Vec<u8>>>,
    ) {
        let removed = self.mine.as_mut().map(Pseudonym::remove).transpose();
        let hashes = removed.unwrap_or_else(|error| {
            tracing::warn!("identity: cannot remove our pseudonym: {error}");
            None
        });
        if hashes.is_some() {
            self.token_chain.clear();
            self.metadata_chain.clear();
            self.permissions.clear();
        }
        let hashes = hashes.unwrap_or_default();
        ctx.reply(reply, hashes.iter().map(|hash| strip_sha1_padding(hash).to_vec()).collect());
    }
}

/// Each credential of `pseudonym` whose token we have and whose metadata is a JSON object with
/// a name, with its token's (padded) content hash.
fn credential_infos(pseudonym: &Pseudonym) -> Vec<([u8; 32], CredentialInfo)> {
    let credentials = pseudonym.credentials().unwrap_or_else(|error| {
        tracing::warn!("identity: cannot read credentials: {error}");
        Vec::new()
    });
    credentials
        .into_iter()
        .filter_map(|credential| {
            let token = pseudonym.tree().get(credential.metadata.token_pointer())?;
            let metadata = credential.metadata.json_object()?;
            let name = match metadata.get("name")? {
                Value::String(name) => name.clone(),
                other => other.to_string(),
            };
            let info = CredentialInfo {
                name,
                hash: strip_sha1_padding(token.content_hash()).to_vec(),
                metadata: Value::Object(metadata),
                attesters: credential.attestations.into_iter().map(|(key, _)| key).collect(),
            };
            Some((*token.content_hash(), info))
        })
        .collect()
}
