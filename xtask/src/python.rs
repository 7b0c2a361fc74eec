//! Tasks that run real py-ipv8: a venv under `target/py-venv` with the pinned `xtask/py/requirements.txt`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::project_root;

/// `cargo xtask vectors`: regenerates `schemas/vectors/` with py-ipv8; with `check`, captures into
/// `target/vectors-check/` instead and fails unless every committed file is reproduced exactly.
pub(crate) fn vectors(check: bool) -> anyhow::Result<()> {
    let python = venv()?;
    let root = project_root();
    let committed = root.join("schemas/vectors");
    let out = if check { root.join("target/vectors-check") } else { committed.clone() };
    if check && out.exists() {
        std::fs::remove_dir_all(&out).context("clearing target/vectors-check")?;
    }
    run(Command::new(&python).arg(root.join("xtask/py/capture_vectors.py")).arg(&out))?;
    let formats = out.join("formats.json");
    run(Command::new(&python).arg(root.join("xtask/py/capture_formats.py")).arg(formats))?;
    if check {
        compare_trees(&committed, &out)?;
        println!("committed vectors are reproduced exactly by py-ipv8");
    }
    Ok(())
}

/// Fails unless both folders hold the same files with the same bytes.
fn compare_trees(committed: &Path, fresh: &Path) -> anyhow::Result<()> {
    let (ours, theirs) = (files(committed)?, files(fresh)?);
    if ours.keys().ne(theirs.keys()) {
        bail!("vector files differ: committed {:?}, captured {:?}", ours.keys(), theirs.keys());
    }
    let stale: Vec<_> = ours
        .iter()
        .filter(|(name, bytes)| theirs.get(*name) != Some(bytes))
        .map(|(name, _)| name)
        .collect();
    if !stale.is_empty() {
        bail!(
            "py-ipv8 now captures different vectors for {stale:?}; run `cargo xtask vectors` and review"
        );
    }
    Ok(())
}

/// Every file below `dir`, by path relative to it.
fn files(dir: &Path) -> anyhow::Result<BTreeMap<PathBuf, Vec<u8>>> {
    let mut found = BTreeMap::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(current) = pending.pop() {
        for entry in
            std::fs::read_dir(&current).with_context(|| format!("reading {}", current.display()))?
        {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.insert(path.strip_prefix(dir)?.to_path_buf(), std::fs::read(&path)?);
            }
        }
    }
    Ok(found)
}

/// `cargo xtask interop`: real py-ipv8 peers against the `ipv8` binary, on loopback only.
pub(crate) fn interop() -> anyhow::Result<()> {
    let python = venv()?;
    let root = project_root();
    cargo_build(&[
        "--example",
        "interop_peer",
        "--example",
        "interop_identities",
        "--example",
        "interop_dht",
        "--example",
        "interop_tunnel",
        "--example",
        "interop_hidden",
        "--example",
        "interop_attestation",
    ])?;
    let script = root.join("xtask/py/interop.py");
    let ipv8 = root.join("target/debug/ipv8");
    let peer = root.join("target/debug/examples/interop_peer");
    let identities = root.join("target/debug/examples/interop_identities");
    let dht = root.join("target/debug/examples/interop_dht");
    let tunnel = root.join("target/debug/examples/interop_tunnel");
    let hidden = root.join("target/debug/examples/interop_hidden");
    let attestation = root.join("target/debug/examples/interop_attestation");
    run(Command::new(python)
        .arg(script)
        .arg("--ipv8-bin")
        .arg(ipv8)
        .arg("--peer-bin")
        .arg(peer)
        .arg("--identities-bin")
        .arg(identities)
        .arg("--dht-bin")
        .arg(dht)
        .arg("--tunnel-bin")
        .arg(tunnel)
        .arg("--hidden-bin")
        .arg(hidden)
        .arg("--attestation-bin")
        .arg(attestation))
}

/// Builds the `ipv8` binary and the given extra targets of the `ipv8` crate.
pub(crate) fn cargo_build(extra: &[&str]) -> anyhow::Result<()> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let base = ["build", "--locked", "-p", "ipv8-cli", "-p", "ipv8", "--bin", "ipv8"];
    run(Command::new(cargo).args(base).args(extra).current_dir(project_root()))
}

/// `cargo xtask bench-py`: py-ipv8's serializer timings.
pub(crate) fn bench() -> anyhow::Result<()> {
    let python = venv()?;
    run(Command::new(python).arg(project_root().join("xtask/py/bench_serializer.py")))
}

/// `cargo xtask bench-dht`: DHT lookup latency, py-ipv8's network of 20 against ours.
pub(crate) fn bench_dht() -> anyhow::Result<()> {
    let python = venv()?;
    let root = project_root();
    cargo_build(&["--release", "--example", "dht_ops"])?;
    run(Command::new(python)
        .arg(root.join("xtask/py/bench_dht.py"))
        .arg("--ipv8-bin")
        .arg(root.join("target/release/ipv8"))
        .arg("--ops-bin")
        .arg(root.join("target/release/examples/dht_ops")))
}

/// `cargo xtask bench-tunnels`: tunnel throughput, build time and CPU per MB on loopback networks
/// of ours, py-ipv8's, and py-ipv8's with `ipv8_rust_tunnels`' endpoint.
pub(crate) fn bench_tunnels(seconds: f64) -> anyhow::Result<()> {
    let python = venv()?;
    let root = project_root();
    cargo_build(&["--release", "--example", "tunnel_throughput"])?;
    run(Command::new(python)
        .arg(root.join("xtask/py/bench_tunnels.py"))
        .arg("--ipv8-bin")
        .arg(root.join("target/release/ipv8"))
        .arg("--throughput-bin")
        .arg(root.join("target/release/examples/tunnel_throughput"))
        .arg("--seconds")
        .arg(seconds.to_string()))
}

/// `cargo xtask bench-attestation`: attestation timings on one core, py-ipv8's and ours.
pub(crate) fn bench_attestation(runs: u32) -> anyhow::Result<()> {
    let python = venv()?;
    let root = project_root();
    cargo_build(&["--release", "--example", "attestation_bench"])?;
    run(Command::new(python)
        .arg(root.join("xtask/py/bench_attestation.py"))
        .arg("--bench-bin")
        .arg(root.join("target/release/examples/attestation_bench"))
        .arg("--runs")
        .arg(runs.to_string()))
}

/// Creates the venv if needed, installs the pinned requirements, and returns its Python.
pub(crate) fn venv() -> anyhow::Result<PathBuf> {
    let root = project_root();
    let dir = root.join("target/py-venv");
    let python = dir.join("bin/python");
    if !python.exists() {
        let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
        run(Command::new(system).args(["-m", "venv"]).arg(&dir))?;
    }
    install(&python, "requirements")?;
    Ok(python)
}

/// Installs the pinned `xtask/py/NAME.txt` into the venv of `python` unless the same file was
/// installed last time (a stamp `NAME.installed` in the venv remembers it).
pub(crate) fn install(python: &Path, name: &str) -> anyhow::Result<()> {
    let requirements = project_root().join(format!("xtask/py/{name}.txt"));
    let venv = python.parent().and_then(Path::parent).context("the venv of its python")?;
    let stamp = venv.join(format!("{name}.installed"));
    let wanted = std::fs::read_to_string(&requirements)
        .with_context(|| format!("reading {}", requirements.display()))?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        run(Command::new(python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(&requirements))?;
        std::fs::write(&stamp, wanted)?;
    }
    Ok(())
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}
