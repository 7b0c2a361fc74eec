//! The DiscoveryCommunity's message handlers (py-ipv8's `on_similarity_request`,
//! `on_similarity_response`, `on_ping` and `on_pong`).

use std::net::SocketAddr;

use super::{DiscoveryCommunity, ping, similarity};
use crate::community;
use crate::messages::discovery::{
    PingPayload, PongPayload, SimilarityRequestPayload, SimilarityResponsePayload,
};
use crate::proto::discovery::Timed;
use crate::proto::{CommunityId, Context, Peer};

#[community]
impl DiscoveryCommunity {
    /// Records the sender's communities (it need not be verified) and answers with ours.
    #[lazy_handler]
    fn on_similarity_request(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<SimilarityRequestPayload>,
    ) {
        if peer.key() == ctx.my_key() {
            return;
        }
        let services = similarity::community_ids(&message.payload.preference_list);
        ctx.discover_services(peer, &services);
        similarity::send_response(ctx, peer.address(), message.payload.identifier);
    }

    /// Verifies the sender, unless this community is full and does not know it, and records its
    /// communities.
    #[lazy_handler]
    fn on_similarity_response(
        &mut self,
        ctx: &mut Context<Self>,
        peer: &Peer,
        message: Timed<SimilarityResponsePayload>,
    ) {
        let network = ctx.network();
        let full = ctx.peers().len() > self.max_peers && network.get(peer.key()).is_none();
        if full || peer.key() == ctx.my_key() || network.is_blacklisted(peer.address()) {
            return;
        }
        ctx.network_mut().add_verified_peer(peer);
        let services: Vec<_> =
            message.payload.preference_list.into_iter().map(CommunityId).collect();
        ctx.discover_services(peer, &services);
    }

    /// Answers a ping with a pong to wherever it came from, no questions asked.
    #[lazy_handler(unsigned)]
    fn on_ping(
        &mut self,
        ctx: &mut Context<Self>,
        source: SocketAddr,
        message: Timed<PingPayload>,
    ) {
        ping::pong(ctx, source, message.payload.identifier);
    }

    /// Finishes the ping this pong answers, if it is still waiting.
    #[lazy_handler(unsigned)]
    fn on_pong(
        &mut self,
        ctx: &mut Context<Self>,
        _source: SocketAddr,
        message: Timed<PongPayload>,
    ) {
        ping::finish(ctx, message.payload.identifier);
    }
}
