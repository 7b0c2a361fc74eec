//! Communities that work together: one community of a node asks another for something and gets the
//! answer later, through the node's bounded mailbox (tunnels ask the DHT for introduction points;
//! identity asks tunnels for an anonymous endpoint). No state is shared behind the API's back: the
//! request travels to the answering community, which replies when it can; the reply travels back
//! and runs the asker's callback with the asker's own context.
//!
//! The answering side implements [`Responder`] for a [`Request`] type; the asking side calls
//! [`Context::ask`](super::Context::ask) (from a handler, task, strategy or job callback) or
//! [`Node::ask`](super::Node::ask) (from outside, as a future).
//!
//! # Examples
//!
//! ```
//! use ipv8::community;
//! use ipv8::proto::{AskError, Community, CommunityId, Context, Reply, Request, Responder};
//! use ipv8::testing::TestNetwork;
//!
//! /// "What is the sum of these numbers?"
//! struct Sum(Vec<u64>);
//!
//! impl Request for Sum {
//!     type Response = u64;
//! }
//!
//! #[derive(Default)]
//! struct Calculator;
//!
//! #[community]
//! impl Calculator {}
//!
//! impl Community for Calculator {
//!     fn community_id(&self) -> CommunityId {
//!         CommunityId(*b"calculator community")
//!     }
//! }
//!
//! impl Responder<Sum> for Calculator {
//!     fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: Sum, reply: Reply<u64>) {
//!         ctx.reply(reply, request.0.iter().sum());
//!     }
//! }
//!
//! #[derive(Default)]
//! struct Accountant {
//!     total: Option<Result<u64, AskError>>,
//! }
//!
//! #[community]
//! impl Accountant {}
//!
//! impl Community for Accountant {
//!     fn community_id(&self) -> CommunityId {
//!         CommunityId(*b"accountant community")
//!     }
//!
//!     fn started(&mut self, ctx: &mut Context<'_, Self>) {
//!         let asked = ctx.ask::<Calculator, _>(Sum(vec![1, 2, 3]), |me, _ctx, total| {
//!             me.total = Some(total);
//!         });
//!         assert!(asked.is_ok());
//!     }
//! }
//!
//! let mut net = TestNetwork::initialize(1, |_| Calculator);
//! let now = net.now();
//! net.node_mut(0).add_community(now, Accountant::default())?;
//! assert_eq!(net.node(0).community::<Accountant>().and_then(|a| a.total), Some(Ok(6)));
//! # Ok::<(), ipv8::proto::NodeError>(())
//! ```

use std::any::TypeId;
use std::time::Duration;

use super::host::{Host, Overlay};
use super::oneshot::Completer;
use super::shared::Shared;
use super::{Community, CommunityId, Context, NumberCache};

/// How long an asker waits for a reply before its callback gets [`AskError::TimedOut`].
pub const ASK_TIMEOUT: Duration = Duration::from_secs(30);

/// A request one community sends another, with the type of its answer.
pub trait Request: Send + 'static {
    /// What the answering community replies.
    type Response: Send + 'static;
}

/// A community that answers requests of type `R`.
pub trait Responder<R: Request>: Community {
    /// Answers `request`, now or later, with [`Context::reply`](super::Context::reply). A reply
    /// that is dropped unanswered leaves the asker to time out.
    fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: R, reply: Reply<R::Response>);
}

/// Why an ask ended without an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AskError {
    /// No community of the asked type (or id) runs on the node.
    #[error("no such community runs on this node")]
    NoSuchCommunity,
    /// No reply came within [`ASK_TIMEOUT`].
    #[error("the request timed out")]
    TimedOut,
    /// The node's mailbox is full; try again later.
    #[error("the node's mailbox is full")]
    MailboxFull,
    /// The answering community dropped the reply, panicked, or was removed.
    #[error("the request was cancelled")]
    Cancelled,
}

/// Delivers a reply to the asking community's callback.
type DeliverFn<T> = fn(&mut (dyn Overlay + 'static), &mut Shared, u64, Result<T, AskError>);

/// Where a reply goes: back to an asking community, or to a future outside the node.
pub struct Reply<T> {
    to: ReplyTo<T>,
}

enum ReplyTo<T> {
    Community { caller: CommunityId, number: u64, deliver: DeliverFn<T> },
    External(Completer<Result<T, AskError>>),
}

impl<T: Send + 'static> Reply<T> {
    /// Sends the answer on its way.
    pub(crate) fn send(self, shared: &mut Shared, result: Result<T, AskError>) {
        match self.to {
            ReplyTo::External(completer) => completer.complete(result),
            ReplyTo::Community { caller, number, deliver } => {
                let envelope = Envelope {
                    to: Target::Id(caller),
                    open: Box::new(move |overlay, shared| {
                        if let Some(overlay) = overlay {
                            deliver(overlay, shared, number, result);
                        }
                    }),
                };
                shared.post(envelope);
            }
        }
    }

    pub(crate) fn external(completer: Completer<Result<T, AskError>>) -> Self {
        Self { to: ReplyTo::External(completer) }
    }
}

impl<T> std::fmt::Debug for Reply<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.to {
            ReplyTo::Community { caller, number, .. } => {
                f.debug_struct("Reply").field("caller", caller).field("number", number).finish()
            }
            ReplyTo::External(_) => f.write_str("Reply(external)"),
        }
    }
}

