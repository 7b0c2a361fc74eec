//! Peer discovery (spec §4–5): the introduction and puncture messages every community speaks, the
//! strategies that walk the network, and bootstrappers. All sans-IO, driven by the node's walker
//! tick (`walker_interval`, 0.5 s by default).

mod bootstrap;
mod flags;
mod introduction;
mod strategy;
mod timed;
mod walker;

pub use bootstrap::{Bootstrapper, DispersyBootstrapper};
pub use introduction::{IntroductionRequest, IntroductionResponse};
pub use strategy::{RandomWalk, Strategy};
pub use timed::Timed;
pub use walker::Walker;

pub(crate) use introduction::{CORE_IDS, Core, Outcome};
pub(crate) use walker::{WalkState, WalkerEntry};
