//! The DHT (py-ipv8's `ipv8/dht/`, spec `dht.md`): node ids and XOR distance, the routing table
//! of k-buckets, the serialized value format, value storage with expiry, and store tokens. Its wire
//! messages are in [`crate::messages::dht`]. Lookups run as [`Crawl`] state machines, driven by
//! [`DhtCommunity`], which also finds peers by key when made
//! [`with_peer_discovery`](DhtCommunity::with_peer_discovery) (py-ipv8's `DHTDiscoveryCommunity`).

mod calls;
mod community;
mod crawl;
mod handlers;
mod maintenance;
mod node_id;
mod peers;
mod quota;
mod routing;
mod storage;
mod value;

pub use calls::{DhtCallError, unix_version};
pub use community::{
    DhtCommunity, DhtError, FIND_TIMEOUT, FindNodes, FindValues, FoundValues, LookupValues,
    MAX_AGE, MAX_IN_FIND, REQUEST_TIMEOUT, RefreshBucket, StoreValue, TARGET_NODES,
};
pub use crawl::{
    Candidate, Crawl, CrawlStats, MAX_CRAWL_NODES, MAX_CRAWL_REQUESTS, MAX_CRAWL_TASKS,
    MAX_NODES_PER_RESPONSE, MAX_TODO,
};
pub use maintenance::{BUCKET_REFRESH, NODE_MAINTENANCE};
pub use node_id::{DISTANCE_BITS, NodeId};
pub use peers::{ConnectPeer, MAX_STORED_PEERS, STORE_PEER_INTERVAL, STORED_PEER_EXPIRY};
pub use quota::MAX_STORES_PER_PEER;
pub use routing::{Added, Bucket, MAX_BUCKET_SIZE, NodeStatus, RoutingNode, RoutingTable};
pub use storage::{MAX_KEYS, MAX_VALUES_PER_KEY, Storage, StoreError, TOKEN_ROTATION, Tokens};
pub use value::{MAX_ENTRY_SIZE, Value, ValueError};

/// The community id of `DHTCommunity` and `DHTDiscoveryCommunity` (both share it):
/// `8d0be1845d74d175f178197cad001591d04d73cc`.
pub const COMMUNITY_ID: crate::proto::CommunityId = crate::proto::CommunityId([
    0x8d, 0x0b, 0xe1, 0x84, 0x5d, 0x74, 0xd1, 0x75, 0xf1, 0x78, 0x19, 0x7c, 0xad, 0x00, 0x15, 0x91,
    0xd0, 0x4d, 0x73, 0xcc,
]);
