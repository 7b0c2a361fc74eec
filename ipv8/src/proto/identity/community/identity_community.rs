//! The [`IdentityCommunity`] state: our pseudonym and its chain, the hashes we attested to, who
//! may see how much of our chain, and the pseudonyms of others we are checking.

use std::collections::HashSet;
use std::time::Duration;

use super::bounded::Bounded;
use super::sign::KnownHash;
use crate::crypto::PublicKey;
use crate::messages::identity::DisclosePayload;
use crate::proto::identity::chain::{
    Credential, MAX_DEPTH, Metadata, Pseudonym, Token, metadata_json, pad_hash,
};
use crate::proto::identity::db::IdentityDb;
use crate::proto::{Community, CommunityId, Context, Peer};

/// py-ipv8's `IdentityCommunity.community_id`: `d5889074c1e4c50423cdb6e9307ee0ca5695ead7`.
pub const COMMUNITY_ID: CommunityId = CommunityId([
    0xd5, 0x88, 0x90, 0x74, 0xc1, 0xe4, 0xc5, 0x04, 0x23, 0xcd, 0xb6, 0xe9, 0x30, 0x7e, 0xe0, 0xca,
    0x56, 0x95, 0xea, 0xd7,
]);
/// How long after recording an attribute hash an authority signs metadata of it (py-ipv8: 300 s).
pub const SIGN_WINDOW: Duration = Duration::from_secs(300);
/// Attribute hashes an authority remembers, at most (the oldest go first).
pub const MAX_KNOWN_HASHES: usize = 1024;
/// Peers we remember permissions to see our tokens for, at most.
pub const MAX_PERMISSIONS: usize = 1024;
/// Pseudonyms of others kept in memory, at most (the least recently used go first).
pub const MAX_PSEUDONYMS: usize = 1024;

/// What the identity community tells the application ([`Context::emit`]).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdentityEvent {
    /// An authority's attestation of one of our credentials was stored.
    Attested {
        /// The authority's serialized public key.
        authority: Vec<u8>,
        /// The attested credential's name.
        name: String,
    },
}

/// One pseudonym's identity overlay: py-ipv8's `IdentityCommunity`
/// (`ipv8/attestation/identity/community.py`, spec `attestation.md` §5), the "business layer" of
/// a pseudonym. It keeps our chain of credentials (tokens, metadata and authorities'
/// attestations) in the identity database, shows a credential to an authority (disclose), signs
/// the credentials of subjects it attested to (attest), and fills in the tokens an authority
/// misses (request-missing, missing-response). All four messages are signed, without a global
/// time; refused input is counted under an `identity_*` drop reason.
///
/// Applications (and the wallet, [`AttestationCommunity`](crate::proto::identity::wallet::AttestationCommunity))
/// drive it through requests: [`SelfAdvertise`](crate::proto::identity::SelfAdvertise),
/// [`RequestAdvertisement`](crate::proto::identity::RequestAdvertisement), [`AddKnownHash`](crate::proto::identity::AddKnownHash),
/// [`AttributeName`](crate::proto::identity::AttributeName), [`Credentials`](crate::proto::identity::Credentials) and
/// [`RemoveMine`](crate::proto::identity::RemoveMine). An authority's attestation of ours is announced as
/// [`IdentityEvent::Attested`].
///
/// Where py-ipv8 3.2.1 misbehaves the community keeps the wire format and does the evident
/// intent instead: an authority does not sign the same metadata twice (py-ipv8's check never
/// matches), a disclosure too large for a packet loses all its tokens rather than none, a missing
/// response that brings nothing new is not asked again (py-ipv8 would ping-pong forever), a
/// reloaded chain is kept oldest first, and an attest is stored only over metadata of ours.
/// Everything the network can grow is bounded ([`MAX_KNOWN_HASHES`], [`MAX_PERMISSIONS`],
/// [`MAX_PSEUDONYMS`], and the chain's own limits).
///
/// # Examples
///
/// A credential of our own:
///
/// # Examples
///
/// ```
/// use ipv8::proto::identity::db::IdentityDb;
/// use ipv8::proto::identity::{Credentials, IdentityCommunity, SelfAdvertise};
/// use ipv8::testing::TestNetwork;
///
/// let db = IdentityDb::in_memory()?;
/// let mut net = TestNetwork::initialize(1, |_| IdentityCommunity::new(db.clone()));
/// let advertise = SelfAdvertise {
///     hash: [7; 20],
///     name: "age".into(),
///     schema: "id_metadata".into(),
///     metadata: vec![],
/// };
/// assert_eq!(net.ask_and_wait::<IdentityCommunity, _>(0, advertise), Ok(true));
/// let mine = net.ask_and_wait::<IdentityCommunity, _>(0, Credentials { subject: None })?;
/// assert_eq!(mine[0].name, "age");
/// assert_eq!(mine[0].hash, [7; 20]);
/// assert!(mine[0].attesters.is_empty());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct IdentityCommunity {
    id: CommunityId,
    pub(super) db: IdentityDb,
    /// Our pseudonym, loaded when the community starts.
    pub(super) mine: Option<Pseudonym>,
    /// Our longest chain, oldest token first.
    pub(super) token_chain: Vec<Token>,
    /// The metadata of the tokens on it.
    pub(super) metadata_chain: Vec<Metadata>,
    /// Padded attribute hashes we attested to, and for whom.
    pub(super) known: Bounded<[u8; 32], KnownHash>,
    /// How many tokens of our chain each peer may ask for.
    pub(super) permissions: Bounded<PublicKey, usize>,
    /// Others' pseudonyms we are checking.
    pub(super) others: Bounded<PublicKey, Pseudonym>,
}

