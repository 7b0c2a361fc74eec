//! `cargo xtask fuzz --seconds N [--runs N] [--target NAME] [--shard I/N] [--sanitizer KIND]`:
//! runs the fuzz targets with cargo-fuzz on the nightly toolchain, each for N seconds or N
//! executions, whichever comes first, on its committed corpus (`fuzz/corpus/TARGET`), and prints
//! the executions per target and any crash. `--shard I/N` takes every N-th target from the I-th,
//! so N shells share the targets. With `--minimize`, each corpus is then shrunk to the inputs
//! that add coverage (libFuzzer's merge, as `cargo fuzz cmin`).
//!
//! Fuzz builds sign with a hash instead of Ed25519 (`--cfg fuzzing`, see `ipv8::crypto`), so the
//! node-level targets spend their time on protocol logic rather than curve arithmetic.
//!
//! cargo-fuzz is installed into `target/cargo-fuzz` the first time, so nothing needs to be
//! installed beforehand but a nightly toolchain (`rustup toolchain install nightly`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, bail};

use crate::project_root;

/// Longest input the fuzzer makes, so that corpora stay small.
const MAX_LEN: u32 = 1024;
/// Seconds one input may take before it counts as a hang.
const TIMEOUT: u32 = 10;

/// What one target's run gave.
struct Outcome {
    target: String,
    execs: u64,
    crashes: Vec<PathBuf>,
}

/// How long each target runs, and how it is built.
pub(crate) struct Budget {
    /// Seconds per target at most.
    pub(crate) seconds: u32,
    /// Executions per target at most (`None`: no limit).
    pub(crate) runs: Option<u64>,
    /// cargo-fuzz's sanitizer (`address`, `none`, ...).
    pub(crate) sanitizer: String,
}

/// Runs `target`, or every target of the shard (`index`, `count`), within `budget` each.
pub(crate) fn run(
    budget: &Budget,
    target: Option<&str>,
    shard: (usize, usize),
    minimize: bool,
) -> anyhow::Result<()> {
    let cargo_fuzz = install()?;
    let targets = match target {
        Some(name) => vec![name.to_owned()],
        None => targets()?,
    };
    let (index, count) = shard;
    if count == 0 || index >= count {
        bail!("--shard I/N needs I < N");
    }
    let mut outcomes = Vec::new();
    for target in targets.iter().skip(index).step_by(count) {
        let runs = budget.runs.map_or_else(String::new, |runs| format!(" or {runs} executions"));
        println!("fuzzing {target} for {} s{runs}", budget.seconds);
        outcomes.push(fuzz(&cargo_fuzz, target, budget)?);
        if minimize {
            self::minimize(target)?;
        }
    }
    report(&outcomes)
}

/// Reads `I/N` (a shard of the targets).
pub(crate) fn parse_shard(text: &str) -> Result<(usize, usize), String> {
    let (index, count) = text.split_once('/').ok_or("a shard is I/N, e.g. 0/2")?;
    let parse = |part: &str| part.trim().parse::<usize>().map_err(|e| format!("{part:?}: {e}"));
    Ok((parse(index)?, parse(count)?))
}

/// The path of cargo-fuzz, installed into `target/cargo-fuzz` unless it is there.
fn install() -> anyhow::Result<PathBuf> {
    let root = project_root().join("target/cargo-fuzz");
    let binary = root.join("bin/cargo-fuzz");
    if binary.exists() {
        return Ok(binary);
    }
    println!("installing cargo-fuzz into {}", root.display());
    let status = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
        .args(["install", "cargo-fuzz", "--locked", "--root"])
        .arg(&root)
        .status()
        .context("running cargo install cargo-fuzz")?;
    if !status.success() {
        bail!("cargo install cargo-fuzz failed: {status}");
    }
    Ok(binary)
}

/// The fuzz targets: the files of `fuzz/fuzz_targets`, sorted.
fn targets() -> anyhow::Result<Vec<String>> {
    let dir = project_root().join("fuzz/fuzz_targets");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .filter_map(|path| path.file_stem().and_then(|s| s.to_str()).map(str::to_owned))
        .collect();
    names.sort();
    Ok(names)
}

