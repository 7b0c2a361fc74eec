//! `ipv8 run`: a node on the embedded default configuration or a configuration file.

use std::io::Write as _;
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use ipv8::config::{Builder, Config, Transport};
use ipv8::launch::{OverlayRegistry, TUNNEL_CLASSES, launch};
use ipv8::proto::Node;
use ipv8::proto::tunnel::{PeerFlags, TunnelCommunity};
use ipv8::runtime::{Events, LocalAddrs, NodeHandle, Pseudonyms, Socks5Server};

/// Arguments of `ipv8 run`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// A configuration file (TOML, or py-ipv8's JSON); the embedded default otherwise.
    #[arg(long)]
    config: Option<PathBuf>,
    /// The address to bind (use 127.0.0.1 for local runs).
    #[arg(long)]
    ip: Option<IpAddr>,
    /// The UDP port to bind; if it is taken, the next free one is used.
    #[arg(long)]
    port: Option<u16>,
    /// A bootstrap server to use instead of the configured ones (repeat for several). Local runs and
    /// tests pass loopback addresses here so that nothing contacts the public IPv8 network.
    #[arg(long = "bootstrap", value_name = "IP:PORT")]
    bootstrap: Vec<SocketAddr>,
    /// Where key files are kept (the configuration's `working_directory` otherwise).
    #[arg(long)]
    working_directory: Option<PathBuf>,
    /// The key file of the node's own identity (the first overlay's key), made if it does not
    /// exist. Two nodes run from one directory need one each, or they share an identity.
    #[arg(long, value_name = "FILE")]
    key: Option<PathBuf>,
    /// The REST API: where, with which key and certificate.
    #[command(flatten)]
    rest: super::rest::Options,
    /// Seconds between status lines.
    #[arg(long, default_value_t = 5.0)]
    status_interval: f64,
    /// Be a tunnel exit: other peers' circuits may end here and their traffic (BitTorrent-like
    /// and IPv8 packets) leaves from this machine's address. Sets the peer flags of the tunnel
    /// overlays to relay, exit and answer speed tests. Make sure you may do this where you run.
    #[arg(long)]
    exit: bool,
    /// Serve SOCKS5 (UDP ASSOCIATE, no authentication) on 127.0.0.1 at this port: applications'
    /// UDP datagrams leave through the node's tunnel circuits. When the hidden services' tunnel
    /// overlay runs, pseudonyms send through it too (through a server on a free port without this
    /// option).
    #[arg(long, value_name = "PORT")]
    socks5: Option<u16>,
    /// Hops of the circuits SOCKS5 traffic takes.
    #[arg(long, default_value_t = 1, value_name = "N")]
    socks5_hops: usize,
    /// Let pseudonyms send from ports of their own even when the hidden services' tunnel overlay
    /// runs (py-ipv8 then anonymizes them, through one-hop circuits to exits for IPv8 packets: on
    /// a network without such exits, pseudonyms meet nobody unless this is given).
    #[arg(long)]
    direct_pseudonyms: bool,
    /// NAT traversal beyond py-ipv8's.
    #[command(flatten)]
    nat: NatTraversal,
}

/// The NAT traversal options of `ipv8 run`, each off by default (py-ipv8 has neither).
#[derive(clap::Args)]
pub(crate) struct NatTraversal {
    /// Puncture the ports just after a walker's too, so that peers behind NATs that hand out
    /// ports in sequence (symmetric ones) get through ours (a few datagrams more per
    /// introduction, bounded).
    #[arg(long)]
    port_prediction: bool,
    /// Meet peers behind symmetric NATs with random ports from behind a port-restricted NAT:
    /// a peer on another network that stays silent after its introduction gets a try with 256
    /// extra sockets and 1 024 datagrams to random ports of its IP (both peers need this; once
    /// per peer IP a minute, two tries at once).
    #[arg(long)]
    birthday_punching: bool,
}

