//! `ipv8 new` as a user runs it: bad names and existing directories are refused, and the crate it
//! makes passes `cargo test` and runs three talking peers with `cargo run`, without edits.
//!
//! Cargo builds the generated crate offline into this workspace's `target/`, so the dependencies the
//! workspace has already built are reused.

use crate::support;

use std::fs;
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use support::cargo;

fn ipv8_new(args: &[&str], dir: &Path) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_ipv8"));
    command.arg("new").args(args).current_dir(dir).output().unwrap()
}

/// The stderr of a refused `ipv8 new`, checked to be a clean error.
fn refusal(output: &Output) -> String {
    assert!(!output.status.success(), "accepted: {}", String::from_utf8_lossy(&output.stdout));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(stderr.starts_with("error: ") && !stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn invalid_names_are_refused_and_make_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("1demo", "must start with an ASCII letter"),
        ("my app", "' ' is not allowed"),
        ("demo.rs", "'.' is not allowed"),
        ("fn", "a Rust keyword or a reserved crate name"),
        ("ipv8", "a Rust keyword or a reserved crate name"),
        ("", "the crate name is empty"),
    ];
    for (name, reason) in cases {
        let stderr = refusal(&ipv8_new(&[name], dir.path()));
        assert!(stderr.contains(reason), "{name:?}: {stderr}");
    }
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 0, "a refused name made files");
}

#[test]
fn an_existing_directory_is_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir(dir.path().join("demo")).unwrap();
    fs::write(dir.path().join("demo/keep.txt"), "mine").unwrap();
    let path = dir.path().to_str().unwrap();
    let stderr = refusal(&ipv8_new(&["demo", "--path", path], dir.path()));
    assert!(stderr.contains("demo already exists"), "{stderr}");
    assert_eq!(fs::read_dir(dir.path().join("demo")).unwrap().count(), 1);
    assert_eq!(fs::read_to_string(dir.path().join("demo/keep.txt")).unwrap(), "mine");
}

#[test]
fn the_new_crate_passes_its_tests_and_runs_three_peers() {
    let dir = tempfile::tempdir().unwrap();
    let made = ipv8_new(&["demo", "--path", dir.path().to_str().unwrap()], dir.path());
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let krate = dir.path().join("demo");
    let ipv8 = fs::canonicalize(concat!(env!("CARGO_MANIFEST_DIR"), "/../ipv8")).unwrap();
    let manifest = fs::read_to_string(krate.join("Cargo.toml")).unwrap();
    assert!(manifest.contains(&format!("path = \"{}\"", ipv8.display())), "{manifest}");

    let (status, log) = cargo(&krate, "test", Duration::from_secs(600));
    assert!(status.success(), "cargo test failed:\n{log}");
    assert!(log.contains("test clocks_increase_across_three_peers ... ok"), "{log}");
    assert!(log.contains("test a_message_from_peer_0_reaches_peer_1 ... ok"), "{log}");

    let (status, log) = cargo(&krate, "run", Duration::from_secs(600));
    assert!(status.success(), "cargo run failed:\n{log}");
    check_clocks(&log);
}

/// Three final clocks above zero, and no peer's clock ever going back between status lines.
fn check_clocks(log: &str) {
    let finals: Vec<i64> = (0..3)
        .map(|i| {
            let prefix = format!("peer {i}: clock ");
            let line = log.lines().find_map(|line| line.strip_prefix(&prefix));
            line.unwrap_or_else(|| panic!("no clock for peer {i}:\n{log}")).parse().unwrap()
        })
        .collect();
    assert!(finals.iter().all(|&clock| clock > 0), "a clock never moved: {finals:?}\n{log}");
    let mut series: Vec<Vec<i64>> = log
        .lines()
        .filter_map(|line| line.strip_prefix("clocks: ["))
        .map(|list| list.trim_end_matches(']').split(", ").map(|c| c.parse().unwrap()).collect())
        .collect();
    series.push(finals);
    for pair in series.windows(2) {
        assert!(pair[0].iter().zip(&pair[1]).all(|(a, b)| a <= b), "a clock went back:\n{log}");
    }
}
