//! The DHT (py-ipv8's `ipv8/dht/`, spec `dht.md`): node ids and XOR distance, the routing table
//! of k-buckets, the serialized value format, value storage with expiry, and store tokens. Its wire
//! messages are in [`crate::messages::dht`]. Lookups run as [`Crawl`] state machines, driven by
//! [`DhtCommunity`] (a first slice: ping, store, find).

mod community;
mod crawl;
mod handlers;
mod node_id;
mod routing;
mod storage;
mod value;

pub use community::{
    DhtCommunity, DhtError, FIND_TIMEOUT, FindNodes, FindValues, FoundValues, MAX_AGE, MAX_IN_FIND,
    REQUEST_TIMEOUT, StoreValue, TARGET_NODES,
};
pub use crawl::{Candidate, Crawl, MAX_CRAWL_NODES, MAX_CRAWL_REQUESTS, MAX_CRAWL_TASKS};
pub use node_id::{DISTANCE_BITS, NodeId};
pub use routing::{Added, Bucket, MAX_BUCKET_SIZE, NodeStatus, RoutingNode, RoutingTable};
pub use storage::{MAX_KEYS, MAX_VALUES_PER_KEY, Storage, StoreError, TOKEN_ROTATION, Tokens};
pub use value::{MAX_ENTRY_SIZE, Value, ValueError};

/// The community id of `DHTCommunity` and `DHTDiscoveryCommunity` (both share it):
/// `8d0be1845d74d175f178197cad001591d04d73cc`.
pub const COMMUNITY_ID: crate::proto::CommunityId = crate::proto::CommunityId([
    0x8d, 0x0b, 0xe1, 0x84, 0x5d, 0x74, 0xd1, 0x75, 0xf1, 0x78, 0x19, 0x7c, 0xad, 0x00, 0x15, 0x91,
    0xd0, 0x4d, 0x73, 0xcc,
]);
