//! Exits (spec `tunnels.md` §7): the [`ExitSocket`] of a circuit whose last hop we are, what data
//! it lets out ([`could_be_bt`], [`could_be_ipv8`] and the exit flags) and where to
//! ([`destination_allowed`]).

use std::collections::VecDeque;
use std::net::{IpAddr, SocketAddr};

use super::circuit::Traffic;
use super::{PeerFlags, ReplayWindow, SessionKeys};
use crate::proto::{CommunityId, Peer, SocketId};

/// Datagrams an exit holds while its socket opens (py-ipv8 keeps 10).
pub const EXIT_QUEUE: usize = 10;

/// One socket of an exit, per address family.
#[derive(Debug, Default)]
pub(super) enum Slot {
    /// Not asked for yet.
    #[default]
    Closed,
    /// Asked for; what to send once it is open.
    Opening { id: SocketId, queue: VecDeque<(SocketAddr, Vec<u8>)> },
    /// Open.
    Open(SocketId),
}

impl Slot {
    pub(super) fn id(&self) -> Option<SocketId> {
        match self {
            Self::Closed => None,
            Self::Opening { id, .. } | Self::Open(id) => Some(*id),
        }
    }
}

/// The end of a circuit at its last hop: the previous hop, the keys shared with the originator,
/// and the sockets data leaves from once the originator sends some (py-ipv8's
/// `TunnelExitSocket`; each circuit gets sockets of its own, as there).
pub(super) struct ExitSocket {
    pub(super) peer: Peer,
    pub(super) keys: SessionKeys,
    pub(super) traffic: Traffic,
    /// Whether data may leave (set by the first data cell from the hop that made the circuit).
    pub(super) enabled: bool,
    /// FORWARD counters seen.
    pub(super) window: ReplayWindow,
    pub(super) v4: Slot,
    pub(super) v6: Slot,
}

impl ExitSocket {
    pub(super) fn new(peer: Peer, keys: SessionKeys, now: std::time::Instant) -> Self {
        Self {
            peer,
            keys,
            traffic: Traffic::new(now),
            enabled: false,
            window: ReplayWindow::default(),
            v4: Slot::Closed,
            v6: Slot::Closed,
        }
    }

    pub(super) fn slot(&mut self, destination: SocketAddr) -> &mut Slot {
        if destination.is_ipv4() { &mut self.v4 } else { &mut self.v6 }
    }

    pub(super) fn sockets(&self) -> impl Iterator<Item = SocketId> {
        self.v4.id().into_iter().chain(self.v6.id())
    }
}

/// Whether `data` may leave or enter an exit with `flags`, under the tunnel prefix `prefix`:
/// BitTorrent-like data with `EXIT_BT`, IPv8 packets with `EXIT_IPV8`, and always the tunnel
/// community's own packets (hidden services need them).
#[must_use]
pub fn exit_allowed(flags: PeerFlags, prefix: &[u8; 22], data: &[u8]) -> bool {
    let ipv8 = could_be_ipv8(data);
    (flags.contains(PeerFlags::EXIT_BT) && could_be_bt(data))
        || (flags.contains(PeerFlags::EXIT_IPV8) && ipv8)
        || (ipv8 && data.starts_with(prefix))
}

/// Whether an exit bound at `local` may send to `destination`: public addresses only, unless
/// the node itself is bound to loopback (a test network), when addresses on this machine are
/// allowed too. Unspecified, multicast, broadcast, private and link-local addresses are refused.
#[must_use]
pub fn destination_allowed(local: Option<SocketAddr>, destination: SocketAddr) -> bool {
    if destination.port() == 0 {
        return false;
    }
    let ip = canonical(destination.ip());
    if local.is_some_and(|local| local.ip().is_loopback()) && ip.is_loopback() {
        return true;
    }
    match ip {
        IpAddr::V4(v4) => {
            !(v4.is_unspecified()
                || v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.octets()[0] == 0
                || (v4.octets()[0] == 100 && v4.octets()[1] & 0xc0 == 64))
        }
        IpAddr::V6(v6) => {
            let first = v6.segments()[0];
            !(v6.is_unspecified()
                || v6.is_loopback()
                || v6.is_multicast()
                || first & 0xfe00 == 0xfc00
                || first & 0xffc0 == 0xfe80)
        }
    }
}

fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        IpAddr::V4(_) => ip,
    }
}

/// uTP (BEP 29): at least 20 bytes, type 0..=4 with version 1, extension 0..=3.
#[must_use]
pub fn could_be_utp(data: &[u8]) -> bool {
    match data {
        [first, second, ..] if data.len() >= 20 => {
            first >> 4 <= 4 && first & 0x0f == 1 && *second <= 3
        }
        _ => false,
    }
}

