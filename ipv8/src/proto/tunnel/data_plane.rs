//! The tunnel data plane: the [`FastPath`] of a [`TunnelCommunity`], which moves the cells of
//! established circuits without its handlers. Cells of circuits it relays go on to the next
//! link ([`RelayTable::relay`](super::relay)); data cells at an exit whose socket is open leave
//! through it to a destination the exit policy allows. Both work in place in the caller's
//! buffer. Everything else (handshakes, keep-alives, the first data of an exit, refusals, data
//! for our own circuits, which ends in events or carried communities) goes to the handlers.
//!
//! [`TunnelCommunity`]: super::TunnelCommunity

use std::net::SocketAddr;

use super::cells::NOWHERE;
use super::cells::id::DATA;
use super::exit::{ExitSocket, Slot, destination_allowed, exit_allowed};
use super::relay::RelayTable;
use super::table::Table;
use super::{COMMUNITY_ID, CellHeader, Direction, PeerFlags};
use crate::proto::{Arrived, FastPath, Forward};
use crate::wire::Reader;
use crate::wire::format::{Address, AddressFmt, Format};

/// Bytes of a layer's counter.
const COUNTER_LEN: usize = 8;

/// The exits of a [`TunnelCommunity`](super::TunnelCommunity), by the circuit id cells arrive
/// under.
pub(super) type ExitTable = Table<ExitSocket>;

/// The tunnel community's fast path.
pub(super) struct TunnelFastPath {
    pub(super) relays: RelayTable,
    pub(super) exits: ExitTable,
    /// The node's flags: what its exits let out.
    pub(super) flags: PeerFlags,
    /// With 0, every cell goes to the handlers, which refuse it (py-ipv8's check).
    pub(super) max_relay_early: u32,
}

impl FastPath for TunnelFastPath {
    fn forward(
        &mut self,
        arrived: &Arrived,
        datagram: &[u8],
        out: &mut Vec<u8>,
    ) -> Option<Forward> {
        if self.max_relay_early == 0 {
            return None;
        }
        let (header, message) = CellHeader::parse(datagram).ok()?;
        if header.plaintext {
            return None;
        }
        // One lookup: a cell the relay routes refuse (or do not know) may still be an exit's.
        let relayed =
            self.relays.relay(arrived.now, arrived.source, datagram, self.max_relay_early, out);
        if let Ok(to) = relayed {
            return Some(Forward::to(to));
        }
        let mut exits = self.exits.lock();
        let exit = exits.get_mut(&header.circuit_id)?;
        if exit.peer.address() != arrived.source {
            return None;
        }
        let start = out.len();
        out.extend_from_slice(message);
        let forward = exit.data_out(arrived, self.flags, out, start);
        if forward.is_none() {
            out.truncate(start);
        }
        forward
    }
}

impl ExitSocket {
    /// The layer at `buffer[start..]` opened in place; if it is data this exit may let out
    /// through a socket already open, the data is left at `buffer[start..]` (and nothing after),
    /// the layer's counter recorded and the traffic counted. `None` changes nothing in the exit.
    fn data_out(
        &mut self,
        arrived: &Arrived,
        flags: PeerFlags,
        buffer: &mut Vec<u8>,
        start: usize,
    ) -> Option<Forward> {
        let layer = buffer.get_mut(start..)?;
        let counter = u64::from_be_bytes(*layer.first_chunk::<COUNTER_LEN>()?);
        if !self.window.would_accept(counter) {
            return None;
        }
        let len = self.keys.decrypt_in_place(Direction::Forward, layer).ok()?;
        let plaintext = layer.get(COUNTER_LEN..COUNTER_LEN + len)?;
        let (destination, data) = data_destination(plaintext)?;
        if !exit_allowed(flags, &COMMUNITY_ID.prefix(), data)
            || !destination_allowed(arrived.local, destination)
        {
            return None;
        }
        let Slot::Open(socket) = *self.slot(destination) else { return None };
        self.window.accept(counter);
        self.enabled = true;
        self.traffic.last_activity = arrived.now;
        self.traffic.up(data.len());
        let at = start + COUNTER_LEN + (plaintext.len() - data.len());
        let data_len = data.len();
        buffer.copy_within(at..at + data_len, start);
        buffer.truncate(start + data_len);
        Some(Forward { destination, socket: Some(socket) })
    }
}

