//! [`TokenTree`]: a pseudonym's tokens, chained back to the genesis hash of its public key (py-ipv8's
//! `tokentree/tree.py`).

use std::collections::{HashMap, HashSet, VecDeque};

use super::ChainError;
use super::signed::{HASH_LEN, sha3_256};
use super::token::Token;
use crate::crypto::{PrivateKey, PublicKey};

/// Tokens whose predecessor is unknown that a tree keeps waiting, at most (oldest go first).
pub const UNCHAINED_MAX: usize = 100;
/// How far [`TokenTree::verify`] and [`TokenTree::root_path`] walk back by default (py-ipv8).
pub const MAX_DEPTH: usize = 1000;
/// Tokens a tree of someone else's keeps, at most: what the network can make us hold.
pub const MAX_FOREIGN_TOKENS: usize = 4096;

/// The tokens of one pseudonym: `SHA3-256(public key) ← token ← token ← …`, each token also
/// pointing to content. Our own tree has the private key and grows with [`TokenTree::add`];
/// someone else's is filled with [`TokenTree::gather_token`], which checks each signature and
/// keeps tokens that arrive before their predecessor in a bounded buffer until it comes.
pub struct TokenTree {
    public_key: PublicKey,
    private_key: Option<PrivateKey>,
    genesis_hash: [u8; HASH_LEN],
    /// The chained tokens in the order they joined.
    tokens: Vec<Token>,
    /// Token hash → position in `tokens`.
    index: HashMap<[u8; HASH_LEN], usize>,
    /// Verified tokens waiting for their predecessor, oldest first.
    unchained: VecDeque<Token>,
}

impl TokenTree {
    /// Our own tree, which signs new tokens with `key`.
    #[must_use]
    pub fn with_private_key(key: PrivateKey) -> Self {
        let mut tree = Self::with_public_key(key.public_key());
        tree.private_key = Some(key);
        tree
    }

    /// Someone else's tree, read-only.
    #[must_use]
    pub fn with_public_key(key: PublicKey) -> Self {
        Self {
            genesis_hash: sha3_256(key.to_bin()),
            public_key: key,
            private_key: None,
            tokens: Vec::new(),
            index: HashMap::new(),
            unchained: VecDeque::new(),
        }
    }

    /// The owner's public key.
    #[must_use]
    pub fn public_key(&self) -> &PublicKey {
        &self.public_key
    }

    /// The owner's private key, if this tree is ours.
    #[must_use]
    pub fn private_key(&self) -> Option<&PrivateKey> {
        self.private_key.as_ref()
    }

    /// The hash the first token points back to: SHA3-256 of the owner's serialized public key.
    #[must_use]
    pub fn genesis_hash(&self) -> &[u8; HASH_LEN] {
        &self.genesis_hash
    }

    /// Chained tokens (the unchained ones do not count).
    #[must_use]
    pub fn len(&self) -> usize {
        self.tokens.len()
    }

