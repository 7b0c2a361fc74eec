//! The `ipv8` command. It makes and inspects identity keys now; `run`, `tracker` and `new` come with
//! the node, the bootstrap server and the overlay scaffolding, each as one more [`Command`] variant and
//! one more module under `cmd/`.

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
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Keygen(args) => cmd::keygen::run(&args),
        Command::Key(command) => cmd::key::run(&command),
        Command::Run(args) => cmd::run::run(&args),
        Command::Tracker(args) => cmd::tracker::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err:#}");
            ExitCode::FAILURE
        }
    }
}
