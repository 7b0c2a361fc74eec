//! The `TestBase` of Rust: a deterministic simulated network of sans-IO nodes on virtual time.
//!
//! [`TestNetwork`] creates N nodes running a community, connects them, and delivers their datagrams
//! with configurable latency, jitter (hence reordering) and loss, all drawn from one seed. The same
//! community code runs here and on real UDP. Enable with the `test-util` feature.

mod config;
mod dht;
mod expect;
mod network;

pub use config::SimConfig;
pub use dht::SimDht;
pub use expect::ExpectReceived;
pub use network::{SIM_UNIX_START, TestNetwork};
