//! A tunnel originator on real UDP: the Rust side of the `tunnels` interop scenario
//! (`xtask/py/interop.py`), where py-ipv8 nodes are the relays and exits.
//!
//! ```sh
//! cargo run -p ipv8 --example interop_tunnel -- 127.0.0.1:8090 127.0.0.1:9999 2
//! ```
//! Arguments: a loopback bootstrap server, a loopback UDP echo server, the hops per circuit. It
//! binds 127.0.0.1 only, builds a circuit as soon as it knows an exit, sends a few BitTorrent-like
//! datagrams through it to the echo server and prints one JSON line per event, until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::Event;
use ipv8::proto::tunnel::{CreateCircuit, TunnelCommunity, TunnelData, TunnelEvent};
use ipv8::wire::format::Address;
use serde_json::json;

fn config(bootstrap: SocketAddr) -> Result<Config, ipv8::config::ConfigError> {
    let loopback = Config::loopback(0);
    let key = loopback.keys.first().map(|k| k.alias.clone()).unwrap_or_default();
    let overlay = Overlay::new("TunnelCommunity", key)
        .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
        .with_bootstrapper(Bootstrapper::dispersy(&[bootstrap]));
    Builder::from(loopback).clear_overlays().add_overlay_spec(overlay).finalize()
}

fn loopback_arg(n: usize, what: &str) -> Result<SocketAddr, Box<dyn std::error::Error>> {
    let usage = "usage: interop_tunnel BOOTSTRAP_IP:PORT ECHO_IP:PORT HOPS";
    let address: SocketAddr = std::env::args().nth(n).ok_or(usage)?.parse()?;
    if !address.ip().is_loopback() {
        return Err(format!("the {what} must be on loopback").into());
    }
    Ok(address)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bootstrap = loopback_arg(1, "bootstrap server")?;
    let echo = loopback_arg(2, "echo server")?;
    let hops: usize = std::env::args().nth(3).ok_or("HOPS")?.parse()?;
    let launched = launch(&config(bootstrap)?, &OverlayRegistry::with_builtin()).await?;
    let (handle, mut events) = (launched.handle, launched.events);
    let key = handle.with_node(|node, _| node.public_key().to_bin().to_vec()).await?;
    println!("{}", json!({ "event": "started", "key": hex(&key) }));
    let mut circuit = None;
    let mut ticker = tokio::time::interval(Duration::from_secs(1));
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            Some(event) = events.recv() => {
                if let Event::Community { event, .. } = event
                    && let Ok(event) = event.downcast::<TunnelEvent>()
                    && let TunnelEvent::Data { origin, data, .. } = *event
                {
                    let origin = format!("{origin:?}");
                    let data = String::from_utf8_lossy(&data).into_owned();
                    println!("{}", json!({ "event": "data", "origin": origin, "data": data }));
                }
            }
            _ = ticker.tick() => match circuit {
                None => {
                    if let Ok(Ok(info)) = handle.ask::<TunnelCommunity, _>(CreateCircuit::new(hops)).await {
                        let hops: Vec<String> = info.hops.iter().map(|p| hex(p.key().to_bin())).collect();
                        println!("{}", json!({ "event": "circuit", "id": info.id, "hops": hops }));
                        circuit = Some(info.id);
                    }
                }
                Some(id) => {
                    let data = b"d1:ad2:id20:rust-ipv8-tunnel-data1:q4:ping1:t2:aa1:y1:qe".to_vec();
                    let send = TunnelData { circuit: id, destination: Address::Ip(echo), data };
                    if let Ok(Err(error)) = handle.ask::<TunnelCommunity, _>(send).await {
                        println!("{}", json!({ "event": "error", "error": error.to_string() }));
                        circuit = None;
                    }
                }
            }
        }
    }
    handle.shutdown().await;
    Ok(())
}

fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::new(), |mut text, b| {
        let _ = write!(text, "{b:02x}");
        text
    })
}
