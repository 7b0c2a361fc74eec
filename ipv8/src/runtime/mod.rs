//! The tokio runtime (feature `runtime`, on by default): runs a sans-IO
//! [`Node`](crate::proto::Node) on UDP sockets, moving only bytes and time between them, as quinn's
//! driver runs a quinn-proto connection.
//!
//! An [`Endpoint`] opens the sockets as py-ipv8's UDP endpoints do (IPv4, optionally IPv6, the next
//! port when one is taken), or sends everything through a SOCKS5 proxy
//! ([`EndpointConfig::with_socks5`], [`Endpoint::open`]). [`spawn`] starts the node's loop and
//! returns a [`NodeHandle`] to act on the node from any task, the node's [`Events`], and the task's
//! `JoinHandle`. [`Socks5Server`] puts SOCKS5 clients on a node's tunnel circuits, and
//! [`Pseudonyms`] runs py-ipv8's pseudonyms, anonymized through one if asked. The loop measures
//! itself on request: how late it wakes ([`NodeHandle::drift`]) and which of its steps are slow
//! ([`NodeHandle::loop_debug`]), which REST `/asyncio/*` reports.
//!
//! # Examples
//!
//! Two nodes on the loopback interface; one greets the other, whose community emits what it got.
//!
//! ```
//! use std::time::Instant;
//!
//! use ipv8::crypto::{Curve, PrivateKey};
//! use ipv8::proto::{Community, CommunityId, Context, Event, Node, Peer};
//! use ipv8::runtime::{self, Endpoint, EndpointConfig};
//! use ipv8::{community, payload};
//!
//! #[payload(msg_id = 1)]
//! struct Hello {
//!     text: String,
//! }
//!
//! struct Greeter;
//!
//! #[community]
//! impl Greeter {
//!     #[lazy_handler]
//!     fn on_hello(&mut self, ctx: &mut Context<Self>, _peer: &Peer, payload: Hello) {
//!         ctx.emit(payload.text);
//!     }
//! }
//!
//! impl Community for Greeter {
//!     fn community_id(&self) -> CommunityId {
//!         CommunityId(*b"runtime docs example")
//!     }
//! }
//!
//! #[tokio::main(flavor = "current_thread")]
//! async fn main() -> Result<(), Box<dyn std::error::Error>> {
//!     let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse()?);
//!     let mut started = Vec::new();
//!     for seed in 0..2 {
//!         let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, seed, Instant::now());
//!         node.add_community(Instant::now(), Greeter)?;
//!         started.push(runtime::spawn(node, Endpoint::bind(&loopback)?));
//!     }
//!     let (b, mut b_events, b_task) = started.pop().ok_or("two nodes")?;
//!     let (a, _, _) = started.pop().ok_or("two nodes")?;
//!
//!     let b_key = b.with_node(|node, _| node.public_key().clone()).await?;
//!     let b_peer = Peer::new(b_key, b.local_addrs().ipv4().ok_or("IPv4")?);
//!     a.with_community::<Greeter, _>(move |_, ctx| {
//!         ctx.ez_send(&b_peer, &Hello { text: "hi".into() });
//!     })
//!     .await?;
//!
//!     let Some(Event::Community { event, .. }) = b_events.recv().await else {
//!         return Err("no event".into());
//!     };
//!     assert_eq!(*event.downcast::<String>().map_err(|_| "a String")?, "hi");
//!
//!     b.shutdown().await;
//!     let b_node = b_task.await?;
//!     assert_eq!(b_node.stats().handled[&1], 1);
//!     Ok(())
//! }
//! ```

mod config;
mod dht;
mod driver;
mod endpoint;
mod error;
mod forwarded;
mod handle;
mod monitor;
mod pseudonyms;
mod resolve;
mod sockets;
mod socks5;
mod stats;
mod udp;
mod workers;

pub use config::{
    Config, DEFAULT_PORT, DEFAULT_PORT_ATTEMPTS, DEFAULT_RECV_BUFFER_SIZE, EndpointConfig,
};
pub use endpoint::{Endpoint, LocalAddrs};
pub use error::{EndpointError, RuntimeError};
pub use handle::{Events, NodeHandle, spawn, spawn_with};
pub use monitor::{
    DEFAULT_SLOW_STEP, DRIFT_INTERVAL, DRIFT_KEPT, DriftSample, LoopDebug, LoopStep,
    SLOW_STEPS_KEPT, SlowStep,
};
pub use pseudonyms::{Pseudonym, PseudonymError, Pseudonyms};
pub use sockets::{DatagramSocket, Transport, UdpTransport};
pub use socks5::{HANDSHAKE_TIMEOUT, MAX_ASSOCIATIONS, Socks5Error, Socks5Server};
pub use stats::Stats;
pub use workers::PARALLEL_MIN;
