//! Three peers of the Lamport clock community on 127.0.0.1, found through a tracker that runs in
//! this process: they exchange clocks for a few seconds, print them, and stop.
//!
//! Every peer is configured by `config.toml`. Nothing here contacts an address off this machine:
//! the configuration binds 127.0.0.1, its bootstrap servers are replaced by the local tracker, and
//! a configuration that would reach further is refused.

use std::net::{Ipv4Addr, SocketAddr, SocketAddrV4};
use std::time::{Duration, Instant};

use ipv8::config::Config;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::launch::{Launched, OverlayRegistry, launch};
use ipv8::proto::Node;
use ipv8::runtime::{Endpoint, EndpointConfig, NodeHandle};

use __crate__::LamportCommunity;

type Error = Box<dyn std::error::Error>;

/// The configuration of every peer.
const CONFIG: &str = include_str!("../config.toml");
/// How many peers to start.
const PEERS: usize = 3;
/// How long they talk before the program stops.
const RUN_FOR: Duration = Duration::from_secs(4);

#[tokio::main]
async fn main() -> Result<(), Error> {
    let tracker = start_tracker()?;
    let tracker_address = tracker.local_addrs().ipv4().ok_or("the tracker has no IPv4 address")?;
    println!("tracker listening on {tracker_address}");
    let config = loopback_config(tracker_address)?;
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("LamportCommunity", |setup| setup.add(LamportCommunity::default()));
    let mut peers = Vec::with_capacity(PEERS);
    for i in 0..PEERS {
        let peer = launch(&config, &registry).await?;
        let address = peer.addresses.ipv4().ok_or("a peer has no IPv4 address")?;
        println!("peer {i} listening on {address}");
        peers.push(peer);
    }
    talk(&peers).await?;
    for (i, peer) in peers.iter().enumerate() {
        println!("peer {i}: clock {}", clock(&peer.handle).await?);
    }
    for peer in peers {
        peer.handle.shutdown().await;
        peer.task.await?;
    }
    tracker.shutdown().await;
    Ok(())
}

/// A bootstrap server on a free port of 127.0.0.1, introducing the peers to each other.
fn start_tracker() -> Result<NodeHandle, Error> {
    let endpoint_config =
        EndpointConfig::new().with_ipv4(SocketAddrV4::new(Ipv4Addr::LOCALHOST, 0)).without_ipv6();
    let endpoint = Endpoint::bind(&endpoint_config)?;
    let address = endpoint.local_addrs().ipv4().ok_or("the tracker has no IPv4 address")?;
    let now = Instant::now();
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 0, now);
    // Request identifiers must not be predictable on a real network: a generator from the OS.
    node.set_rng(ipv8::proto::Rng::from_os());
    node.set_address(address);
    node.enable_tracker(now);
    let (handle, _events, _task) = ipv8::runtime::spawn(node, endpoint);
    Ok(handle)
}

/// `config.toml`, bootstrapping from `tracker` only; refused unless everything is on loopback.
fn loopback_config(tracker: SocketAddr) -> Result<Config, Error> {
    let mut config = Config::from_toml_str(CONFIG)?;
    config.replace_bootstrap(&[tracker]);
    let public = config.public_bootstrap_addresses();
    if let Some(address) = public.first() {
        return Err(format!("config.toml would contact {address}, off this machine").into());
    }
    let mut bound = config.interfaces.iter().map(ipv8::config::Interface::bind_address);
    if let Some(address) = bound.find(|address| !address.ip().is_loopback()) {
        return Err(format!("config.toml binds {address}; use 127.0.0.1").into());
    }
    Ok(config)
}

/// Prints every peer's clock once a second until [`RUN_FOR`] has passed or Ctrl-C is pressed.
async fn talk(peers: &[Launched]) -> Result<(), Error> {
    let stop = tokio::time::sleep(RUN_FOR);
    tokio::pin!(stop);
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    // One listener for the whole loop: a signal that arrives while the loop body runs is
    // not lost (a listener made anew in each turn would miss it).
    let mut interrupted = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            () = &mut stop => return Ok(()),
            _ = &mut interrupted => return Ok(()),
            _ = ticker.tick() => {
                let mut clocks = Vec::with_capacity(peers.len());
                for peer in peers {
                    clocks.push(clock(&peer.handle).await?);
                }
                println!("clocks: {clocks:?}");
            }
        }
    }
}

/// A peer's Lamport clock.
async fn clock(handle: &NodeHandle) -> Result<i64, Error> {
    Ok(handle.with_community(|community: &mut LamportCommunity, _| community.clock()).await?)
}