/// Runs the node until interrupted.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let config = configure(args)?;
    super::logging::init(config.logger.level);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting tokio")?;
    runtime.block_on(serve(args, &config))
}

/// The configuration the arguments describe.
fn configure(args: &Args) -> anyhow::Result<Config> {
    let mut config = match &args.config {
        Some(path) => Config::from_path(path)?,
        None => Config::default(),
    };
    let mut builder = Builder::from(config);
    if let Some(ip) = args.ip {
        builder = builder.with_address(ip);
    }
    if let Some(port) = args.port {
        let transport = args.ip.map_or(Transport::UdpIpv4, Transport::of);
        builder = builder.with_port(transport, port);
    }
    if let Some(directory) = &args.working_directory {
        builder = builder.with_working_directory(directory);
    }
    config = builder.finalize()?;
    if let Some(file) = &args.key {
        use_key_file(&mut config, file)?;
    }
    args.rest.apply(&mut config)?;
    if args.exit {
        become_exit(&mut config)?;
    }
    if !args.bootstrap.is_empty() {
        config.replace_bootstrap(&args.bootstrap);
    }
    let public = config.public_bootstrap_addresses();
    if !public.is_empty() {
        println!(
            "bootstrapping beyond this machine through {} entries (servers or LAN broadcast)",
            public.len()
        );
    }
    Ok(config)
}

/// Gives every tunnel overlay the peer flags of an exit (as py-ipv8's `peer_flags` setting).
fn become_exit(config: &mut Config) -> anyhow::Result<()> {
    let flags =
        PeerFlags::RELAY | PeerFlags::EXIT_BT | PeerFlags::EXIT_IPV8 | PeerFlags::SPEED_TEST;
    let values: Vec<u16> =
        (0..16).map(|bit| 1 << bit).filter(|&f| flags.contains(PeerFlags(f))).collect();
    let mut tunnels = 0;
    for overlay in &mut config.overlays {
        if TUNNEL_CLASSES.contains(&overlay.class.as_str()) {
            overlay.initialize.insert("peer_flags".into(), serde_json::json!(values));
            tunnels += 1;
        }
    }
    anyhow::ensure!(
        tunnels > 0,
        "--exit: the configuration has no TunnelCommunity or HiddenTunnelCommunity overlay"
    );
    Ok(())
}

/// Makes `file` the key of the first overlay's alias (curve25519 when it has to be made).
fn use_key_file(config: &mut Config, file: &std::path::Path) -> anyhow::Result<()> {
    let file =
        std::path::absolute(file).with_context(|| format!("the key file {}", file.display()))?;
    let alias = config.overlays.first().map(|overlay| overlay.key.clone());
    let key = alias.and_then(|alias| config.keys.iter_mut().find(|key| key.alias == alias));
    let key = key.context("--key: the configuration's first overlay names no key")?;
    key.file = Some(file);
    key.bin = None;
    key.generation.get_or_insert(ipv8::crypto::Curve::Curve25519);
    Ok(())
}

/// The node's pseudonyms (the identity layer the REST API serves): in the working directory,
/// bootstrapping where the node's overlays do, bound to the node's address or anonymized through
/// the SOCKS5 server at `socks5` if there is one for them.
async fn pseudonyms(
    config: &Config,
    handle: &NodeHandle,
    addresses: &LocalAddrs,
    socks5: Option<SocketAddr>,
) -> anyhow::Result<Arc<Pseudonyms>> {
    let bootstrap = handle.with_node(|node, _| node.spawn_bootstrap().to_vec()).await?;
    let ip = addresses.ipv4().map_or(IpAddr::V4(std::net::Ipv4Addr::LOCALHOST), |a| a.ip());
    let directory = &config.working_directory;
    Ok(match socks5 {
        Some(proxy) => Pseudonyms::anonymized(directory, bootstrap, proxy),
        None => Pseudonyms::new(directory, ip, bootstrap),
    })
}

