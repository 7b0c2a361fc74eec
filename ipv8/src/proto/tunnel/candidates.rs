//! [`Candidates`]: the nodes a hop offers to extend a circuit to, sent in its created or extended
//! answer (spec `tunnels.md` §4): a `varlenH-list` of serialized public keys, relay-only nodes
//! first, then the exits with the first exit listed twice (the separator), sealed in one FORWARD
//! layer of the hop's session keys.

use super::{CryptoError, Direction, SessionKeys};
use crate::wire::format::VarlenHList;
use crate::wire::{DecodeError, Format as _, Reader};

/// Relays and exits offered at most, each.
pub const MAX_OFFERED: usize = 4;

/// Why a sealed candidate list could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CandidatesError {
    /// The layer does not open with these keys.
    #[error(transparent)]
    Crypto(#[from] CryptoError),
    /// The opened bytes are not a list of keys.
    #[error(transparent)]
    Decode(#[from] DecodeError),
}

/// The relays and exits a hop offers (serialized public keys).
///
/// # Examples
///
/// ```
/// use ipv8::proto::tunnel::Candidates;
///
/// let offer = Candidates { relays: vec![b"r1".to_vec()], exits: vec![b"e1".to_vec(), b"e2".to_vec()] };
/// // The first exit appears twice: the separator py-ipv8 splits at.
/// assert_eq!(offer.to_list(), [b"r1".to_vec(), b"e1".to_vec(), b"e1".to_vec(), b"e2".to_vec()]);
/// assert_eq!(Candidates::from_list(offer.to_list()), offer);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Candidates {
    /// Nodes that relay but do not exit.
    pub relays: Vec<Vec<u8>>,
    /// Nodes that exit (and relay).
    pub exits: Vec<Vec<u8>>,
}

impl Candidates {
    /// The list as sent: up to [`MAX_OFFERED`] relays, then, if there are exits, the first one
    /// twice and the rest, up to [`MAX_OFFERED`] exits in all.
    #[must_use]
    pub fn to_list(&self) -> Vec<Vec<u8>> {
        let exits: Vec<Vec<u8>> = self.exits.iter().take(MAX_OFFERED).cloned().collect();
        let mut list: Vec<Vec<u8>> = self.relays.iter().take(MAX_OFFERED).cloned().collect();
        list.extend(exits.first().cloned());
        list.extend(exits);
        list
    }

    /// The offer a received list stands for: split at the first two equal neighbours (relays
    /// before, exits from the second of them on); without such a pair, all are relays.
    #[must_use]
    pub fn from_list(list: Vec<Vec<u8>>) -> Self {
        let split = list.windows(2).position(|pair| pair[0] == pair[1]);
        match split {
            Some(at) => {
                let mut relays = list;
                let exits = relays.split_off(at + 1);
                relays.truncate(at);
                Self { relays, exits }
            }
            None => Self { relays: list, exits: Vec::new() },
        }
    }

    /// The offer sealed for the originator: its list in one FORWARD layer of `keys`.
    #[must_use]
    pub fn seal(&self, keys: &mut SessionKeys) -> Vec<u8> {
        let mut plain = Vec::new();
        // A list of at most nine keys of a packet's size always encodes.
        if VarlenHList::encode(&self.to_list(), &mut plain).is_err() {
            plain.clear();
        }
        keys.encrypt(Direction::Forward, &plain)
    }

    /// The offer in a sealed list (the `candidates_enc` of created and extended).
    ///
    /// # Errors
    ///
    /// [`CandidatesError`] if the layer does not open or does not hold a list of keys.
    pub fn open(sealed: &[u8], keys: &SessionKeys) -> Result<Self, CandidatesError> {
        let plain = keys.decrypt(Direction::Forward, sealed)?;
        let mut reader = Reader::new(&plain);
        let list = VarlenHList::decode(&mut reader)?;
        Ok(Self::from_list(list))
    }
}
