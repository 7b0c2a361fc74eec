//! [`Timed`]: a payload preceded by the sender's global time, the shape of every built-in message.

use crate::messages::GlobalTimeDistributionPayload;
use crate::wire::{DecodeError, EncodeError, Field, Message, Payload, Reader};

/// `GlobalTimeDistributionPayload` followed by `P`, as py-ipv8 sends its built-in messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Timed<P> {
    /// The sender's global time.
    pub global_time: u64,
    /// The message's payload.
    pub payload: P,
}

impl<P: Payload> Payload for Timed<P> {
    const NAME: &'static str = P::NAME;
    const FIELDS: &'static [Field] = P::FIELDS;

    fn encode(&self, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        GlobalTimeDistributionPayload { global_time: self.global_time }.encode(out)?;
        self.payload.encode(out)
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let time = GlobalTimeDistributionPayload::decode(reader)?;
        Ok(Self { global_time: time.global_time, payload: P::decode(reader)? })
    }

    fn encoded_len(&self) -> usize {
        8 + self.payload.encoded_len()
    }
}

impl<P: Message> Message for Timed<P> {
    const MSG_ID: u8 = P::MSG_ID;
}
