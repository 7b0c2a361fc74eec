//! The DHT calls of a simulated node ([`TestNetwork::dht`]): the same calls as on a running node
//! ([`NodeHandle::store_value`](crate::runtime::NodeHandle::store_value) and the others), answered
//! by running virtual time until the node's DHT replies.

use super::TestNetwork;
use crate::crypto::Mid;
use crate::proto::dht::{
    ConnectPeer, DhtCallError, DhtCommunity, DhtError, FindNodes, FindValues, FoundValues,
    StoreValue, unix_version,
};
use crate::proto::{AskError, Community, Peer, Request, Responder};

/// The DHT of one simulated node; from [`TestNetwork::dht`].
pub struct SimDht<'a, C: Community> {
    net: &'a mut TestNetwork<C>,
    node: usize,
}

impl<C: Community> TestNetwork<C> {
    /// Asks node `i`'s community of type `S` to answer `request`, and runs virtual time until it
    /// does (at most the configured horizon, or the ask's own timeout, whichever is longer).
    ///
    /// # Errors
    ///
    /// [`AskError`] if node `i` does not run `S`, or no answer came.
    pub fn ask_and_wait<S, R>(&mut self, i: usize, request: R) -> Result<R::Response, AskError>
    where
        S: Responder<R>,
        R: Request,
    {
        let now = self.now();
        let response = self.node_mut(i).ask::<S, R>(now, request);
        self.flush(i);
        let until = now + self.horizon().max(crate::proto::ASK_TIMEOUT);
        loop {
            if let Some(answer) = response.try_take() {
                return answer.unwrap_or(Err(AskError::Cancelled));
            }
            if self.step(until).is_none() {
                return Err(AskError::TimedOut);
            }
        }
    }

    /// The DHT calls of node `i` (its first [`DhtCommunity`]).
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::proto::dht::DhtCommunity;
    /// use ipv8::testing::TestNetwork;
    ///
    /// let mut net = TestNetwork::initialize(12, |_| DhtCommunity::with_peer_discovery());
    /// assert!(net.dht(0).store_value([9; 20], b"hi".to_vec())? > 0);
    /// let found = net.dht(7).find_values([9; 20])?;
    /// assert_eq!(found, [(b"hi".to_vec(), Some(net.public_key(0).clone()))]);
    ///
    /// // Every node stores itself under its mid within the first store-peer round.
    /// net.advance(ipv8::proto::dht::STORE_PEER_INTERVAL);
    /// let mid = net.mid(3);
    /// let found = net.dht(9).connect_peer(mid)?;
    /// assert!(found.iter().any(|peer| peer.key() == net.public_key(3)));
    /// # Ok::<(), ipv8::proto::dht::DhtCallError>(())
    /// ```
    pub fn dht(&mut self, i: usize) -> SimDht<'_, C> {
        SimDht { net: self, node: i }
    }
}

impl<C: Community> SimDht<'_, C> {
    /// Stores `data` under `key`, signed (see
    /// [`NodeHandle::store_value`](crate::runtime::NodeHandle::store_value)).
    ///
    /// # Errors
    ///
    /// [`DhtCallError`], as on a running node.
    pub fn store_value(&mut self, key: [u8; 20], data: Vec<u8>) -> Result<usize, DhtCallError> {
        self.call(StoreValue { key, data, version: Some(unix_version()) })
    }

    /// Stores `data` under `key`, unsigned.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`], as on a running node.
    pub fn store_unsigned_value(
        &mut self,
        key: [u8; 20],
        data: Vec<u8>,
    ) -> Result<usize, DhtCallError> {
        self.call(StoreValue { key, data, version: None })
    }

    /// Finds the values under `key`.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`], as on a running node.
    pub fn find_values(&mut self, key: [u8; 20]) -> Result<FoundValues, DhtCallError> {
        self.call(FindValues { key })
    }

    /// Finds the nodes closest to `key`.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`], as on a running node.
    pub fn find_nodes(&mut self, key: [u8; 20]) -> Result<Vec<Peer>, DhtCallError> {
        self.call(FindNodes { key })
    }

    /// Finds the peer with `mid`.
    ///
    /// # Errors
    ///
    /// [`DhtCallError`], as on a running node.
    pub fn connect_peer(&mut self, mid: Mid) -> Result<Vec<Peer>, DhtCallError> {
        self.call(ConnectPeer { mid, peer: None })
    }

    fn call<R, T>(&mut self, request: R) -> Result<T, DhtCallError>
    where
        DhtCommunity: Responder<R>,
        R: Request<Response = Result<T, DhtError>>,
    {
        Ok(self.net.ask_and_wait::<DhtCommunity, R>(self.node, request)??)
    }
}
