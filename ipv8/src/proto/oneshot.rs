//! A one-shot channel whose receiving end is a [`Future`]: how code outside a handler awaits a
//! response that a handler (or a request-cache timeout) delivers. It works with any executor.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};

/// Why a [`Response`] ended without a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ResponseError {
    /// The request timed out (the cache holding the [`Completer`] timed it out).
    #[error("the request timed out")]
    TimedOut,
    /// The [`Completer`] was dropped: its cache was removed or the community shut down.
    #[error("the request was cancelled")]
    Cancelled,
}

struct Slot<T> {
    value: Option<Result<T, ResponseError>>,
    waker: Option<Waker>,
}

type Shared<T> = Arc<Mutex<Slot<T>>>;

/// Creates a connected pair: keep the [`Completer`] in a request cache, hand out the [`Response`].
///
/// # Examples
///
/// ```
/// use ipv8::proto::oneshot::{self, ResponseError};
///
/// let (completer, response) = oneshot::channel::<u32>();
/// completer.complete(10);
/// assert_eq!(response.try_take(), Some(Ok(10)));
///
/// let (completer, response) = oneshot::channel::<u32>();
/// drop(completer);
/// assert_eq!(response.try_take(), Some(Err(ResponseError::Cancelled)));
/// ```
#[must_use]
pub fn channel<T>() -> (Completer<T>, Response<T>) {
    let shared = Arc::new(Mutex::new(Slot { value: None, waker: None }));
    (Completer { shared: Some(Arc::clone(&shared)) }, Response { shared })
}

/// The sending end; dropping it without completing resolves the [`Response`] as cancelled.
pub struct Completer<T> {
    shared: Option<Shared<T>>,
}

impl<T> Completer<T> {
    /// Resolves the response with `value`.
    pub fn complete(mut self, value: T) {
        self.finish(Ok(value));
    }

    /// Resolves the response as timed out.
    pub fn time_out(mut self) {
        self.finish(Err(ResponseError::TimedOut));
    }

    fn finish(&mut self, result: Result<T, ResponseError>) {
        if let Some(shared) = self.shared.take() {
            let mut slot = shared.lock().unwrap_or_else(PoisonError::into_inner);
            slot.value = Some(result);
            if let Some(waker) = slot.waker.take() {
                waker.wake();
            }
        }
    }
}

impl<T> Drop for Completer<T> {
    fn drop(&mut self) {
        self.finish(Err(ResponseError::Cancelled));
    }
}

impl<T> std::fmt::Debug for Completer<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Completer")
    }
}

/// The receiving end: a future of the response.
///
/// # Cancel safety
///
/// Dropping it only discards the value; the request itself goes on.
pub struct Response<T> {
    shared: Shared<T>,
}

impl<T> Response<T> {
    /// The result, if it has arrived (for synchronous code such as simulator tests).
    pub fn try_take(&self) -> Option<Result<T, ResponseError>> {
        self.shared.lock().unwrap_or_else(PoisonError::into_inner).value.take()
    }
}

impl<T> Future for Response<T> {
    type Output = Result<T, ResponseError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut slot = self.shared.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(value) = slot.value.take() {
            Poll::Ready(value)
        } else {
            slot.waker = Some(cx.waker().clone());
            Poll::Pending
        }
    }
}

impl<T> std::fmt::Debug for Response<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Response")
    }
}