impl IdentityCommunity {
    /// The identity overlay of the key it runs with, keeping its chain in `db` (which other
    /// pseudonyms of the process may share).
    #[must_use]
    pub fn new(db: IdentityDb) -> Self {
        Self {
            id: COMMUNITY_ID,
            db,
            mine: None,
            token_chain: Vec::new(),
            metadata_chain: Vec::new(),
            known: Bounded::new(MAX_KNOWN_HASHES),
            permissions: Bounded::new(MAX_PERMISSIONS),
            others: Bounded::new(MAX_PSEUDONYMS),
        }
    }

    /// Meets only peers with the same rendezvous token: the token's bytes are `XOR`ed into the
    /// first bytes of the community id (py-ipv8's `create_community`).
    ///
    /// ```
    /// use ipv8::proto::Community;
    /// use ipv8::proto::identity::db::IdentityDb;
    /// use ipv8::proto::identity::{COMMUNITY_ID, IdentityCommunity};
    ///
    /// let community = IdentityCommunity::new(IdentityDb::in_memory()?).with_rendezvous(&[0xff; 2]);
    /// assert_eq!(community.community_id().0[..3], [0xd5 ^ 0xff, 0x88 ^ 0xff, 0x90]);
    /// assert_eq!(community.community_id().0[3..], COMMUNITY_ID.0[3..]);
    /// # Ok::<(), ipv8::proto::identity::db::DbError>(())
    /// ```
    #[must_use]
    pub fn with_rendezvous(mut self, token: &[u8]) -> Self {
        for (byte, mask) in self.id.0.iter_mut().zip(token) {
            *byte ^= mask;
        }
        self
    }

    /// Our pseudonym, once the community has started.
    #[must_use]
    pub fn pseudonym(&self) -> Option<&Pseudonym> {
        self.mine.as_ref()
    }

    /// Our chain of tokens, oldest first.
    #[must_use]
    pub fn token_chain(&self) -> &[Token] {
        &self.token_chain
    }

    /// The database the community keeps its chain in.
    #[must_use]
    pub fn db(&self) -> &IdentityDb {
        &self.db
    }

