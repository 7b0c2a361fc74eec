//! Host names resolved for communities (a tunnel exit sending to `host:port`): a community asks
//! with [`Context::resolve`]; the driver resolves the name however it can (the tokio runtime with
//! the system resolver, the simulator from its own table), takes the requests with
//! [`Node::poll_resolve_request`](super::Node::poll_resolve_request) and answers with
//! [`Node::handle_resolved`](super::Node::handle_resolved), which reaches
//! [`Community::on_resolved`](super::Community::on_resolved). The core itself never resolves.

use std::collections::{HashMap, VecDeque};

use super::{Community, CommunityId, Context};

/// Most names a node's communities may wait for at once.
pub const RESOLVE_LIMIT: usize = 256;

/// A name to resolve, for the driver.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolveRequest {
    /// The request, to answer with.
    pub id: u64,
    /// The host name.
    pub host: String,
    /// The port the addresses get.
    pub port: u16,
}

/// Why a name has no addresses.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ResolveError {
    /// [`RESOLVE_LIMIT`] names are being resolved already.
    #[error("too many names are being resolved")]
    TooMany,
    /// The driver could not resolve it.
    #[error("the name could not be resolved: {0}")]
    Failed(String),
}

/// The names being resolved and the requests for the driver.
#[derive(Default)]
pub(crate) struct Resolves {
    owners: HashMap<u64, CommunityId>,
    pub(crate) requests: VecDeque<ResolveRequest>,
    next: u64,
}

impl Resolves {
    /// The community that asked for `id`, forgotten now that it is answered.
    pub(crate) fn answered(&mut self, id: u64) -> Option<CommunityId> {
        self.owners.remove(&id)
    }
}

impl<C: Community> Context<'_, C> {
    /// Asks the driver for the addresses of `host`; the answer comes through
    /// [`Community::on_resolved`] with the id returned here.
    ///
    /// # Errors
    ///
    /// [`ResolveError::TooMany`] when [`RESOLVE_LIMIT`] names are being resolved.
    pub fn resolve(&mut self, host: impl Into<String>, port: u16) -> Result<u64, ResolveError> {
        let resolves = &mut self.shared.resolves;
        if resolves.owners.len() >= RESOLVE_LIMIT {
            return Err(ResolveError::TooMany);
        }
        resolves.next += 1;
        let id = resolves.next;
        resolves.owners.insert(id, self.local.id);
        resolves.requests.push_back(ResolveRequest { id, host: host.into(), port });
        Ok(id)
    }
}
