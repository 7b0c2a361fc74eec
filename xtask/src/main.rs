//! Project automation for rust-ipv8, run as `cargo xtask <task>`.
//!
//! - `codegen`: writes the Rust payload definitions generated from `schemas/messages/*.toml`.
//! - `vectors`: installs py-ipv8 in a venv under `target/` and regenerates `schemas/vectors/`.
//! - `ci`: every gate CI runs (the README's test command).
//! - `interop`: real py-ipv8 peers against the `ipv8` binary, on loopback only.
//! - `examples`: runs the examples that have an expected output and compares it.
//! - `bench-py`: measures py-ipv8's serializer on this machine, for comparison with our criterion numbers.
//! - `bench-dht`: DHT lookup latency on 20 loopback nodes, py-ipv8's against ours, in one run.
//! - `bench-tunnels`: tunnel throughput, build time and CPU per MB, ours against py-ipv8's.
//! - `bench-attestation`: attestation keys, attests and proofs on one core, ours against py-ipv8's.
//! - `bench-bootstrap`: bootstrap servers answering signed introduction-requests under load,
//!   py-ipv8's node against our node and tracker (answers/s, CPU per answer).
//! - `fuzz`: runs every fuzz target (cargo-fuzz, nightly) for some seconds on its committed corpus.
//! - `ui-test`: the REST API's dashboard in headless Chromium against two loopback nodes.
//! - `api-fuzz`: schemathesis against the REST API's `OpenAPI` document, on a loopback node.
//! - `natlab`: NAT traversal measured in network namespaces: every pair of NAT kinds, Rust and
//!   py-ipv8 peers.

mod api_fuzz;
mod bench_bootstrap;
mod ci;
mod codegen;
mod examples;
mod fuzz;
mod natlab;
mod python;
mod schema;
mod ui_test;

use std::path::{Path, PathBuf};

use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(about = "rust-ipv8 project automation")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate the Rust payload definitions from the schemas.
    Codegen {
        /// Only check that the committed files are up to date.
        #[arg(long)]
        check: bool,
    },
    /// Regenerate the golden vectors with real py-ipv8 (installed into a venv under target/).
    Vectors {
        /// Capture into target/ and fail unless the committed vectors are reproduced exactly.
        #[arg(long)]
        check: bool,
    },
    /// Load the REST API's dashboard (`/ui`) in headless Chromium (Debian's, installed if
    /// missing) against two nodes and a tracker on loopback; screenshot in `target/ui-test/`.
    UiTest,
    /// Run every CI gate: fmt, clippy, codegen freshness, tests, docs, fuzz build.
    Ci,
    /// Run the examples that have an expected output (`ipv8/examples/NAME.stdout`) and compare.
    Examples,
    /// Run the interoperability scenarios: real py-ipv8 peers against our binary, on loopback.
    Interop,
    /// Measure py-ipv8's serializer on this machine (ns per operation).
    BenchPy,
    /// Measure DHT lookup latency on 20 loopback nodes: py-ipv8's network, then ours (release).
    BenchDht,
    /// Measure tunnel throughput (1 and 3 hops), circuit build time and CPU per MB on loopback:
    /// ours, py-ipv8's, and py-ipv8 with `ipv8_rust_tunnels`' endpoint (release).
    BenchTunnels {
        /// Seconds of sending per network.
        #[arg(long, default_value_t = 3.0)]
        seconds: f64,
    },
    /// Time attestation key generation, attesting and whole proofs (exact values and ranges) on
    /// one core: py-ipv8's code and ours (release), with the ratio.
    BenchAttestation {
        /// Runs per measurement (the median is printed).
        #[arg(long, default_value_t = 10)]
        runs: u32,
    },
    /// Load bootstrap servers with signed introduction-requests on loopback: a py-ipv8 node, our
    /// node and `ipv8 tracker` (without and with signature workers); answers per second and CPU
    /// time per answer, at a moderate rate, a high one and flat out (release).
    BenchBootstrap {
        /// The moderate rate, in requests per second.
        #[arg(long, default_value_t = 2000)]
        rate: u32,
        /// Seconds per phase.
        #[arg(long, default_value_t = 4.0)]
        seconds: f64,
    },
    /// Run the fuzz targets with cargo-fuzz on the nightly toolchain (installed into
    /// `target/cargo-fuzz` if missing), on their corpora in `fuzz/corpus`, and print executions
    /// and crashes per target.
    Fuzz {
        /// Seconds per target (at most).
        #[arg(long, default_value_t = 30)]
        seconds: u32,
        /// Executions per target at most (libFuzzer's `-runs`); the seconds still bound it.
        #[arg(long)]
        runs: Option<u64>,
        /// Only this target (a file stem of `fuzz/fuzz_targets`).
        #[arg(long)]
        target: Option<String>,
        /// Every N-th target from the I-th (`I/N`), so that N shells share the targets.
        #[arg(long, default_value = "0/1", value_parser = fuzz::parse_shard)]
        shard: (usize, usize),
        /// cargo-fuzz's sanitizer: `address` (the default) or `none` (about twice as fast; the
        /// code under test is safe Rust).
        #[arg(long, default_value = "address")]
        sanitizer: String,
        /// Afterwards shrink each corpus to the inputs that add coverage (libFuzzer's merge).
        #[arg(long)]
        minimize: bool,
    },
    /// Fuzz the REST API with schemathesis (installed into the venv) against its `OpenAPI`
    /// document, on a node and a tracker on loopback: no undocumented 5xx, no crash or hang.
    ApiFuzz {
        /// Generated requests per operation at most.
        #[arg(long, default_value_t = api_fuzz::EXAMPLES)]
        examples: u32,
    },
    /// Measure NAT traversal: for every pair of NAT kinds (full-cone, address-restricted,
    /// port-restricted, symmetric, symmetric-sequential; nftables in network namespaces, needs
    /// root) and every pairing of Rust and py-ipv8 peers, whether the two peers find each other
    /// through a tracker and how long it takes; the table goes to `target/natlab/table.md`.
    Natlab(natlab::Options),
}

fn main() -> anyhow::Result<()> {
    match Cli::parse().task {
        Task::Codegen { check } => codegen::run(check),
        Task::Vectors { check } => python::vectors(check),
        Task::BenchPy => python::bench(),
        Task::BenchDht => python::bench_dht(),
        Task::BenchTunnels { seconds } => python::bench_tunnels(seconds),
        Task::BenchAttestation { runs } => python::bench_attestation(runs),
        Task::BenchBootstrap { rate, seconds } => bench_bootstrap::run(rate, seconds),
        Task::Ci => ci::run(),
        Task::Interop => python::interop(),
        Task::UiTest => ui_test::run(),
        Task::Examples => examples::run(),
        Task::Fuzz { seconds, runs, target, shard, sanitizer, minimize } => {
            let budget = fuzz::Budget { seconds, runs, sanitizer };
            fuzz::run(&budget, target.as_deref(), shard, minimize)
        }
        Task::ApiFuzz { examples } => api_fuzz::run(examples),
        Task::Natlab(options) => natlab::run(&options),
    }
}

/// The workspace root.
fn project_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map_or_else(|| PathBuf::from("."), Path::to_path_buf)
}
