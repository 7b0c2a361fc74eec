//! Packet framing (spec §2): the 23-byte header, signed messages (`header | key | payload |
//! signature`) and unsigned ones (`header | payload`), and [`Incoming`], a received packet whose
//! signature and payload are checked lazily, when a handler asks for them.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;

use super::check_budget::CheckBudget;
use super::{DropReason, Peer};
use crate::crypto::{PrivateKey, PublicKey};
use crate::wire::format::VarlenH;
use crate::wire::{EncodeError, Format, Message, Payload, Reader};

/// Length of the header: marker, version, community id, message id.
pub const HEADER_LEN: usize = 23;
/// Length of the prefix that selects a community: the header without the message id.
pub const PREFIX_LEN: usize = 22;
/// The version byte py-ipv8 puts in every community's prefix.
pub const VERSION: u8 = 2;

/// The 20-byte identifier of a community (overlay).
///
/// # Examples
///
/// ```
/// use ipv8::proto::CommunityId;
///
/// let id: CommunityId = "7e313685c1912a141279f8248fc8db5899c5df5a".parse()?;
/// assert_eq!(id.to_string(), "7e313685c1912a141279f8248fc8db5899c5df5a");
/// assert_eq!(id.prefix()[..2], [0, 2]);
/// # Ok::<(), ipv8::proto::ParseCommunityIdError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommunityId(pub [u8; 20]);

impl CommunityId {
    /// The 22-byte prefix (`00`, version `02`, id) under which this community's messages travel.
    #[must_use]
    pub fn prefix(&self) -> [u8; PREFIX_LEN] {
        let mut prefix = [0; PREFIX_LEN];
        prefix[1] = VERSION;
        prefix[2..].copy_from_slice(&self.0);
        prefix
    }
}

impl fmt::Display for CommunityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for CommunityId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CommunityId({self})")
    }
}

/// A community id that is not 40 hexadecimal digits.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a community id is 40 hexadecimal digits, not {0:?}")]
pub struct ParseCommunityIdError(String);

impl FromStr for CommunityId {
    type Err = ParseCommunityIdError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let error = || ParseCommunityIdError(text.to_owned());
        if text.len() != 40 || !text.is_ascii() {
            return Err(error());
        }
        let mut id = [0; 20];
        for (byte, pair) in id.iter_mut().zip(text.as_bytes().chunks_exact(2)) {
            let pair = std::str::from_utf8(pair).map_err(|_| error())?;
            *byte = u8::from_str_radix(pair, 16).map_err(|_| error())?;
        }
        Ok(Self(id))
    }
}

/// Builds a signed packet whose signature is still to be written: header, the sender's key, the
/// payload, and `signature_len` zero bytes where the signature over all of it goes
/// ([`Outgoing::finish`](super::Outgoing::finish) writes it).
pub(crate) fn to_sign<P: Message>(
    prefix: &[u8; PREFIX_LEN],
    key_bin: &[u8],
    signature_len: usize,
    payload: &P,
) -> Result<Vec<u8>, EncodeError> {
    let mut packet =
        Vec::with_capacity(HEADER_LEN + 2 + key_bin.len() + payload.encoded_len() + signature_len);
    packet.extend_from_slice(prefix);
    packet.push(P::MSG_ID);
    VarlenH::encode(&key_bin.to_vec(), &mut packet)?;
    payload.encode(&mut packet)?;
    packet.resize(packet.len() + signature_len, 0);
    Ok(packet)
}

/// Writes the signature into the last [`PublicKey::signature_len`] bytes of a packet built by
/// [`to_sign`], over the bytes before them.
pub(crate) fn sign_in_place(packet: &mut Vec<u8>, key: &PrivateKey) {
    let body = packet.len().saturating_sub(key.curve().signature_len());
    let signature = key.sign(packet.get(..body).unwrap_or_default());
    packet.truncate(body);
    packet.extend_from_slice(&signature);
}