/// Which community an envelope is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// The first community of a type (the `TypeId` of its `Host`).
    Type(TypeId),
    /// The community with this id.
    Id(CommunityId),
}

/// Opens an envelope at its community (`None`: no such community).
type Open = Box<dyn FnOnce(Option<&mut (dyn Overlay + 'static)>, &mut Shared) + Send>;

/// A call or a reply on its way through the node's mailbox.
pub(crate) struct Envelope {
    pub(crate) to: Target,
    pub(crate) open: Open,
}

/// The callback of an asking community.
type Callback<C, T> = Box<dyn FnOnce(&mut C, &mut Context<'_, C>, Result<T, AskError>) + Send>;

/// An ask waiting for its reply, in the asking community's request cache.
struct Pending<C, T> {
    callback: Callback<C, T>,
}

impl<C: Community, T: Send + 'static> NumberCache<C> for Pending<C, T> {
    fn timeout_delay(&self) -> Duration {
        ASK_TIMEOUT
    }

    fn on_timeout(self: Box<Self>, community: &mut C, ctx: &mut Context<'_, C>) {
        (self.callback)(community, ctx, Err(AskError::TimedOut));
    }
}

/// Hands a reply to the asking community `C`'s callback, if it still waits.
fn deliver<C: Community, T: Send + 'static>(
    overlay: &mut (dyn Overlay + 'static),
    shared: &mut Shared,
    number: u64,
    result: Result<T, AskError>,
) {
    let Some(host) = overlay.as_any_mut().downcast_mut::<Host<C>>() else { return };
    let Some(pending) = host.cache.pop::<Pending<C, T>>(number) else { return };
    host.run(shared, super::host::During::Reply, |community, ctx| {
        (pending.callback)(community, ctx, result);
    });
}

/// Puts `request` in an envelope for `S` (at `target`), answered through `reply`.
pub(crate) fn call<S, R>(target: Target, request: R, reply: Reply<R::Response>) -> Envelope
where
    S: Responder<R>,
    R: Request,
{
    Envelope {
        to: target,
        open: Box::new(move |overlay, shared| {
            let host = overlay.and_then(|o| o.as_any_mut().downcast_mut::<Host<S>>());
            let Some(host) = host else {
                reply.send(shared, Err(AskError::NoSuchCommunity));
                return;
            };
            host.run(shared, super::host::During::Request, |community, ctx| {
                community.on_request(ctx, request, reply);
            });
        }),
    }
}

/// The target of the first community of type `S`.
pub(crate) fn type_target<S: Community>() -> Target {
    Target::Type(TypeId::of::<Host<S>>())
}

impl<C: Community> Context<'_, C> {
    /// Asks the first community of type `S` on this node to answer `request`; `on_response` runs
    /// with this community and its context when the answer comes (or with an [`AskError`]: no
    /// such community, a timeout after [`ASK_TIMEOUT`], a dropped reply).
    ///
    /// # Errors
    ///
    /// [`AskError::MailboxFull`] when the node's mailbox is full; `on_response` is then dropped.
    pub fn ask<S, R>(
        &mut self,
        request: R,
        on_response: impl FnOnce(&mut C, &mut Context<'_, C>, Result<R::Response, AskError>)
        + Send
        + 'static,
    ) -> Result<(), AskError>
    where
        S: Responder<R>,
        R: Request,
    {
        self.ask_at::<S, R>(type_target::<S>(), request, Box::new(on_response))
    }

    /// As [`Context::ask`], to the community of type `S` with id `community_id` (one of several
    /// overlays of one class, such as pseudonyms).
    ///
    /// # Errors
    ///
    /// As [`Context::ask`].
    pub fn ask_community<S, R>(
        &mut self,
        community_id: CommunityId,
        request: R,
        on_response: impl FnOnce(&mut C, &mut Context<'_, C>, Result<R::Response, AskError>)
        + Send
        + 'static,
    ) -> Result<(), AskError>
    where
        S: Responder<R>,
        R: Request,
    {
        self.ask_at::<S, R>(Target::Id(community_id), request, Box::new(on_response))
    }

    fn ask_at<S, R>(
        &mut self,
        target: Target,
        request: R,
        callback: Callback<C, R::Response>,
    ) -> Result<(), AskError>
    where
        S: Responder<R>,
        R: Request,
    {
        if self.shared.mailbox.envelopes.len() >= super::shared::MAILBOX_LIMIT {
            return Err(AskError::MailboxFull);
        }
        let number =
            self.add_random_cache(Pending { callback }).map_err(|_| AskError::MailboxFull)?;
        let deliver: DeliverFn<R::Response> = deliver::<C, R::Response>;
        let to = ReplyTo::Community { caller: self.community_id(), number, deliver };
        let envelope = call::<S, R>(target, request, Reply { to });
        if self.shared.post(envelope) {
            Ok(())
        } else {
            drop(self.cache.pop::<Pending<C, R::Response>>(number));
            Err(AskError::MailboxFull)
        }
    }

    /// Answers a request this community got through [`Responder::on_request`].
    pub fn reply<T: Send + 'static>(&mut self, reply: Reply<T>, value: T) {
        reply.send(self.shared, Ok(value));
    }
}
