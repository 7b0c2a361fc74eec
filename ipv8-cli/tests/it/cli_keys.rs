//! `ipv8 keygen` and `ipv8 key show` as a user runs them: output in text and JSON, no silent
//! overwrites, and bad key files reported by name with a non-zero exit, never a panic.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use serde_json::Value;

fn ipv8(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ipv8")).args(args).current_dir(dir).output().unwrap()
}

fn stdout(output: &Output) -> String {
    assert!(output.status.success(), "failed: {}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn json(output: &Output) -> Value {
    serde_json::from_str(&stdout(output)).unwrap()
}

/// The stderr of a failed run, checked to be a clean error.
fn failure(output: &Output) -> String {
    assert!(!output.status.success());
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert!(!stderr.contains("panicked"), "{stderr}");
    stderr
}

#[test]
fn keygen_writes_a_key_that_key_show_describes() {
    let dir = tempfile::tempdir().unwrap();
    let made = json(&ipv8(&["keygen", "--out", "ec_multichain.pem", "--json"], dir.path()));
    assert_eq!(made["curve"], "curve25519");
    assert_eq!(fs::read(dir.path().join("ec_multichain.pem")).unwrap().len(), 74);
    let shown = json(&ipv8(&["key", "show", "ec_multichain.pem", "--json"], dir.path()));
    assert_eq!(shown, made);
    let public_hex = shown["public_key_hex"].as_str().unwrap();
    assert!(public_hex.starts_with("4c69624e61434c504b3a"));
    assert_eq!(shown["mid_hex"].as_str().unwrap().len(), 40);
    assert_eq!(shown["signature_len"], 64);
}

#[test]
fn key_show_prints_the_curve_public_key_and_mid_as_text() {
    let dir = tempfile::tempdir().unwrap();
    let made =
        json(&ipv8(&["keygen", "--curve", "very-low", "--out", "k.pem", "--json"], dir.path()));
    let text = stdout(&ipv8(&["key", "show", "k.pem"], dir.path()));
    let expected = format!(
        "file:              k.pem\n\
         curve:             very-low (sect163k1)\n\
         public key base64: {}\n\
         public key hex:    {}\n\
         mid base64:        {}\n\
         mid hex:           {}\n",
        made["public_key_base64"].as_str().unwrap(),
        made["public_key_hex"].as_str().unwrap(),
        made["mid_base64"].as_str().unwrap(),
        made["mid_hex"].as_str().unwrap(),
    );
    assert_eq!(text, expected);
}

#[test]
fn keygen_refuses_to_overwrite_without_force() {
    let dir = tempfile::tempdir().unwrap();
    let first = json(&ipv8(&["keygen", "--out", "k.pem", "--json"], dir.path()));
    let stderr = failure(&ipv8(&["keygen", "--out", "k.pem"], dir.path()));
    assert_eq!(stderr, "error: key file k.pem already exists; pass --force to replace it\n");
    let kept = json(&ipv8(&["key", "show", "k.pem", "--json"], dir.path()));
    assert_eq!(kept["public_key_hex"], first["public_key_hex"]);
    let second = json(&ipv8(&["keygen", "--out", "k.pem", "--force", "--json"], dir.path()));
    assert_ne!(second["public_key_hex"], first["public_key_hex"]);
}

#[test]
fn every_curve_can_be_generated() {
    let dir = tempfile::tempdir().unwrap();
    for (level, curve_name, signature_len) in [
        ("curve25519", "curve25519", 64),
        ("very-low", "sect163k1", 42),
        ("low", "sect233k1", 60),
        ("medium", "sect409k1", 104),
        ("high", "sect571k1", 144),
    ] {
        let made = json(&ipv8(&["keygen", "--curve", level, "--out", level, "--json"], dir.path()));
        assert_eq!(made["curve"], level);
        assert_eq!(made["curve_name"], curve_name);
        assert_eq!(made["signature_len"], signature_len);
    }
    let stderr = failure(&ipv8(&["keygen", "--curve", "secp256k1", "--out", "x"], dir.path()));
    assert!(stderr.contains("invalid value 'secp256k1' for '--curve <CURVE>'"), "{stderr}");
}

#[test]
fn bad_key_files_are_named_with_their_problem() {
    let dir = tempfile::tempdir().unwrap();
    ipv8(&["keygen", "--out", "good.pem"], dir.path());
    let good = fs::read(dir.path().join("good.pem")).unwrap();
    fs::write(dir.path().join("truncated.pem"), &good[..40]).unwrap();
    fs::write(dir.path().join("garbage.pem"), b"not a key at all").unwrap();
    fs::write(dir.path().join("empty.pem"), b"").unwrap();
    for (file, problem) in [
        ("truncated.pem", "truncated curve25519 private key: 40 bytes, expected 74"),
        ("garbage.pem", "unknown key format (expected LibNaCL binary, PEM or DER)"),
        ("empty.pem", "empty key"),
    ] {
        let stderr = failure(&ipv8(&["key", "show", file], dir.path()));
        assert_eq!(stderr, format!("error: invalid key file {file}: {problem}\n"));
    }
    let stderr = failure(&ipv8(&["key", "show", "missing.pem"], dir.path()));
    assert!(stderr.starts_with("error: cannot read key file missing.pem: "), "{stderr}");
}

#[test]
fn without_a_command_the_help_is_shown() {
    let dir = tempfile::tempdir().unwrap();
    let stderr = failure(&ipv8(&[], dir.path()));
    assert!(stderr.contains("keygen") && stderr.contains("key"), "{stderr}");
}

/// Starts `ipv8 run` on loopback with `--key FILE` and returns the mid it reports.
fn run_with_key(dir: &Path, file: &str) -> String {
    use std::io::{BufRead as _, BufReader};
    let mut child = Command::new(env!("CARGO_BIN_EXE_ipv8"))
        .args(["run", "--key", file, "--ip", "127.0.0.1", "--port", "0"])
        .args(["--bootstrap", "127.0.0.1:9", "--status-interval", "60"])
        .current_dir(dir)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let line =
        BufReader::new(stdout).lines().map_while(Result::ok).find(|l| l.starts_with("node "));
    child.kill().unwrap();
    child.wait().unwrap();
    let line = line.expect("ipv8 run reports its node");
    line.split_whitespace().nth(1).unwrap().to_owned()
}

#[test]
fn run_uses_the_key_file_it_is_given_and_makes_a_missing_one() {
    let dir = tempfile::tempdir().unwrap();
    let made = json(&ipv8(&["keygen", "--out", "mine.pem", "--json"], dir.path()));
    assert_eq!(run_with_key(dir.path(), "mine.pem"), made["mid_hex"].as_str().unwrap());

    let fresh = run_with_key(dir.path(), "fresh.pem");
    let shown = json(&ipv8(&["key", "show", "fresh.pem", "--json"], dir.path()));
    assert_eq!(fresh, shown["mid_hex"].as_str().unwrap(), "made, kept and used");
    assert_ne!(fresh, made["mid_hex"].as_str().unwrap());
}
