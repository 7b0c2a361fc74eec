//! The seed's first tutorials: running the IPv8 service, running two instances, and loading a custom
//! overlay. Two nodes start from configurations, each running `DiscoveryCommunity` and a custom
//! `MyCommunity` registered by class name, and find each other over real UDP on 127.0.0.1 through an
//! in-process tracker. Nothing leaves the loopback interface.
//!
//! ```sh
//! cargo run -p ipv8 --example tutorial_run_two
//! ```

use std::net::{SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use ipv8::community;
use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::launch::{Launched, OverlayRegistry, launch};
use ipv8::proto::{Community, CommunityId, Node};
use ipv8::runtime::{Endpoint, EndpointConfig, NodeHandle};

/// A custom overlay with no messages: it only needs to find its peers.
struct MyCommunity;

#[community]
impl MyCommunity {}

impl Community for MyCommunity {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"my tutorial overlay!")
    }
}

/// A bootstrap server on 127.0.0.1, in this process.
fn tracker() -> Result<(NodeHandle, SocketAddr), Box<dyn std::error::Error>> {
    let endpoint = Endpoint::bind(
        &EndpointConfig::new().with_ipv4(SocketAddrV4::new([127, 0, 0, 1].into(), 0)),
    )?;
    let address = endpoint.local_addrs().ipv4().ok_or("an IPv4 socket")?;
    let now = Instant::now();
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 7, now);
    node.set_address(address);
    node.enable_tracker(now);
    let (handle, _events, _task) = ipv8::runtime::spawn(node, endpoint);
    Ok((handle, address))
}

/// A node's configuration: loopback, an ephemeral key, both overlays, the tracker as only contact.
fn config(tracker: SocketAddr) -> Result<Config, Box<dyn std::error::Error>> {
    let loopback = Config::loopback(0);
    let key = loopback.keys.first().map(|k| k.alias.clone()).ok_or("a key")?;
    let overlay = |class: &str| {
        Overlay::new(class, key.clone())
            .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
            .with_bootstrapper(Bootstrapper::dispersy(&[tracker]))
    };
    // As in py-ipv8's default configuration, the DiscoveryCommunity also exchanges the lists of
    // communities peers run (PeriodicSimilarity), so a peer met in one overlay is known in the others.
    let discovery =
        overlay("DiscoveryCommunity").with_walker(Walker::new("PeriodicSimilarity", -1));
    let config = Builder::from(loopback)
        .clear_overlays()
        .add_overlay_spec(discovery)
        .add_overlay_spec(overlay("MyCommunity"))
        .finalize()?;
    Ok(config)
}

/// How many peers each overlay of a node has, by overlay name.
async fn peers(node: &Launched) -> Result<Vec<(String, usize)>, Box<dyn std::error::Error>> {
    let counts = node
        .handle
        .with_node(|node, _| {
            let overlays = node.overlays();
            overlays
                .iter()
                .map(|o| (o.name.to_owned(), node.network().peers_for(o.community_id).len()))
                .collect()
        })
        .await?;
    Ok(counts)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (tracker, tracker_address) = tracker()?;
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("MyCommunity", |setup| setup.add(MyCommunity));
    let nodes = [
        launch(&config(tracker_address)?, &registry).await?,
        launch(&config(tracker_address)?, &registry).await?,
    ];
    println!("started two nodes, each running DiscoveryCommunity and MyCommunity");
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let mut all = true;
        for node in &nodes {
            all &= peers(node).await?.iter().all(|(_, count)| *count >= 1);
        }
        if all || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    for (index, node) in nodes.iter().enumerate() {
        for (overlay, count) in peers(node).await? {
            println!("node {index}: {overlay} knows {count} peer(s)");
        }
    }
    for node in &nodes {
        node.handle.shutdown().await;
    }
    tracker.shutdown().await;
    Ok(())
}
