//! `cargo xtask ci`: every gate CI runs, in order, stopping at the first failure.

use std::process::Command;

use anyhow::{Context, bail};

use crate::{codegen, project_root, python};

/// Runs formatting, lints, codegen freshness, vector reproduction with py-ipv8, all tests and docs.
/// The fuzz targets are workspace members, so clippy's `--all-targets` type-checks them; linking
/// them all (64 binaries) is left to `cargo xtask fuzz`, which builds them with sanitizers anyway.
pub(crate) fn run() -> anyhow::Result<()> {
    step("cargo fmt --check", cargo(&["fmt", "--all", "--", "--check"]))?;
    step(
        "cargo clippy",
        cargo(&["clippy", "--workspace", "--all-targets", "--locked", "--", "-D", "warnings"]),
    )?;
    step(
        "sans-IO core builds and passes its unit tests without optional features",
        cargo(&["test", "-p", "ipv8", "--no-default-features", "--lib", "--locked"]),
    )?;
    println!("==> codegen freshness");
    codegen::run(true)?;
    println!("==> golden vectors reproduced by py-ipv8");
    python::vectors(true)?;
    println!("==> nftables for the NAT lab");
    ensure_nft()?;
    step("cargo test", cargo(&["test", "--workspace", "--locked"]))?;
    println!("==> examples with expected output");
    crate::examples::run()?;
    println!("==> interop with py-ipv8 (loopback)");
    python::interop()?;
    println!("==> the REST dashboard in headless Chromium (loopback)");
    crate::ui_test::run()?;
    println!("==> REST API fuzzing with schemathesis (loopback)");
    crate::api_fuzz::run(crate::api_fuzz::EXAMPLES)?;
    let mut doc = cargo(&["doc", "--workspace", "--no-deps", "--locked"]);
    doc.env("RUSTDOCFLAGS", "-D warnings -D rustdoc::broken_intra_doc_links");
    step("cargo doc", doc)?;
    println!("==> all CI gates passed");
    Ok(())
}

/// The NAT lab (`ipv8-cli/tests/it/dht_nat_netns.rs`) builds its NAT routers with nftables' `nft`;
/// Debian's package is installed when it is missing.
fn ensure_nft() -> anyhow::Result<()> {
    let present = || {
        Command::new("nft").arg("--version").output().is_ok_and(|output| output.status.success())
    };
    if present() {
        return Ok(());
    }
    let install = || {
        Command::new("apt-get")
            .args(["install", "-y", "--no-install-recommends", "nftables"])
            .env("DEBIAN_FRONTEND", "noninteractive")
            .status()
            .is_ok_and(|status| status.success())
    };
    if !install() {
        let _ = Command::new("apt-get").arg("update").status();
        if !install() {
            bail!("nftables (`nft`) is missing and could not be installed with apt-get");
        }
    }
    if present() { Ok(()) } else { bail!("`nft` is still missing after installing nftables") }
}

fn cargo(args: &[&str]) -> Command {
    let mut command = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command.args(args).current_dir(project_root());
    command
}

fn step(name: &str, mut command: Command) -> anyhow::Result<()> {
    println!("==> {name}");
    let status = command.status().with_context(|| format!("starting {name}"))?;
    if !status.success() {
        bail!("{name} failed: {status}");
    }
    Ok(())
}
