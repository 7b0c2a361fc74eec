//! Host names the node's communities asked for ([`Context::resolve`](crate::proto::Context::resolve)),
//! resolved with the system resolver on tokio's pool, one task per name, and handed back to the
//! driver through one bounded channel.

use std::net::SocketAddr;

use tokio::sync::mpsc;

use crate::proto::{RESOLVE_LIMIT, ResolveError, ResolveRequest};

/// A resolved request: its id and the addresses (or why there are none).
pub(crate) type Resolved = (u64, Result<Vec<SocketAddr>, ResolveError>);

/// The names being resolved for one driver.
pub(crate) struct Resolver {
    tx: mpsc::Sender<Resolved>,
    pub(crate) done: mpsc::Receiver<Resolved>,
    pub(crate) running: usize,
}

impl Resolver {
    pub(crate) fn new() -> Self {
        // The node refuses more than RESOLVE_LIMIT names at once, so every answer fits.
        let (tx, done) = mpsc::channel(RESOLVE_LIMIT);
        Self { tx, done, running: 0 }
    }

    /// Starts resolving `request` in a task of its own.
    pub(crate) fn start(&mut self, request: ResolveRequest) {
        self.running += 1;
        let tx = self.tx.clone();
        tokio::spawn(async move {
            let found = tokio::net::lookup_host((request.host.as_str(), request.port)).await;
            let result = found
                .map(Iterator::collect)
                .map_err(|error| ResolveError::Failed(error.to_string()));
            let _ = tx.send((request.id, result)).await;
        });
    }
}