/// The destination and data of an inner data message (its id, then a data payload without the
/// circuit id), if it names an IP address; host names and `0.0.0.0:0` go to the handlers.
fn data_destination(inner: &[u8]) -> Option<(SocketAddr, &[u8])> {
    let (&id, payload) = inner.split_first()?;
    if id != DATA {
        return None;
    }
    let mut reader = Reader::new(payload);
    let Address::Ip(destination) = <AddressFmt as Format<Address>>::decode(&mut reader).ok()?
    else {
        return None;
    };
    <AddressFmt as Format<Address>>::decode(&mut reader).ok()?;
    (destination != NOWHERE).then(|| (destination, reader.take_rest()))
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::crypto::{Curve, PrivateKey};
    use crate::proto::Peer;
    use crate::proto::tunnel::SessionKeys;
    use crate::proto::tunnel::relay::RelayRoute;
    use crate::wire::format::Format;

    fn address(port: u16) -> SocketAddr {
        SocketAddr::from(([127, 0, 0, 1], port))
    }

    fn inner(destination: &Address, data: &[u8]) -> Vec<u8> {
        let mut inner = vec![DATA];
        AddressFmt::encode(destination, &mut inner).unwrap();
        AddressFmt::encode(&Address::Ip(address(1)), &mut inner).unwrap();
        inner.extend_from_slice(data);
        inner
    }

    #[test]
    fn only_data_to_an_ip_address_takes_the_exits_fast_path() {
        let to = Address::Ip(address(9));
        assert_eq!(data_destination(&inner(&to, b"bytes")), Some((address(9), &b"bytes"[..])));
        let host = Address::Host { host: "localhost".into(), port: 9 };
        assert_eq!(
            data_destination(&inner(&host, b"bytes")),
            None,
            "names are resolved by handlers"
        );
        assert_eq!(data_destination(&inner(&Address::Ip(NOWHERE), b"bytes")), None);
        let mut ping = inner(&to, b"bytes");
        ping[0] = 6;
        assert_eq!(data_destination(&ping), None, "other inner messages");
        assert_eq!(data_destination(&[DATA, 1, 127]), None, "a cut address");
    }

    fn fast_path(max_relay_early: u32) -> TunnelFastPath {
        let relays = RelayTable::default();
        let key = || PrivateKey::generate(Curve::Curve25519).unwrap().public_key();
        let keys = SessionKeys::derive(&[5; 64]);
        let now = Instant::now();
        let forward =
            RelayRoute::new(2, Peer::new(key(), address(2)), keys.clone(), Direction::Forward, now);
        let back = RelayRoute::new(1, Peer::new(key(), address(1)), keys, Direction::Backward, now);
        relays.lock().extend([(1, forward), (2, back)]);
        TunnelFastPath {
            relays,
            exits: ExitTable::default(),
            flags: PeerFlags::RELAY,
            max_relay_early,
        }
    }

    fn cell(circuit_id: u32, message: &[u8]) -> Vec<u8> {
        let mut packet = Vec::new();
        CellHeader { circuit_id, plaintext: false, relay_early: false }
            .write(COMMUNITY_ID, &mut packet);
        packet.extend_from_slice(message);
        packet
    }

    #[test]
    fn relayed_cells_go_on_and_the_rest_goes_to_the_handlers() {
        let arrived = Arrived { now: Instant::now(), source: address(2), local: None };
        let mut out = Vec::new();
        let mut fast = fast_path(3);
        assert_eq!(
            fast.forward(&arrived, &cell(2, b"answer"), &mut out),
            Some(Forward::to(address(1)))
        );
        assert_eq!(CellHeader::parse(&out).unwrap().0.circuit_id, 1);
        let mut rest = Vec::new();
        assert_eq!(fast.forward(&arrived, &cell(7, b"answer"), &mut rest), None, "no such circuit");
        assert_eq!(fast.forward(&arrived, b"short", &mut rest), None);
        assert!(rest.is_empty());
        let mut silent = fast_path(0);
        assert_eq!(
            silent.forward(&arrived, &cell(2, b"answer"), &mut rest),
            None,
            "py-ipv8 refuses all"
        );
    }

    #[test]
    fn exit_data_that_may_not_leave_changes_nothing() {
        let key = PrivateKey::generate(Curve::Curve25519).unwrap().public_key();
        let mut originator = SessionKeys::derive(&[6; 64]);
        let mut exit = ExitSocket::new(
            Peer::new(key, address(2)),
            SessionKeys::derive(&[6; 64]),
            Instant::now(),
        );
        exit.v4 = Slot::Open(crate::proto::SocketId::from_raw_for_tests(3));
        let bt = b"d1:ad2:id20:fast-exit-data-test!!!e1:q4:pinge";
        let layer = originator.encrypt(Direction::Forward, &inner(&Address::Ip(address(9)), bt));
        let mut buffer = layer.clone();
        let off_machine = Arrived { now: Instant::now(), source: address(2), local: None };
        assert_eq!(
            exit.data_out(&off_machine, PeerFlags::EXIT_BT, &mut buffer, 0),
            None,
            "127.0.0.1 is not public"
        );
        assert_eq!(
            exit.data_out(&off_machine, PeerFlags::RELAY, &mut layer.clone(), 0),
            None,
            "no EXIT_BT"
        );
        assert!(!exit.enabled);
        assert_eq!(exit.traffic.total(), 0);
        let on_loopback = Arrived { local: Some(address(2)), ..off_machine };
        let mut buffer = layer.clone();
        let forward = exit.data_out(&on_loopback, PeerFlags::EXIT_BT, &mut buffer, 0);
        assert_eq!(forward.map(|f| f.destination), Some(address(9)), "the same layer still opens");
        assert_eq!(buffer, bt, "only the data is left");
        assert!(exit.enabled);
        assert_eq!(
            exit.data_out(&on_loopback, PeerFlags::EXIT_BT, &mut layer.clone(), 0),
            None,
            "a replay"
        );
    }
}
