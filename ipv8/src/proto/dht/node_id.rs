//! [`NodeId`]: where a node sits in the DHT's id space (spec `dht.md` §3): the top three bytes of
//! a CRC-32 over the node's masked IP address, then the first 17 bytes of its mid. The port is not
//! used, so a node keeps its id across ports but not across networks.

use std::cmp::Ordering;
use std::fmt;
use std::net::IpAddr;

use crate::crypto::Mid;

/// The bits of an id, and of a distance between two ids.
pub const DISTANCE_BITS: usize = 160;

/// The IPv4 bytes that count, as BEP-42 masks them.
const V4_MASK: [u8; 4] = [0x03, 0x0f, 0x3f, 0xff];
/// The first eight IPv6 bytes that count.
const V6_MASK: [u8; 8] = [0x01, 0x03, 0x07, 0x0f, 0x1f, 0x3f, 0x7f, 0xff];

/// A 160-bit DHT id, compared and measured as an unsigned big-endian integer.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::Mid;
/// use ipv8::proto::dht::NodeId;
///
/// // Spec dht.md §3: the CRC-32 of the masked 127.0.0.1 is 44f64064.
/// let id = NodeId::of("127.0.0.1".parse()?, &Mid::from([0x11; 20]));
/// assert_eq!(id.as_bytes()[..3], [0x44, 0xf6, 0x40]);
/// assert_eq!(id.as_bytes()[3..], [0x11; 17]);
/// assert_eq!(id.distance(&id), NodeId::from([0; 20]));
/// # Ok::<(), std::net::AddrParseError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId([u8; 20]);

impl NodeId {
    /// The id of the node with `mid` seen at `ip` (py-ipv8's `calc_node_id`).
    #[must_use]
    pub fn of(ip: IpAddr, mid: &Mid) -> Self {
        let crc = match ip.to_canonical() {
            IpAddr::V4(v4) => crc32fast::hash(&masked(&v4.octets(), &V4_MASK)),
            IpAddr::V6(v6) => crc32fast::hash(&masked(&v6.octets()[..8], &V6_MASK)),
        };
        let mut id = [0; 20];
        id[..3].copy_from_slice(&crc.to_be_bytes()[..3]);
        id[3..].copy_from_slice(&mid.as_bytes()[..17]);
        Self(id)
    }

    /// The id's bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// The XOR distance to `other`, itself an id-sized number.
    #[must_use]
    pub fn distance(&self, other: &NodeId) -> NodeId {
        let mut out = [0; 20];
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = self.0[i] ^ other.0[i];
        }
        Self(out)
    }

    /// Which of `a` and `b` is closer to this id.
    #[must_use]
    pub fn cmp_distance(&self, a: &NodeId, b: &NodeId) -> Ordering {
        self.distance(a).cmp(&self.distance(b))
    }

    /// Bit `index` of the id, most significant first (`index` < 160).
    #[must_use]
    pub fn bit(&self, index: usize) -> bool {
        self.0.get(index / 8).is_some_and(|byte| byte >> (7 - index % 8) & 1 == 1)
    }
}

fn masked(bytes: &[u8], mask: &[u8]) -> Vec<u8> {
    bytes.iter().zip(mask).map(|(b, m)| b & m).collect()
}

impl From<[u8; 20]> for NodeId {
    fn from(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.iter().try_for_each(|b| write!(f, "{b:02x}"))
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NodeId({self})")
    }
}
