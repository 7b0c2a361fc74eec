//! A DHT node on real UDP: the Rust side of the `dht` interop scenario (`xtask/py/interop.py`).
//!
//! ```sh
//! cargo run -p ipv8 --example interop_dht -- 127.0.0.1:8090   # a loopback bootstrap server
//! ```
//! It binds 127.0.0.1 only and bootstraps from the given address only. It stores a signed value
//! under `RUST_KEY` as soon as it has DHT peers, then looks for the value a py-ipv8 node stores
//! under `PY_KEY`, printing one JSON line per event, until interrupted.

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::dht::{DhtCommunity, FindValues, StoreValue};
use serde_json::json;

/// py-ipv8's side looks for this key (`RUST_KEY` in `interop.py`).
const RUST_KEY: [u8; 20] = *b"rust-ipv8 dht key r!";
/// py-ipv8's side stores under this key (`PY_KEY` in `interop.py`).
const PY_KEY: [u8; 20] = *b"py-ipv8 dht key p!!!";

fn config(bootstrap: SocketAddr) -> Result<Config, ipv8::config::ConfigError> {
    let loopback = Config::loopback(0);
    let key = loopback.keys.first().map(|k| k.alias.clone()).unwrap_or_default();
    let overlay = Overlay::new("DHTCommunity", key)
        .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
        .with_bootstrapper(Bootstrapper::dispersy(&[bootstrap]));
    Builder::from(loopback).clear_overlays().add_overlay_spec(overlay).finalize()
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let bootstrap: SocketAddr =
        std::env::args().nth(1).ok_or("usage: interop_dht BOOTSTRAP_IP:PORT")?.parse()?;
    if !bootstrap.ip().is_loopback() {
        return Err("this example only talks to loopback addresses".into());
    }
    let launched = launch(&config(bootstrap)?, &OverlayRegistry::with_builtin()).await?;
    let handle = launched.handle;
    let mid = handle.with_node(|node, _| node.public_key().mid().to_string()).await?;
    println!("{}", json!({ "event": "started", "mid": mid }));
    let (mut stored, mut found) = (false, false);
    // Gently: py-ipv8 stops answering a node that queries it ten times in five seconds.
    let mut ticker = tokio::time::interval(Duration::from_millis(1500));
    // One listener for the whole loop: a signal that arrives while the loop body runs is
    // not lost (a listener made anew in each turn would miss it).
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = ticker.tick() => {
                if !stored {
                    let store = StoreValue { key: RUST_KEY, data: b"from rust".to_vec(), version: Some(1) };
                    if let Ok(Ok(nodes)) = handle.ask::<DhtCommunity, _>(store).await {
                        stored = true;
                        println!("{}", json!({ "event": "stored", "nodes": nodes }));
                    }
                }
                if found {
                    continue;
                }
                if let Ok(Ok(values)) = handle.ask::<DhtCommunity, _>(FindValues { key: PY_KEY }).await {
                    found = !values.is_empty();
                    for (data, signer) in values {
                        let signer = signer.map(|key| key.mid().to_string());
                        let data = String::from_utf8_lossy(&data).into_owned();
                        println!("{}", json!({ "event": "found", "data": data, "signer": signer }));
                    }
                }
            }
        }
    }
    handle.shutdown().await;
    Ok(())
}
