//! The sans-IO protocol core: communities, their message dispatch, request caches and tasks, and the
//! [`Node`] that hosts them. Nothing here reads a clock or opens a socket; the node is fed datagrams
//! and time, and returns datagrams to send, the next timer and events (as quinn-proto does).

mod ask;
mod check_budget;
mod community;
mod context;
pub mod dht;
pub mod discovery;
mod fast_path;
mod host;
pub mod identity;
mod job;
mod load;
mod network;
mod node;
pub mod oneshot;
mod packet;
mod peer;
mod request_cache;
mod resolve;
mod rng;
mod shared;
mod socket;
mod stats;
mod tasks;
pub mod tracker;
pub mod tunnel;

pub use ask::{ASK_TIMEOUT, AskError, Reply, Request, Responder};
pub use check_budget::DEFAULT_LEGACY_CHECK_BUDGET;
pub use community::{Community, Dispatch};
pub use context::{Context, Destination};
pub use fast_path::{Arrived, FastPath, Forward};
#[cfg(feature = "config")]
pub(crate) use host::short_name;
pub use host::{OverlayInfo, StrategyInfo};
pub use job::{Job, JobDone, JobError};
pub use load::{LOAD_LIMIT, LoadError, Walk};
pub use network::{Network, PeerEntry, Walkable};
pub use node::{DEFAULT_WALKER_INTERVAL, Node, NodeError, SignatureCheck};
pub use packet::{CommunityId, HEADER_LEN, Incoming, PREFIX_LEN, ParseCommunityIdError, VERSION};
pub use peer::Peer;
pub use request_cache::{CacheError, DEFAULT_TIMEOUT, NumberCache, Passthrough, RequestCache};
pub use resolve::{RESOLVE_LIMIT, ResolveError, ResolveRequest};
pub use rng::Rng;
pub use shared::{Event, Outgoing, Received, Transmit};
pub use socket::{SOCKET_LIMIT, SocketError, SocketId, SocketRequest};
pub use stats::{DropReason, MessageStats, Stats};
pub use tasks::{Schedule, TaskError, TaskFn, TaskInfo, TaskManager};