/// Starts the node's SOCKS5 server, which takes its events: the one `--socks5` asks for, else,
/// when a `HiddenTunnelCommunity` runs (py-ipv8 then sends pseudonyms' traffic through one-hop
/// circuits) and `--direct-pseudonyms` is not given, one on a free port of 127.0.0.1 for the
/// pseudonyms. Returns the address pseudonyms send through, if they are anonymized.
async fn socks5(
    args: &Args,
    handle: &NodeHandle,
    events: Events,
) -> anyhow::Result<Option<SocketAddr>> {
    let hidden = handle
        .with_node(|node, _| {
            node.community::<TunnelCommunity>().is_some_and(TunnelCommunity::is_hidden)
        })
        .await?;
    let anonymize = hidden && !args.direct_pseudonyms;
    let (port, hops) = match args.socks5 {
        Some(port) => (port, args.socks5_hops),
        None if anonymize => (0, 1),
        None => return Ok(None),
    };
    let address = SocketAddr::from((std::net::Ipv4Addr::LOCALHOST, port));
    let server =
        Socks5Server::bind(address, hops).await.with_context(|| format!("SOCKS5 on {address}"))?;
    let bound = server.local_addr()?;
    if args.socks5.is_some() {
        println!("SOCKS5 on {bound}, through {hops}-hop circuits");
    }
    if anonymize {
        println!("pseudonyms send through {hops}-hop circuits (SOCKS5 on {bound})");
    }
    tokio::spawn(server.run(handle.clone(), events));
    Ok(anonymize.then_some(bound))
}

async fn serve(args: &Args, config: &Config) -> anyhow::Result<()> {
    // Bound first, so that a refused REST address stops the node before it starts.
    let rest = super::rest::bind(config).await?;
    let launched = launch(config, &OverlayRegistry::with_builtin()).await?;
    let handle = launched.handle;
    let addresses: Vec<String> = launched.addresses.iter().map(|a| a.to_string()).collect();
    let (prediction, birthday) = (args.nat.port_prediction, args.nat.birthday_punching);
    let key = handle
        .with_node(move |node, _| {
            node.set_port_prediction(prediction);
            node.set_birthday_punching(birthday);
            node.public_key().mid().to_string()
        })
        .await?;
    println!("node {key} listening on {}", addresses.join(", "));
    for class in &launched.skipped {
        println!("overlay {class} is not available in this build yet; skipped");
    }
    let proxy = socks5(args, &handle, launched.events).await?;
    let pseudonyms = pseudonyms(config, &handle, &launched.addresses, proxy).await?;
    if let Some(rest) = rest {
        rest.start(handle.clone(), pseudonyms.clone())?;
    }
    let mut status = tokio::time::interval(Duration::from_secs_f64(args.status_interval.max(0.01)));
    status.tick().await;
    // One listener for the whole loop: a signal that arrives while the loop body runs is
    // not lost (a listener made anew in each turn would miss it).
    let mut stop = std::pin::pin!(tokio::signal::ctrl_c());
    loop {
        tokio::select! {
            _ = &mut stop => break,
            _ = status.tick() => {
                let line = handle.with_node(|node, _| status_line(node)).await?;
                // A reader that went away (a closed pipe) must not stop the node.
                let _ = writeln!(std::io::stdout(), "{line}");
            }
        }
    }
    pseudonyms.shutdown().await;
    handle.shutdown().await;
    launched.task.await.context("the node's task panicked")?;
    Ok(())
}

/// `peers: DiscoveryCommunity=3 …`
fn status_line(node: &Node) -> String {
    let overlays: Vec<String> = node
        .overlays()
        .iter()
        .map(|overlay| {
            let network = node.network_of(overlay.community_id).unwrap_or_else(|| node.network());
            format!("{}={}", overlay.name, network.peers_for(overlay.community_id).len())
        })
        .collect();
    format!("peers: {}", overlays.join(" "))
}
