//! Tasks that run real py-ipv8: a venv under `target/py-venv` with the pinned `xtask/py/requirements.txt`.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{Context, bail};

use crate::project_root;

/// `cargo xtask vectors`: regenerates `schemas/vectors/` with py-ipv8.
pub(crate) fn vectors() -> anyhow::Result<()> {
    let python = venv()?;
    let root = project_root();
    run(Command::new(python)
        .arg(root.join("xtask/py/capture_vectors.py"))
        .arg(root.join("schemas/vectors")))
}

/// `cargo xtask bench-py`: py-ipv8's serializer timings.
pub(crate) fn bench() -> anyhow::Result<()> {
    let python = venv()?;
    run(Command::new(python).arg(project_root().join("xtask/py/bench_serializer.py")))
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
    let requirements = root.join("xtask/py/requirements.txt");
    let stamp = dir.join("requirements.installed");
    let wanted =
        std::fs::read_to_string(&requirements).context("reading xtask/py/requirements.txt")?;
    if std::fs::read_to_string(&stamp).ok().as_deref() != Some(wanted.as_str()) {
        run(Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(&requirements))?;
        std::fs::write(&stamp, wanted)?;
    }
    Ok(python)
}

fn run(command: &mut Command) -> anyhow::Result<()> {
    let status = command.status().with_context(|| format!("running {command:?}"))?;
    if !status.success() {
        bail!("{command:?} failed: {status}");
    }
    Ok(())
}
