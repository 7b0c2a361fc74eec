//! [`Mid`]: the SHA-1 of a public key, a peer's short identifier.

use std::fmt;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use sha1::{Digest as _, Sha1};

/// The member identifier: SHA-1 of a public key's [`to_bin`](super::PublicKey::to_bin) bytes.
///
/// It names a peer in logs and in Dispersy-era fields; it is never signed over. `Display` is lowercase hex.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::Mid;
///
/// let mid = Mid::hash(b"");
/// assert_eq!(mid.to_string(), "da39a3ee5e6b4b0d3255bfef95601890afd80709");
/// assert_eq!(mid.to_base64(), "2jmj7l5rSw0yVb/vlWAYkK/YBwk=");
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mid(pub [u8; 20]);

impl Mid {
    /// The mid of the given public key bytes.
    #[must_use]
    pub fn hash(public_key_bin: &[u8]) -> Mid {
        Mid(Sha1::digest(public_key_bin).into())
    }

    /// The 20 bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Standard base64 with padding, as py-ipv8's REST API shows mids.
    #[must_use]
    pub fn to_base64(&self) -> String {
        STANDARD.encode(self.0)
    }

    /// Lowercase hex, the same as `Display`.
    #[must_use]
    pub fn to_hex(&self) -> String {
        self.to_string()
    }
}

impl From<[u8; 20]> for Mid {
    fn from(bytes: [u8; 20]) -> Self {
        Mid(bytes)
    }
}

impl AsRef<[u8]> for Mid {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Display for Mid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|byte| write!(f, "{byte:02x}"))
    }
}

impl fmt::Debug for Mid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mid({self})")
    }
}
