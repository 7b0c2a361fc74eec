//! [`Disclosure`]: part of a pseudonym's chain as the disclose message carries it (spec §5.1).

/// Most bytes a disclosure (or a missing-response's tokens) may take: py-ipv8's
/// `SAFE_UDP_PACKET_LENGTH`.
pub const SAFE_UDP_PACKET_LENGTH: usize = 1296;

/// A pseudonym's credentials shown to someone: metadata (each prefixed by its `u32` length),
/// tokens back to back, attestations back to back, and the authority of each attestation (each
/// key prefixed by its `u16` length), in the same order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Disclosure {
    /// Serialized metadata, each with a big-endian `u32` length in front.
    pub metadata: Vec<u8>,
    /// Serialized tokens.
    pub tokens: Vec<u8>,
    /// Serialized attestations.
    pub attestations: Vec<u8>,
    /// The attestations' authorities: serialized public keys, each with a big-endian `u16`
    /// length in front.
    pub authorities: Vec<u8>,
}

impl Disclosure {
    /// The disclosure trimmed to fit [`SAFE_UDP_PACKET_LENGTH`] by dropping whole tokens from
    /// the front (the oldest, when the tokens run from the genesis on), `token_len` bytes each:
    /// the receiver asks for what it misses (py-ipv8's `_fit_disclosure`). When the rest alone
    /// is too large every token goes (py-ipv8 would then keep them all).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::proto::identity::chain::{Disclosure, SAFE_UDP_PACKET_LENGTH};
    ///
    /// let disclosure = Disclosure {
    ///     metadata: vec![1; 300],
    ///     tokens: (0..20u8).flat_map(|i| [i; 128]).collect(),
    ///     ..Disclosure::default()
    /// };
    /// let fitted = disclosure.fit(128);
    /// assert_eq!(fitted.tokens.len(), 7 * 128);
    /// assert_eq!(fitted.tokens[0], 13);
    /// assert!(fitted.len() <= SAFE_UDP_PACKET_LENGTH);
    /// ```
    #[must_use]
    pub fn fit(mut self, token_len: usize) -> Self {
        let rest = self.metadata.len() + self.attestations.len() + self.authorities.len();
        if rest + self.tokens.len() > SAFE_UDP_PACKET_LENGTH {
            let room = SAFE_UDP_PACKET_LENGTH.saturating_sub(rest);
            let keep = room / token_len.max(1) * token_len;
            let drop = self.tokens.len().saturating_sub(keep);
            self.tokens.drain(..drop);
        }
        self
    }

    /// The bytes of all four parts together.
    #[must_use]
    pub fn len(&self) -> usize {
        self.metadata.len() + self.tokens.len() + self.attestations.len() + self.authorities.len()
    }

    /// Whether all four parts are empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
