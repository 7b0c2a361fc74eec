//! Tunnel throughput on loopback: the originator side of `cargo xtask bench-tunnels`.
//!
//! ```sh
//! cargo run --release -p ipv8 --example tunnel_throughput -- relay 127.0.0.1:8090 &
//! cargo run --release -p ipv8 --example tunnel_throughput -- exit 127.0.0.1:8090 &
//! cargo run --release -p ipv8 --example tunnel_throughput -- send 127.0.0.1:8090 2 5
//! ```
//! Every role binds 127.0.0.1 and bootstraps from the given loopback address only. `relay` and
//! `exit` run a hop (with no traffic limit, so that a long run is not cut short) until
//! interrupted. `send HOPS SECONDS` builds circuits of HOPS hops (timing each), then sends
//! 1,200-byte BitTorrent-like datagrams through one of them as fast as the node takes them to a
//! sink on 127.0.0.1 in this process, and prints one JSON line: the build times and the bytes the
//! sink received per second.

use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use ipv8::config::{Bootstrapper, Builder, Config, Overlay, Walker};
use ipv8::launch::{OverlayRegistry, launch};
use ipv8::proto::tunnel::{CreateCircuit, DestroyCircuit, TunnelCommunity, TunnelData};
use ipv8::wire::format::Address;
use serde_json::json;

/// Circuits built to time the build.
const BUILDS: usize = 9;
/// Datagrams handed to the node per call.
const BATCH: usize = 256;
/// Bytes per datagram.
const SIZE: usize = 1200;

fn config(bootstrap: SocketAddr, flags: &[u16]) -> Result<Config, ipv8::config::ConfigError> {
    let loopback = Config::loopback(0);
    let key = loopback.keys.first().map(|k| k.alias.clone()).unwrap_or_default();
    let overlay = Overlay::new("TunnelCommunity", key)
        .with_setting("peer_flags", serde_json::json!(flags))
        .with_setting("max_traffic", u64::MAX)
        .with_walker(Walker::new("RandomWalk", 20).with_arg("timeout", 3.0))
        .with_bootstrapper(Bootstrapper::dispersy(&[bootstrap]));
    Builder::from(loopback).clear_overlays().add_overlay_spec(overlay).finalize()
}

/// A UDP sink on 127.0.0.1 that counts the bytes it receives.
fn sink() -> std::io::Result<(SocketAddr, Arc<AtomicU64>)> {
    let socket = UdpSocket::bind("127.0.0.1:0")?;
    // Room for bursts: the sink shares this process's cores with the sender.
    socket2::SockRef::from(&socket).set_recv_buffer_size(8 << 20)?;
    socket.set_read_timeout(Some(Duration::from_millis(200)))?;
    let address = socket.local_addr()?;
    let received = Arc::new(AtomicU64::new(0));
    let counter = Arc::clone(&received);
    std::thread::spawn(move || {
        let mut buf = vec![0; 65536];
        loop {
            if let Ok(len) = socket.recv(&mut buf) {
                counter.fetch_add(len as u64, Ordering::Relaxed);
            }
        }
    });
    Ok((address, received))
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let usage = "usage: tunnel_throughput relay|exit BOOTSTRAP | send BOOTSTRAP HOPS SECONDS";
    let mut args = std::env::args().skip(1);
    let role = args.next().ok_or(usage)?;
    let bootstrap: SocketAddr = args.next().ok_or(usage)?.parse()?;
    if !bootstrap.ip().is_loopback() {
        return Err("this benchmark only talks to loopback addresses".into());
    }
    let flags: &[u16] = match role.as_str() {
        "relay" => &[1],
        "exit" => &[1, 2],
        "send" => &[],
        _ => return Err(usage.into()),
    };
    let launched = launch(&config(bootstrap, flags)?, &OverlayRegistry::with_builtin()).await?;
    let handle = launched.handle;
    if role != "send" {
        println!("{}", json!({ "role": role, "pid": std::process::id() }));
        tokio::signal::ctrl_c().await?;
        handle.shutdown().await;
        return Ok(());
    }
    let hops: usize = args.next().ok_or(usage)?.parse()?;
    let seconds: f64 = args.next().ok_or(usage)?.parse()?;
    send(&handle, hops, seconds).await?;
    handle.shutdown().await;
    Ok(())
}

/// Builds circuits, then sends through the last one; prints the report.
async fn send(
    handle: &ipv8::runtime::NodeHandle,
    hops: usize,
    seconds: f64,
) -> Result<(), Box<dyn std::error::Error>> {
    let mut builds = Vec::new();
    let mut circuit = None;
    let deadline = Instant::now() + Duration::from_secs(120);
    while builds.len() < BUILDS && Instant::now() < deadline {
        let started = Instant::now();
        match handle.ask::<TunnelCommunity, _>(CreateCircuit::new(hops)).await {
            Ok(Ok(info)) => {
                builds.push(started.elapsed().as_secs_f64());
                if let Some(old) = circuit.replace(info.id) {
                    let _ = handle.ask::<TunnelCommunity, _>(DestroyCircuit { circuit: old }).await;
                }
            }
            _ => tokio::time::sleep(Duration::from_millis(500)).await,
        }
    }
    let circuit = circuit.ok_or("no circuit could be built")?;
    builds.sort_by(f64::total_cmp);

    let (to, received) = sink()?;
    let mut data = vec![b'x'; SIZE];
    data[0] = b'd';
    data[SIZE - 1] = b'e';
    let start = Instant::now();
    let mut sent = 0_u64;
    while start.elapsed().as_secs_f64() < seconds {
        let data = data.clone();
        sent += handle
            .with_community::<TunnelCommunity, _>(move |tunnels, ctx| {
                let mut sent = 0;
                for _ in 0..BATCH {
                    let request =
                        TunnelData { circuit, destination: Address::Ip(to), data: data.clone() };
                    if tunnels.tunnel_data(ctx, request).is_ok() {
                        sent += 1;
                    }
                }
                sent
            })
            .await?;
    }
    let elapsed = start.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_millis(300)).await;
    let bytes = received.load(Ordering::Relaxed);
    let report = json!({
        "hops": hops,
        "build_seconds": builds,
        "build_p50": builds.get(builds.len() / 2),
        "sent_datagrams": sent,
        "received_bytes": bytes,
        "seconds": elapsed,
        "mb_per_s": megabytes(bytes) / elapsed,
        "delivered": megabytes(bytes) / megabytes(sent * SIZE as u64),
    });
    println!("{report}");
    Ok(())
}

/// Bytes in MB (to the kilobyte).
fn megabytes(bytes: u64) -> f64 {
    f64::from(u32::try_from(bytes / 1000).unwrap_or(u32::MAX)) / 1000.0
}
