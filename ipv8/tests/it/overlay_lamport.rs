//! The seed's "adding messages" tutorial: a Lamport clock kept by three peers, on the simulator.

use std::time::Duration;

use ipv8::proto::{Community, CommunityId, Context, Peer, Schedule};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

#[payload(msg_id = 1)]
struct MyMessage {
    clock: i64,
}

#[derive(Default)]
struct LamportCommunity {
    lamport_clock: i64,
    /// Every clock value this peer adopted, to check that it only grows.
    history: Vec<i64>,
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
        CommunityId(*b"lamport-clock-tutor!")
    }

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
        assert!(registered.is_ok());
    }
}

#[test]
fn three_peers_drive_an_ever_increasing_clock() {
    let config = SimConfig::new(1).with_latency(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, 3, |_| LamportCommunity::default());
    net.advance(Duration::from_secs(1));
    for i in 0..3 {
        let overlay = net.overlay(i);
        assert!(overlay.lamport_clock >= 50, "peer {i} only reached {}", overlay.lamport_clock);
        assert!(overlay.history.windows(2).all(|w| w[0] < w[1]), "peer {i}'s clock went back");
    }
    net.advance(Duration::from_secs(6));
    for i in 0..3 {
        assert!(net.node(i).community::<LamportCommunity>().is_some());
        let pending = net.with_overlay(i, |_, ctx| ctx.tasks().is_pending("start_communication"));
        assert!(!pending, "peer {i} kept its bootstrap task after the clock started");
    }
}

#[test]
fn the_same_seed_replays_the_same_run() {
    let run = |seed| {
        let config = SimConfig::new(seed)
            .with_latency(Duration::from_millis(5))
            .with_jitter(Duration::from_millis(20));
        let mut net = TestNetwork::with_config(config, 3, |_| LamportCommunity::default());
        net.advance(Duration::from_millis(500));
        (0..3).map(|i| net.overlay(i).history.clone()).collect::<Vec<_>>()
    };
    assert_eq!(run(9), run(9));
    assert_ne!(run(9), run(10), "jitter from another seed reorders the exchange");
}
