//! [`RelayRoute`]: one direction of a circuit this node relays (spec `tunnels.md` §5, §6.2). A
//! relay holds two routes under its two circuit ids: cells arriving on the originator's side go
//! on FORWARD with one layer taken off, cells arriving from the next hop go back BACKWARD with one
//! layer added, both with the keys shared with the originator.

use std::net::SocketAddr;
use std::time::Instant;

use super::circuit::Traffic;
use super::table::Table;
use super::{
    CELL_HEADER_LEN, COMMUNITY_ID, CellHeader, CryptoError, Direction, ReplayWindow, SessionKeys,
};
use crate::proto::{DropReason, Peer};

/// The counter's bytes at the front of a layer.
const COUNTER_LEN: usize = 8;

/// Where cells arriving under one circuit id go.
pub(super) struct RelayRoute {
    /// The circuit id on the other link.
    pub(super) next_id: u32,
    /// The peer on the other link.
    pub(super) peer: Peer,
    pub(super) keys: SessionKeys,
    /// FORWARD: toward the exit (take a layer off); BACKWARD: toward the originator (add one).
    pub(super) direction: Direction,
    /// Cells relayed (py-ipv8 counts them all against `max_relay_early`, quirk T4; it starts at 1).
    pub(super) relay_early_count: u32,
    pub(super) traffic: Traffic,
    /// FORWARD counters seen.
    pub(super) window: ReplayWindow,
    /// A rendezvous point's route between two circuits' ends (spec §8 step 8): cells lose this
    /// circuit's FORWARD layer and get the other circuit's BACKWARD layer.
    pub(super) rendezvous: bool,
}

impl RelayRoute {
    pub(super) fn new(
        next_id: u32,
        peer: Peer,
        keys: SessionKeys,
        direction: Direction,
        now: std::time::Instant,
    ) -> Self {
        Self {
            next_id,
            peer,
            keys,
            direction,
            relay_early_count: 1,
            traffic: Traffic::new(now),
            window: ReplayWindow::default(),
            rendezvous: false,
        }
    }
}

/// The relay routes of a [`TunnelCommunity`](super::TunnelCommunity), by the circuit id cells
/// arrive under.
pub(super) type RelayTable = Table<RelayRoute>;

impl Table<RelayRoute> {
    /// Passes a cell that arrived from `source` on along its relay route: the next link's
    /// header, then the message with one layer taken off (FORWARD) or added (BACKWARD), both in
    /// place in `out` after what it holds. Returns where it goes; on refusal `out` and every
    /// route are as they were.
    pub(super) fn relay(
        &self,
        now: Instant,
        source: SocketAddr,
        packet: &[u8],
        max_relay_early: u32,
        out: &mut Vec<u8>,
    ) -> Result<SocketAddr, DropReason> {
        let (header, message) =
            CellHeader::parse(packet).map_err(|_| DropReason::Refused("tunnel_bad_cell"))?;
        if header.plaintext {
            return Err(DropReason::Refused("tunnel_relay_plaintext"));
        }
        let id = header.circuit_id;
        let mut routes = self.lock();
        let next_id = routes.get(&id).map(|route| route.next_id).ok_or(UNKNOWN)?;
        let [Some(route), Some(back)] = routes.get_disjoint_mut([&id, &next_id]) else {
            // A route that names itself, or whose other half is gone.
            return Err(UNKNOWN);
        };
        if back.peer.address() != source {
            return Err(DropReason::Refused("tunnel_wrong_link"));
        }
        if header.relay_early && route.relay_early_count >= max_relay_early {
            return Err(DropReason::Refused("tunnel_relay_early"));
        }
        let start = out.len();
        let next = CellHeader {
            circuit_id: next_id,
            plaintext: false,
            relay_early: header.relay_early && !route.rendezvous,
        };
        next.write(COMMUNITY_ID, out);
        out.extend_from_slice(message);
        if let Err(error) = route.relay_in_place(back, out, start + CELL_HEADER_LEN) {
            out.truncate(start);
            return Err(match error {
                CryptoError::Replayed => DropReason::Refused("tunnel_replayed"),
                _ => DropReason::Refused("tunnel_bad_layer"),
            });
        }
        back.traffic.down(now, packet.len());
        route.traffic.up(out.len() - start);
        route.relay_early_count = route.relay_early_count.saturating_add(1);
        Ok(route.peer.address())
    }
}

impl RelayTable {
    /// A message we send ourselves along relayed circuit `circuit_id` (toward the originator),
    /// with the layer its route adds: a rendezvous point's BACKWARD layer, or the originator's
    /// BACKWARD layer of the route's other half. `None` if we relay no such circuit.
    pub(super) fn wrap(&self, circuit_id: u32, message: &[u8]) -> Option<Vec<u8>> {
        let mut routes = self.lock();
        let route = routes.get_mut(&circuit_id)?;
        if route.rendezvous {
            return Some(route.keys.encrypt(Direction::Backward, message));
        }
        let next = route.next_id;
        let other = routes.get_mut(&next)?;
        Some(other.keys.encrypt(other.direction, message))
    }
}

/// Refused: a cell under a circuit id with no (whole) relay route.
const UNKNOWN: DropReason = DropReason::Refused("tunnel_unknown_circuit");

