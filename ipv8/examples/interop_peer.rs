//! An application community on real UDP, speaking py-ipv8's dataclass messages: the Rust side of
//! the interop scenarios (`xtask/py/interop.py`), and an example of a community outside the simulator.
//!
//! ```sh
//! cargo run -p ipv8 --example interop_peer -- 127.0.0.1:8090   # a loopback bootstrap server
//! ```
//! It binds 127.0.0.1 only, bootstraps from the given address only, greets every peer of the interop
//! community with a `Clock` and a `Text`, and prints one JSON line per event until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::{community, payload};
use serde_json::json;

/// py-ipv8: `@dataclass class Clock(DataClassPayload[1]): clock: int`.
#[payload(msg_id = 1)]
struct Clock {
    clock: i64,
}

/// py-ipv8: `@dataclass class Text(DataClassPayload[2]): text: str; blob: bytes; nums: list[int]`.
#[payload(msg_id = 2)]
#[allow(
    clippy::struct_field_names,
    reason = "the fields are named as py-ipv8's dataclass names them"
)]
struct Text {
    text: String,
    blob: Vec<u8>,
    nums: Vec<i64>,
}

struct InteropCommunity;

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, b| {
        use std::fmt::Write as _;
        let _ = write!(text, "{b:02x}");
        text
    })
}

#[community]
impl InteropCommunity {
    #[lazy_handler]
    fn on_clock(&mut self, _ctx: &mut Context<Self>, peer: &Peer, payload: Clock) {
        println!(
            "{}",
            json!({ "event": "clock", "from": peer.mid().to_string(), "clock": payload.clock })
        );
    }

    #[lazy_handler]
    fn on_text(&mut self, _ctx: &mut Context<Self>, peer: &Peer, payload: Text) {
        let event = json!({
            "event": "text",
            "from": peer.mid().to_string(),
            "text": payload.text,
            "blob": hex(&payload.blob),
            "nums": payload.nums,
        });
        println!("{event}");
    }
}

impl Community for InteropCommunity {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"ipv8 interop test\0\0\x01")
    }

    fn on_peer_added(&mut self, ctx: &mut Context<'_, Self>, peer: &Peer) {
        ctx.ez_send(peer, &Clock { clock: 1_700_000_000 });
        let text =
            Text { text: "héllo from rust".into(), blob: vec![0, 1, 255], nums: vec![1, -2, 3] };
        ctx.ez_send(peer, &text);
    }
}

fn config(bootstrap: SocketAddr) -> Result<Config, Box<dyn std::error::Error>> {
    let loopback = Config::loopback(0);
    let key =
        loopback.keys.first().map(|k| k.alias.clone()).ok_or("the loopback config has a key")?;
    let overlay = |class: &str| {
        Overlay::new(class, key.clone())
            .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
            .with_bootstrapper(Bootstrapper::dispersy(&[bootstrap]))
    };
    let config = Builder::from(loopback)
        .clear_overlays()
        .add_overlay_spec(overlay("DiscoveryCommunity"))
        .add_overlay_spec(overlay("InteropCommunity"))
        .finalize()?;
    Ok(config)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bootstrap: SocketAddr =
        std::env::args().nth(1).ok_or("usage: interop_peer BOOTSTRAP_IP:PORT")?.parse()?;
    if !bootstrap.ip().is_loopback() {
        return Err("this example only talks to loopback addresses".into());
    }
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("InteropCommunity", |setup| setup.add(InteropCommunity));
    let launched = launch(&config(bootstrap)?, &registry).await?;
    let handle = launched.handle;
    let mid = handle.with_node(|node, _| node.public_key().mid().to_string()).await?;
    let address = launched.addresses.ipv4().map(|a| a.to_string());
    println!("{}", json!({ "event": "started", "mid": mid, "address": address }));
    let mut ticker = tokio::time::interval(Duration::from_millis(200));
    // One listener for the whole loop: a signal that arrives while the loop body runs is
    // not lost (a listener made anew in each turn would miss it).
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = ticker.tick() => {
                let handled = handle.with_node(|node, _| node.stats().handled.clone()).await?;
                println!("{}", json!({ "event": "stats", "handled": handled }));
            }
        }
    }
    handle.shutdown().await;
    Ok(())
}
