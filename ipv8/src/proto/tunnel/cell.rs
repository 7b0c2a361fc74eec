//! [`Cell`]: the framing of everything that travels along a circuit (spec `tunnels.md` §3):
//! message id 0 under the tunnel prefix, the circuit id of this link, the plaintext and
//! relay-early flags, then the message (an inner message id and its payload without the circuit
//! id, in as many encryption layers as hops it passes).

use crate::proto::CommunityId;

/// The cell message id.
pub const CELL_ID: u8 = 0;
/// Bytes before the message: prefix (22), message id, circuit id (4), the two flags.
pub const CELL_HEADER_LEN: usize = 29;
/// Inner message ids that may travel in plaintext cells: create and created.
const PLAINTEXT_IDS: [u8; 2] = [2, 3];

/// Why bytes are not a cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CellError {
    /// Shorter than a cell's header and one message byte.
    #[error("a cell shorter than its header")]
    TooShort,
    /// Not message id 0.
    #[error("not a cell (message id {0})")]
    NotACell(u8),
    /// A flag byte other than 0 or 1.
    #[error("a cell flag that is neither 0 nor 1")]
    BadFlag,
    /// A plaintext cell with an inner message other than create or created.
    #[error("a plaintext cell carrying inner message {0}")]
    PlaintextNotAllowed(u8),
}

/// One cell.
///
/// # Examples
///
/// ```
/// use ipv8::proto::tunnel::{COMMUNITY_ID, Cell};
///
/// let cell = Cell { circuit_id: 7, plaintext: false, relay_early: true, message: vec![6, 0, 1] };
/// let packet = cell.encode(COMMUNITY_ID);
/// assert_eq!(packet.len(), 29 + 3);
/// assert_eq!(Cell::decode(&packet), Ok(cell));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    /// The circuit id on this link.
    pub circuit_id: u32,
    /// Whether the message is in the clear (create and created only).
    pub plaintext: bool,
    /// py-ipv8's relay-early flag (§3.1).
    pub relay_early: bool,
    /// The inner message id and payload, encrypted unless `plaintext`.
    pub message: Vec<u8>,
}

impl Cell {
    /// The cell as a packet of `community`.
    #[must_use]
    pub fn encode(&self, community: CommunityId) -> Vec<u8> {
        let mut packet = Vec::with_capacity(CELL_HEADER_LEN + self.message.len());
        packet.extend_from_slice(&community.prefix());
        packet.push(CELL_ID);
        packet.extend_from_slice(&self.circuit_id.to_be_bytes());
        packet.push(u8::from(self.plaintext));
        packet.push(u8::from(self.relay_early));
        packet.extend_from_slice(&self.message);
        packet
    }

    /// The cell in a packet (its prefix is not checked: the node routed it here by it).
    ///
    /// # Errors
    ///
    /// [`CellError`] for anything that is not a well-formed cell.
    pub fn decode(packet: &[u8]) -> Result<Self, CellError> {
        let Some((header, message)) = packet.split_at_checked(CELL_HEADER_LEN) else {
            return Err(CellError::TooShort);
        };
        let &[.., id, c0, c1, c2, c3, plaintext, relay_early] = header else {
            return Err(CellError::TooShort);
        };
        if id != CELL_ID {
            return Err(CellError::NotACell(id));
        }
        let flag = |byte: u8| match byte {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(CellError::BadFlag),
        };
        let (plaintext, relay_early) = (flag(plaintext)?, flag(relay_early)?);
        let Some(&inner) = message.first() else { return Err(CellError::TooShort) };
        if plaintext && !PLAINTEXT_IDS.contains(&inner) {
            return Err(CellError::PlaintextNotAllowed(inner));
        }
        Ok(Self {
            circuit_id: u32::from_be_bytes([c0, c1, c2, c3]),
            plaintext,
            relay_early,
            message: message.to_vec(),
        })
    }

    /// The ordinary packet the (decrypted) message stands for: `prefix | inner id | circuit id |
    /// rest`, from which the inner payload decodes after the 23-byte header.
    #[must_use]
    pub fn inner_packet(&self, community: CommunityId) -> Vec<u8> {
        let mut packet = Vec::with_capacity(27 + self.message.len());
        packet.extend_from_slice(&community.prefix());
        if let Some((id, rest)) = self.message.split_first() {
            packet.push(*id);
            packet.extend_from_slice(&self.circuit_id.to_be_bytes());
            packet.extend_from_slice(rest);
        }
        packet
    }
}

/// A cell message from an inner message's encoding (its id, then its payload, which starts with
/// the 4-byte circuit id): the id, then the payload without the circuit id.
#[must_use]
pub fn cell_message(msg_id: u8, payload: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(1 + payload.len().saturating_sub(4));
    message.push(msg_id);
    message.extend_from_slice(payload.get(4..).unwrap_or_default());
    message
}
