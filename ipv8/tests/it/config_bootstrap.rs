//! Bootstrap addresses: the default holds exactly spec §4.10's public servers; `replace_bootstrap`
//! (the command line's `--bootstrap`) removes every public address, DNS name and broadcast; and
//! `Config::loopback`, what tests use, contacts nothing off this machine. No name is resolved.
#![cfg(feature = "config")]

use std::net::SocketAddr;

use ipv8::config::{BootstrapTarget, Bootstrapper, BootstrapperClass, Config, Overlay};

/// Spec §4.10's default bootstrap servers.
const SPEC_IPS: [&str; 13] = [
    "130.161.119.206:6421",
    "130.161.119.206:6422",
    "131.180.27.155:6423",
    "131.180.27.156:6424",
    "131.180.27.161:6427",
    "131.180.27.161:6521",
    "131.180.27.161:6522",
    "131.180.27.162:6523",
    "131.180.27.162:6524",
    "130.161.119.215:6525",
    "130.161.119.215:6526",
    "130.161.119.201:6527",
    "130.161.119.201:6528",
];
const SPEC_DNS: [&str; 7] = [
    "dispersy1.tribler.org:6421",
    "dispersy1.st.tudelft.nl:6421",
    "dispersy2.tribler.org:6422",
    "dispersy2.st.tudelft.nl:6422",
    "dispersy3.tribler.org:6423",
    "dispersy3.st.tudelft.nl:6423",
    "dispersy4.tribler.org:6424",
];

fn local(port: u16) -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], port))
}

#[test]
fn the_default_bootstraps_from_spec_4_10s_servers() {
    let config = Config::default();
    let listed: Vec<String> =
        config.public_bootstrap_addresses().iter().map(ToString::to_string).collect();
    assert_eq!(listed, SPEC_IPS.iter().chain(&SPEC_DNS).copied().collect::<Vec<_>>());
    for overlay in &config.overlays {
        let [bootstrapper] = overlay.bootstrappers.as_slice() else {
            panic!("{}: one bootstrapper", overlay.class)
        };
        let init = bootstrapper.dispersy_init().unwrap().unwrap();
        assert_eq!(init.ip_addresses.len(), 13);
        assert_eq!(init.dns_addresses.len(), 7);
        assert!((init.bootstrap_timeout - 30.0).abs() < f64::EPSILON);
    }
}

#[test]
fn replace_bootstrap_removes_every_public_address() {
    let mut config = Config::default();
    let extra = Overlay::new("LanCommunity", "anonymous id")
        .with_bootstrapper(Bootstrapper::udp_broadcast())
        .with_bootstrapper(Bootstrapper::dispersy(&["8.8.8.8:1".parse().unwrap()]));
    config.overlays.push(extra);
    config.overlays.push(Overlay::new("Quiet", "anonymous id"));
    assert!(config.public_bootstrap_addresses().contains(&BootstrapTarget::Broadcast));

    config.replace_bootstrap(&[local(7759), "[::1]:7760".parse().unwrap()]);
    assert_eq!(config.public_bootstrap_addresses(), []);
    config.validate().unwrap();
    for overlay in &config.overlays[..4] {
        let [bootstrapper] = overlay.bootstrappers.as_slice() else {
            panic!("{}: one bootstrapper", overlay.class)
        };
        assert_eq!(bootstrapper.class, BootstrapperClass::Dispersy);
        let init = bootstrapper.dispersy_init().unwrap().unwrap();
        assert_eq!(init.ip_addresses, [local(7759), "[::1]:7760".parse().unwrap()]);
        assert_eq!(init.dns_addresses, []);
        assert!((init.bootstrap_timeout - 30.0).abs() < f64::EPSILON);
    }
    assert!(
        config.overlays[4].bootstrappers.is_empty(),
        "an overlay without bootstrappers keeps none"
    );
}

#[test]
fn replace_bootstrap_keeps_other_arguments_and_py_ipv8s_shape() {
    let mut config = Config::default();
    config.overlays[0].bootstrappers[0].init.insert("bootstrap_timeout".into(), 5.0.into());
    config.replace_bootstrap(&[local(1)]);
    let init = &config.overlays[0].bootstrappers[0].init;
    assert_eq!(init["bootstrap_timeout"], 5.0);
    assert_eq!(init["ip_addresses"], serde_json::json!([["127.0.0.1", 1]]));
    assert_eq!(init["dns_addresses"], serde_json::json!([]));
}

#[test]
fn public_addresses_given_to_replace_bootstrap_are_listed() {
    let mut config = Config::loopback(0);
    config.replace_bootstrap(&["10.0.0.1:5".parse().unwrap(), local(6)]);
    assert_eq!(
        config.public_bootstrap_addresses(),
        [BootstrapTarget::Address("10.0.0.1:5".parse().unwrap())]
    );
}

#[test]
fn loopback_is_local_and_otherwise_the_default() {
    let config = Config::loopback(0);
    assert_eq!(config.public_bootstrap_addresses(), []);
    assert_eq!(config.interfaces.len(), 1);
    assert!(config.interfaces[0].bind_address().ip().is_loopback());
    assert_eq!(config.keys[0].file, None, "tests leave no key files behind");
    let default = Config::default();
    let classes = |config: &Config| {
        config.overlays.iter().map(|o| (o.class.clone(), o.walkers.clone())).collect::<Vec<_>>()
    };
    assert_eq!(classes(&config), classes(&default));
    let json = config.to_json_string().unwrap();
    assert_eq!(Config::from_json_str(&json).unwrap(), config);
}
