//! One module per subcommand, each with its clap arguments and a `run` function.

pub(crate) mod key;
pub(crate) mod keygen;
mod logging;
pub(crate) mod new;
mod rest;
pub(crate) mod run;
mod summary;
pub(crate) mod tracker;

/// A seed for a node's non-cryptographic random choices, different on every start.
pub(crate) fn seed() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(std::process::id())
}
