//! Anonymous tunnels (py-ipv8's `TunnelCommunity` and `HiddenTunnelCommunity`, spec
//! `tunnels.md`): [`TunnelCommunity`] builds circuits of 1–3 hops for this node, relays and exits
//! others' circuits, and carries data through them. Beneath it: [`Cell`] framing, the ntor-like
//! handshake ([`respond`], [`complete`]), per-hop [`SessionKeys`] with their ChaCha20-Poly1305
//! layers, the [`Candidates`] a hop offers, and the [`PeerFlags`] peers advertise.
//!
//! The control plane is sans-IO like every community: cells in, cells and socket requests out.

mod anonymize;
mod candidates;
mod cell;
mod cells;
mod circuit;
mod community;
mod crypto;
mod data_plane;
mod exit;
mod flags;
mod hidden;
mod hop;
mod originate;
mod relay;
mod replay;
mod requests;
mod settings;
mod speed_test;
mod table;
mod upkeep;

pub use anonymize::{ANONYMIZED_QUEUE, Anonymize};
pub use candidates::{Candidates, CandidatesError, MAX_OFFERED};
pub use cell::{CELL_HEADER_LEN, CELL_ID, Cell, CellError, CellHeader, cell_message};
pub use circuit::{Circuit, CircuitInfo, CircuitState, CircuitType, Hop, Traffic};
pub use community::{ExitInfo, RelayInfo, TunnelCommunity, TunnelError, TunnelEvent};
pub use crypto::{
    Created, CryptoError, Direction, EphemeralKey, LAYER_OVERHEAD, SessionKeys, complete, respond,
};
pub use exit::{
    EXIT_QUEUE, could_be_bt, could_be_dht, could_be_ipv8, could_be_udp_tracker, could_be_utp,
    destination_allowed, exit_allowed,
};
pub use flags::PeerFlags;
pub use hidden::{
    CIRCUIT_ID_PORT, CreateIntroductionPoint, DHT_LOOKUP_AGE, DHT_LOOKUP_AGE_EMPTY,
    EstimateSwarmSize, HIDDEN_REQUEST_TIMEOUT, IntroductionPoint, JoinSwarm, LeaveSwarm,
    MAX_ANNOUNCED, MAX_IP_AGE, MAX_PEERS_IN_RESPONSE, MAX_PEX_POINTS, PEER_DISCOVERY_INTERVAL,
    PEX_POINT_AGE, PEX_VERSION, PEX_WALK, PeerSource, PexAnnounce, PexCommunity, PexIntroPoints,
    REANNOUNCE_INTERVAL, RegisterService, SwarmInfo, Swarms, circuit_address, pex_community_id,
};
pub use hop::CONNECT_BEFORE_EXTEND;
pub use replay::{REPLAY_WINDOW, ReplayWindow};
pub use requests::{
    ActiveDataCircuits, BuildTunnels, CreateCircuit, DestroyCircuit, TunnelData, TunnelsReady,
};
pub use settings::TunnelSettings;
pub use speed_test::{
    MAX_TEST_RESPONSE, RustTestRequestPayload, RustTestResponsePayload, TEST_TIMEOUT, TestAnswer,
    TestCircuit,
};
pub use upkeep::{CIRCUIT_CHECK_INTERVAL, PING_INTERVAL};

/// The community id of `TunnelCommunity` and `HiddenTunnelCommunity` (both share it):
/// `81ded07332bdc775aa5a46f96de9f8f390bbc9f3`.
pub const COMMUNITY_ID: crate::proto::CommunityId = crate::proto::CommunityId([
    0x81, 0xde, 0xd0, 0x73, 0x32, 0xbd, 0xc7, 0x75, 0xaa, 0x5a, 0x46, 0xf9, 0x6d, 0xe9, 0xf8, 0xf3,
    0x90, 0xbb, 0xc9, 0xf3,
]);

/// Destroy reason "unknown" (also what py-ipv8's `destroy=True` sends).
pub const DESTROY_UNKNOWN: u16 = 1;
/// Destroy reason "shutdown".
pub const DESTROY_SHUTDOWN: u16 = 2;
/// Destroy reason "unneeded".
pub const DESTROY_UNNEEDED: u16 = 4;
