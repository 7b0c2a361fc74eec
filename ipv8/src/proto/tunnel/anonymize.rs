//! Anonymizing other communities (py-ipv8's `TunnelEndpoint`, spec `tunnels.md` §7): the tunnel
//! community carries their datagrams ([`Context::carry`]) through a circuit of ours whose exit has
//! `EXIT_IPV8`, queuing up to [`ANONYMIZED_QUEUE`] while none is ready, and hands back what comes
//! back through our circuits ([`Context::deliver_carried`]). The node drops what arrives for them
//! on the socket: an anonymized community hears only its circuits.

use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

use super::circuit::{CircuitState, CircuitType};
use super::community::TunnelCommunity;
use super::{PeerFlags, TunnelData};
use crate::proto::{CommunityId, Context, PREFIX_LEN, Reply, Request, Responder, Transmit};
use crate::wire::format::Address;

/// Datagrams of anonymized communities held while no circuit is ready (py-ipv8 keeps 100).
pub const ANONYMIZED_QUEUE: usize = 100;

/// Sends and receives `community`'s traffic through circuits of `hops` hops whose exits have
/// `EXIT_IPV8` (py-ipv8's `anonymize` overlay setting); `hops == 0` stops.
#[derive(Debug, Clone, Copy)]
pub struct Anonymize {
    /// The community to anonymize (it must run on the same node).
    pub community: CommunityId,
    /// Hops per circuit (py-ipv8's `TunnelEndpoint` uses 1), or 0 to send directly again.
    pub hops: usize,
}

impl Request for Anonymize {
    type Response = ();
}

/// The anonymized communities and what waits for a circuit.
#[derive(Default)]
pub(super) struct Anonymized {
    /// Hops per anonymized community, by prefix.
    hops: HashMap<[u8; PREFIX_LEN], usize>,
    /// (hops, destination, datagram) waiting for a ready circuit.
    queue: VecDeque<(usize, SocketAddr, Vec<u8>)>,
}

impl TunnelCommunity {
    /// Carries `community`'s traffic through circuits of `hops` hops (0: no longer).
    pub fn anonymize(&mut self, ctx: &mut Context<'_, Self>, community: CommunityId, hops: usize) {
        if hops == 0 {
            self.anonymized.hops.remove(&community.prefix());
        } else {
            self.anonymized.hops.insert(community.prefix(), hops);
        }
        ctx.carry(community, hops > 0);
    }

    /// Whether `community` is anonymized.
    #[must_use]
    pub fn is_anonymized(&self, community: CommunityId) -> bool {
        self.anonymized.hops.contains_key(&community.prefix())
    }

    /// A ready circuit of ours of `hops` hops that exits IPv8 packets, and whether any such
    /// circuit exists at all (ready or not).
    fn ipv8_circuit(&self, hops: usize) -> (Option<u32>, bool) {
        let mut any = false;
        for circuit in self.circuits.values() {
            let fits = circuit.ctype == CircuitType::Data
                && circuit.goal_hops == hops
                && circuit.exit_flags.contains(PeerFlags::EXIT_IPV8)
                && circuit.state != CircuitState::Closing;
            if fits && circuit.state == CircuitState::Ready {
                return (Some(circuit.id), true);
            }
            any |= fits;
        }
        (None, any)
    }

    /// A datagram of an anonymized community: through a ready circuit, else queued (and a
    /// circuit started if none is on its way).
    pub(super) fn carry_out(&mut self, ctx: &mut Context<'_, Self>, transmit: Transmit) {
        let prefix = transmit.contents.first_chunk::<PREFIX_LEN>();
        let Some(&hops) = prefix.and_then(|prefix| self.anonymized.hops.get(prefix)) else {
            // No longer anonymized: it may go directly.
            ctx.send_direct(transmit.destination, transmit.contents);
            return;
        };
        match self.ipv8_circuit(hops) {
            (Some(circuit), _) => {
                self.send_carried(ctx, circuit, transmit.destination, transmit.contents);
            }
            (None, started) => {
                if !started {
                    let exit = Some(PeerFlags::EXIT_IPV8);
                    let _ = self.create_circuit(ctx, hops, CircuitType::Data, exit);
                }
                if self.anonymized.queue.len() >= ANONYMIZED_QUEUE {
                    self.anonymized.queue.pop_front();
                    ctx.refuse("tunnel_anonymized_queue_full");
                }
                self.anonymized.queue.push_back((hops, transmit.destination, transmit.contents));
            }
        }
    }

    /// Sends what waited for a circuit of the hop counts now ready.
    pub(super) fn flush_anonymized(&mut self, ctx: &mut Context<'_, Self>) {
        let waiting = std::mem::take(&mut self.anonymized.queue);
        for (hops, destination, datagram) in waiting {
            match self.ipv8_circuit(hops) {
                (Some(circuit), _) => self.send_carried(ctx, circuit, destination, datagram),
                (None, _) => self.anonymized.queue.push_back((hops, destination, datagram)),
            }
        }
    }

    fn send_carried(
        &mut self,
        ctx: &mut Context<'_, Self>,
        circuit: u32,
        destination: SocketAddr,
        datagram: Vec<u8>,
    ) {
        let request = TunnelData { circuit, destination: Address::Ip(destination), data: datagram };
        let _ = self.tunnel_data(ctx, request);
    }

    /// An IPv8 packet came back through circuit of ours from `origin`: hand it to its community
    /// if that one is anonymized; `false` if not.
    pub(super) fn carry_in(
        &mut self,
        ctx: &mut Context<'_, Self>,
        origin: &Address,
        data: &[u8],
    ) -> bool {
        let anonymized = data
            .first_chunk::<PREFIX_LEN>()
            .is_some_and(|prefix| self.anonymized.hops.contains_key(prefix));
        match origin {
            Address::Ip(origin) if anonymized => {
                ctx.deliver_carried(*origin, data.to_vec());
                true
            }
            _ => false,
        }
    }
}

impl Responder<Anonymize> for TunnelCommunity {
    fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: Anonymize, reply: Reply<()>) {
        self.anonymize(ctx, request.community, request.hops);
        ctx.reply(reply, ());
    }
}
