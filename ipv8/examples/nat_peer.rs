//! A peer of the NAT traversal lab (`cargo xtask natlab`): it joins the lab's community,
//! bootstraps from the lab's tracker only, and prints one JSON line when it has verified another
//! peer (a signed introduction from that peer's address; the tracker is never a peer), with the
//! milliseconds since it started. It runs until it is killed or interrupted.
//!
//! ```sh
//! cargo run -p ipv8 --example nat_peer -- 192.168.1.2:7001 10.0.1.1:8090
//! ```
//! The first address is the one to bind (the host's address in its network namespace), the
//! second the tracker's. Port prediction is on (`Node::set_port_prediction`: a puncture-request
//! is also answered toward the ports after the walker's, for walkers behind sequential symmetric
//! NATs), and so is birthday punching (`Node::set_birthday_punching`: a peer that stays silent
//! after its introduction gets a try with many sockets and random ports, for a symmetric NAT
//! with random ports against a port-restricted one). `--no-port-prediction` and `--no-birthday`
//! after the addresses turn them off; with both, the peer behaves as py-ipv8 does.
//! `xtask/py/nat_peer.py` is py-ipv8's side of the same peer.

use std::net::SocketAddr;
use std::time::Instant;

use ipv8::community;
use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::{Community, CommunityId, Context, Peer};
use serde_json::json;

/// The lab's community id (20 bytes), shared with `xtask/py/nat_peer.py`.
const COMMUNITY_ID: [u8; 20] = *b"ipv8 natlab test\0\0\0\x01";

/// The lab's community: no messages of its own, discovery does all the work.
struct NatLab {
    /// When the peer started, for the elapsed milliseconds it prints.
    started: Instant,
}

#[community]
impl NatLab {}

impl Community for NatLab {
    fn community_id(&self) -> CommunityId {
        CommunityId(COMMUNITY_ID)
    }

    fn on_peer_added(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        let ms = self.started.elapsed().as_millis();
        let event = json!({
            "event": "verified",
            "impl": "rust",
            "peer": peer.address().to_string(),
            "ms": ms,
        });
        println!("{event}");
    }
}

/// The node's configuration: `bind`, an ephemeral key, the lab's community walking randomly
/// (py-ipv8's default walker), `tracker` as its only bootstrap server.
fn config(bind: SocketAddr, tracker: SocketAddr) -> Result<Config, Box<dyn std::error::Error>> {
    let base = Config::loopback(0);
    let key = base.keys.first().map(|k| k.alias.clone()).ok_or("the loopback config has a key")?;
    let overlay = Overlay::new("NatLab", key)
        .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
        .with_bootstrapper(Bootstrapper::dispersy(&[tracker]));
    let config = Builder::from(base)
        .clear_overlays()
        .add_overlay_spec(overlay)
        .with_bind_address(bind)
        .finalize()?;
    Ok(config)
}

/// Reads the address in argument `index`, or fails with the usage.
fn address(index: usize) -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let usage =
        "usage: nat_peer BIND_IP:PORT TRACKER_IP:PORT [--no-port-prediction] [--no-birthday]";
    Ok(std::env::args().nth(index).ok_or(usage)?.parse()?)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let started = Instant::now();
    let (bind, tracker) = (address(1)?, address(2)?);
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("NatLab", move |setup| setup.add(NatLab { started }));
    let launched = launch(&config(bind, tracker)?, &registry).await?;
    let flags: Vec<String> = std::env::args().skip(3).collect();
    let predict = !flags.iter().any(|f| f == "--no-port-prediction");
    let birthday = !flags.iter().any(|f| f == "--no-birthday");
    launched
        .handle
        .with_node(move |node, _| {
            node.set_port_prediction(predict);
            node.set_birthday_punching(birthday);
        })
        .await?;
    let address = launched.addresses.ipv4().map(|a| a.to_string());
    let started = json!({
        "event": "started", "impl": "rust", "address": address,
        "port_prediction": predict, "birthday_punching": birthday,
    });
    println!("{started}");
    tokio::signal::ctrl_c().await?;
    launched.handle.shutdown().await;
    Ok(())
}
