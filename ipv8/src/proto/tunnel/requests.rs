//! What applications and other communities ask a tunnel community (the IPv8 documentation's
//! interface in Rust form): [`BuildTunnels`], [`TunnelsReady`], [`ActiveDataCircuits`],
//! [`CreateCircuit`], [`TunnelData`] and [`DestroyCircuit`]. Data coming back arrives as
//! [`TunnelEvent::Data`](super::TunnelEvent::Data).

use super::circuit::{CircuitInfo, CircuitState, CircuitType};
use super::community::{TunnelCommunity, TunnelError};
use super::{DESTROY_UNKNOWN, PeerFlags};
use crate::messages::tunnel::DataPayload;
use crate::proto::{Context, Reply, Request, Responder};
use crate::wire::format::Address;

/// Keep `max_circuits` data circuits of `hops` hops (py-ipv8's `build_tunnels`); the community
/// builds missing ones every 5 s, starting now.
#[derive(Debug, Clone, Copy)]
pub struct BuildTunnels {
    /// Hops per circuit.
    pub hops: usize,
}

impl Request for BuildTunnels {
    type Response = ();
}

/// The share of the data circuits of `hops` hops asked for that are ready (py-ipv8's
/// `tunnels_ready`; 1.0 when none are asked for).
#[derive(Debug, Clone, Copy)]
pub struct TunnelsReady {
    /// Hops per circuit.
    pub hops: usize,
}

impl Request for TunnelsReady {
    type Response = f64;
}

/// The ready data circuits, optionally only those of `hops` hops (py-ipv8's
/// `active_data_circuits`).
#[derive(Debug, Clone, Copy, Default)]
pub struct ActiveDataCircuits {
    /// Only circuits of this many hops.
    pub hops: Option<usize>,
}

impl Request for ActiveDataCircuits {
    type Response = Vec<CircuitInfo>;
}

/// Builds one circuit and answers once it is ready (or removed).
#[derive(Debug, Clone)]
pub struct CreateCircuit {
    /// Hops (1–3 in practice).
    pub hops: usize,
    /// What it is for (a data circuit by default).
    pub ctype: CircuitType,
    /// Flags its exit must have (by default: `EXIT_BT` for data circuits).
    pub exit_flags: Option<PeerFlags>,
}

impl CreateCircuit {
    /// A data circuit of `hops` hops.
    #[must_use]
    pub fn new(hops: usize) -> Self {
        Self { hops, ctype: CircuitType::Data, exit_flags: None }
    }
}

impl Request for CreateCircuit {
    type Response = Result<CircuitInfo, TunnelError>;
}

/// Sends `data` through ready circuit `circuit` to `destination`, which its exit sends it to
/// (py-ipv8's `tunnel_data`). Answers from there come back as
/// [`TunnelEvent::Data`](super::TunnelEvent::Data).
#[derive(Debug, Clone)]
pub struct TunnelData {
    /// The circuit.
    pub circuit: u32,
    /// Where the exit sends it.
    pub destination: Address,
    /// The datagram.
    pub data: Vec<u8>,
}

impl Request for TunnelData {
    type Response = Result<(), TunnelError>;
}

/// Removes one of our circuits and tells its hops (destroy, reason "unknown" as py-ipv8's
/// `destroy=True`).
#[derive(Debug, Clone, Copy)]
pub struct DestroyCircuit {
    /// The circuit.
    pub circuit: u32,
}

impl Request for DestroyCircuit {
    type Response = Result<(), TunnelError>;
}

impl TunnelCommunity {
    fn data_circuits(&self, hops: Option<usize>) -> impl Iterator<Item = &super::Circuit> {
        self.circuits.values().filter(move |c| {
            c.ctype == CircuitType::Data
                && c.state == CircuitState::Ready
                && hops.is_none_or(|hops| c.goal_hops == hops)
        })
    }
}

impl Responder<BuildTunnels> for TunnelCommunity {
    fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: BuildTunnels, reply: Reply<()>) {
        self.build_tunnels(ctx, request.hops);
        ctx.reply(reply, ());
    }
}

impl Responder<TunnelsReady> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: TunnelsReady,
        reply: Reply<f64>,
    ) {
        let ready = self.tunnels_ready(request.hops);
        ctx.reply(reply, ready);
    }
}

