//! Helpers for the runtime tests: tunnel nodes on loopback sockets and a UDP echo server.
#![cfg(feature = "runtime")]

use std::net::{SocketAddr, UdpSocket};
use std::time::Instant;

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::Node;
use ipv8::proto::tunnel::{PeerFlags, TunnelCommunity, TunnelSettings};
use ipv8::runtime::{self, Endpoint, EndpointConfig, Events, NodeHandle};

/// A node with a tunnel community with `flags`, running on 127.0.0.1; its handle, events and
/// address.
pub(crate) fn node(flags: PeerFlags) -> (NodeHandle, Events, SocketAddr) {
    let now = Instant::now();
    let mut node = Node::new(PrivateKey::generate(Curve::Curve25519).unwrap(), 1, now);
    let mut settings = TunnelSettings::default();
    settings.peer_flags = flags;
    node.add_community(now, TunnelCommunity::new(settings)).unwrap();
    let loopback = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().unwrap());
    let (handle, events, _task) = runtime::spawn(node, Endpoint::bind(&loopback).unwrap());
    let address = handle.local_addrs().ipv4().unwrap();
    (handle, events, address)
}

/// An echo server on 127.0.0.1 in a thread of its own.
pub(crate) fn echo() -> SocketAddr {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    let address = socket.local_addr().unwrap();
    std::thread::spawn(move || {
        let mut buf = [0; 2048];
        while let Ok((len, from)) = socket.recv_from(&mut buf) {
            let _ = socket.send_to(&buf[..len], from);
        }
    });
    address
}