/// A UDP tracker message: an action 0..=3 at offset 0 (8 bytes or more) or offset 8 (12 or more).
#[must_use]
pub fn could_be_udp_tracker(data: &[u8]) -> bool {
    let word =
        |at: usize| data.get(at..at + 4).map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]));
    (data.len() >= 8 && word(0).is_some_and(|w| w <= 3))
        || (data.len() >= 12 && word(8).is_some_and(|w| w <= 3))
}

/// A bencoded dictionary (the mainline DHT).
#[must_use]
pub fn could_be_dht(data: &[u8]) -> bool {
    data.len() > 1 && data.first() == Some(&b'd') && data.last() == Some(&b'e')
}

/// Any of the kinds of `BitTorrent` traffic above.
#[must_use]
pub fn could_be_bt(data: &[u8]) -> bool {
    could_be_utp(data) || could_be_udp_tracker(data) || could_be_dht(data)
}

/// An IPv8 packet: 23 bytes or more, starting `00 01` or `00 02`.
#[must_use]
pub fn could_be_ipv8(data: &[u8]) -> bool {
    matches!(data, [0, 1 | 2, ..] if data.len() >= 23)
}

/// Whether `data` is a packet of `community`.
pub(super) fn is_packet_of(community: CommunityId, data: &[u8]) -> bool {
    could_be_ipv8(data) && data.starts_with(&community.prefix())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bittorrent_kinds_are_told_apart() {
        let mut utp = vec![0x21, 0x00];
        utp.resize(20, 7);
        assert!(could_be_utp(&utp));
        assert!(!could_be_utp(&utp[..19]), "too short");
        utp[0] = 0x51;
        assert!(!could_be_utp(&utp), "type 5");
        assert!(could_be_udp_tracker(&[0, 0, 0, 3, 9, 9, 9, 9]));
        assert!(!could_be_udp_tracker(&[0, 0, 0, 4, 9, 9, 9, 9]));
        assert!(could_be_udp_tracker(&[9, 9, 9, 9, 9, 9, 9, 9, 0, 0, 0, 1]));
        assert!(could_be_dht(b"d1:ae"));
        assert!(!could_be_dht(b"d"));
        assert!(could_be_ipv8(&[0, 2].repeat(12)));
        assert!(!could_be_ipv8(&[0, 3].repeat(12)));
    }

    #[test]
    fn exits_let_out_what_their_flags_allow() {
        let prefix = crate::proto::tunnel::COMMUNITY_ID.prefix();
        let bt = b"d1:ad2:id20:aaaaaaaaaaaaaaaaaaaae1:q4:pinge".to_vec();
        let mut other_ipv8 = vec![0, 2];
        other_ipv8.resize(30, 1);
        let mut own = prefix.to_vec();
        own.extend_from_slice(&[1, 2, 3]);
        assert!(exit_allowed(PeerFlags::EXIT_BT, &prefix, &bt));
        assert!(!exit_allowed(PeerFlags::EXIT_IPV8, &prefix, &bt));
        assert!(exit_allowed(PeerFlags::EXIT_IPV8, &prefix, &other_ipv8));
        assert!(!exit_allowed(PeerFlags::EXIT_BT, &prefix, &other_ipv8));
        assert!(exit_allowed(PeerFlags::RELAY, &prefix, &own), "the tunnel's own packets");
        assert!(!exit_allowed(PeerFlags::RELAY, &prefix, b"hello"));
    }

    #[test]
    fn exits_reach_only_public_addresses_unless_on_loopback() {
        let public: SocketAddr = "93.184.216.34:53".parse().unwrap();
        let local: SocketAddr = "127.0.0.1:9000".parse().unwrap();
        let lan: SocketAddr = "192.168.1.5:9000".parse().unwrap();
        let on_wan = Some("93.184.216.1:8090".parse().unwrap());
        let on_loopback = Some("127.0.0.1:8090".parse().unwrap());
        assert!(destination_allowed(on_wan, public));
        assert!(!destination_allowed(on_wan, local));
        assert!(!destination_allowed(on_wan, lan));
        assert!(!destination_allowed(on_wan, "224.0.0.1:5000".parse().unwrap()));
        assert!(!destination_allowed(on_wan, "[::ffff:127.0.0.1]:5000".parse().unwrap()));
        assert!(!destination_allowed(on_wan, "[fe80::1]:5000".parse().unwrap()));
        assert!(!destination_allowed(on_wan, "93.184.216.34:0".parse().unwrap()));
        assert!(destination_allowed(on_loopback, local));
        assert!(!destination_allowed(on_loopback, lan), "a test exit stays on this machine");
    }
}
