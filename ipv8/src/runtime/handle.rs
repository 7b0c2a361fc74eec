//! [`spawn`] a node on an endpoint, then talk to it through a [`NodeHandle`] and read its
//! [`Events`].

use std::time::Instant;

use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;

use super::driver::{self, Command};
use super::{Config, Endpoint, LocalAddrs, RuntimeError, Stats};
use crate::proto::{AskError, Community, Context, Event, Node, NodeError, Request, Responder};

/// Runs `node` on `endpoint` in a task of the current tokio runtime, with the default [`Config`].
///
/// If the node has no address yet, it is told the endpoint's first bound address that is not a
/// wildcard (`0.0.0.0` or `::`), unless the endpoint sends through a SOCKS5 proxy: a node tells
/// its address to peers (introductions carry it as the LAN address), and the proxy is there to
/// hide it. The node runs until [`NodeHandle::shutdown`] or until every
/// [`NodeHandle`] is dropped (then it shuts down the same way); the task then ends and hands the
/// node back through the [`JoinHandle`].
///
/// # Examples
///
/// See the [module documentation](super).
///
/// # Panics
///
/// Outside a tokio runtime, as [`tokio::spawn`].
pub fn spawn(node: Node, endpoint: Endpoint) -> (NodeHandle, Events, JoinHandle<Node>) {
    spawn_with(&Config::default(), node, endpoint)
}

/// [`spawn`] with the queue sizes of `config`.
///
/// # Panics
///
/// Outside a tokio runtime, as [`tokio::spawn`].
pub fn spawn_with(
    config: &Config,
    mut node: Node,
    endpoint: Endpoint,
) -> (NodeHandle, Events, JoinHandle<Node>) {
    let local = endpoint.local_addrs();
    if node.address().is_none()
        && endpoint.proxy().is_none()
        && let Some(address) = local.iter().find(|address| !address.ip().is_unspecified())
    {
        node.set_address(address);
    }
    let unix = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0.0, |elapsed| elapsed.as_secs_f64());
    node.set_unix_time(std::time::Instant::now(), unix);
    let (commands, events, task) = driver::start(config, node, endpoint);
    (NodeHandle { commands, local }, Events { events }, task)
}

/// A handle to a running node: cheap to clone and to send between tasks.
///
/// Every request runs inside the node's loop, between two datagrams; whatever it queued (a send,
/// an event) goes out before the loop waits again. A closure that panics is caught: the call
/// answers [`RuntimeError::Panicked`] and the node runs on.
#[derive(Debug, Clone)]
pub struct NodeHandle {
    commands: mpsc::Sender<Command>,
    local: LocalAddrs,
}

impl NodeHandle {
    /// The addresses the node's sockets are bound to.
    #[must_use]
    pub fn local_addrs(&self) -> LocalAddrs {
        self.local
    }

    /// Whether the node's loop still runs.
    #[must_use]
    pub fn is_running(&self) -> bool {
        !self.commands.is_closed()
    }

    /// Runs `f` with the community of type `C` and its context, as a handler runs, and returns
    /// its result.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::NoSuchCommunity`] if the node runs no `C`; [`RuntimeError::Stopped`] if the
    /// loop has ended.
    ///
    /// # Cancel safety
    ///
    /// Not cancel safe: once the request is queued, `f` runs even if this future is dropped, and
    /// only its result is lost. Dropped before that, `f` never runs.
    pub async fn with_community<C, R>(
        &self,
        f: impl FnOnce(&mut C, &mut Context<'_, C>) -> R + Send + 'static,
    ) -> Result<R, RuntimeError>
    where
        C: Community,
        R: Send + 'static,
    {
        let result =
            self.with_node(move |node, now| node.try_with_community::<C, R>(now, f)).await?;
        result.map_err(|error| match error {
            NodeError::Panicked(_) => RuntimeError::Panicked,
            _ => RuntimeError::NoSuchCommunity(std::any::type_name::<C>()),
        })
    }

    /// Runs `f` with the node and the current time (to add a peer or a community, say) and
    /// returns its result.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended.
    ///
    /// # Cancel safety
    ///
    /// As [`NodeHandle::with_community`].
    pub async fn with_node<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Node, Instant) -> R + Send + 'static,
    ) -> Result<R, RuntimeError> {
        let result = self
            .request(|reply| {
                Command::Run(Box::new(move |node, now| {
                    let run = std::panic::AssertUnwindSafe(|| f(node, now));
                    let _ = reply.send(std::panic::catch_unwind(run).map_err(drop));
                }))
            })
            .await?;
        result.map_err(|()| RuntimeError::Panicked)
    }

    /// Asks the first community of type `S` to answer `request` (see
    /// [`Responder`]) and waits for the answer.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended; [`RuntimeError::Ask`] if the community
    /// does not run, did not answer in time, or dropped the request.
    pub async fn ask<S, R>(&self, request: R) -> Result<R::Response, RuntimeError>
    where
        S: Responder<R>,
        R: Request,
    {
        let response = self.with_node(move |node, now| node.ask::<S, R>(now, request)).await?;
        match response.await {
            Ok(Ok(answer)) => Ok(answer),
            Ok(Err(error)) => Err(RuntimeError::Ask(error)),
            Err(_) => Err(RuntimeError::Ask(AskError::Cancelled)),
        }
    }

    /// The node's and the driver's counters.
    ///
    /// # Errors
    ///
    /// [`RuntimeError::Stopped`] if the loop has ended.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: nothing changes whether or not the answer is awaited.
    pub async fn stats(&self) -> Result<Stats, RuntimeError> {
        self.request(Command::Stats).await
    }

    /// Shuts the node down gracefully: its tasks and request caches stop (pending responses
    /// resolve as cancelled), what it queued is sent as far as the sockets take it, and the loop
    /// ends. Returns once that is done, at once if the loop had ended already.
    ///
    /// # Cancel safety
    ///
    /// Once the request is queued, the node shuts down even if this future is dropped.
    pub async fn shutdown(&self) {
        let _ = self.request(Command::Shutdown).await;
    }

    pub(super) async fn request<T>(
        &self,
        command: impl FnOnce(oneshot::Sender<T>) -> Command,
    ) -> Result<T, RuntimeError> {
        let (reply, response) = oneshot::channel();
        self.commands.send(command(reply)).await.map_err(|_| RuntimeError::Stopped)?;
        response.await.map_err(|_| RuntimeError::Stopped)
    }
}

/// The events of a running node ([`Event`]), in order.
///
/// The queue is bounded ([`Config::with_event_capacity`]): when it is full, new events are dropped
/// and counted in [`Stats::events_dropped`], so a slow reader never stalls the node.
#[derive(Debug)]
pub struct Events {
    events: mpsc::Receiver<Event>,
}

impl Events {
    /// The next event; `None` once the node has stopped and every event was taken.
    ///
    /// # Cancel safety
    ///
    /// Cancel safe: if the future is dropped before it completes, no event was taken.
    pub async fn recv(&mut self) -> Option<Event> {
        self.events.recv().await
    }

    /// The next event if one is waiting now.
    pub fn try_recv(&mut self) -> Option<Event> {
        self.events.try_recv().ok()
    }

    /// How many events are waiting.
    #[must_use]
    pub fn len(&self) -> usize {
        self.events.len()
    }

    /// Whether no event is waiting.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.events.is_empty()
    }
}