impl Responder<ActiveDataCircuits> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: ActiveDataCircuits,
        reply: Reply<Vec<CircuitInfo>>,
    ) {
        let circuits = self.active_data_circuits(request.hops);
        ctx.reply(reply, circuits);
    }
}

impl Responder<CreateCircuit> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: CreateCircuit,
        reply: Reply<Result<CircuitInfo, TunnelError>>,
    ) {
        match self.create_circuit(ctx, request.hops, request.ctype, request.exit_flags) {
            Ok(id) => {
                if let Some(circuit) = self.circuits.get_mut(&id) {
                    circuit.waiting.push(reply);
                }
            }
            Err(error) => ctx.reply(reply, Err(error)),
        }
    }
}

impl Responder<TunnelData> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: TunnelData,
        reply: Reply<Result<(), TunnelError>>,
    ) {
        let result = self.tunnel_data(ctx, request);
        ctx.reply(reply, result);
    }
}

impl Responder<DestroyCircuit> for TunnelCommunity {
    fn on_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: DestroyCircuit,
        reply: Reply<Result<(), TunnelError>>,
    ) {
        let id = request.circuit;
        let result = if self.circuits.contains_key(&id) {
            self.remove_circuit(ctx, id, "destroyed", Some(DESTROY_UNKNOWN));
            Ok(())
        } else {
            Err(TunnelError::UnknownCircuit(id))
        };
        ctx.reply(reply, result);
    }
}

impl TunnelCommunity {
    /// Keeps `max_circuits` data circuits of `hops` hops from now on (py-ipv8's
    /// `build_tunnels`): the missing ones are built now and every 5 s.
    pub fn build_tunnels(&mut self, ctx: &mut Context<'_, Self>, hops: usize) {
        if hops > 0 {
            self.circuits_needed.insert(hops, self.settings.max_circuits);
            self.do_circuits(ctx);
        }
    }

    /// The share of the data circuits of `hops` hops asked for that are ready (py-ipv8's
    /// `tunnels_ready`; 1.0 when none are asked for).
    #[must_use]
    pub fn tunnels_ready(&self, hops: usize) -> f64 {
        let wanted = self.circuits_needed.get(&hops).copied().unwrap_or(0);
        if hops == 0 || wanted == 0 {
            return 1.0;
        }
        let count = |n: usize| f64::from(u32::try_from(n).unwrap_or(u32::MAX));
        count(self.data_circuits(Some(hops)).count()) / count(wanted)
    }

    /// The ready data circuits (of `hops` hops, if given), oldest first (py-ipv8's
    /// `active_data_circuits`).
    #[must_use]
    pub fn active_data_circuits(&self, hops: Option<usize>) -> Vec<CircuitInfo> {
        let mut circuits: Vec<_> = self.data_circuits(hops).map(super::Circuit::info).collect();
        circuits.sort_by_key(|c| c.traffic.created_at);
        circuits
    }

    /// Sends data through one of our ready circuits (py-ipv8's `tunnel_data`).
    ///
    /// # Errors
    ///
    /// [`TunnelError::UnknownCircuit`], [`TunnelError::NotReady`], or
    /// [`TunnelError::BadDestination`] for `0.0.0.0:0`.
    pub fn tunnel_data(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: TunnelData,
    ) -> Result<(), TunnelError> {
        let id = request.circuit;
        let circuit = self.circuits.get(&id).ok_or(TunnelError::UnknownCircuit(id))?;
        if circuit.state != CircuitState::Ready {
            return Err(TunnelError::NotReady(id));
        }
        if request.destination == Address::Ip(super::cells::NOWHERE) && !circuit.is_e2e() {
            return Err(TunnelError::BadDestination(format!("{:?}", request.destination)));
        }
        let first_hop = circuit.first_hop_address().ok_or(TunnelError::NotReady(id))?;
        let payload = DataPayload {
            circuit_id: id,
            dest_address: request.destination,
            org_address: Address::Ip(super::cells::NOWHERE),
            data: request.data,
        };
        self.send_cell(ctx, first_hop, &payload);
        Ok(())
    }
}
