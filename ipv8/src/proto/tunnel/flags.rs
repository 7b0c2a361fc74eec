//! [`PeerFlags`]: what a tunnel peer offers, advertised as a `u16` bitmask in the `extra_bytes` of
//! its introduction-requests and -responses (spec `tunnels.md` §1).

/// A set of tunnel peer flags.
///
/// # Examples
///
/// ```
/// use ipv8::proto::tunnel::PeerFlags;
///
/// let flags = PeerFlags::RELAY | PeerFlags::SPEED_TEST;
/// assert_eq!(flags.to_extra_bytes(), [0x00, 0x09]);
/// assert_eq!(PeerFlags::from_extra_bytes(&[0x00, 0x09]), flags);
/// assert!(PeerFlags::from_extra_bytes(&[]).is_empty(), "no extra bytes: no flags");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PeerFlags(pub u16);

impl PeerFlags {
    /// Relays cells for others (also needed to accept an extend).
    pub const RELAY: Self = Self(1);
    /// Exits BitTorrent-looking UDP.
    pub const EXIT_BT: Self = Self(2);
    /// Exits IPv8 packets of any community.
    pub const EXIT_IPV8: Self = Self(4);
    /// Answers speed tests.
    pub const SPEED_TEST: Self = Self(8);
    /// Exits HTTP tracker requests (Tribler's data plane only).
    pub const EXIT_HTTP: Self = Self(32768);
    /// py-ipv8's default: relay and speed test.
    pub const DEFAULT: Self = Self(1 | 8);

    /// Whether no flag is set (such a node refuses every create).
    #[must_use]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every flag of `other` is set.
    #[must_use]
    pub fn contains(self, other: Self) -> bool {
        self.0 & other.0 == other.0
    }

    /// The flags as introduction `extra_bytes`: a big-endian `u16`.
    #[must_use]
    pub fn to_extra_bytes(self) -> [u8; 2] {
        self.0.to_be_bytes()
    }

    /// The flags of a peer's introduction `extra_bytes`: none if there are fewer than two bytes.
    #[must_use]
    pub fn from_extra_bytes(bytes: &[u8]) -> Self {
        match bytes {
            [high, low, ..] => Self(u16::from_be_bytes([*high, *low])),
            _ => Self(0),
        }
    }
}

impl std::ops::BitOr for PeerFlags {
    type Output = Self;

    fn bitor(self, other: Self) -> Self {
        Self(self.0 | other.0)
    }
}