impl RelayRoute {
    /// Takes off or adds this route's layer on `buffer[at..]`, in place; a rendezvous point's
    /// route then adds the other circuit's BACKWARD layer (`back`'s keys). On error the buffer
    /// past `at` may hold anything, but the route's state is unchanged.
    fn relay_in_place(
        &mut self,
        back: &mut RelayRoute,
        buffer: &mut Vec<u8>,
        at: usize,
    ) -> Result<(), CryptoError> {
        if self.direction == Direction::Backward {
            self.keys.encrypt_in_place(Direction::Backward, buffer, at);
            return Ok(());
        }
        let layer = buffer.get_mut(at..).unwrap_or_default();
        let len = self.keys.decrypt_once_in_place(Direction::Forward, layer, &mut self.window)?;
        buffer.copy_within(at + COUNTER_LEN..at + COUNTER_LEN + len, at);
        buffer.truncate(at + len);
        if self.rendezvous {
            back.keys.encrypt_in_place(Direction::Backward, buffer, at);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Curve, PrivateKey};

    const FROM: u32 = 11;
    const TO: u32 = 22;

    fn address(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    fn peer(port: u16) -> Peer {
        let key = PrivateKey::generate(Curve::Curve25519).unwrap().public_key();
        Peer::new(key, address(port))
    }

    fn keys() -> SessionKeys {
        SessionKeys::derive(&[3; 64])
    }

    /// A relay between the previous hop at port 1 (circuit `FROM`) and the next at port 2 (`TO`).
    fn table() -> RelayTable {
        let table = RelayTable::default();
        let now = Instant::now();
        let mut routes = table.lock();
        routes.insert(FROM, RelayRoute::new(TO, peer(2), keys(), Direction::Forward, now));
        routes.insert(TO, RelayRoute::new(FROM, peer(1), keys(), Direction::Backward, now));
        drop(routes);
        table
    }

    /// [`RelayTable::relay`], with refusals as their labels.
    fn relay(
        table: &RelayTable,
        now: Instant,
        source: SocketAddr,
        packet: &[u8],
        max_relay_early: u32,
        out: &mut Vec<u8>,
    ) -> Result<SocketAddr, &'static str> {
        table.relay(now, source, packet, max_relay_early, out).map_err(|reason| reason.label())
    }

    fn cell(circuit_id: u32, relay_early: bool, message: &[u8]) -> Vec<u8> {
        let mut packet = Vec::new();
        CellHeader { circuit_id, plaintext: false, relay_early }.write(COMMUNITY_ID, &mut packet);
        packet.extend_from_slice(message);
        packet
    }

    #[test]
    fn forward_cells_lose_a_layer_and_backward_cells_gain_one() {
        let (table, mut originator) = (table(), keys());
        let layer = originator.encrypt(Direction::Forward, b"onion inside");
        let mut out = b"kept".to_vec();
        let now = Instant::now();
        let to = relay(&table, now, address(1), &cell(FROM, true, &layer), 5, &mut out);
        assert_eq!(to, Ok(address(2)));
        assert_eq!(&out[..4], b"kept", "what the buffer held stays");
        assert_eq!(out[4..], cell(TO, true, b"onion inside")[..]);

        let mut out = Vec::new();
        let to = relay(&table, now, address(2), &cell(TO, false, b"answer"), 5, &mut out);
        assert_eq!(to, Ok(address(1)));
        let (header, layer) = CellHeader::parse(&out).unwrap();
        assert_eq!((header.circuit_id, header.relay_early), (FROM, false));
        assert_eq!(originator.decrypt(Direction::Backward, layer).unwrap(), b"answer");
        let routes = table.lock();
        // FROM's route sent the forwarded cell and saw the answer arrive on its link.
        let expected = (CELL_HEADER_LEN + 12) + (CELL_HEADER_LEN + 6);
        assert_eq!(routes[&FROM].traffic.total(), expected as u64);
    }

    #[test]
    fn refused_cells_change_nothing() {
        let table = table();
        let layer = keys().encrypt(Direction::Forward, b"onion inside");
        let forward = cell(FROM, false, &layer);
        let mut out = b"kept".to_vec();
        let now = Instant::now();
        let refused = Err;
        let wrong_link = relay(&table, now, address(2), &forward, 5, &mut out);
        assert_eq!(wrong_link, refused("tunnel_wrong_link"));
        let unknown = relay(&table, now, address(1), &cell(99, false, &layer), 5, &mut out);
        assert_eq!(unknown, refused("tunnel_unknown_circuit"));
        let mut tampered = forward.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            relay(&table, now, address(1), &tampered, 5, &mut out),
            refused("tunnel_bad_layer")
        );
        assert_eq!(out, b"kept");
        assert_eq!(table.lock()[&FROM].traffic.total(), 0);

        assert_eq!(relay(&table, now, address(1), &forward, 5, &mut out), Ok(address(2)));
        let mut again = Vec::new();
        assert_eq!(
            relay(&table, now, address(1), &forward, 5, &mut again),
            refused("tunnel_replayed")
        );
        assert!(again.is_empty());
    }

    #[test]
    fn relay_early_cells_stop_at_the_limit() {
        let (table, mut originator) = (table(), keys());
        let now = Instant::now();
        let mut send = |relay_early| {
            let layer = originator.encrypt(Direction::Forward, b"extend");
            relay(&table, now, address(1), &cell(FROM, relay_early, &layer), 2, &mut Vec::new())
        };
        assert_eq!(send(true), Ok(address(2)), "the count starts at 1, below 2");
        assert_eq!(send(true), Err("tunnel_relay_early"));
        assert_eq!(send(false), Ok(address(2)), "other cells go on");
    }
}
