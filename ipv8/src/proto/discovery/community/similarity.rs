//! Similarity-request and -response (messages 1 and 2, signed): the communities a node runs, and
//! recording those another node runs.

use std::net::SocketAddr;

use super::DiscoveryCommunity;
use crate::messages::discovery::{SimilarityRequestPayload, SimilarityResponsePayload};
use crate::proto::discovery::Core;
use crate::proto::discovery::introduction::v4;
use crate::proto::shared::Shared;
use crate::proto::{CommunityId, Peer};

impl Core<'_> {
    /// The same core speaking for the DiscoveryCommunity, whatever community this one is: its
    /// messages travel under the DiscoveryCommunity's prefix.
    pub(crate) fn discovery(&mut self) -> Core<'_> {
        Core {
            shared: &mut *self.shared,
            community_id: DiscoveryCommunity::ID,
            prefix: DiscoveryCommunity::ID.prefix(),
            max_peers: self.max_peers,
        }
    }

    /// Sends a similarity-request listing this node's communities to `to`.
    pub(crate) fn send_similarity_request(&mut self, to: SocketAddr) {
        let global_time = self.claim();
        let payload = SimilarityRequestPayload {
            identifier: (global_time % 65_536) as u16,
            lan_address: v4(self.lan()),
            wan_address: v4(self.wan()),
            flags: 0,
            preference_list: self.shared.local_communities.iter().flat_map(|id| id.0).collect(),
        };
        self.discovery().send_signed_at(to, global_time, payload);
    }

    /// Answers the similarity-request `identifier` from `to` with this node's communities.
    pub(crate) fn send_similarity_response(&mut self, to: SocketAddr, identifier: u16) {
        let global_time = self.claim();
        let payload = SimilarityResponsePayload {
            identifier,
            preference_list: self.shared.local_communities.iter().map(|id| id.0).collect(),
            tb_overlap: Vec::new(),
        };
        self.discovery().send_signed_at(to, global_time, payload);
    }
}

/// The community ids in a similarity-request's concatenated list (a short tail is ignored).
#[must_use]
pub(super) fn community_ids(raw: &[u8]) -> Vec<CommunityId> {
    raw.chunks_exact(20).filter_map(|chunk| chunk.try_into().ok()).map(CommunityId).collect()
}

/// Records that `peer` runs `services`; for a verified peer, this node's communities among them
/// are told.
pub(super) fn discover_services(shared: &mut Shared, peer: &Peer, services: &[CommunityId]) {
    let news = shared.network.discover_services(peer, services);
    let known = shared.network.get(peer.key()).map_or_else(|| peer.clone(), |e| e.peer.clone());
    for service in news.into_iter().filter(|s| shared.local_communities.contains(s)) {
        shared.new_services.push((known.clone(), service));
    }
}
