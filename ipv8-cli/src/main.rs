//! The `ipv8` command. This release prints its version and help; `run`, `tracker`, `keygen`, `key show`
//! and `new` arrive with the node, identities and scaffolding.

use clap::Parser;

/// IPv8 in Rust: serverless peer-to-peer overlays, wire-compatible with py-ipv8.
#[derive(Parser)]
#[command(name = "ipv8", version, about)]
struct Cli {}

fn main() {
    let Cli {} = Cli::parse();
    println!(
        "ipv8 {}: the node, tracker and key commands are not built yet; see --help",
        env!("CARGO_PKG_VERSION")
    );
}
