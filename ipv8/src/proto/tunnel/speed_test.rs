//! Speed tests along one of our circuits (py-ipv8's `send_test_request`, inner messages 19 and 20):
//! the originator sends a test-request with `request_size` random bytes; a last hop with the
//! `SPEED_TEST` flag answers with `response_size` random bytes. [`TestCircuit`] is one round trip.
//! Our exits also answer the speed test of `ipv8_rust_tunnels` (messages 21 and 22, a `u32`
//! identifier), which py-ipv8's REST speed test runs when Tribler's data plane is installed.

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
fn random_bytes(ctx: &mut Context<'_, TunnelCommunity>, len: u16) -> Vec<u8> {
    let mut data = vec![0; usize::from(len)];
    for chunk in data.chunks_mut(8) {
        let random = ctx.rng().next_u64().to_le_bytes();
        chunk.copy_from_slice(&random[..chunk.len()]);
    }
    data
}

/// The speed-test request of `ipv8_rust_tunnels`' data plane (inner message 21, as Tribler's
/// nodes and py-ipv8's REST speed test send it): a `u32` identifier, the response size, padding.
#[crate::payload(msg_id = 21)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustTestRequestPayload {
    /// The circuit.
    pub circuit_id: u32,
    /// Echoed in the response.
    pub identifier: u32,
    /// Random bytes to answer with.
    pub response_size: u16,
    /// Padding.
    #[payload(format = "raw")]
    pub data: Vec<u8>,
}

/// The answer to [`RustTestRequestPayload`] (inner message 22).
#[crate::payload(msg_id = 22)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RustTestResponsePayload {
    /// The circuit.
    pub circuit_id: u32,
    /// The request's identifier.
    pub identifier: u32,
    /// Random bytes.
    #[payload(format = "raw")]
    pub data: Vec<u8>,
}

/// The largest response we send to a speed test, so that the cell fits a UDP datagram.
pub const MAX_TEST_RESPONSE: u16 = 60_000;

impl TunnelCommunity {
    /// The random bytes our exit of `circuit` answers a speed test with (both kinds): refused
    /// without the `SPEED_TEST` flag, at most [`MAX_TEST_RESPONSE`] bytes.
    pub(super) fn speed_test_answer(
        &mut self,
        ctx: &mut Context<'_, Self>,
        circuit: u32,
        size: u16,
    ) -> Result<Vec<u8>, DropReason> {
        if !self.settings.peer_flags.contains(super::PeerFlags::SPEED_TEST) {
            return Err(DropReason::Refused("tunnel_no_speed_test"));
        }
        let now = ctx.now();
        let mut exits = self.exits.lock();
        let Some(exit) = exits.get_mut(&circuit) else {
            return Err(DropReason::Refused("tunnel_unknown_circuit"));
        };
        exit.traffic.last_activity = now;
        drop(exits);
        Ok(random_bytes(ctx, size.min(MAX_TEST_RESPONSE)))
    }

    /// A speed-test request of `ipv8_rust_tunnels` at our exit: answer as that data plane does
    /// (with the `SPEED_TEST` flag, at most [`MAX_TEST_RESPONSE`] bytes).
    pub(super) fn on_rust_test_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: std::net::SocketAddr,
        p: &RustTestRequestPayload,
    ) -> Result<(), DropReason> {
        let data = self.speed_test_answer(ctx, p.circuit_id, p.response_size)?;
        let response =
            RustTestResponsePayload { circuit_id: p.circuit_id, identifier: p.identifier, data };
        self.send_cell(ctx, source, &response);
        Ok(())
    }
}

#[cfg(all(test, feature = "test-util"))]
mod tests {
    use super::{MAX_TEST_RESPONSE, RustTestRequestPayload};
    use crate::proto::tunnel::{CreateCircuit, PeerFlags, TunnelCommunity, TunnelSettings};
    use crate::testing::TestNetwork;

    fn exit_network(exit_flags: PeerFlags) -> (TestNetwork<TunnelCommunity>, u32) {
        let mut net = TestNetwork::initialize(2, |i| {
            let peer_flags = if i == 1 { exit_flags } else { PeerFlags::RELAY };
            let settings = TunnelSettings { peer_flags, ..TunnelSettings::default() };
            TunnelCommunity::new(settings)
        });
        net.introduce_nodes();
        let info = net.ask_and_wait::<TunnelCommunity, _>(0, CreateCircuit::new(1));
        (net, info.expect("asked").expect("ready").id)
    }

    fn request(net: &mut TestNetwork<TunnelCommunity>, circuit: u32, response_size: u16) -> u64 {
        let before = net.overlay(0).circuit(circuit).expect("ours").traffic().bytes_down;
        net.with_overlay(0, |t, ctx| {
            let first_hop =
                t.circuits.get(&circuit).and_then(crate::proto::tunnel::Circuit::first_hop_address);
            let p = RustTestRequestPayload {
                circuit_id: circuit,
                identifier: 7,
                response_size,
                data: vec![0; 16],
            };
            t.send_cell(ctx, first_hop.expect("a hop"), &p);
        });
        net.deliver_messages();
        net.overlay(0).circuit(circuit).expect("ours").traffic().bytes_down - before
    }

    #[test]
    fn an_exit_answers_the_rust_data_planes_speed_test_within_a_datagram() {
        let flags = PeerFlags::RELAY | PeerFlags::EXIT_BT | PeerFlags::SPEED_TEST;
        let (mut net, circuit) = exit_network(flags);
        let small = request(&mut net, circuit, 1000);
        assert!((1000..1200).contains(&small), "{small} bytes came back");
        let large = request(&mut net, circuit, u16::MAX);
        let most = u64::from(MAX_TEST_RESPONSE);
        assert!((most..most + 200).contains(&large), "{large} bytes came back");
    }

    #[test]
    fn an_exit_without_the_speed_test_flag_stays_silent() {
        let (mut net, circuit) = exit_network(PeerFlags::RELAY | PeerFlags::EXIT_BT);
        assert_eq!(request(&mut net, circuit, 1000), 0);
        let refused = net.node(1).stats().dropped.get("tunnel_no_speed_test").copied();
        assert_eq!(refused, Some(1));
    }
}