/// Builds an unsigned packet: header and payload.
pub(crate) fn unsigned<P: Message>(
    prefix: &[u8; PREFIX_LEN],
    payload: &P,
) -> Result<Vec<u8>, EncodeError> {
    let mut packet = Vec::with_capacity(HEADER_LEN + payload.encoded_len());
    packet.extend_from_slice(prefix);
    packet.push(P::MSG_ID);
    payload.encode(&mut packet)?;
    Ok(packet)
}

/// Parsed public keys by their bytes, so a peer's key is parsed once rather than per packet,
/// and the budget of the legacy-curve signature checks made with them.
#[derive(Default)]
pub(crate) struct KeyCache {
    keys: RefCell<HashMap<Vec<u8>, PublicKey>>,
    pub(crate) budget: CheckBudget,
}

/// How many parsed keys [`KeyCache`] keeps before it starts over.
const KEY_CACHE_LIMIT: usize = 4096;

impl KeyCache {
    pub(crate) fn parse(&self, bin: &[u8]) -> Option<PublicKey> {
        if let Some(key) = self.keys.borrow().get(bin) {
            return Some(key.clone());
        }
        let key = PublicKey::from_bin(bin).ok()?;
        let mut keys = self.keys.borrow_mut();
        if keys.len() >= KEY_CACHE_LIMIT {
            keys.clear();
        }
        keys.insert(bin.to_vec(), key.clone());
        Some(key)
    }
}

/// A received packet for one community. Handlers get its payload through [`Incoming::signed`] or
/// [`Incoming::unsigned`], which check the signature and decode only when asked (py-ipv8's
/// `lazy_wrapper`).
pub struct Incoming<'a> {
    source: SocketAddr,
    data: &'a [u8],
    keys: &'a KeyCache,
    /// Kept once checked: a packet offered to several communities (listeners of unclaimed
    /// datagrams) is checked once, and its check charged to the budget once.
    checked: Cell<Checked>,
}

/// What is known of a packet's signature before a handler asks for its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Checked {
    /// Not checked yet: [`Incoming::signed`] checks it.
    No,
    /// Checked (in a batch) and valid.
    Valid,
    /// Checked (in a batch) and not valid.
    Invalid,
}

impl Checked {
    /// The state after a check whose verdict is `valid`, or none (`None`).
    pub(crate) fn from_verdict(verdict: Option<bool>) -> Self {
        match verdict {
            Some(true) => Self::Valid,
            Some(false) => Self::Invalid,
            None => Self::No,
        }
    }
}

impl<'a> Incoming<'a> {
    /// A datagram from `source`; it may be shorter than a header when it goes to a listener of
    /// unclaimed datagrams (then [`Incoming::msg_id`] is 0 and decoding fails cleanly).
    pub(crate) fn new(source: SocketAddr, data: &'a [u8], keys: &'a KeyCache) -> Self {
        Self { source, data, keys, checked: Cell::new(Checked::No) }
    }

    /// Records that the signature was checked already (by batch verification).
    pub(crate) fn set_checked(&mut self, checked: Checked) {
        self.checked.set(checked);
    }

    /// Where the packet came from.
    #[must_use]
    pub fn source(&self) -> SocketAddr {
        self.source
    }

    /// The message id (header byte 22).
    #[must_use]
    pub fn msg_id(&self) -> u8 {
        self.data.get(PREFIX_LEN).copied().unwrap_or_default()
    }

    /// The whole packet, header included (for custom packet handling).
    #[must_use]
    pub fn data(&self) -> &'a [u8] {
        self.data
    }

    /// Checks the signature and decodes the payload of a signed message.
    pub fn signed<P: Payload>(&self) -> Result<(Peer, P), DropReason> {
        let parts = SignedParts::split(self.data, self.keys)?;
        let valid = match self.checked.get() {
            Checked::Valid => true,
            Checked::Invalid => false,
            Checked::No => {
                let curve = parts.key.curve();
                if curve.is_legacy() && !self.keys.budget.take(curve) {
                    return Err(DropReason::CheckBudget);
                }
                let valid = parts.key.verify(parts.signed, parts.signature);
                self.checked.set(Checked::from_verdict(Some(valid)));
                valid
            }
        };
        if !valid {
            return Err(DropReason::BadSignature);
        }
        let payload = P::from_bytes(parts.body).map_err(DropReason::Malformed)?;
        Ok((Peer::new(parts.key, self.source), payload))
    }

    /// Decodes the payload of an unsigned message.
    pub fn unsigned<P: Payload>(&self) -> Result<P, DropReason> {
        let body = self.data.get(HEADER_LEN..).unwrap_or_default();
        P::from_bytes(body).map_err(DropReason::Malformed)
    }
}

