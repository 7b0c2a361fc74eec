//! Cells arriving at a tunnel community (spec `tunnels.md` §3, §5, §7): relayed on if they
//! belong to a relay route, else their layers taken off and their inner message handled; data
//! exited through an exit's sockets and what comes back on them tunnelled home.

use std::collections::HashMap;
use std::net::{Ipv4Addr, SocketAddr};

use super::community::{TunnelCommunity, TunnelEvent};
use super::exit::{
    EXIT_QUEUE, ExitSocket, Slot, could_be_ipv8, destination_allowed, exit_allowed, is_packet_of,
};
use super::{COMMUNITY_ID, Cell, Direction, PeerFlags};
use crate::messages::tunnel::{
    CreatePayload, CreatedPayload, DataPayload, ExtendPayload, ExtendedPayload, PingPayload,
    PongPayload, TestRequestPayload,
};
use crate::proto::{Context, DropReason, NumberCache, SocketId};
use crate::wire::Payload;
use crate::wire::format::Address;

/// Inner message ids (spec §4).
pub(super) mod id {
    pub(in super::super) const DATA: u8 = 1;
    pub(in super::super) const CREATE: u8 = 2;
    pub(in super::super) const CREATED: u8 = 3;
    pub(in super::super) const EXTEND: u8 = 4;
    pub(in super::super) const EXTENDED: u8 = 5;
    pub(in super::super) const PING: u8 = 6;
    pub(in super::super) const PONG: u8 = 7;
    pub(in super::super) const TEST_REQUEST: u8 = 19;
    pub(in super::super) const TEST_RESPONSE: u8 = 20;
    pub(in super::super) const RUST_TEST_REQUEST: u8 = 21;
    pub(in super::super) const RUST_TEST_RESPONSE: u8 = 22;
}

/// The address data cells name when there is none (`0.0.0.0:0`).
pub(super) const NOWHERE: SocketAddr =
    SocketAddr::new(std::net::IpAddr::V4(Ipv4Addr::UNSPECIFIED), 0);

/// How long a ping may go unanswered.
const PING_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// A keep-alive ping we sent on one of our circuits.
pub(super) struct PingCache {
    pub(super) circuit: u32,
}

impl NumberCache<TunnelCommunity> for PingCache {
    fn timeout_delay(&self) -> std::time::Duration {
        PING_TIMEOUT
    }
}

impl TunnelCommunity {
    /// A cell arrived from `source`.
    pub(super) fn on_cell(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), DropReason> {
        let cell = Cell::decode(data).map_err(|_| DropReason::Refused("tunnel_bad_cell"))?;
        if self.relays.lock().contains_key(&cell.circuit_id) {
            return self.relay_cell(ctx, source, data);
        }
        let message = self.take_layers(source, &cell)?;
        let Some(&inner) = message.first() else {
            return Err(DropReason::Refused("tunnel_bad_cell"));
        };
        if (inner == id::EXTEND && !cell.relay_early) || self.settings.max_relay_early == 0 {
            return Err(DropReason::Refused("tunnel_relay_early"));
        }
        let circuit_id = cell.circuit_id;
        let packet = Cell { message, ..cell }.inner_packet(COMMUNITY_ID);
        let body = packet.get(crate::proto::HEADER_LEN..).unwrap_or_default();
        match inner {
            id::DATA => self.on_data(ctx, source, decode(body)?),
            id::CREATE => self.on_create(ctx, source, &decode::<CreatePayload>(body)?),
            id::CREATED => self.on_created(ctx, source, decode::<CreatedPayload>(body)?),
            id::EXTEND => self.on_extend(ctx, decode::<ExtendPayload>(body)?),
            id::EXTENDED => self.on_extended(ctx, source, decode::<ExtendedPayload>(body)?),
            id::PING => self.on_ping(ctx, source, &decode(body)?),
            id::PONG => self.on_pong(ctx, &decode(body)?),
            id::TEST_REQUEST => self.on_test_request(ctx, source, &decode(body)?),
            id::TEST_RESPONSE => Self::on_test_response(ctx, &decode(body)?),
            9..=18 => self.on_hidden_cell(ctx, source, inner, body),
            id::RUST_TEST_REQUEST => self.on_rust_test_request(ctx, source, &decode(body)?),
            // We do not send 21 ourselves; an answer on our circuit only counts as traffic.
            id::RUST_TEST_RESPONSE if self.circuits.contains_key(&circuit_id) => Ok(()),
            _ => Err(DropReason::Refused("tunnel_unknown_cell")),
        }?;
        if let Some(circuit) = self.circuits.get_mut(&circuit_id) {
            circuit.traffic.down(ctx.now(), data.len());
        }
        Ok(())
    }

