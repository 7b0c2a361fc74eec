//! `ipv8 key …`: inspecting identity key files.

use std::path::PathBuf;

use ipv8::crypto::keyfile;

use super::summary;

/// The `ipv8 key` subcommands.
#[derive(clap::Subcommand)]
pub(crate) enum Command {
    /// Show a key file's curve, public key and mid, in base64 and hex.
    Show {
        #[arg(
            help = "The key file: py-ipv8's raw key bytes (as in ec_multichain.pem), PEM or DER"
        )]
        file: PathBuf,
        /// Print the details as JSON.
        #[arg(long)]
        json: bool,
    },
}

/// Runs one `ipv8 key` subcommand.
pub(crate) fn run(command: &Command) -> anyhow::Result<()> {
    match command {
        Command::Show { file, json } => {
            let key = keyfile::read(file)?;
            summary::print(file, &key, None, *json)?;
        }
    }
    Ok(())
}
