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

/// A cell's header, read without copying its message: what a relay needs to pass it on.
///
/// # Examples
///
/// ```
/// use ipv8::proto::tunnel::{COMMUNITY_ID, CellHeader};
///
/// let header = CellHeader { circuit_id: 7, plaintext: false, relay_early: true };
/// let mut packet = Vec::new();
/// header.write(COMMUNITY_ID, &mut packet);
/// packet.extend_from_slice(b"layered message");
/// assert_eq!(CellHeader::parse(&packet), Ok((header, &b"layered message"[..])));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CellHeader {
    /// The circuit id on the link the cell travels.
    pub circuit_id: u32,
    /// Whether the message is in plaintext (create and created only).
    pub plaintext: bool,
    /// Whether it is one of the first cells of its circuit, which may extend it.
    pub relay_early: bool,
}

impl CellHeader {
    /// The header of a cell and the message after it (never empty). The prefix is not checked:
    /// the node routed the packet here by it.
    ///
    /// # Errors
    ///
    /// [`CellError::TooShort`], [`CellError::NotACell`] or [`CellError::BadFlag`].
    pub fn parse(packet: &[u8]) -> Result<(Self, &[u8]), CellError> {
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
        let header = Self {
            circuit_id: u32::from_be_bytes([c0, c1, c2, c3]),
            plaintext: flag(plaintext)?,
            relay_early: flag(relay_early)?,
        };
        if message.is_empty() {
            return Err(CellError::TooShort);
        }
        Ok((header, message))
    }

    /// Appends the header, as a packet of `community`, to `out`.
    pub fn write(&self, community: CommunityId, out: &mut Vec<u8>) {
        out.extend_from_slice(&community.prefix());
        out.push(CELL_ID);
        out.extend_from_slice(&self.circuit_id.to_be_bytes());
        out.push(u8::from(self.plaintext));
        out.push(u8::from(self.relay_early));
    }
}

impl Cell {
    /// The cell as a packet of `community`.
    #[must_use]
    pub fn encode(&self, community: CommunityId) -> Vec<u8> {
        let mut packet = Vec::with_capacity(CELL_HEADER_LEN + self.message.len());
        let header = CellHeader {
            circuit_id: self.circuit_id,
            plaintext: self.plaintext,
            relay_early: self.relay_early,
        };
        header.write(community, &mut packet);
        packet.extend_from_slice(&self.message);
        packet
    }

    /// The cell in a packet (its prefix is not checked: the node routed it here by it).
    ///
    /// # Errors
    ///
    /// [`CellError`] for anything that is not a well-formed cell.
    pub fn decode(packet: &[u8]) -> Result<Self, CellError> {
        let (header, message) = CellHeader::parse(packet)?;
        if header.plaintext
            && let Some(&inner) = message.first()
            && !PLAINTEXT_IDS.contains(&inner)
        {
            return Err(CellError::PlaintextNotAllowed(inner));
        }
        Ok(Self {
            circuit_id: header.circuit_id,
            plaintext: header.plaintext,
            relay_early: header.relay_early,
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
