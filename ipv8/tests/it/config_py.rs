//! `ipv8::config` against py-ipv8 3.2.1 itself (`xtask/py/default_config.py`, run with the venv's
//! Python): our default configuration is py-ipv8's `default_config`, our `Builder` makes what its
//! `ConfigBuilder` makes, and py-ipv8's JSON configurations load and are written back unchanged.
//!
//! The interpreter is `$IPV8_PYTHON`, else `target/py-venv/bin/python` (made by `cargo xtask vectors`).
//! Without it these tests fail; they never skip. Nothing touches the network.
#![cfg(feature = "config")]

use crate::common::python;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use ipv8::config::{
    Bootstrapper, Builder, Config, DispersyBootstrap, LogLevel, OnStart, Table, Transport, Walker,
};
use ipv8::crypto::Curve;
use serde_json::{Value, json};

/// The key `default_config.py` gives `add_key_from_bin`.
const KEY_BIN: &str = "TGliTmFDTFNLOnhPJRb+DmyAdGxUWo+jjmM4d/8sx76j0/rPhHA2c5VWNjZipaY99zpy3BSEvxgDqJH9MODNtH2ViwO28rucEwo=";

/// What `default_config.py which` prints.
fn py_config(which: &str) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../xtask/py/default_config.py");
    let output = Command::new(python()).arg(script).arg(which).output().expect("running python");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "default_config.py {which} failed: {stderr}");
    String::from_utf8(output.stdout).expect("UTF-8 JSON")
}

/// The first place where two JSON values differ, by path; `None` if they are equal (ints and floats
/// told apart, as py-ipv8 tells `3` from `3.0`).
fn first_difference(path: &str, ours: &Value, theirs: &Value) -> Option<String> {
    match (ours, theirs) {
        (Value::Object(a), Value::Object(b)) => {
            let mut keys = a.keys().chain(b.keys().filter(|key| !a.contains_key(*key)));
            keys.find_map(|key| match (a.get(key), b.get(key)) {
                (Some(x), Some(y)) => first_difference(&format!("{path}.{key}"), x, y),
                (x, y) => Some(format!("{path}.{key}: ours {x:?}, py-ipv8's {y:?}")),
            })
        }
        (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
            .iter()
            .zip(b)
            .enumerate()
            .find_map(|(i, (x, y))| first_difference(&format!("{path}[{i}]"), x, y)),
        (a, b) if a == b => None,
        (a, b) => Some(format!("{path}: ours {a}, py-ipv8's {b}")),
    }
}

fn assert_same(ours: &Value, theirs: &Value) {
    if let Some(difference) = first_difference("", ours, theirs) {
        panic!("configurations differ at {difference}");
    }
}

#[test]
fn the_default_is_py_ipv8s_default_config() {
    let theirs: Value = serde_json::from_str(&py_config("default")).unwrap();
    assert_same(&serde_json::to_value(Config::default()).unwrap(), &theirs);
}

#[test]
fn py_ipv8s_default_config_loads_as_our_default() {
    assert_eq!(Config::from_json_str(&py_config("default")).unwrap(), Config::default());
}

/// The sequence of `built()` in `default_config.py`.
fn built() -> Config {
    let mut nested = Table::new();
    nested.insert("ratio".into(), 0.5.into());
    nested.insert("names".into(), json!(["a", "b"]));
    let mut initialize = Table::new();
    initialize.insert("max_peers".into(), 30.into());
    initialize.insert("anonymize".into(), false.into());
    initialize.insert("nested".into(), nested.into());
    let dispersy =
        DispersyBootstrap::new(vec!["127.0.0.1:5".parse().unwrap()]).with_dns("localhost", 6);
    let mut dispersy = Bootstrapper::from(dispersy);
    dispersy.init.remove("bootstrap_timeout"); // py-ipv8's builder passes only what it is given.
    Builder::new()
        .clear_keys()
        .clear_overlays()
        .add_key("my peer", Curve::Medium, "ec.pem")
        .add_key_from_bin("other peer", KEY_BIN)
        .with_address("127.0.0.1".parse().unwrap())
        .with_port(Transport::UdpIpv4, 8091)
        .with_address("::1".parse().unwrap())
        .with_log_level(LogLevel::Debug)
        .with_working_directory("/tmp/state")
        .with_walker_interval(Duration::from_millis(250))
        .add_overlay(
            "MyCommunity",
            "my peer",
            vec![
                Walker::new("RandomWalk", 42).with_arg("timeout", 3.0),
                Walker::new("EdgeWalk", -1),
            ],
            vec![dispersy, Bootstrapper::udp_broadcast()],
            initialize,
            vec![
                OnStart::new("started"),
                OnStart::new("ping").with_arg(1).with_arg("two").with_arg(3.5),
            ],
        )
        .add_overlay("OtherCommunity", "other peer", vec![], vec![], Table::new(), vec![])
        .finalize()
        .unwrap()
}

#[test]
fn the_builder_makes_what_py_ipv8s_config_builder_makes() {
    let theirs: Value = serde_json::from_str(&py_config("builder")).unwrap();
    assert_same(&serde_json::to_value(built()).unwrap(), &theirs);
}

#[test]
fn py_ipv8_json_configs_round_trip() {
    for which in ["default", "builder"] {
        let text = py_config(which);
        let config = Config::from_json_str(&text).unwrap();
        let written: Value = serde_json::from_str(&config.to_json_string().unwrap()).unwrap();
        assert_same(&written, &serde_json::from_str(&text).unwrap());
        assert_eq!(
            Config::from_toml_str(&config.to_toml_string().unwrap()).unwrap(),
            config,
            "{which}"
        );
    }
}

#[test]
fn the_difference_finder_finds_differences() {
    let ours = json!({"a": [1, {"b": 3.0}], "c": 1});
    assert_eq!(first_difference("", &ours, &ours), None);
    let theirs = json!({"a": [1, {"b": 3}], "c": 1});
    assert_eq!(first_difference("", &ours, &theirs).unwrap(), ".a[1].b: ours 3.0, py-ipv8's 3");
    let theirs = json!({"a": [1, {"b": 3.0}]});
    assert!(first_difference("", &ours, &theirs).unwrap().starts_with(".c: ours Some"));
}
