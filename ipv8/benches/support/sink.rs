//! The community the receive-pipeline measurements feed: one signed and one unsigned message, each
//! added to a total. Shared by `benches/pipeline.rs` and `examples/pipeline_icount.rs`.

use std::net::SocketAddr;

use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::{community, payload};

/// A signed message.
#[payload(msg_id = 1)]
pub(crate) struct Clock {
    pub(crate) clock: i64,
}

/// An unsigned message.
#[payload(msg_id = 2)]
pub(crate) struct UnsignedClock {
    pub(crate) clock: i64,
}

/// Adds up what it receives.
#[derive(Default)]
pub(crate) struct Sink {
    pub(crate) total: i64,
}

#[community]
impl Sink {
    #[lazy_handler]
    fn on_clock(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Clock) {
        self.total = self.total.wrapping_add(payload.clock);
    }

    #[lazy_handler(unsigned)]
    fn on_unsigned(
        &mut self,
        _ctx: &mut Context<Self>,
        _source: SocketAddr,
        payload: UnsignedClock,
    ) {
        self.total = self.total.wrapping_add(payload.clock);
    }
}

impl Community for Sink {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"receive pipeline....")
    }
}
