//! Every kind of configuration error names the offending key (or, for a syntax error, the position)
//! and says what is wrong, in TOML and in py-ipv8's JSON alike; malformed input never panics.
#![cfg(feature = "config")]

use ipv8::config::{Config, ConfigError, DEFAULT_TOML};

/// The default configuration with the first `from` replaced by `to`.
fn toml_with(from: &str, to: &str) -> String {
    assert!(DEFAULT_TOML.contains(from), "default.toml has no {from:?}");
    DEFAULT_TOML.replacen(from, to, 1)
}

fn toml_error(from: &str, to: &str) -> String {
    Config::from_toml_str(&toml_with(from, to)).unwrap_err().to_string()
}

/// The default configuration as JSON, changed by `change`.
fn json_error(change: impl FnOnce(&mut serde_json::Value)) -> String {
    let mut value = serde_json::to_value(Config::default()).unwrap();
    change(&mut value);
    Config::from_json_str(&value.to_string()).unwrap_err().to_string()
}

#[test]
fn wrong_types_name_the_key() {
    // The DHT's RandomWalk is the only walker followed by a PingChurn.
    let dht_walker =
        "peers = 20\ninit = { timeout = 3.0 }\n\n[[overlays.walkers]]\nstrategy = \"PingChurn\"";
    let text = toml_with(dht_walker, &dht_walker.replace("peers = 20", "peers = \"x\""));
    let err = Config::from_toml_str(&text).unwrap_err();
    assert_eq!(
        err.to_string(),
        r#"overlays[2].walkers[0].peers: invalid type: string "x", expected i64"#
    );
    assert_eq!(err.path(), Some("overlays[2].walkers[0].peers"));
    let json = json_error(|v| v["overlays"][2]["walkers"][0]["peers"] = "x".into());
    assert_eq!(json, r#"overlays[2].walkers[0].peers: invalid type: string "x", expected i64"#);
    assert_eq!(
        toml_error("port = 8090", "port = 70000"),
        "interfaces[0].port: invalid value: integer `70000`, expected u16"
    );
    assert_eq!(
        toml_error("walker_interval = 0.5", "walker_interval = \"fast\""),
        r#"walker_interval: invalid type: string "fast", expected f64"#
    );
}

#[test]
fn bad_values_name_the_key() {
    assert_eq!(
        toml_error("ip = \"0.0.0.0\"", "ip = \"0.0.0\""),
        "interfaces[0].ip: invalid IP address syntax"
    );
    assert_eq!(
        toml_error("interface = \"UDPIPv4\"", "interface = \"TCP\""),
        "interfaces[0].interface: unknown variant `TCP`, expected `UDPIPv4` or `UDPIPv6`"
    );
    assert_eq!(
        toml_error("generation = \"curve25519\"", "generation = \"big\""),
        r#"keys[0].generation: unknown curve name "big" (expected curve25519, very-low, low, medium or high)"#
    );
    assert_eq!(
        toml_error("level = \"INFO\"", "level = \"LOUD\""),
        r#"logger.level: invalid value: string "LOUD", expected a log level: NOTSET, DEBUG, INFO, WARNING, ERROR or CRITICAL"#
    );
    assert_eq!(
        toml_error("class = \"DispersyBootstrapper\"", "class = 5"),
        "overlays[0].bootstrappers[0].class: invalid type: integer `5`, expected a string"
    );
    assert_eq!(
        toml_error("[[\"build_tunnels\", 1]]", "[[1]]"),
        "overlays[1].on_start[0][0]: invalid type: integer `1`, expected a string"
    );
    assert_eq!(
        toml_error("[[\"build_tunnels\", 1]]", "[[]]"),
        "overlays[1].on_start[0]: invalid length 0, expected a list of a method name and its arguments"
    );
}

#[test]
fn missing_and_unknown_keys_are_named() {
    assert_eq!(toml_error("key = \"anonymous id\"\n", ""), "overlays[0]: missing field `key`");
    assert_eq!(
        toml_error("walker_interval = 0.5", "walker_intervall = 0.5"),
        "walker_intervall: unknown field `walker_intervall`, expected one of `interfaces`, `keys`, `logger`, `working_directory`, `walker_interval`, `overlays`, `rest`"
    );
    assert_eq!(
        Config::from_toml_str("interfaces = []\noverlays = []").unwrap_err().to_string(),
        "missing field `keys`"
    );
    let json = json_error(|v| v["keys"][0]["secret"] = 1.into());
    assert_eq!(
        json,
        "keys[0].secret: unknown field `secret`, expected one of `alias`, `generation`, `file`, `bin`"
    );
}

#[test]
fn bootstrapper_arguments_are_checked_where_they_are() {
    assert_eq!(
        toml_error("[\"131.180.27.155\", 6423]", "[\"dispersy\", 6423]"),
        r#"overlays[0].bootstrappers[0].init.ip_addresses[2]: invalid IP address "dispersy""#
    );
    assert_eq!(
        toml_error("[\"dispersy4.tribler.org\", 6424]", "[\"dispersy4.tribler.org\"]"),
        "overlays[0].bootstrappers[0].init.dns_addresses[6]: invalid length 1, expected a tuple of size 2"
    );
    assert_eq!(
        toml_error("bootstrap_timeout = 30.0", "timeout = 30.0"),
        "overlays[0].bootstrappers[0].init.timeout: unknown field `timeout`, expected one of `ip_addresses`, `dns_addresses`, `bootstrap_timeout`"
    );
    let err = json_error(|v| {
        v["overlays"][1]["bootstrappers"][0]["init"]
            .as_object_mut()
            .unwrap()
            .remove("dns_addresses");
    });
    assert_eq!(err, "overlays[1].bootstrappers[0].init: missing field `dns_addresses`");
    let err = json_error(|v| {
        v["overlays"][2]["bootstrappers"][0] =
            serde_json::json!({"class": "UDPBroadcastBootstrapper", "init": {"port": 1}});
    });
    assert_eq!(
        err,
        "overlays[2].bootstrappers[0].init.port: unknown field `port`, expected `bootstrap_timeout`"
    );
}

#[test]
fn syntax_errors_give_the_position() {
    assert_eq!(
        toml_error("peers = 20", "peers = = 20"),
        "line 33, column 9: invalid string; expected `\"`, `'`"
    );
    let err = Config::from_json_str("{\n  \"keys\": [,]\n}").unwrap_err();
    assert_eq!(err.to_string(), "line 2, column 12: expected value");
    assert!(matches!(err, ConfigError::Parse { location: Some(_), .. }));
    assert_eq!(err.path(), None);
}

#[test]
fn semantic_errors_name_the_key() {
    let cases: [(&str, &str, &str); 8] = [
        (
            "walker_interval = 0.5",
            "walker_interval = 0",
            "walker_interval: must be a positive number of seconds, not 0",
        ),
        (
            "walker_interval = 0.5",
            "walker_interval = -1.5",
            "walker_interval: must be a positive number of seconds, not -1.5",
        ),
        (
            "peers = -1",
            "peers = -2",
            "overlays[0].walkers[1].peers: must be -1 (always run) or a peer count, not -2",
        ),
        (
            "ip = \"0.0.0.0\"",
            "ip = \"::\"",
            "interfaces[0].ip: :: is not an address for a UDPIPv4 interface",
        ),
        (
            "[[keys]]",
            "[[interfaces]]\ninterface = \"UDPIPv4\"\n\n[[keys]]",
            "interfaces[1]: a second UDPIPv4 interface (the first is interfaces[0])",
        ),
        (
            "[[keys]]",
            "[[keys]]\nalias = \"anonymous id\"\ngeneration = \"low\"\n\n[[keys]]",
            r#"keys[1].alias: duplicate key alias "anonymous id" (the first is keys[0].alias)"#,
        ),
        (
            "generation = \"curve25519\"\nfile = \"ec_multichain.pem\"",
            "",
            r#"keys[0]: key "anonymous id" has no file, bin or generation"#,
        ),
        ("file = \"ec_multichain.pem\"", "bin = \"\"", "keys[0].bin: empty key"),
    ];
    for (from, to, expected) in cases {
        assert_eq!(toml_error(from, to), expected);
    }
    let err =
        Config::from_toml_str(&toml_with("file = \"ec_multichain.pem\"", "bin = \"not base64!\""))
            .unwrap_err();
    assert!(matches!(err, ConfigError::InvalidKeyBin { .. }), "{err:?}");
    assert!(err.to_string().starts_with("keys[0].bin: invalid base64: "), "{err}");
    let err = json_error(|v| v["overlays"][2]["key"] = "nobody".into());
    assert_eq!(err, r#"overlays[2].key: unknown key alias "nobody" (not in keys)"#);
}

#[test]
fn file_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let err = Config::from_path(dir.path().join("node.yaml")).unwrap_err();
    assert!(matches!(err, ConfigError::UnknownFormat { .. }));
    assert!(err.to_string().ends_with("node.yaml: expected a .toml or .json extension"), "{err}");

    let missing = dir.path().join("missing.toml");
    let err = Config::from_path(&missing).unwrap_err();
    assert!(
        err.to_string().starts_with(&format!("cannot read config file {}: ", missing.display()))
    );

    let bad = dir.path().join("node.TOML");
    std::fs::write(&bad, toml_with("peers = -1", "peers = -7")).unwrap();
    let err = Config::from_path(&bad).unwrap_err();
    let expected = format!(
        "{}: overlays[0].walkers[1].peers: must be -1 (always run) or a peer count, not -7",
        bad.display()
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(err.path(), Some("overlays[0].walkers[1].peers"));

    let good = dir.path().join("node.json");
    std::fs::write(&good, Config::loopback(5).to_json_string().unwrap()).unwrap();
    assert_eq!(Config::from_path(&good).unwrap(), Config::loopback(5));
}

#[test]
fn toml_cannot_hold_null() {
    let mut config = Config::loopback(0);
    config.overlays[0].initialize.insert("nothing".into(), serde_json::Value::Null);
    let err = config.to_toml_string().unwrap_err();
    assert!(err.to_string().starts_with("cannot serialize the configuration: "), "{err}");
}

#[test]
fn truncated_input_never_panics() {
    let json = Config::default().to_json_string().unwrap();
    for text in [DEFAULT_TOML, json.as_str()] {
        let cuts = (0..text.len()).step_by(7).filter(|&cut| text.is_char_boundary(cut));
        for cut in cuts {
            let _ = Config::from_toml_str(&text[..cut]);
            let _ = Config::from_json_str(&text[..cut]);
        }
    }
}
