//! Speed tests along one of our circuits (py-ipv8's `send_test_request`, inner messages 19 and 20):
//! the originator sends a test-request with `request_size` random bytes; a last hop with the
//! `SPEED_TEST` flag answers with `response_size` random bytes. [`TestCircuit`] is one round trip.

use std::time::{Duration, Instant};

use super::circuit::CircuitState;
use super::community::{TunnelCommunity, TunnelError};
use crate::messages::tunnel::{TestRequestPayload, TestResponsePayload};
use crate::proto::{Context, DropReason, NumberCache, Reply, Request, Responder};

/// How long a test-request may go unanswered.
pub const TEST_TIMEOUT: Duration = Duration::from_secs(10);

/// One speed-test round trip on circuit `circuit`: `request_size` bytes up, `response_size` down.
#[derive(Debug, Clone, Copy)]
pub struct TestCircuit {
    /// One of our ready circuits.
    pub circuit: u32,
    /// Random bytes sent to the last hop.
    pub request_size: u16,
    /// Random bytes the last hop answers with.
    pub response_size: u16,
}

/// What a test round trip measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TestAnswer {
    /// From sending the request to receiving the response.
    pub rtt: Duration,
    /// Payload bytes that came back.
    pub received: usize,
}

impl Request for TestCircuit {
    type Response = Result<TestAnswer, TunnelError>;
}

/// A test-request waiting for its response.
struct TestCache {
    circuit: u32,
    sent_at: Instant,
    reply: Reply<Result<TestAnswer, TunnelError>>,
}

impl NumberCache<TunnelCommunity> for TestCache {
    fn timeout_delay(&self) -> Duration {
        TEST_TIMEOUT
    }

    fn on_timeout(
        self: Box<Self>,
        _: &mut TunnelCommunity,
        ctx: &mut Context<'_, TunnelCommunity>,
    ) {
        ctx.reply(self.reply, Err(TunnelError::TestTimeout(self.circuit)));
    }
}

impl Responder<TestCircuit> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: TestCircuit,
        reply: Reply<Result<TestAnswer, TunnelError>>,
    ) {
        let id = request.circuit;
        let first_hop = match self.circuits.get(&id) {
            None => Err(TunnelError::UnknownCircuit(id)),
            Some(c) if c.state != CircuitState::Ready => Err(TunnelError::NotReady(id)),
            Some(c) => c.first_hop_address().ok_or(TunnelError::NotReady(id)),
        };
        let first_hop = match first_hop {
            Ok(address) => address,
            Err(error) => return ctx.reply(reply, Err(error)),
        };
        let cache = TestCache { circuit: id, sent_at: ctx.now(), reply };
        let Ok(number) = ctx.add_random_cache(cache) else { return };
        let data = random_bytes(ctx, request.request_size);
        let test = TestRequestPayload {
            circuit_id: id,
            identifier: u16::try_from(number).unwrap_or_default(),
            response_size: request.response_size,
            data,
        };
        self.send_cell(ctx, first_hop, &test);
    }
}

impl TunnelCommunity {
    /// A speed-test response on one of our circuits: the round trip is over.
    pub(super) fn on_test_response(
        ctx: &mut Context<'_, Self>,
        p: &TestResponsePayload,
    ) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        match ctx.request_cache().get::<TestCache>(number) {
            Some(test) if test.circuit == p.circuit_id => {}
            _ => return Err(DropReason::Refused("tunnel_unexpected_test_response")),
        }
        if let Some(test) = ctx.request_cache().pop::<TestCache>(number) {
            let rtt = ctx.now().saturating_duration_since(test.sent_at);
            ctx.reply(test.reply, Ok(TestAnswer { rtt, received: p.data.len() }));
        }
        Ok(())
    }
}

/// `len` bytes from the node's random source.
pub(super) fn random_bytes(ctx: &mut Context<'_, TunnelCommunity>, len: u16) -> Vec<u8> {
    let mut data = vec![0; usize::from(len)];
    for chunk in data.chunks_mut(8) {
        let random = ctx.rng().next_u64().to_le_bytes();
        chunk.copy_from_slice(&random[..chunk.len()]);
    }
    data
}
