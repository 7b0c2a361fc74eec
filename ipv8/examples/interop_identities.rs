//! Two overlays of one node under two keys, each piggybacking its own bytes on its introductions:
//! the Rust side of the `identities` interop scenario (`xtask/py/interop.py`).
//!
//! ```sh
//! cargo run -p ipv8 --example interop_identities -- 127.0.0.1:8090   # a loopback bootstrap server
//! ```
//! It binds 127.0.0.1 only and bootstraps from the given address only. It prints one JSON line
//! with the public key (mid) of each overlay, then one per introduction extra bytes a peer sent,
//! until interrupted.

use std::net::SocketAddr;

use ipv8::config::{Bootstrapper, Builder, Config, KeySpec, Overlay, Walker};
use ipv8::crypto::Curve;
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::discovery::{IntroductionRequest, IntroductionResponse};
use ipv8::proto::{Community, CommunityId, Context, Peer};
use serde_json::json;

/// py-ipv8's side uses the same ids (`FIRST_ID`, `SECOND_ID` in `interop.py`).
const FIRST: CommunityId = CommunityId(*b"ipv8 interop test\0\0\x11");
const SECOND: CommunityId = CommunityId(*b"ipv8 interop test\0\0\x12");

/// A community that only walks, marks its introductions and reports the marks of others.
struct Marked {
    id: CommunityId,
    mark: &'static [u8],
}

#[ipv8::community]
impl Marked {}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, b| {
        use std::fmt::Write as _;
        let _ = write!(text, "{b:02x}");
        text
    })
}

impl Marked {
    fn report(&self, kind: &str, peer: &Peer, extra: &[u8]) {
        let event = json!({
            "event": "extra",
            "community": self.id.to_string(),
            "kind": kind,
            "from": peer.mid().to_string(),
            "bytes": hex(extra),
        });
        println!("{event}");
    }
}

impl Community for Marked {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.set_introduction_extra_bytes(self.mark.to_vec());
    }

    fn introduction_request_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        peer: &Peer,
        request: &IntroductionRequest,
    ) {
        self.report("request", peer, &request.extra_bytes);
    }

    fn introduction_response_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        peer: &Peer,
        response: &IntroductionResponse,
    ) {
        self.report("response", peer, &response.extra_bytes);
    }
}

fn config(bootstrap: SocketAddr) -> Result<Config, ipv8::config::ConfigError> {
    let overlay = |class: &str, key: &str| {
        Overlay::new(class, key)
            .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
            .with_bootstrapper(Bootstrapper::dispersy(&[bootstrap]))
    };
    Builder::from(Config::loopback(0))
        .clear_keys()
        .add_key_spec(KeySpec::generate("first", Curve::Curve25519))
        .add_key_spec(KeySpec::generate("second", Curve::Curve25519))
        .clear_overlays()
        .add_overlay_spec(overlay("FirstCommunity", "first"))
        .add_overlay_spec(overlay("SecondCommunity", "second"))
        .finalize()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bootstrap: SocketAddr =
        std::env::args().nth(1).ok_or("usage: interop_identities BOOTSTRAP_IP:PORT")?.parse()?;
    if !bootstrap.ip().is_loopback() {
        return Err("this example only talks to loopback addresses".into());
    }
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("FirstCommunity", |setup| setup.add(Marked { id: FIRST, mark: b"rust 1" }));
    registry.register("SecondCommunity", |setup| setup.add(Marked { id: SECOND, mark: b"rust 2" }));
    let launched = launch(&config(bootstrap)?, &registry).await?;
    let handle = launched.handle;
    let overlays = handle.with_node(|node, _| node.overlays()).await?;
    let mids: serde_json::Map<_, _> = overlays
        .iter()
        .map(|o| (o.community_id.to_string(), json!(o.public_key.mid().to_string())))
        .collect();
    println!("{}", json!({ "event": "started", "mids": mids }));
    tokio::signal::ctrl_c().await?;
    handle.shutdown().await;
    Ok(())
}