/// A signed packet taken apart: the sender's key, the signed bytes, the payload and the signature.
pub(crate) struct SignedParts<'a> {
    pub(crate) key: PublicKey,
    pub(crate) signed: &'a [u8],
    pub(crate) body: &'a [u8],
    pub(crate) signature: &'a [u8],
}

impl<'a> SignedParts<'a> {
    pub(crate) fn split(data: &'a [u8], keys: &KeyCache) -> Result<Self, DropReason> {
        let after_header = data.get(HEADER_LEN..).ok_or(DropReason::TooShort)?;
        let mut reader = Reader::new(after_header);
        let key_len = usize::from(reader.read_u16().map_err(|_| DropReason::TooShort)?);
        let key_bin = reader.take(key_len).map_err(|_| DropReason::TooShort)?;
        let key = keys.parse(key_bin).ok_or(DropReason::InvalidKey)?;
        let body_start = HEADER_LEN + 2 + key_len;
        let body_end = data.len().checked_sub(key.signature_len()).filter(|end| *end >= body_start);
        let body_end = body_end.ok_or(DropReason::TooShort)?;
        let (signed, signature) = data.split_at(body_end);
        let body = signed.get(body_start..).ok_or(DropReason::TooShort)?;
        Ok(Self { key, signed, body, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::Curve;
    use crate::messages::PuncturePayload;

    /// A puncture signed with `key`, its signature's last byte changed when `forged`.
    fn puncture(key: &PrivateKey, forged: bool) -> Vec<u8> {
        let address = "10.0.0.1:7".parse().expect("an address");
        let payload = PuncturePayload {
            source_lan_address: address,
            source_wan_address: address,
            identifier: 1,
        };
        let bin = key.public_key().to_bin().to_vec();
        let mut packet =
            to_sign(&[1; PREFIX_LEN], &bin, key.curve().signature_len(), &payload).expect("fits");
        sign_in_place(&mut packet, key);
        if forged {
            *packet.last_mut().expect("a signature") ^= 1;
        }
        packet
    }

    #[cfg(feature = "legacy-curves")]
    #[test]
    fn a_signature_is_checked_once_however_often_its_payload_is_asked_for() {
        let key = PrivateKey::generate(Curve::VeryLow).expect("a legacy key");
        let keys = KeyCache::default();
        // One very-low check.
        keys.budget.set_per_second(std::time::Duration::from_micros(400));
        keys.budget.refill(std::time::Instant::now());
        let source = "10.0.0.2:8".parse().expect("an address");
        let (good, forged) = (puncture(&key, false), puncture(&key, true));

        let incoming = Incoming::new(source, &good, &keys);
        for _ in 0..3 {
            assert!(incoming.signed::<PuncturePayload>().is_ok());
        }
        let incoming = Incoming::new(source, &forged, &keys);
        assert!(matches!(incoming.signed::<PuncturePayload>(), Err(DropReason::CheckBudget)));
    }

    #[test]
    fn a_bad_signature_stays_bad() {
        let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
        let keys = KeyCache::default();
        let forged = puncture(&key, true);
        let incoming = Incoming::new("10.0.0.2:8".parse().expect("an address"), &forged, &keys);
        for _ in 0..2 {
            assert!(matches!(incoming.signed::<PuncturePayload>(), Err(DropReason::BadSignature)));
        }
    }
}
