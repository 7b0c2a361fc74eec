//! `config::Builder`, py-ipv8's `ConfigBuilder`: replacing keys by alias and overlays by class,
//! interfaces by family, and `finalize` validating (its py-ipv8 parity is in `config_py.rs`).
#![cfg(feature = "config")]

use std::net::SocketAddr;
use std::time::Duration;

use ipv8::config::{
    Bootstrapper, Builder, Config, KeySpec, LogLevel, Overlay, Table, Transport, Walker,
};
use ipv8::crypto::Curve;

#[test]
fn new_starts_from_the_default() {
    assert_eq!(Builder::new().finalize().unwrap(), Config::default());
}

#[test]
fn keys_are_replaced_by_alias() {
    let config = Builder::new()
        .add_key("anonymous id", Curve::Low, "low.pem")
        .add_key_spec(KeySpec::generate("spare", Curve::Curve25519))
        .finalize()
        .unwrap();
    assert_eq!(config.keys.len(), 2);
    assert_eq!(config.keys[0].generation, Some(Curve::Low));
    assert_eq!(config.keys[0].file.as_deref(), Some("low.pem".as_ref()));
}

#[test]
fn overlays_are_replaced_by_class() {
    let config = Builder::new()
        .add_overlay_spec(
            Overlay::new("DiscoveryCommunity", "anonymous id")
                .with_walker(Walker::new("EdgeWalk", 5)),
        )
        .finalize()
        .unwrap();
    let classes: Vec<_> = config.overlays.iter().map(|o| o.class.as_str()).collect();
    assert_eq!(classes, ["HiddenTunnelCommunity", "DHTDiscoveryCommunity", "DiscoveryCommunity"]);
    assert_eq!(config.overlays[2].walkers, [Walker::new("EdgeWalk", 5)]);
}

#[test]
fn interfaces_follow_the_address_family() {
    let v6: SocketAddr = "[::1]:9000".parse().unwrap();
    let config = Builder::new()
        .with_bind_address("127.0.0.1:9001".parse().unwrap())
        .with_bind_address(v6)
        .with_port(Transport::UdpIpv6, 9002)
        .finalize()
        .unwrap();
    let bound: Vec<_> = config.interfaces.iter().map(|i| i.bind_address().to_string()).collect();
    assert_eq!(bound, ["127.0.0.1:9001", "[::1]:9002"]);
}

#[test]
fn scalars_are_set() {
    let config = Builder::empty()
        .with_log_level(LogLevel::Warning)
        .with_working_directory("/var/lib/ipv8")
        .with_walker_interval(Duration::from_secs(2))
        .finalize()
        .unwrap();
    assert_eq!(config.logger.level, LogLevel::Warning);
    assert_eq!(config.working_directory.to_str(), Some("/var/lib/ipv8"));
    assert!((config.walker_interval - 2.0).abs() < f64::EPSILON);
}

#[test]
fn with_bootstrap_keeps_tests_local() {
    let config =
        Builder::new().with_bootstrap(&["127.0.0.1:7759".parse().unwrap()]).finalize().unwrap();
    assert_eq!(config.public_bootstrap_addresses(), []);
}

#[test]
fn finalize_validates() {
    let err = Builder::new().clear_keys().finalize().unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"overlays[0].key: unknown key alias "anonymous id" (not in keys)"#
    );
    let err = Builder::new()
        .add_overlay(
            "X",
            "anonymous id",
            vec![Walker::new("RandomWalk", -3)],
            vec![Bootstrapper::udp_broadcast()],
            Table::new(),
            vec![],
        )
        .finalize()
        .unwrap_err();
    assert_eq!(err.path(), Some("overlays[3].walkers[0].peers"));
    let err = Builder::new().add_key_from_bin("x", "!").finalize().unwrap_err();
    assert_eq!(err.path(), Some("keys[1].bin"));
}