    /// The cell's message with the layers of our role on its circuit taken off: an exit's FORWARD
    /// layer, or every hop's BACKWARD layer of our own circuit. Encrypted cells must come from
    /// the peer on that circuit's link.
    fn take_layers(&mut self, source: SocketAddr, cell: &Cell) -> Result<Vec<u8>, DropReason> {
        if cell.plaintext {
            return Ok(cell.message.clone());
        }
        let bad_layer = |error| match error {
            super::CryptoError::Replayed => DropReason::Refused("tunnel_replayed"),
            _ => DropReason::Refused("tunnel_bad_layer"),
        };
        if let Some(exit) = self.exits.lock().get_mut(&cell.circuit_id) {
            if exit.peer.address() != source {
                return Err(DropReason::Refused("tunnel_wrong_link"));
            }
            exit.keys
                .decrypt_once(Direction::Forward, &cell.message, &mut exit.window)
                .map_err(bad_layer)
        } else if let Some(circuit) = self.circuits.get_mut(&cell.circuit_id) {
            if circuit.first_hop_address() != Some(source) {
                return Err(DropReason::Refused("tunnel_wrong_link"));
            }
            circuit.unwrap(&cell.message).map_err(bad_layer)
        } else {
            Err(DropReason::Refused("tunnel_unknown_circuit"))
        }
    }

    /// A cell on a circuit we relay, passed on (the same steps as the fast path's, for cells
    /// that reach the handlers: refused ones, or all of them where no fast path runs).
    fn relay_cell(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), DropReason> {
        let mut out = Vec::new();
        let max_relay_early = self.settings.max_relay_early;
        let to = self.relays.relay(ctx.now(), source, data, max_relay_early, &mut out)?;
        ctx.send_direct(to, out);
        Ok(())
    }

    /// Data on a circuit: from our exit for us, or for us to exit.
    fn on_data(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: DataPayload,
    ) -> Result<(), DropReason> {
        if let Some(circuit) = self.circuits.get_mut(&p.circuit_id) {
            circuit.traffic.last_activity = ctx.now();
            let e2e = circuit.is_e2e();
            if !e2e && is_packet_of(COMMUNITY_ID, &p.data) {
                // Hidden services' messages come back this way, from the exit's socket.
                let Address::Ip(origin) = p.org_address else {
                    return Err(DropReason::Refused("tunnel_bad_origin"));
                };
                return self.on_packet_from_circuit(ctx, p.circuit_id, origin, &p.data);
            }
            if !e2e && could_be_ipv8(&p.data) && self.carry_in(ctx, &p.org_address, &p.data) {
                return Ok(());
            }
            if could_be_ipv8(&p.data) && self.carry_in(ctx, &p.org_address, &p.data) {
                return Ok(());
            }
            let event =
                TunnelEvent::Data { circuit: p.circuit_id, origin: p.org_address, data: p.data };
            ctx.emit(event);
            return Ok(());
        }
        match p.dest_address {
            Address::Ip(destination) if destination != NOWHERE => {
                self.exit_data(ctx, source, p.circuit_id, destination, p.data)
            }
            Address::Ip(_) => Err(DropReason::Refused("tunnel_data_nowhere")),
            Address::Host { host, port } => {
                self.exit_host(ctx, source, p.circuit_id, host, port, p.data)
            }
        }
    }

