//! `ipv8 keygen`: a new identity key file, in the raw binary format py-ipv8 writes.

use std::path::PathBuf;

use anyhow::anyhow;
use clap::builder::{PossibleValuesParser, TypedValueParser as _};
use ipv8::crypto::{Curve, KeyFileError, PrivateKey, keyfile};

use super::summary;

/// Arguments of `ipv8 keygen`.
#[derive(clap::Args)]
pub(crate) struct Args {
    /// The kind of key. "high" is sect571k1, as py-ipv8 3.2.1 generates.
    #[arg(
        long,
        default_value = "curve25519",
        value_parser = PossibleValuesParser::new(["curve25519", "very-low", "low", "medium", "high"])
            .try_map(|name| name.parse::<Curve>())
    )]
    curve: Curve,
    #[arg(
        long,
        value_name = "FILE",
        help = "Where to write the key: its raw py-ipv8 bytes (py-ipv8 calls it ec_multichain.pem), mode 0600"
    )]
    out: PathBuf,
    /// Replace FILE if it exists.
    #[arg(long)]
    force: bool,
    /// Print the key's details as JSON.
    #[arg(long)]
    json: bool,
}

/// Generates the key, writes it and prints its details.
pub(crate) fn run(args: &Args) -> anyhow::Result<()> {
    let key = PrivateKey::generate(args.curve)?;
    keyfile::write(&args.out, &key, args.force).map_err(|err| match err {
        KeyFileError::Exists { .. } => anyhow!("{err}; pass --force to replace it"),
        other => other.into(),
    })?;
    let heading = format!("wrote a new {} key to {}", args.curve, args.out.display());
    summary::print(&args.out, &key, Some(&heading), args.json)?;
    Ok(())
}
