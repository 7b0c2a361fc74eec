//! The DHT on a running node: [`NodeHandle::store_value`], [`NodeHandle::find_values`],
//! [`NodeHandle::find_nodes`] and [`NodeHandle::connect_peer`], asked of the node's first
//! [`DhtCommunity`].

use super::{NodeHandle, RuntimeError};
use crate::crypto::Mid;
use crate::proto::dht::{
    ConnectPeer, DhtCallError, DhtCommunity, DhtError, FindNodes, FindValues, FoundValues,
    StoreValue, unix_version,
};
use crate::proto::{AskError, Peer, Request, Responder};

impl NodeHandle {
    /// Stores `data` under `key` on the DHT nodes closest to it, signed with the DHT's key (at
    /// most 23 bytes of data with a curve25519 key); answers how many nodes confirmed.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`]: the node runs no DHT or stopped, the value is too large, no node is
    /// known or none stored it.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn store(handle: ipv8::runtime::NodeHandle) -> Result<(), ipv8::proto::dht::DhtCallError> {
    /// let stored_on = handle.store_value([7; 20], b"hello".to_vec()).await?;
    /// let found = handle.find_values([7; 20]).await?;
    /// println!("stored on {stored_on} nodes, found {found:?}");
    /// # Ok(())
    /// # }
    /// # let _ = store;
    /// ```
    pub async fn store_value(&self, key: [u8; 20], data: Vec<u8>) -> Result<usize, DhtCallError> {
        let request = StoreValue { key, data, version: Some(unix_version()) };
        self.dht(request).await
    }

    /// As [`NodeHandle::store_value`], unsigned (up to 169 bytes of data; anyone may store the
    /// same bytes, and nobody can replace them).
    ///
    /// # Errors
    ///
    /// As [`NodeHandle::store_value`].
    pub async fn store_unsigned_value(
        &self,
        key: [u8; 20],
        data: Vec<u8>,
    ) -> Result<usize, DhtCallError> {
        self.dht(StoreValue { key, data, version: None }).await
    }

    /// Finds the values stored under `key`: `(data, signer)` pairs, signed ones first.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`]: the node runs no DHT or stopped, or knows no node to ask.
    pub async fn find_values(&self, key: [u8; 20]) -> Result<FoundValues, DhtCallError> {
        self.dht(FindValues { key }).await
    }

    /// Finds the DHT nodes closest to `key`, nearest first.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`]: the node runs no DHT or stopped, or knows no node to ask.
    pub async fn find_nodes(&self, key: [u8; 20]) -> Result<Vec<Peer>, DhtCallError> {
        self.dht(FindNodes { key }).await
    }

    /// Finds the peer with `mid` through the DHT (py-ipv8's `connect_peer`): the addresses the
    /// nodes storing it know it by. They ask it to puncture toward us, so a peer behind a NAT can
    /// be reached at them. Needs a DHT that finds peers (`DHTDiscoveryCommunity`).
    ///
    /// # Errors
    ///
    /// [`DhtCallError`]: the node runs no DHT or stopped, its DHT does not find peers
    /// ([`DhtError::NoPeerDiscovery`]), or nobody knew the peer ([`DhtError::PeerNotFound`]).
    pub async fn connect_peer(&self, mid: Mid) -> Result<Vec<Peer>, DhtCallError> {
        self.dht(ConnectPeer { mid, peer: None }).await
    }

    async fn dht<R, T>(&self, request: R) -> Result<T, DhtCallError>
    where
        DhtCommunity: Responder<R>,
        R: Request<Response = Result<T, DhtError>>,
    {
        match self.ask::<DhtCommunity, R>(request).await {
            Ok(answer) => Ok(answer?),
            Err(RuntimeError::Ask(error)) => Err(DhtCallError::Ask(error)),
            Err(RuntimeError::NoSuchCommunity(_)) => Err(AskError::NoSuchCommunity.into()),
            Err(_) => Err(DhtCallError::Stopped),
        }
    }
}
