//! Simulator scale: N nodes, each linked to 8 random others, gossip for a span of virtual time.
//! Every node sends one signed message a second to a random neighbour, which answers unsigned.
//!
//! ```sh
//! cargo run --release -p ipv8 --features test-util --example sim_scale -- 10000 60
//! ```
//! Prints nodes, virtual seconds, wall seconds, messages handled and peak memory.

use std::time::{Duration, Instant};

use ipv8::proto::{Community, CommunityId, Context, Peer, Schedule};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

#[payload(msg_id = 1)]
struct Gossip {
    round: u64,
}

#[payload(msg_id = 2)]
struct Ack {
    round: u64,
}

#[derive(Default)]
struct Chatter {
    round: u64,
    gossip: u64,
    acks: u64,
}

#[community]
impl Chatter {
    #[lazy_handler]
    fn on_gossip(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: Gossip) {
        self.gossip += 1;
        ctx.ez_send_unsigned(peer.address(), &Ack { round: payload.round });
    }

    #[lazy_handler(unsigned)]
    fn on_ack(&mut self, _ctx: &mut Context<Self>, _source: std::net::SocketAddr, _payload: Ack) {
        self.acks += 1;
    }
}

impl Community for Chatter {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"simulator scale test")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let offset = Duration::from_millis(ctx.rng().below(1000));
        let schedule = Schedule::every(Duration::from_secs(1)).starting_after(offset);
        let result = ctx.register_task("gossip", schedule, |this: &mut Self, ctx| {
            let peers = ctx.peers();
            if let Some(peer) = ctx.rng().choose(&peers).cloned() {
                this.round += 1;
                ctx.ez_send(&peer, &Gossip { round: this.round });
            }
        });
        assert!(result.is_ok(), "the gossip task is registered once");
    }
}

/// Peak resident memory of this process in KiB (Linux), if known.
fn peak_rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[allow(clippy::cast_precision_loss, reason = "memory figures are printed with one decimal")]
fn main() {
    let mut args = std::env::args().skip(1);
    let nodes: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let seconds: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(60);
    let started = Instant::now();
    let config = SimConfig::new(1)
        .with_connect_all(false)
        .with_latency(Duration::from_millis(20))
        .with_jitter(Duration::from_millis(10));
    let mut net = TestNetwork::with_config(config, nodes, |_| Chatter::default());
    let mut rng = ipv8::proto::Rng::new(2);
    for i in 0..nodes {
        for _ in 0..8 {
            let j = usize::try_from(rng.below(nodes as u64)).unwrap_or(0);
            if i != j {
                net.connect(i, j);
                net.connect(j, i);
            }
        }
    }
    let setup = started.elapsed();
    net.advance(Duration::from_secs(seconds));
    let wall = started.elapsed();
    let (gossip, acks) =
        (0..nodes).fold((0, 0), |(g, a), i| (g + net.overlay(i).gossip, a + net.overlay(i).acks));
    let rss = peak_rss_kib().unwrap_or_default();
    println!(
        "nodes={nodes} virtual_s={seconds} wall_s={:.2} setup_s={:.2} signed_handled={gossip} unsigned_handled={acks} \
         peak_rss_mib={:.1} rss_per_node_kib={:.1}",
        wall.as_secs_f64(),
        setup.as_secs_f64(),
        rss as f64 / 1024.0,
        rss as f64 / nodes.max(1) as f64,
    );
    assert!(gossip > 0 && acks > 0, "the nodes exchanged messages");
}