    /// The exit of `circuit_id`, if `data` may leave it: the exit's first data must come from the
    /// hop that made it (which enables it), and the exit policy must allow the data.
    fn admit_exit_data<'e>(
        exits: &'e mut HashMap<u32, ExitSocket>,
        flags: PeerFlags,
        source: SocketAddr,
        circuit_id: u32,
        data: &[u8],
    ) -> Result<&'e mut ExitSocket, DropReason> {
        let Some(exit) = exits.get_mut(&circuit_id) else {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        };
        if !exit.enabled && source.ip() != exit.peer.address().ip() {
            return Err(DropReason::Refused("tunnel_exit_wrong_source"));
        }
        exit.enabled = true;
        if !exit_allowed(flags, &COMMUNITY_ID.prefix(), data) {
            return Err(DropReason::Refused("tunnel_exit_not_allowed"));
        }
        Ok(exit)
    }

    /// Data for a host name out of the exit of `circuit_id`: admitted as any exit data, then sent
    /// once the driver has resolved the name (IPv4 preferred, as py-ipv8 does).
    fn exit_host(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        circuit_id: u32,
        host: String,
        port: u16,
        data: Vec<u8>,
    ) -> Result<(), DropReason> {
        let flags = self.settings.peer_flags;
        Self::admit_exit_data(&mut self.exits.lock(), flags, source, circuit_id, &data)?;
        let id =
            ctx.resolve(host, port).map_err(|_| DropReason::Refused("tunnel_exit_resolve_busy"))?;
        self.resolving.insert(id, (circuit_id, data));
        Ok(())
    }

    /// A name resolved for data waiting at an exit: send it there.
    pub(super) fn exit_resolved(
        &mut self,
        ctx: &mut Context<'_, Self>,
        id: u64,
        addresses: Result<Vec<SocketAddr>, crate::proto::ResolveError>,
    ) {
        let Some((circuit_id, data)) = self.resolving.remove(&id) else { return };
        let addresses = addresses.unwrap_or_default();
        let destination = addresses.iter().find(|a| a.is_ipv4()).or(addresses.first()).copied();
        let source = self.exits.lock().get(&circuit_id).map(|exit| exit.peer.address());
        if let (Some(destination), Some(source)) = (destination, source) {
            let _ = self.exit_data(ctx, source, circuit_id, destination, data);
        }
    }

    /// Sends data out of the exit of `circuit_id` (opening its socket on first use).
    fn exit_data(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        circuit_id: u32,
        destination: SocketAddr,
        data: Vec<u8>,
    ) -> Result<(), DropReason> {
        let local = ctx.my_address();
        let flags = self.settings.peer_flags;
        let mut exits = self.exits.lock();
        let exit = Self::admit_exit_data(&mut exits, flags, source, circuit_id, &data)?;
        if !destination_allowed(local, destination) {
            return Err(DropReason::Refused("tunnel_exit_destination"));
        }
        exit.traffic.last_activity = ctx.now();
        match exit.slot(destination) {
            Slot::Open(id) => {
                let id = *id;
                exit.traffic.up(data.len());
                ctx.send_on(id, destination, data);
            }
            Slot::Opening { queue, .. } => {
                if queue.len() >= EXIT_QUEUE {
                    queue.pop_front();
                }
                queue.push_back((destination, data));
            }
            slot @ Slot::Closed => {
                let loopback = local.is_some_and(|a| a.ip().is_loopback());
                let bind = bind_address(destination, loopback);
                let id = ctx
                    .open_socket(bind)
                    .map_err(|_| DropReason::Refused("tunnel_exit_no_socket"))?;
                let mut queue = std::collections::VecDeque::new();
                queue.push_back((destination, data));
                *slot = Slot::Opening { id, queue };
                self.exit_sockets.insert(id, circuit_id);
            }
        }
        Ok(())
    }

    /// An exit's socket opened (or failed to): send what waited for it.
    pub(super) fn exit_socket_opened(
        &mut self,
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        opened: bool,
    ) {
        let mut exits = self.exits.lock();
        let Some(exit) = self.exit_sockets.get(&socket).and_then(|c| exits.get_mut(c)) else {
            ctx.close_socket(socket);
            return;
        };
        for slot in [&mut exit.v4, &mut exit.v6] {
            if slot.id() != Some(socket) {
                continue;
            }
            let Slot::Opening { queue, .. } = std::mem::take(slot) else { continue };
            if !opened {
                self.exit_sockets.remove(&socket);
                return;
            }
            *slot = Slot::Open(socket);
            for (destination, data) in queue {
                exit.traffic.up(data.len());
                ctx.send_on(socket, destination, data);
            }
            return;
        }
    }

    /// A datagram arrived on an exit's socket: tunnel it back to the originator.
    pub(super) fn exit_received(
        &mut self,
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), DropReason> {
        let Some(&circuit_id) = self.exit_sockets.get(&socket) else {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        };
        let mut exits = self.exits.lock();
        let Some(exit) = exits.get_mut(&circuit_id) else {
            return Err(DropReason::Refused("tunnel_exit_unknown"));
        };
        if let SocketAddr::V6(v6) = source
            && v6.ip().to_ipv4_mapped().is_some()
        {
            return Err(DropReason::Refused("tunnel_exit_mapped_source"));
        }
        exit.traffic.down(ctx.now(), data.len());
        if !exit_allowed(self.settings.peer_flags, &COMMUNITY_ID.prefix(), data) {
            return Err(DropReason::Refused("tunnel_exit_not_allowed"));
        }
        let to = exit.peer.address();
        drop(exits);
        let payload = DataPayload {
            circuit_id,
            dest_address: Address::Ip(NOWHERE),
            org_address: Address::Ip(source),
            data: data.to_vec(),
        };
        self.send_cell(ctx, to, &payload);
        Ok(())
    }

    /// A keep-alive on a circuit we are part of: answer it on the same circuit.
    fn on_ping(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &PingPayload,
    ) -> Result<(), DropReason> {
        let now = ctx.now();
        if let Some(exit) = self.exits.lock().get_mut(&p.circuit_id) {
            exit.traffic.last_activity = now;
        } else if !self.circuits.contains_key(&p.circuit_id) {
            return Err(DropReason::Refused("tunnel_unknown_circuit"));
        }
        let pong = PongPayload { circuit_id: p.circuit_id, identifier: p.identifier };
        self.send_cell(ctx, source, &pong);
        Ok(())
    }

    /// The answer to one of our keep-alives: the circuit lives.
    fn on_pong(&mut self, ctx: &mut Context<'_, Self>, p: &PongPayload) -> Result<(), DropReason> {
        let number = u64::from(p.identifier);
        match ctx.request_cache().get::<PingCache>(number) {
            Some(ping) if ping.circuit == p.circuit_id => {}
            _ => return Err(DropReason::Refused("tunnel_unexpected_pong")),
        }
        ctx.request_cache().pop::<PingCache>(number);
        if let Some(circuit) = self.circuits.get_mut(&p.circuit_id) {
            circuit.traffic.last_activity = ctx.now();
        }
        Ok(())
    }

    /// A speed-test request at our exit: answer with as many random bytes as asked (at most
    /// [`MAX_TEST_RESPONSE`](super::MAX_TEST_RESPONSE)).
    fn on_test_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        source: SocketAddr,
        p: &TestRequestPayload,
    ) -> Result<(), DropReason> {
        let data = self.speed_test_answer(ctx, p.circuit_id, p.response_size)?;
        let response = crate::messages::tunnel::TestResponsePayload {
            circuit_id: p.circuit_id,
            identifier: p.identifier,
            data,
        };
        self.send_cell(ctx, source, &response);
        Ok(())
    }
}

fn decode<P: Payload>(body: &[u8]) -> Result<P, DropReason> {
    P::from_bytes(body).map_err(DropReason::Malformed)
}

/// Where an exit socket toward `destination` binds: any address of the family, or loopback when
/// the node itself is on loopback (a test network).
fn bind_address(destination: SocketAddr, loopback: bool) -> SocketAddr {
    let ip: std::net::IpAddr = match (destination.is_ipv4(), loopback) {
        (true, false) => Ipv4Addr::UNSPECIFIED.into(),
        (true, true) => Ipv4Addr::LOCALHOST.into(),
        (false, false) => std::net::Ipv6Addr::UNSPECIFIED.into(),
        (false, true) => std::net::Ipv6Addr::LOCALHOST.into(),
    };
    SocketAddr::new(ip, 0)
}
