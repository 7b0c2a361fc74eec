//! A Lamport clock kept by every peer of an overlay: py-ipv8's "adding messages" tutorial.
//!
//! Each peer sends its clock to the peers it knows; whoever receives a clock moves its own past it
//! and answers with the new value, so the clocks of all peers keep increasing.

use std::time::Duration;

use ipv8::proto::{Community, CommunityId, Context, Peer, Schedule};
use ipv8::{community, payload};

/// The only message: a peer's clock (py-ipv8: `@dataclass class MyMessage(DataClassPayload[1])`).
#[payload(msg_id = 1)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MyMessage {
    /// The sender's clock (`q` on the wire, as a py-ipv8 dataclass `int`).
    pub clock: i64,
}

/// The community: a clock and every value it took.
#[derive(Debug, Default)]
pub struct LamportCommunity {
    lamport_clock: i64,
    history: Vec<i64>,
}

impl LamportCommunity {
    /// The current clock.
    #[must_use]
    pub fn clock(&self) -> i64 {
        self.lamport_clock
    }

    /// Every clock value this peer adopted, oldest first.
    #[must_use]
    pub fn history(&self) -> &[i64] {
        &self.history
    }
}

#[community]
impl LamportCommunity {
    #[lazy_handler]
    fn on_message(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: MyMessage) {
        self.lamport_clock = self.lamport_clock.max(payload.clock) + 1;
        self.history.push(self.lamport_clock);
        ctx.ez_send(peer, &MyMessage { clock: self.lamport_clock });
    }
}

impl Community for LamportCommunity {
    fn community_id(&self) -> CommunityId {
        // 20 bytes that name this overlay: peers only talk to peers with the same id, so give
        // your own overlay its own.
        CommunityId(*b"lamport clock demo!!")
    }

    /// Until the clock starts, sends it to every known peer once a second.
    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let every_second = Schedule::every(Duration::from_secs(1)).starting_after(Duration::ZERO);
        let registered =
            ctx.register_task("start_communication", every_second, |this: &mut Self, ctx| {
                if this.lamport_clock == 0 {
                    for peer in ctx.peers() {
                        ctx.ez_send(&peer, &MyMessage { clock: this.lamport_clock });
                    }
                } else {
                    ctx.cancel_task("start_communication");
                }
            });
        // The name is only taken if `started` ran twice, which a node never does.
        debug_assert!(registered.is_ok(), "start_communication was registered twice");
    }
}