/// cargo-fuzz's `SUBCOMMAND TARGET` on the nightly toolchain, from the project root.
fn cargo_fuzz(binary: &Path, subcommand: &str, target: &str) -> Command {
    let mut command = Command::new(binary);
    command
        .args(["fuzz", subcommand, target])
        .current_dir(project_root())
        .env("RUSTUP_TOOLCHAIN", "nightly")
        .env_remove("CARGO")
        .env_remove("RUSTC")
        .env_remove("RUSTDOC");
    command
}

/// Runs `target` within `budget`.
fn fuzz(binary: &Path, target: &str, budget: &Budget) -> anyhow::Result<Outcome> {
    let corpus = project_root().join("fuzz/corpus").join(target);
    std::fs::create_dir_all(&corpus)?;
    let artifacts = project_root().join("fuzz/artifacts").join(target);
    let before = crashes(&artifacts);
    let mut command = cargo_fuzz(binary, "run", target);
    command.args(["--sanitizer", &budget.sanitizer, "--"]);
    if let Some(runs) = budget.runs {
        command.arg(format!("-runs={runs}"));
    }
    let output = command
        .arg(format!("-max_total_time={}", budget.seconds))
        .arg(format!("-max_len={MAX_LEN}"))
        .arg(format!("-timeout={TIMEOUT}"))
        .arg("-print_final_stats=1")
        .output()
        .with_context(|| format!("running cargo fuzz run {target}"))?;
    let log = String::from_utf8_lossy(&output.stderr);
    let crashes: Vec<PathBuf> =
        crashes(&artifacts).into_iter().filter(|path| !before.contains(path)).collect();
    if !output.status.success() && crashes.is_empty() {
        bail!("cargo fuzz run {target} failed: {}\n{}", output.status, tail(&log));
    }
    if !crashes.is_empty() {
        println!("{}", tail(&log));
    }
    Ok(Outcome { target: target.to_owned(), execs: execs(&log), crashes })
}

/// Shrinks the corpus of `target` to the inputs that add coverage: libFuzzer's merge into a new
/// directory with the binary `run` built (what `cargo fuzz cmin` does, without building again).
fn minimize(target: &str) -> anyhow::Result<()> {
    let root = project_root();
    let fuzzer = root.join("target/x86_64-unknown-linux-gnu/release").join(target);
    let corpus = root.join("fuzz/corpus").join(target);
    let merged = root.join("fuzz/corpus").join(format!("{target}.merged"));
    std::fs::create_dir_all(&merged)?;
    let status = Command::new(&fuzzer)
        .arg("-merge=1")
        .arg(format!("-max_len={MAX_LEN}"))
        .args([&merged, &corpus])
        .output()
        .with_context(|| format!("running {} -merge=1", fuzzer.display()))?
        .status;
    if !status.success() {
        bail!("minimizing the corpus of {target} failed: {status}");
    }
    std::fs::remove_dir_all(&corpus)?;
    std::fs::rename(&merged, &corpus)?;
    Ok(())
}

/// The crash, leak and timeout inputs libFuzzer left in `artifacts`.
fn crashes(artifacts: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(artifacts) else { return Vec::new() };
    entries
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.file_name().and_then(|n| n.to_str()).is_some_and(is_finding))
        .collect()
}

fn is_finding(name: &str) -> bool {
    ["crash-", "leak-", "timeout-", "oom-"].iter().any(|prefix| name.starts_with(prefix))
}

/// The executions libFuzzer's final statistics give.
fn execs(log: &str) -> u64 {
    log.lines()
        .find_map(|line| line.strip_prefix("stat::number_of_executed_units:"))
        .and_then(|count| count.trim().parse().ok())
        .unwrap_or(0)
}

/// The last lines of a log, where libFuzzer says what went wrong.
fn tail(log: &str) -> String {
    let lines: Vec<&str> = log.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}

/// Prints executions and crashes per target; fails when a target crashed.
fn report(outcomes: &[Outcome]) -> anyhow::Result<()> {
    println!("{:<45} {:>14}  crashes", "target", "executions");
    for outcome in outcomes {
        println!("{:<45} {:>14}  {}", outcome.target, outcome.execs, outcome.crashes.len());
        for crash in &outcome.crashes {
            println!("    {}", crash.display());
        }
    }
    let crashed = outcomes.iter().filter(|o| !o.crashes.is_empty()).count();
    if crashed > 0 {
        bail!("{crashed} targets crashed; reproduce with `cargo +nightly fuzz run TARGET FILE`");
    }
    Ok(())
}
