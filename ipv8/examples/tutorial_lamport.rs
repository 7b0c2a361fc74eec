//! Port of the seed's "adding messages" tutorial: three peers keep a Lamport clock.
//!
//! Every peer starts at clock 0. A periodic task sends the clock to every known peer until the clock
//! has moved; whoever receives a clock takes the maximum of its own and the received one, adds one,
//! and answers with the new value. The simulator runs on virtual time from a fixed seed, so the
//! printed clocks are the same on every run.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_lamport
//! ```

use std::time::Duration;

use ipv8::proto::{Community, CommunityId, Context, Peer, Schedule};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

/// The one message of this overlay: a clock value (`q` on the wire, as a py-ipv8 `int`).
#[payload(msg_id = 1)]
struct MyMessage {
    clock: i64,
}

/// The overlay's state: the peer's Lamport clock.
#[derive(Default)]
struct LamportCommunity {
    lamport_clock: i64,
}

#[community]
impl LamportCommunity {
    /// Adopt the larger clock, tick, and answer with the new value.
    #[lazy_handler]
    fn on_message(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: MyMessage) {
        self.lamport_clock = self.lamport_clock.max(payload.clock) + 1;
        ctx.ez_send(peer, &MyMessage { clock: self.lamport_clock });
    }
}

impl Community for LamportCommunity {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"lamport-clock-tutor!")
    }

    /// Like the tutorial's `started()`: every 5 s, greet all peers while our clock is still 0, and
    /// stop the task once the exchange is under way.
    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let every_five = Schedule::every(Duration::from_secs(5)).starting_after(Duration::ZERO);
        let registered =
            ctx.register_task("start_communication", every_five, |this: &mut Self, ctx| {
                if this.lamport_clock == 0 {
                    for peer in ctx.peers() {
                        ctx.ez_send(&peer, &MyMessage { clock: this.lamport_clock });
                    }
                } else {
                    ctx.cancel_task("start_communication");
                }
            });
        registered.expect("the task name is free");
    }
}

fn main() {
    // Seed 1 and a fixed 10 ms latency: the run is the same every time.
    let config = SimConfig::new(1).with_latency(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, 3, |_| LamportCommunity::default());
    for second in 1..=3 {
        net.advance(Duration::from_secs(1));
        let clocks: Vec<String> =
            (0..net.len()).map(|i| format!("peer {i}: {}", net.overlay(i).lamport_clock)).collect();
        println!("after {second} s: {}", clocks.join(", "));
    }
}
