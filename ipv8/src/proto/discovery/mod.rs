//! Peer discovery (spec §4–5): the introduction and puncture messages every community speaks, the
//! [`DiscoveryCommunity`], the strategies that walk the network and keep it fresh, and
//! bootstrappers. All sans-IO, driven by the node's walker tick (`walker_interval`, 0.5 s by
//! default).
//!
//! Built after py-ipv8's `ipv8/peerdiscovery/` (`community.py`, `churn.py`, `discovery.py`) and the
//! DHT's `PingChurn` (`ipv8/dht/churn.py`).

mod birthday;
mod bootstrap;
mod broadcast;
mod churn;
mod community;
mod edge_walk;
mod flags;
mod introduction;
mod mapping;
mod paced;
mod periodic_similarity;
mod ping_churn;
mod prediction;
mod strategy;
mod timed;
mod walker;

#[cfg(test)]
mod nat_tests;
#[cfg(test)]
mod tests;

pub(crate) use birthday::{Arrived, Birthday};
pub use birthday::{
    MAX_ROUTES, MAX_TRIES, PROBES, RETRY_AFTER as BIRTHDAY_RETRY_AFTER, ROUTE_IDLE, SILENCE,
    SOCKETS, TRIES_PER_WINDOW, TRY_FOR, TRY_WINDOW,
};
pub use bootstrap::{Bootstrapper, DispersyBootstrapper, FIRST_RETRY, MAX_BOOTSTRAPS_PER_MINUTE};
pub use broadcast::{PROBE_LEN, UdpBroadcastBootstrapper, parse_probe, probe};
pub use churn::RandomChurn;
pub use community::{DiscoveryCommunity, PING_TIMEOUT};
pub use edge_walk::EdgeWalk;
pub use introduction::{Discovery, IntroductionRequest, IntroductionResponse, Outcome};
pub use mapping::NatMapping;
pub(crate) use mapping::Sightings;
pub use paced::Paced;
pub use periodic_similarity::PeriodicSimilarity;
pub use ping_churn::PingChurn;
pub(crate) use prediction::PortPrediction;
pub use prediction::{MAX_PER_WINDOW, PREDICTED_PORTS, REPEAT_AFTER};
pub use strategy::{RandomWalk, Strategy};
pub use timed::Timed;
pub use walker::{Ping, Walker};

pub(crate) use introduction::{CORE_IDS, Core};
pub(crate) use walker::{WalkState, WalkerEntry};
