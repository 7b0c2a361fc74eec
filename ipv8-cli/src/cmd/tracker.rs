//! `ipv8 tracker`: a bootstrap server py-ipv8 peers can use (py-ipv8's `tracker_service.py`).

use std::io::Write as _;
use std::net::{Ipv4Addr, SocketAddrV4};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::runtime::{Config, Endpoint, EndpointConfig};

/// Arguments of `ipv8 tracker`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// UDP port to listen on; if it is taken, the next free one is used (as py-ipv8 does).
    #[arg(long, default_value_t = 8090)]
    listen_port: u16,
    /// IPv4 address to bind (use 127.0.0.1 for local tests).
    #[arg(long, default_value_t = Ipv4Addr::UNSPECIFIED)]
    ip: Ipv4Addr,
    /// Seconds between status lines.
    #[arg(long, default_value_t = 10.0)]
    status_interval: f64,
    /// Threads that check and make the signatures of request bursts beside the loop (0: the
    /// loop does it all). Default: one less than the cores this process may use, at most 7.
    #[arg(long)]
    crypto_workers: Option<usize>,
}

/// Runs the tracker until interrupted.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    super::logging::init(ipv8::config::LogLevel::Info);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting tokio")?;
    runtime.block_on(serve(args))
}

async fn serve(args: &Args) -> anyhow::Result<()> {
    let key = PrivateKey::generate(Curve::Curve25519).context("generating the tracker's key")?;
    let config = EndpointConfig::new()
        .with_ipv4(SocketAddrV4::new(args.ip, args.listen_port))
        .without_ipv6();
    let endpoint = Endpoint::bind(&config).context("binding the tracker's UDP socket")?;
    let address = endpoint.local_addrs().ipv4().context("the endpoint has no IPv4 socket")?;
    let now = Instant::now();
    let mut node = Node::new(key, 0, now);
    // Identifiers on a real network must not be predictable: a generator from the OS.
    node.set_rng(ipv8::proto::Rng::from_os());
    node.set_address(address);
    node.enable_tracker(now);
    let mut runtime = Config::new();
    if let Some(workers) = args.crypto_workers {
        runtime = runtime.with_crypto_workers(workers);
    }
    let (handle, _events, task) = ipv8::runtime::spawn_with(&runtime, node, endpoint);
    println!("tracker listening on {address}");
    let mut status = tokio::time::interval(Duration::from_secs_f64(args.status_interval.max(0.1)));
    status.tick().await;
    // One listener for the whole loop: a signal that arrives while the loop body runs is
    // not lost (a listener made anew in each turn would miss it).
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = status.tick() => {
                let peers = handle.with_node(|node, _| node.tracker().map_or(0, ipv8::proto::tracker::Tracker::len)).await?;
                // A reader that went away (a closed pipe) must not stop the tracker.
                let _ = writeln!(std::io::stdout(), "tracker {address}: {peers} peers");
            }
        }
    }
    handle.shutdown().await;
    task.await.context("the tracker's task panicked")?;
    Ok(())
}
