//! A hidden-service node on real UDP: the Rust side of the `hidden-services` interop scenario
//! (`xtask/py/interop.py`), where py-ipv8 seeds the service we download and downloads the one we
//! seed.
//!
//! ```sh
//! cargo run -p ipv8 --example interop_hidden -- 127.0.0.1:8090 SEED_HEX DOWNLOAD_HEX
//! ```
//! Arguments: a loopback bootstrap server, the 20-byte info hash of the service to seed and of the
//! one to download (hex). It binds 127.0.0.1 only and runs a `HiddenTunnelCommunity` beside a
//! `DHTDiscoveryCommunity`. As downloader it greets every seeder it is linked to; as seeder it
//! answers every datagram with `echo:` and the datagram. It prints one JSON line per event, and
//! every 5 s a `status` line (its circuits by type and state, and what it knows of each swarm), so
//! that a scenario that fails can say where the Rust side stood; until interrupted.

use std::collections::{BTreeMap, HashSet};
use std::net::SocketAddr;
use std::time::Duration;

use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::Event;
use ipv8::proto::tunnel::{RegisterService, TunnelCommunity, TunnelData, TunnelEvent};
use ipv8::runtime::NodeHandle;
use ipv8::wire::format::Address;
use serde_json::json;

/// What the downloader says to each seeder it reaches.
const GREETING: &[u8] = b"hello from rust downloader";

fn config(bootstrap: SocketAddr) -> Result<Config, ipv8::config::ConfigError> {
    let loopback = Config::loopback(0);
    let key = loopback.keys.first().map(|k| k.alias.clone()).unwrap_or_default();
    let walker = Walker::new("RandomWalk", 20).with_arg("timeout", 3.0);
    let bootstrapper = Bootstrapper::dispersy(&[bootstrap]);
    let tunnel = Overlay::new("HiddenTunnelCommunity", key.clone())
        .with_walker(walker.clone())
        .with_bootstrapper(bootstrapper.clone())
        .with_setting("swarm_lookup_interval", 5.0);
    let dht = Overlay::new("DHTDiscoveryCommunity", key)
        .with_walker(walker)
        .with_bootstrapper(bootstrapper);
    Builder::from(loopback)
        .clear_overlays()
        .add_overlay_spec(tunnel)
        .add_overlay_spec(dht)
        .finalize()
}

fn info_hash(n: usize) -> Result<[u8; 20], Box<dyn std::error::Error>> {
    let text =
        std::env::args().nth(n).ok_or("usage: interop_hidden BOOTSTRAP SEED_HEX DOWNLOAD_HEX")?;
    let bytes: Vec<u8> = (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2).unwrap_or("x"), 16))
        .collect::<Result<_, _>>()?;
    Ok(bytes.as_slice().try_into()?)
}

async fn send(handle: &NodeHandle, circuit: u32, data: Vec<u8>) {
    let destination = Address::Ip(ipv8::proto::tunnel::circuit_address(circuit));
    let request = TunnelData { circuit, destination, data };
    if let Ok(Err(error)) = handle.ask::<TunnelCommunity, _>(request).await {
        println!("{}", json!({ "event": "error", "error": error.to_string() }));
    }
}

/// The `status` line: circuits counted by type and state, and each swarm's known seeders,
/// introduction points and rendezvous connections.
async fn status(handle: &NodeHandle) -> serde_json::Value {
    let seen = handle
        .with_node(|node, _| {
            let tunnel = node.community::<TunnelCommunity>()?;
            let mut circuits: BTreeMap<String, usize> = BTreeMap::new();
            for circuit in tunnel.circuits() {
                let kind = format!("{:?}/{:?}", circuit.ctype(), circuit.state());
                *circuits.entry(kind).or_default() += 1;
            }
            let swarms: Vec<_> = tunnel
                .swarms()
                .into_iter()
                .map(|s| {
                    json!({
                        "seeding": s.seeding,
                        "seeders": s.num_seeders,
                        "linked": s.num_connections,
                        "incomplete": s.num_connections_incomplete,
                        "ips_dht": s.num_ips_from_dht,
                        "ips_pex": s.num_ips_from_pex,
                    })
                })
                .collect();
            Some(json!({ "event": "status", "circuits": circuits, "swarms": swarms }))
        })
        .await;
    seen.ok()
        .flatten()
        .unwrap_or_else(|| json!({ "event": "status", "error": "no tunnel overlay" }))
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bootstrap: SocketAddr = std::env::args().nth(1).ok_or("BOOTSTRAP")?.parse()?;
    if !bootstrap.ip().is_loopback() {
        return Err("the bootstrap server must be on loopback".into());
    }
    let (seed, download) = (info_hash(2)?, info_hash(3)?);
    let launched = launch(&config(bootstrap)?, &OverlayRegistry::with_builtin()).await?;
    let (handle, mut events) = (launched.handle, launched.events);
    for (service, seeding) in [(seed, true), (download, false)] {
        let request = RegisterService { service, hops: 1, seeding };
        handle.ask::<TunnelCommunity, _>(request).await??;
    }
    println!("{}", json!({ "event": "started" }));
    let mut seeders: HashSet<u32> = HashSet::new();
    let mut answered: HashSet<u32> = HashSet::new();
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut ticks = 0_u64;
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(event) = events.recv() => {
                let Event::Community { event, .. } = event else { continue };
                let Ok(event) = event.downcast::<TunnelEvent>() else { continue };
                match *event {
                    TunnelEvent::ServicePeer { circuit, .. } => {
                        println!("{}", json!({ "event": "service_peer", "circuit": circuit }));
                        seeders.insert(circuit);
                    }
                    TunnelEvent::Data { circuit, data, .. } => {
                        let text = String::from_utf8_lossy(&data).into_owned();
                        println!("{}", json!({ "event": "data", "circuit": circuit, "data": text }));
                        if seeders.contains(&circuit) {
                            answered.insert(circuit);
                        } else {
                            send(&handle, circuit, [b"echo:".as_slice(), &data].concat()).await;
                        }
                    }
                    _ => {}
                }
            }
            _ = ticker.tick() => {
                for &circuit in seeders.difference(&answered) {
                    send(&handle, circuit, GREETING.to_vec()).await;
                }
                ticks += 1;
                if ticks.is_multiple_of(5) {
                    println!("{}", status(&handle).await);
                }
            }
        }
    }
    handle.shutdown().await;
    Ok(())
}