    /// Whether no token is chained.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tokens.is_empty()
    }

    /// The chained token with this hash.
    #[must_use]
    pub fn get(&self, hash: &[u8; HASH_LEN]) -> Option<&Token> {
        self.index.get(hash).and_then(|&at| self.tokens.get(at))
    }

    /// The chained tokens, in the order they joined.
    pub fn tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens.iter()
    }

    /// Tokens waiting for their predecessor.
    #[must_use]
    pub fn unchained_len(&self) -> usize {
        self.unchained.len()
    }

    /// The hashes the waiting tokens point back to (py-ipv8's `get_missing`).
    #[must_use]
    pub fn missing(&self) -> HashSet<[u8; HASH_LEN]> {
        self.unchained.iter().map(|token| *token.previous_hash()).collect()
    }

    /// Signs a token for `content` after `after` (after the genesis hash when `None`) and adds it.
    ///
    /// # Errors
    ///
    /// [`ChainError::NoPrivateKey`] when the tree is someone else's.
    pub fn add(&mut self, content: &[u8], after: Option<&Token>) -> Result<Token, ChainError> {
        let key = self.private_key.as_ref().ok_or(ChainError::NoPrivateKey)?;
        let token = Token::with_content(self.previous_for(after), content, key);
        self.append(token.clone());
        Ok(token)
    }

    /// Signs a token for content known by its hash after `after` (after the genesis hash when
    /// `None`) and adds it.
    ///
    /// # Errors
    ///
    /// [`ChainError::NoPrivateKey`] when the tree is someone else's.
    pub fn add_by_hash(
        &mut self,
        content_hash: [u8; HASH_LEN],
        after: Option<&Token>,
    ) -> Result<Token, ChainError> {
        let key = self.private_key.as_ref().ok_or(ChainError::NoPrivateKey)?;
        let token = Token::by_hash(self.previous_for(after), content_hash, key);
        self.append(token.clone());
        Ok(token)
    }

    fn previous_for(&self, after: Option<&Token>) -> [u8; HASH_LEN] {
        after.map_or(self.genesis_hash, |token| *token.hash())
    }

    /// Takes a received token: refused (`None`) when the owner did not sign it or the tree of
    /// someone else is full, kept waiting (`None`) when its predecessor is unknown, else chained
    /// (with every waiting token it completes) and returned. A token already chained gains its
    /// content if it lacked it.
    pub fn gather_token(&mut self, token: Token) -> Option<&Token> {
        if !token.verify(&self.public_key) {
            return None;
        }
        let previous = token.previous_hash();
        if previous != &self.genesis_hash && !self.index.contains_key(previous) {
            self.wait(token);
            return None;
        }
        let hash = *token.hash();
        if let Some(&at) = self.index.get(&hash) {
            let shadow = self.tokens.get_mut(at)?;
            if let (None, Some(content)) = (shadow.content(), token.content()) {
                shadow.receive_content(content);
            }
            return self.tokens.get(at);
        }
        self.chain_reaction(token);
        self.get(&hash)
    }

    /// Keeps a verified token until its predecessor comes (once, however often it arrives).
    fn wait(&mut self, token: Token) {
        if self.unchained.contains(&token) {
            return;
        }
        self.unchained.push_back(token);
        if self.unchained.len() > UNCHAINED_MAX {
            self.unchained.pop_front();
        }
    }

    /// Chains `token` and, in turn, every waiting token that now has its predecessor.
    fn chain_reaction(&mut self, token: Token) {
        let mut ready = vec![token];
        while let Some(token) = ready.pop() {
            let hash = *token.hash();
            if self.index.contains_key(&hash) || self.is_full() {
                continue;
            }
            self.append(token);
            let (woken, waiting): (VecDeque<Token>, VecDeque<Token>) =
                self.unchained.drain(..).partition(|waiting| waiting.previous_hash() == &hash);
            self.unchained = waiting;
            ready.extend(woken);
        }
    }

    /// Whether this tree of someone else's holds all the tokens it may.
    fn is_full(&self) -> bool {
        self.private_key.is_none() && self.tokens.len() >= MAX_FOREIGN_TOKENS
    }

    /// Adds a token without checking it: for tokens loaded from our own database.
    pub(super) fn insert_unchecked(&mut self, token: Token) {
        if !self.index.contains_key(token.hash()) && !self.is_full() {
            self.append(token);
        }
    }

    fn append(&mut self, token: Token) {
        self.index.insert(*token.hash(), self.tokens.len());
        self.tokens.push(token);
    }

    /// Whether `token` and every token before it back to the genesis hash are in the tree (but
    /// `token` itself need not be) and signed by the owner, within `max_depth` steps.
    #[must_use]
    pub fn verify(&self, token: &Token, max_depth: usize) -> bool {
        !self.root_path(token, max_depth).is_empty()
    }

    /// `token` and the tokens before it back to the genesis hash, newest first; empty when the
    /// path is broken, badly signed or longer than `max_depth` steps.
    #[must_use]
    pub fn root_path<'a>(&'a self, token: &'a Token, max_depth: usize) -> Vec<&'a Token> {
        let mut path = vec![token];
        let mut current = token;
        for _ in 0..max_depth {
            if !current.verify(&self.public_key) {
                return Vec::new();
            }
            if current.previous_hash() == &self.genesis_hash {
                return path;
            }
            let Some(previous) = self.get(current.previous_hash()) else { return Vec::new() };
            current = previous;
            path.push(current);
        }
        Vec::new()
    }

    /// The serialized tokens from `up_to` back as far as the tree goes (newest first), or every
    /// chained token in the order they joined when `up_to` is `None`.
    #[must_use]
    pub fn serialize_public(&self, up_to: Option<&Token>) -> Vec<u8> {
        let Some(up_to) = up_to else {
            return self.tokens.iter().flat_map(Token::serialize).collect();
        };
        let mut out = up_to.serialize();
        let mut next = up_to.previous_hash();
        // Hashes cannot form a cycle, but a walk is bounded all the same.
        for _ in 0..self.tokens.len() {
            let Some(token) = self.get(next) else { break };
            out.extend_from_slice(&token.serialize());
            next = token.previous_hash();
        }
        out
    }

    /// Gathers every token of a serialization (tokens back to back); answers whether all of them
    /// were chained. A trailing partial token makes it `false`.
    pub fn unserialize_public(&mut self, data: &[u8]) -> bool {
        let size = Token::serialized_len(self.public_key.signature_len());
        let mut correct = true;
        for chunk in data.chunks(size) {
            match Token::parse(chunk, self.public_key.signature_len()) {
                Ok(token) => correct &= self.gather_token(token).is_some(),
                Err(_) => correct = false,
            }
        }
        correct
    }

    /// Forgets every token (after the pseudonym's rows were removed from the database).
    pub(crate) fn clear(&mut self) {
        self.tokens.clear();
        self.index.clear();
        self.unchained.clear();
    }
}

impl std::fmt::Debug for TokenTree {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenTree")
            .field("public_key", &self.public_key)
            .field("mine", &self.private_key.is_some())
            .field("genesis_hash", &super::signed::Hex(&self.genesis_hash))
            .field("tokens", &self.tokens.len())
            .field("unchained", &self.unchained.len())
            .finish_non_exhaustive()
    }
}
