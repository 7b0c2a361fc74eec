//! [`DiscoveryCommunity`]: py-ipv8's `DiscoveryCommunity` (`ipv8/peerdiscovery/community.py`, spec
//! §4.8). Peers tell each other which communities they run (similarity-request/response, messages 1
//! and 2), so that a peer met here shows up in every other community it shares with this node, and
//! they measure round-trip times with unsigned pings and pongs (messages 3 and 4).

mod discovery_community;
mod handlers;
mod ping;
mod similarity;

pub use discovery_community::DiscoveryCommunity;
pub use ping::PING_TIMEOUT;
