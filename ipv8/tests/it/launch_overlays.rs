//! Starting a node from a configuration, on loopback: every overlay runs under the key its
//! configuration names; `initialize` reaches a community as typed settings; `on_start` methods
//! run; strategies registered by name can be named by walkers; `bootstrap_timeout` is honoured.
#![cfg(all(feature = "config", feature = "runtime"))]

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::config::{
    Bootstrapper, BootstrapperClass, Builder, Config, DispersyBootstrap, KeySpec, OnStart, Overlay,
    Walker,
};
use ipv8::crypto::Curve;
use ipv8::launch::{LaunchError, Launched, OverlayRegistry, launch};
use ipv8::proto::discovery::RandomWalk;
use ipv8::proto::{Community, CommunityId, Event};

const PATIENCE: Duration = Duration::from_secs(5);

/// An application overlay whose id and peer limit come from its settings.
struct Settled {
    id: CommunityId,
    max_peers: usize,
}

#[ipv8::community]
impl Settled {}

impl Community for Settled {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn max_peers(&self) -> usize {
        self.max_peers
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Settings {
    #[serde(default = "default_max_peers")]
    max_peers: usize,
}

fn default_max_peers() -> usize {
    30
}

fn registry() -> OverlayRegistry {
    let mut registry = OverlayRegistry::with_builtin();
    registry.register("Settled", |setup| {
        let settings: Settings = setup.settings()?;
        let id = CommunityId(*b"launch test settled!");
        setup.add(Settled { id, max_peers: settings.max_peers })
    });
    registry.register_on_start::<Settled>("announce", |_, ctx, args| {
        let word = args.first().and_then(|v| v.as_str()).ok_or("a word to announce")?;
        ctx.emit(word.to_owned());
        Ok(())
    });
    registry.register_strategy::<Settled, _>("PatientWalk", |args| {
        let timeout = args.seconds("timeout")?.unwrap_or(Duration::from_secs(10));
        Ok(RandomWalk::new().with_timeout(timeout))
    });
    registry
}

/// Two keys, DiscoveryCommunity under the first and `settled` under the second.
fn config(settled: Overlay) -> Config {
    Builder::from(Config::loopback(0))
        .clear_keys()
        .add_key_spec(KeySpec::generate("first", Curve::Curve25519))
        .add_key_spec(KeySpec::generate("second", Curve::Curve25519))
        .clear_overlays()
        .add_overlay_spec(Overlay::new("DiscoveryCommunity", "first"))
        .add_overlay_spec(settled)
        .finalize()
        .expect("a valid configuration")
}

async fn start(config: &Config) -> Result<Launched, LaunchError> {
    launch(config, &registry()).await
}

#[tokio::test]
async fn each_overlay_runs_under_the_key_its_configuration_names() {
    let config = config(Overlay::new("Settled", "second"));
    let launched = start(&config).await.expect("the node starts");
    let overlays = launched.handle.with_node(|node, _| node.overlays()).await.unwrap();
    let keys: Vec<_> = overlays.iter().map(|o| o.public_key.mid()).collect();
    assert_eq!(keys.len(), 2);
    assert_ne!(keys[0], keys[1], "two aliases, two identities");
    let own = launched.handle.with_node(|node, _| node.public_key().mid()).await.unwrap();
    assert_eq!(own, keys[0], "the node's own key is the first overlay's");
    launched.handle.shutdown().await;
}

#[tokio::test]
async fn initialize_reaches_the_community_as_typed_settings() {
    let settled = Overlay::new("Settled", "second").with_setting("max_peers", 7);
    let launched = start(&config(settled)).await.expect("the node starts");
    let max_peers = launched.handle.with_community::<Settled, _>(|s, _| s.max_peers).await;
    assert_eq!(max_peers.unwrap(), 7);
    launched.handle.shutdown().await;

    let settled = Overlay::new("Settled", "second").with_setting("max_peers", "many");
    let Err(error) = start(&config(settled)).await else { panic!("a bad setting is refused") };
    let text = error.to_string();
    assert!(text.starts_with("overlays.Settled.initialize.max_peers: invalid type"), "{text}");

    let settled = Overlay::new("Settled", "second").with_setting("max_pears", 7);
    let Err(error) = start(&config(settled)).await else { panic!("an unknown key is refused") };
    assert!(error.to_string().contains("unknown field `max_pears`"), "{error}");
}

#[tokio::test]
async fn on_start_methods_run_with_their_arguments() {
    let settled =
        Overlay::new("Settled", "second").with_on_start(OnStart::new("announce").with_arg("ready"));
    let mut launched = start(&config(settled)).await.expect("the node starts");
    let announced = tokio::time::timeout(PATIENCE, async {
        loop {
            if let Some(Event::Community { event, .. }) = launched.events.recv().await {
                return event.downcast::<String>().ok().map(|word| *word);
            }
        }
    });
    assert_eq!(announced.await.expect("in time"), Some("ready".to_owned()));
    launched.handle.shutdown().await;

    let settled = Overlay::new("Settled", "second").with_on_start(OnStart::new("dance"));
    let Err(error) = start(&config(settled)).await else { panic!("an unknown method is refused") };
    assert_eq!(error.to_string(), "overlays.Settled.on_start: unknown method \"dance\"");
    let settled = Overlay::new("Settled", "second").with_on_start(OnStart::new("announce"));
    let Err(error) = start(&config(settled)).await else { panic!("a failing method is refused") };
    assert_eq!(error.to_string(), "overlays.Settled.on_start: announce failed: a word to announce");
}

#[tokio::test]
async fn walkers_name_registered_strategies() {
    let walker = Walker::new("PatientWalk", 20).with_arg("timeout", 4.0);
    let launched = start(&config(Overlay::new("Settled", "second").with_walker(walker)))
        .await
        .expect("the node starts");
    let overlays = launched.handle.with_node(|node, _| node.overlays()).await.unwrap();
    let names: Vec<_> = overlays[1].strategies.iter().map(|s| (s.name, s.target_peers)).collect();
    assert_eq!(names, [("RandomWalk", Some(20))]);
    launched.handle.shutdown().await;

    // Registered for `Settled`, not for the DiscoveryCommunity.
    let config = Builder::from(config(Overlay::new("Settled", "second")))
        .clear_overlays()
        .add_overlay_spec(
            Overlay::new("DiscoveryCommunity", "first").with_walker(Walker::new("PatientWalk", 20)),
        )
        .finalize()
        .unwrap();
    let Err(error) = start(&config).await else { panic!("not a DiscoveryCommunity strategy") };
    assert!(matches!(error, LaunchError::UnknownStrategy { .. }), "{error}");
}

#[tokio::test]
async fn bootstrap_timeout_is_honoured() {
    let tracker = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let address: SocketAddr = tracker.local_addr().unwrap();
    let mut bootstrap = DispersyBootstrap::new(vec![address]);
    bootstrap.bootstrap_timeout = 0.2;
    let overlay = Overlay::new("DiscoveryCommunity", "first")
        .with_walker(Walker::new("RandomWalk", 20))
        .with_bootstrapper(Bootstrapper::from(bootstrap));
    let config = Builder::from(config(Overlay::new("Settled", "second")))
        .clear_overlays()
        .add_overlay_spec(overlay)
        .with_walker_interval(Duration::from_millis(50))
        .finalize()
        .unwrap();
    let launched = start(&config).await.expect("the node starts");
    // Nobody answers, so the walk bootstraps again each time the 0.2 s timeout allows (py-ipv8's
    // default, 30 s, would allow one request in this test).
    let mut buf = [0; 2048];
    for _ in 0..3 {
        let (len, _) = tokio::time::timeout(PATIENCE, tracker.recv_from(&mut buf))
            .await
            .expect("another bootstrap request in time")
            .unwrap();
        assert_eq!(buf.get(22), Some(&246), "an introduction-request ({len} bytes)");
    }
    launched.handle.shutdown().await;
}

#[tokio::test]
async fn bootstrappers_registered_by_name_are_loaded() {
    let tracker = tokio::net::UdpSocket::bind("127.0.0.1:0").await.unwrap();
    let port = tracker.local_addr().unwrap().port();
    let mut registry = registry();
    registry.register_bootstrapper("LocalTracker", |init| {
        let port = init.get("port").and_then(serde_json::Value::as_u64).ok_or_else(|| {
            LaunchError::BadArgument {
                class: "LocalTracker".into(),
                name: "port".into(),
                expected: "a port",
            }
        })?;
        let port = u16::try_from(port).unwrap_or_default();
        Ok(ipv8::proto::discovery::DispersyBootstrapper::new(vec![SocketAddr::from((
            [127, 0, 0, 1],
            port,
        ))]))
    });
    let custom = |init: serde_json::Value| {
        let mut bootstrapper = Bootstrapper::dispersy(&[]);
        bootstrapper.class = BootstrapperClass::Custom("LocalTracker".into());
        bootstrapper.init = init.as_object().cloned().unwrap_or_default();
        bootstrapper
    };
    let overlay = Overlay::new("DiscoveryCommunity", "first")
        .with_walker(Walker::new("RandomWalk", 20))
        .with_bootstrapper(custom(serde_json::json!({ "port": port })));
    let config = Builder::from(config(Overlay::new("Settled", "second")))
        .clear_overlays()
        .add_overlay_spec(overlay)
        .finalize()
        .unwrap();
    let launched = launch(&config, &registry).await.expect("the node starts");
    let mut buf = [0; 2048];
    tokio::time::timeout(PATIENCE, tracker.recv_from(&mut buf))
        .await
        .expect("the registered bootstrapper walks to its tracker")
        .unwrap();
    assert_eq!(buf[22], 246);
    launched.handle.shutdown().await;

    let overlay = Overlay::new("DiscoveryCommunity", "first")
        .with_bootstrapper(custom(serde_json::json!({})));
    let config =
        Builder::from(config).clear_overlays().add_overlay_spec(overlay).finalize().unwrap();
    let Err(error) = launch(&config, &registry).await else { panic!("no port: refused") };
    assert!(matches!(error, LaunchError::BadArgument { .. }), "{error}");
    let Err(error) = start(&config).await else { panic!("not registered: refused") };
    assert_eq!(
        error.to_string(),
        "overlays.DiscoveryCommunity.bootstrappers: unknown bootstrapper \"LocalTracker\""
    );
}

#[test]
fn the_dht_is_built_from_a_configuration_with_a_peer_table_of_its_own() {
    let loopback = Config::loopback(0);
    let alias = loopback.keys[0].alias.clone();
    let dht = Overlay::new("DHTCommunity", alias)
        .with_walker(Walker::new("RandomWalk", 20))
        .with_walker(Walker::new("PingChurn", -1));
    let config = Builder::from(loopback).clear_overlays().add_overlay_spec(dht).finalize().unwrap();
    let address = Some(SocketAddr::from(([127, 0, 0, 1], 8090)));
    let now = std::time::Instant::now();
    let built = ipv8::launch::build(&config, &OverlayRegistry::with_builtin(), now, 1, address)
        .expect("the DHT is built in");
    let overlays = built.node.overlays();
    assert_eq!(overlays[0].name, "DHTCommunity");
    assert!(overlays[0].isolated, "py-ipv8's DHT keeps a private Network");
    let strategies: Vec<_> =
        overlays[0].strategies.iter().map(|s| (s.name, s.target_peers)).collect();
    assert_eq!(strategies, [("RandomWalk", Some(20)), ("PingChurn", None)]);
}
