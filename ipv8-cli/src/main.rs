//! The `ipv8` command: `run` a node, run a `tracker` (bootstrap server), scaffold a crate with `new`,
//! and make (`keygen`) or inspect (`key show`) identity keys. Each subcommand is one [`Command`]
//! variant and one module under `cmd/`.

mod cmd;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// IPv8 in Rust: serverless peer-to-peer overlays, wire-compatible with py-ipv8.
#[derive(Parser)]
#[command(name = "ipv8", version, about, arg_required_else_help = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Generate an identity key file, as py-ipv8 writes them.
    Keygen(cmd::keygen::Args),
    /// Inspect identity key files.
    #[command(subcommand)]
    Key(cmd::key::Command),
    /// Run a node: the embedded default configuration, or --config FILE.
    Run(cmd::run::Args),
    /// Run a bootstrap server (tracker) that py-ipv8 and rust-ipv8 peers can use.
    Tracker(cmd::tracker::Args),
    /// Create a crate with a Lamport clock community, a main that runs it and simulator tests.
    New(cmd::new::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Keygen(args) => cmd::keygen::run(&args),
        Command::Key(command) => cmd::key::run(&command),
        Command::Run(args) => cmd::run::run(&args),
        Command::Tracker(args) => cmd::tracker::run(&args),
        Command::New(args) => cmd::new::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
