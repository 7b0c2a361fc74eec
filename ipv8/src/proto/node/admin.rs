//! What the REST API's `/overlays/statistics` and `/isolation` change in a running node: whose
//! traffic is counted, what each message's handler is called, and addresses added while it runs.

use std::net::SocketAddr;
use std::time::Instant;

use super::{Node, NodeError};
use crate::proto::CommunityId;

impl Node {
    /// Counts the traffic of community `id` per message id from now on (`enabled`), or stops
    /// counting it and forgets what was counted, as py-ipv8's statistics endpoint does for one
    /// community. Every community is counted unless switched off here (py-ipv8 counts none
    /// unless asked); [`Node::stats`] holds the counts.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Instant;
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::{CommunityId, Node};
    ///
    /// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, Instant::now());
    /// let id = CommunityId([7; 20]);
    /// assert!(node.stats().is_tracked(id));
    /// node.set_statistics(id, false);
    /// assert!(!node.stats().is_tracked(id));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn set_statistics(&mut self, id: CommunityId, enabled: bool) {
        self.shared.stats.track(id, enabled);
    }

    /// The name of the handler of `msg_id` in community `id`: py-ipv8's name for the discovery
    /// messages every community handles (`on_old_introduction_request`, ...) and for Dispersy's
    /// retired ids (`on_deprecated_message`), else what the community says
    /// ([`Community::handler_name`](crate::proto::Community::handler_name)). `None` if it has
    /// no handler for the id, or no community has the id.
    #[must_use]
    pub fn handler_name(&self, id: CommunityId, msg_id: u8) -> Option<&'static str> {
        self.overlays.get(self.index_of(id)?)?.handler_name(msg_id)
    }

    /// Sends an introduction-request to `address` in community `id`, whatever its type
    /// (py-ipv8's `walk_to`).
    ///
    /// # Errors
    ///
    /// [`NodeError::UnknownCommunity`] if no community has the id.
    pub fn walk_to_id(
        &mut self,
        now: Instant,
        id: CommunityId,
        address: SocketAddr,
    ) -> Result<(), NodeError> {
        let index = self.index_of(id).ok_or(NodeError::UnknownCommunity(id))?;
        self.shared.now = now;
        if let Some((overlay, shared)) = self.at(index) {
            overlay.walk_to(shared, address);
        }
        self.follow_up();
        Ok(())
    }

    /// Adds a bootstrap server while the node runs (py-ipv8's `POST /isolation` with
    /// `bootstrapnode`): it is blacklisted in every peer table, so that it never becomes a peer,
    /// every community walks to it at once, and every bootstrapper that keeps a list of servers
    /// ([`DispersyBootstrapper`](crate::proto::discovery::DispersyBootstrapper)) takes it for
    /// its next bootstraps and keep-alives.
    pub fn add_bootstrap_server(&mut self, now: Instant, address: SocketAddr) {
        self.shared.now = now;
        for slot in 0..self.identities.len() {
            self.enter(slot);
            self.shared.network.blacklist(address);
        }
        self.shared.network.blacklist(address);
        for index in 0..self.overlays.len() {
            if let Some((overlay, shared)) = self.at(index) {
                overlay.walk_to(shared, address);
                overlay.add_bootstrap_address(address);
            }
        }
        self.follow_up();
    }
}
