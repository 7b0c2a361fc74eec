//! Starting a node from a configuration, as py-ipv8's `IPv8(config)` does: keys are loaded (or
//! generated and kept), overlays looked up by class name in an [`OverlayRegistry`], each added
//! under the key its configuration names with its walkers, bootstrappers, `initialize` settings
//! and `on_start` calls. [`build`] does that without sockets or name lookups (the simulator uses it); [`launch`]
//! (feature `runtime`) also binds the sockets and spawns the node on the tokio runtime.
//!
//! Overlays whose class this build does not provide are skipped and reported in
//! [`Built::skipped`]. Bootstrap host names are resolved by [`launch`], the only place that does
//! I/O for them; use [`Config::replace_bootstrap`](crate::config::Config::replace_bootstrap) or
//! [`Config::loopback`](crate::config::Config::loopback) to keep tests off the public network.

mod build;
mod error;
mod registry;
#[cfg(feature = "runtime")]
mod run;
mod tunnel;
mod walkers;

pub use build::{Built, build};
pub use error::LaunchError;
pub use registry::{OverlayFactory, OverlayRegistry, OverlaySetup};
#[cfg(feature = "runtime")]
pub use run::{Launched, launch};
pub use tunnel::{ANONYMITY_HOPS, TUNNEL_CLASSES, tunnel_settings};
pub use walkers::StrategyArgs;
