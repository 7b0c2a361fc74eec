//! [`ExpectReceived`]: py-ipv8's `assertReceivedBy` as a builder.

use super::TestNetwork;
use crate::proto::{Community, Received};

/// Asserts which messages a node accepts while an action runs.
#[must_use = "call `during` to run the action and check"]
pub struct ExpectReceived<'a, C: Community> {
    net: &'a mut TestNetwork<C>,
    node: usize,
    expected: Vec<u8>,
    ordered: bool,
    filter: Option<Vec<u8>>,
    community: Option<crate::proto::CommunityId>,
}

impl<'a, C: Community> ExpectReceived<'a, C> {
    pub(super) fn new(net: &'a mut TestNetwork<C>, node: usize, expected: Vec<u8>) -> Self {
        Self { net, node, expected, ordered: true, filter: None, community: None }
    }

    /// Accepts the messages in any order.
    pub fn unordered(self) -> Self {
        Self { ordered: false, ..self }
    }

    /// Only counts messages with these ids; others are ignored.
    pub fn filter(self, msg_ids: impl IntoIterator<Item = u8>) -> Self {
        Self { filter: Some(msg_ids.into_iter().collect()), ..self }
    }

    /// Only counts messages of community `id` (by default, those of every community).
    pub fn in_community(self, id: crate::proto::CommunityId) -> Self {
        Self { community: Some(id), ..self }
    }

    /// Runs `action`, then checks what node `node` accepted; returns those messages.
    ///
    /// # Panics
    ///
    /// Panics, as a test assertion, when the accepted message ids differ from the expected ones.
    pub fn during(self, action: impl FnOnce(&mut TestNetwork<C>)) -> Vec<Received> {
        let Self { net, node, mut expected, ordered, filter, community } = self;
        net.node_mut(node).record_received(true);
        action(net);
        let received: Vec<_> = net
            .node_mut(node)
            .take_received()
            .into_iter()
            .filter(|message| filter.as_ref().is_none_or(|ids| ids.contains(&message.msg_id)))
            .filter(|message| community.is_none_or(|id| message.community_id == id))
            .collect();
        net.node_mut(node).record_received(false);
        let mut ids: Vec<u8> = received.iter().map(|message| message.msg_id).collect();
        if !ordered {
            ids.sort_unstable();
            expected.sort_unstable();
        }
        assert_eq!(
            ids, expected,
            "node {node} accepted message ids {ids:?}, expected {expected:?}"
        );
        received
    }
}
