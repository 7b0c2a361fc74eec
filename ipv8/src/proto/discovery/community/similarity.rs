//! Similarity-request and -response (messages 1 and 2, signed): the communities a node runs, and
//! recording those another node runs.

use std::net::SocketAddr;

use super::DiscoveryCommunity;
use crate::messages::discovery::{SimilarityRequestPayload, SimilarityResponsePayload};
use crate::proto::discovery::Timed;
use crate::proto::discovery::introduction::v4;
use crate::proto::{CommunityId, Context};

/// Sends a similarity-request listing this node's communities to `to`.
pub(super) fn send_request(ctx: &mut Context<'_, DiscoveryCommunity>, to: SocketAddr) {
    let global_time = ctx.claim_global_time();
    let payload = SimilarityRequestPayload {
        identifier: (global_time % 65_536) as u16,
        lan_address: v4(ctx.my_address()),
        wan_address: v4(ctx.wan_address()),
        flags: 0,
        preference_list: ctx.local_communities().iter().flat_map(|id| id.0).collect(),
    };
    ctx.ez_send(to, &Timed { global_time, payload });
}

/// Answers the similarity-request `identifier` from `to` with this node's communities.
pub(super) fn send_response(
    ctx: &mut Context<'_, DiscoveryCommunity>,
    to: SocketAddr,
    identifier: u16,
) {
    let global_time = ctx.claim_global_time();
    let payload = SimilarityResponsePayload {
        identifier,
        preference_list: ctx.local_communities().iter().map(|id| id.0).collect(),
        tb_overlap: Vec::new(),
    };
    ctx.ez_send(to, &Timed { global_time, payload });
}

/// The community ids in a similarity-request's concatenated list (a short tail is ignored).
#[must_use]
pub(super) fn community_ids(raw: &[u8]) -> Vec<CommunityId> {
    raw.chunks_exact(20).filter_map(|chunk| chunk.try_into().ok()).map(CommunityId).collect()
}
