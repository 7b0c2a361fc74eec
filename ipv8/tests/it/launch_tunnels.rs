//! The tunnel overlays of a configuration: the default configuration runs py-ipv8's
//! `HiddenTunnelCommunity`, `initialize` reaches it as `TunnelSettings` (py-ipv8's keys, seconds
//! as numbers, `peer_flags` as a list), bad values are refused naming the key, and
//! `build_tunnels` on start asks for circuits.
#![cfg(feature = "config")]

use std::time::{Duration, Instant};

use ipv8::config::{Builder, Config, OnStart, Overlay};
use ipv8::launch::{LaunchError, OverlayRegistry, build};
use ipv8::proto::Community;
use ipv8::proto::tunnel::{PeerFlags, TunnelCommunity};

fn with_tunnel(overlay: Overlay) -> Config {
    let loopback = Config::loopback(0);
    Builder::from(loopback).clear_overlays().add_overlay_spec(overlay).finalize().expect("valid")
}

fn key() -> String {
    Config::loopback(0).keys[0].alias.clone()
}

#[test]
fn the_default_configuration_runs_a_hidden_tunnel_community_as_py_ipv8_sets_it() {
    let built =
        build(&Config::loopback(0), &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
            .expect("builds");
    let tunnels = built.node.community::<TunnelCommunity>().expect("a tunnel community");
    assert_eq!(tunnels.name(), "HiddenTunnelCommunity");
    let settings = tunnels.settings();
    assert_eq!(settings.max_circuits, 1, "py-ipv8's default configuration");
    assert_eq!(settings.max_time, Duration::from_secs(600));
    assert_eq!(settings.max_traffic, 250 * 1024 * 1024);
    assert_eq!(settings.peer_flags, PeerFlags::DEFAULT);
    assert!(!settings.is_exit());
}

#[test]
fn initialize_sets_flags_times_and_limits() {
    let overlay = Overlay::new("TunnelCommunity", key())
        .with_setting("peer_flags", serde_json::json!([1, 2, 4]))
        .with_setting("max_time_inactive", 7.5)
        .with_setting("max_joined_circuits", 3)
        .with_setting("dht_lookup_interval", 30);
    let built =
        build(&with_tunnel(overlay), &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
            .expect("builds");
    let tunnels = built.node.community::<TunnelCommunity>().expect("a tunnel community");
    assert_eq!(tunnels.name(), "TunnelCommunity");
    let settings = tunnels.settings();
    assert_eq!(settings.peer_flags, PeerFlags::RELAY | PeerFlags::EXIT_BT | PeerFlags::EXIT_IPV8);
    assert!(settings.is_exit());
    assert_eq!(settings.max_time_inactive, Duration::from_millis(7500));
    assert_eq!(settings.max_joined_circuits, 3);
}

#[test]
fn a_bad_setting_is_refused_by_name() {
    let negative = Overlay::new("TunnelCommunity", key()).with_setting("max_time", -1.0);
    let error =
        build(&with_tunnel(negative), &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
            .err()
            .expect("refused");
    assert!(matches!(&error, LaunchError::Settings { path, .. } if path == "max_time"), "{error}");
    let text = Overlay::new("TunnelCommunity", key()).with_setting("max_circuits", "eight");
    let error =
        build(&with_tunnel(text), &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
            .err()
            .expect("refused");
    assert!(error.to_string().contains("max_circuits"), "{error}");
}

#[test]
fn build_tunnels_on_start_asks_for_circuits() {
    let overlay = Overlay::new("TunnelCommunity", key())
        .with_on_start(OnStart::new("build_tunnels").with_arg(2));
    let built =
        build(&with_tunnel(overlay), &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
            .expect("builds");
    let tunnels = built.node.community::<TunnelCommunity>().expect("a tunnel community");
    assert!(tunnels.tunnels_ready(2) < 1.0, "two-hop circuits are wanted and none is ready");
    assert!((tunnels.tunnels_ready(1) - 1.0).abs() < f64::EPSILON, "one-hop ones are not");
}

#[test]
fn an_overlay_with_anonymize_is_carried_by_the_tunnel_community() {
    let discovery = Overlay::new("DiscoveryCommunity", key()).with_setting("anonymize", true);
    let tunnels = Overlay::new("HiddenTunnelCommunity", key());
    let config = Builder::from(Config::loopback(0))
        .clear_overlays()
        .add_overlay_spec(discovery.clone())
        .add_overlay_spec(tunnels)
        .finalize()
        .expect("valid");
    let built =
        build(&config, &OverlayRegistry::with_builtin(), Instant::now(), 1, None).expect("builds");
    let tunnels = built.node.community::<TunnelCommunity>().expect("a tunnel community");
    assert!(tunnels.is_anonymized(ipv8::proto::discovery::DiscoveryCommunity::ID));

    let alone = with_tunnel(discovery);
    let error = build(&alone, &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
        .err()
        .expect("refused: nothing could carry it");
    assert!(matches!(&error, LaunchError::Settings { path, .. } if path == "anonymize"), "{error}");
}

#[test]
fn overlays_loaded_at_run_time_bootstrap_where_the_configuration_says() {
    // The default configuration names the public servers; `--bootstrap` replaces them.
    let mut config = Config::default();
    let local: std::net::SocketAddr = "127.0.0.1:7759".parse().expect("an address");
    config.replace_bootstrap(&[local]);
    let built =
        build(&config, &OverlayRegistry::with_builtin(), Instant::now(), 1, None).expect("builds");
    assert_eq!(
        built.node.spawn_bootstrap(),
        [local],
        "PEX overlays and pseudonyms use --bootstrap"
    );

    let public =
        build(&Config::default(), &OverlayRegistry::with_builtin(), Instant::now(), 1, None)
            .expect("builds");
    let spawn = public.node.spawn_bootstrap();
    assert!(!spawn.is_empty());
    assert!(spawn.iter().all(|a| !a.ip().is_loopback()), "py-ipv8's public servers, as configured");
}
