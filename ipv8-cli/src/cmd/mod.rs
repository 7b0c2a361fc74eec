//! One module per subcommand, each with its clap arguments and a `run` function.

pub(crate) mod key;
pub(crate) mod keygen;
mod logging;
pub(crate) mod new;
mod rest;
pub(crate) mod run;
mod summary;
pub(crate) mod tracker;
