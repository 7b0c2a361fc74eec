//! Attestation blobs on the wire: cut into [`CHUNK_SIZE`] pieces that share one global time, and
//! put together again until SHA-1 of the pieces in order is the hash every chunk carries.

use std::collections::BTreeMap;

use super::{AttestationCommunity, CHUNK_SIZE, MAX_BLOB, sha1};
use crate::messages::attestation::AttestationChunkPayload;
use crate::proto::discovery::Timed;
use crate::proto::{Context, Destination};

/// The chunks of one blob received so far.
#[derive(Debug, Default)]
pub(super) struct Chunks {
    pieces: BTreeMap<u16, Vec<u8>>,
    bytes: usize,
}

/// What a chunk did to a transfer.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Added {
    /// More chunks are needed.
    Waiting,
    /// The blob is whole: these are its bytes.
    Complete(Vec<u8>),
    /// The transfer would exceed [`MAX_BLOB`]; it should be dropped.
    TooLarge,
}

impl Chunks {
    /// Adds (or replaces) piece `sequence` of the blob whose SHA-1 is `hash`.
    pub(super) fn add(&mut self, hash: &[u8; 20], sequence: u16, data: &[u8]) -> Added {
        if data.len() > CHUNK_SIZE {
            return Added::TooLarge;
        }
        let old = self.pieces.insert(sequence, data.to_vec()).map_or(0, |old| old.len());
        self.bytes = self.bytes - old + data.len();
        if self.bytes > MAX_BLOB {
            return Added::TooLarge;
        }
        let blob: Vec<u8> = self.pieces.values().flatten().copied().collect();
        if sha1(&blob) == *hash { Added::Complete(blob) } else { Added::Waiting }
    }
}

impl AttestationCommunity {
    /// Sends `blob` in chunks, all with `global_time` (a fresh one when `None`).
    pub(super) fn send_blob(
        ctx: &mut Context<'_, Self>,
        to: impl Destination + Copy,
        blob: &[u8],
        global_time: Option<u64>,
    ) {
        let global_time = global_time.unwrap_or_else(|| ctx.claim_global_time());
        let attestation_hash = sha1(blob);
        for (sequence, data) in blob.chunks(CHUNK_SIZE).enumerate() {
            let Ok(sequence_number) = u16::try_from(sequence) else {
                return;
            };
            let payload =
                AttestationChunkPayload { attestation_hash, sequence_number, data: data.to_vec() };
            ctx.ez_send(to, &Timed { global_time, payload });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_in_any_order_make_the_blob() {
        let blob: Vec<u8> = (0..2000_u32).map(|i| (i % 251) as u8).collect();
        let hash = sha1(&blob);
        let pieces: Vec<&[u8]> = blob.chunks(CHUNK_SIZE).collect();
        let mut chunks = Chunks::default();
        assert_eq!(chunks.add(&hash, 2, pieces[2]), Added::Waiting);
        assert_eq!(chunks.add(&hash, 0, pieces[0]), Added::Waiting);
        assert_eq!(chunks.add(&hash, 0, pieces[0]), Added::Waiting, "a duplicate changes nothing");
        assert_eq!(chunks.add(&hash, 1, pieces[1]), Added::Complete(blob.clone()));
    }

    #[test]
    fn a_transfer_beyond_the_limit_is_refused() {
        let mut chunks = Chunks::default();
        let data = [0_u8; CHUNK_SIZE];
        let limit = u16::try_from(MAX_BLOB / CHUNK_SIZE).expect("small");
        for sequence in 0..limit {
            assert_eq!(chunks.add(&[0; 20], sequence, &data), Added::Waiting);
        }
        assert_eq!(chunks.add(&[0; 20], limit, &data), Added::TooLarge);
        assert_eq!(chunks.add(&[0; 20], 0, &[0; CHUNK_SIZE + 1]), Added::TooLarge);
    }
}
