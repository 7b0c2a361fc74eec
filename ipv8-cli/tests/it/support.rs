//! Runs cargo on a crate outside the workspace (a generated crate, a fixture), offline, into this
//! workspace's `target/` and with its lock file, so that the dependencies the workspace has already
//! built are reused.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus};
use std::thread::sleep;
use std::time::{Duration, Instant};

/// Runs `cargo SUBCOMMAND --offline` in `krate` with this workspace's target directory, killed
/// after `limit`; returns its status and its stdout and stderr.
pub(crate) fn cargo(krate: &Path, subcommand: &str, limit: Duration) -> (ExitStatus, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let target = PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../target"));
    // The workspace's lock file pins the versions the workspace has built: without it cargo
    // resolves the newest ones and builds a second copy of the whole dependency tree.
    let lock = krate.join("Cargo.lock");
    if !lock.exists() {
        fs::copy(concat!(env!("CARGO_MANIFEST_DIR"), "/../Cargo.lock"), &lock).unwrap();
    }
    let log_path = krate.join(format!("{subcommand}.log"));
    let log = File::create(&log_path).unwrap();
    let mut child = Command::new(cargo)
        .args([subcommand, "--offline"])
        .current_dir(krate)
        .env("CARGO_TARGET_DIR", target)
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            child.kill().unwrap();
            child.wait().unwrap();
            panic!("cargo {subcommand} took over {limit:?}:\n{}", read(&log_path));
        }
        sleep(Duration::from_millis(100));
    };
    (status, read(&log_path))
}

pub(crate) fn read(path: &Path) -> String {
    String::from_utf8_lossy(&fs::read(path).unwrap()).into_owned()
}
