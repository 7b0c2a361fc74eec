//! `ipv8 keygen` and `ipv8 key show` against live py-ipv8 3.2.1 (`xtask/py/keys_interop.py`): key files
//! written by `ipv8 keygen` load in py-ipv8 to the same public key and mid, and key files written by
//! py-ipv8 are shown by `ipv8 key show` with py-ipv8's public key and mid, for curve25519 and every
//! legacy level.
//!
//! The interpreter is `$IPV8_PYTHON`, else `target/py-venv/bin/python` (made by `cargo xtask vectors`
//! and `cargo xtask ci`). Without it these tests fail; they never skip. Nothing touches the network.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::{Value, json};

const LEVELS: [&str; 5] = ["curve25519", "very-low", "low", "medium", "high"];

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python with py-ipv8 3.2.1 installed; panics with how to get it when there is none.
fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("IPV8_PYTHON") {
        return python.into();
    }
    let python = workspace().join("target/py-venv/bin/python");
    assert!(
        python.exists(),
        "the py-ipv8 interop tests need py-ipv8 3.2.1: {} is missing; run `cargo xtask vectors` \
         to create the venv (or set IPV8_PYTHON to a Python that has pyipv8==3.2.1)",
        python.display()
    );
    python
}

/// Runs the requests through py-ipv8 and returns its answers, one per request.
fn py(requests: &[Value]) -> Vec<Value> {
    let python = python();
    let mut child = Command::new(&python)
        .arg(workspace().join("xtask/py/keys_interop.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run {} ({err}); run `cargo xtask vectors` to create the py-ipv8 venv",
                python.display()
            )
        });
    child.stdin.take().unwrap().write_all(&serde_json::to_vec(requests).unwrap()).unwrap();
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "keys_interop.py failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}

/// `ipv8 <args> --json`, parsed.
fn ipv8_json(args: &[&str]) -> Value {
    let output =
        Command::new(env!("CARGO_BIN_EXE_ipv8")).args(args).arg("--json").output().unwrap();
    assert!(output.status.success(), "ipv8 {args:?}: {}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

#[test]
fn keys_from_ipv8_keygen_load_in_py_ipv8() {
    let dir = tempfile::tempdir().unwrap();
    let mut made = Vec::new();
    let mut requests = Vec::new();
    for level in LEVELS {
        let path = dir.path().join(format!("{level}.pem"));
        made.push(ipv8_json(&["keygen", "--curve", level, "--out", path_str(&path)]));
        requests.push(json!({"op": "load", "path": path}));
    }
    for (theirs, ours) in py(&requests).iter().zip(&made) {
        assert_eq!(theirs["public"], ours["public_key_hex"], "{theirs} vs {ours}");
        assert_eq!(theirs["mid"], ours["mid_hex"]);
        assert_eq!(theirs["curve"], ours["curve_name"]);
        assert_eq!(theirs["sig_len"], ours["signature_len"]);
    }
}

#[test]
fn keys_from_py_ipv8_are_shown_by_ipv8_key_show() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> =
        LEVELS.iter().map(|level| dir.path().join(format!("py-{level}.pem"))).collect();
    let requests: Vec<_> = LEVELS
        .iter()
        .zip(&paths)
        .map(|(level, path)| json!({"op": "generate", "level": level, "out": path}))
        .collect();
    for ((theirs, path), level) in py(&requests).iter().zip(&paths).zip(LEVELS) {
        let ours = ipv8_json(&["key", "show", path_str(path)]);
        assert_eq!(ours["curve"], level);
        assert_eq!(ours["curve_name"], theirs["curve"]);
        assert_eq!(ours["public_key_hex"], theirs["public"]);
        assert_eq!(ours["mid_hex"], theirs["mid"]);
        assert_eq!(ours["signature_len"], theirs["sig_len"]);
    }
}
