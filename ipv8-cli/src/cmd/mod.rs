//! One module per subcommand, each with its clap arguments and a `run` function.

pub(crate) mod key;
pub(crate) mod keygen;
mod summary;