    /// Picks our longest chain (py-ipv8 does, against bugs and malice) and the metadata on it.
    fn load_chain(&mut self) {
        let Some(mine) = &self.mine else { return };
        let tree = mine.tree();
        let predecessors: HashSet<&[u8; 32]> = tree.tokens().map(Token::previous_hash).collect();
        let mut longest = Vec::new();
        for tip in tree.tokens().filter(|token| !predecessors.contains(token.hash())) {
            let path = tree.root_path(tip, MAX_DEPTH);
            if path.len() > longest.len() {
                longest = path;
            }
        }
        self.token_chain = longest.into_iter().rev().cloned().collect();
        let credentials = mine.credentials().unwrap_or_else(|error| {
            tracing::warn!("identity: cannot read our credentials: {error}");
            Vec::new()
        });
        self.metadata_chain = credentials
            .into_iter()
            .map(|credential| credential.metadata)
            .filter(|m| self.token_chain.iter().any(|token| token.hash() == m.token_pointer()))
            .collect();
    }

    /// Creates a credential of ours after the last one (py-ipv8's `self_advertise`).
    pub(super) fn self_advertise(
        &mut self,
        hash: &[u8; 20],
        name: &str,
        schema: &str,
        metadata: &[(String, String)],
        date: f64,
    ) -> Option<Credential> {
        let json = metadata_json(name, schema, date, metadata);
        let after = self.metadata_chain.last().cloned();
        let mine = self.mine.as_mut()?;
        let credential = match mine.create_credential(pad_hash(hash), json, after.as_ref()) {
            Ok(credential) => credential?,
            Err(error) => {
                tracing::warn!("identity: cannot create credential {name:?}: {error}");
                return None;
            }
        };
        let token = mine.tree().get(credential.metadata.token_pointer())?.clone();
        self.token_chain.push(token);
        self.metadata_chain.push(credential.metadata.clone());
        Some(credential)
    }

    /// Creates a credential and shows it to `authority`, which may then ask for our tokens up
    /// to the new one (py-ipv8's `request_attestation_advertisement`).
    pub(super) fn request_advertisement(
        &mut self,
        ctx: &mut Context<'_, Self>,
        authority: &Peer,
        credential: &Credential,
    ) -> bool {
        let Some(mine) = &self.mine else { return false };
        self.permissions.insert(authority.key().clone(), self.token_chain.len());
        let disclosure = match mine
            .create_disclosure(std::slice::from_ref(&credential.metadata), &HashSet::new())
        {
            Ok(disclosure) => disclosure,
            Err(error) => {
                tracing::warn!("identity: cannot disclose a new credential: {error}");
                return false;
            }
        };
        let fitted = disclosure.fit(Token::serialized_len(ctx.my_key().signature_len()));
        let payload = DisclosePayload {
            metadata: fitted.metadata,
            tokens: fitted.tokens,
            attestations: fitted.attestations,
            authorities: fitted.authorities,
        };
        ctx.ez_send(authority, &payload);
        true
    }

    /// Someone else's pseudonym: from memory, else loaded from the database (and kept).
    pub(super) fn other(&mut self, key: &PublicKey) -> Option<&mut Pseudonym> {
        if self.others.get(key).is_none() {
            match Pseudonym::theirs(self.db.clone(), key.clone()) {
                Ok(pseudonym) => self.others.insert(key.clone(), pseudonym),
                Err(error) => {
                    tracing::warn!("identity: cannot load a pseudonym: {error}");
                    return None;
                }
            }
        }
        self.others.touch(key)
    }
}

impl Community for IdentityCommunity {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn name(&self) -> &'static str {
        "IdentityCommunity"
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        match Pseudonym::mine(self.db.clone(), ctx.my_private_key().clone()) {
            Ok(mine) => self.mine = Some(mine),
            Err(error) => tracing::warn!("identity: cannot load our pseudonym: {error}"),
        }
        self.load_chain();
    }
}
