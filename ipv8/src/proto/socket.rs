//! Sockets besides the node's own: a community opens one (a tunnel exit's socket toward the
//! internet, a socket per pseudonym) and owns what arrives on it. The core only asks: the driver
//! takes [`SocketRequest`]s with [`Node::poll_socket_request`](super::Node::poll_socket_request),
//! opens or closes the socket however its transport does (the tokio runtime binds UDP, the
//! simulator gives it an address on the simulated network) and reports back with
//! [`Node::handle_socket_opened`](super::Node::handle_socket_opened) and
//! [`Node::handle_socket_datagram`](super::Node::handle_socket_datagram).

use std::collections::{HashMap, VecDeque};
use std::fmt;
use std::net::SocketAddr;

use super::{Community, CommunityId, Context};

/// Most sockets a node's communities may hold open together.
pub const SOCKET_LIMIT: usize = 4096;

/// A socket a community opened, unique within its node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct SocketId(u32);

impl SocketId {
    /// Socket number `n`, for unit tests that need an open socket without opening one.
    #[cfg(test)]
    pub(crate) fn from_raw_for_tests(n: u32) -> Self {
        Self(n)
    }

    /// The socket's number.
    #[must_use]
    pub fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for SocketId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "socket {}", self.0)
    }
}

/// What the driver should do with a socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SocketRequest {
    /// Open a socket bound to `bind` (port 0: any free port).
    Open {
        /// The socket.
        id: SocketId,
        /// Where to bind it.
        bind: SocketAddr,
    },
    /// Close the socket.
    Close {
        /// The socket.
        id: SocketId,
    },
}

/// Why a socket could not be opened.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SocketError {
    /// The node's communities hold [`SOCKET_LIMIT`] sockets already.
    #[error("too many sockets are open")]
    TooMany,
    /// The driver could not open it.
    #[error("the socket could not be opened: {0}")]
    Open(String),
}

/// The sockets of a node's communities, and the requests for the driver.
#[derive(Default)]
pub(crate) struct Sockets {
    owners: HashMap<SocketId, CommunityId>,
    pub(crate) requests: VecDeque<SocketRequest>,
    next: u32,
}

impl Sockets {
    pub(crate) fn owner(&self, id: SocketId) -> Option<CommunityId> {
        self.owners.get(&id).copied()
    }

    pub(crate) fn open(
        &mut self,
        owner: CommunityId,
        bind: SocketAddr,
    ) -> Result<SocketId, SocketError> {
        if self.owners.len() >= SOCKET_LIMIT {
            return Err(SocketError::TooMany);
        }
        self.next = self.next.wrapping_add(1);
        let id = SocketId(self.next);
        self.owners.insert(id, owner);
        self.requests.push_back(SocketRequest::Open { id, bind });
        Ok(id)
    }

    pub(crate) fn close(&mut self, owner: CommunityId, id: SocketId) -> bool {
        if self.owners.get(&id) != Some(&owner) {
            return false;
        }
        self.owners.remove(&id);
        self.requests.push_back(SocketRequest::Close { id });
        true
    }

    /// Closes every socket of `owner` (it was removed).
    pub(crate) fn close_all(&mut self, owner: CommunityId) {
        let ids: Vec<_> =
            self.owners.iter().filter(|(_, o)| **o == owner).map(|(id, _)| *id).collect();
        for id in ids {
            self.close(owner, id);
        }
    }
}

impl<C: Community> Context<'_, C> {
    /// Asks the driver to open a socket bound to `bind` for this community; the outcome comes
    /// through [`Community::on_socket_opened`], and what arrives on the socket through
    /// [`Community::on_socket_datagram`].
    ///
    /// # Errors
    ///
    /// [`SocketError::TooMany`] when the node's communities hold [`SOCKET_LIMIT`] sockets.
    pub fn open_socket(&mut self, bind: SocketAddr) -> Result<SocketId, SocketError> {
        let owner = self.community_id();
        self.shared.sockets.open(owner, bind)
    }

    /// Closes a socket this community opened; returns whether it had one by that id.
    pub fn close_socket(&mut self, id: SocketId) -> bool {
        let owner = self.community_id();
        self.shared.sockets.close(owner, id)
    }

    /// Sends bytes as they are from socket `id` (one this community opened) to `destination`.
    pub fn send_on(&mut self, id: SocketId, destination: SocketAddr, datagram: Vec<u8>) {
        if self.shared.sockets.owner(id) == Some(self.community_id()) {
            self.shared.transmit_on(Some(id), destination, datagram);
        } else {
            self.shared.stats.send_failed("not_my_socket");
        }
    }
}
