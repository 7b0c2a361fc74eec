//! The SOCKS5 front-end on loopback: a UDP application associates with the originator's SOCKS5
//! server, its datagrams leave through a one-hop circuit to an exit and reach an echo server, and
//! the echoes come back to it with SOCKS5 headers naming the server; commands other than
//! `UDP ASSOCIATE` are refused.
#![cfg(feature = "runtime")]

use crate::runtime_support::{echo, node};
use std::io::{Read as _, Write as _};
use std::net::{SocketAddr, TcpStream, UdpSocket};
use std::time::{Duration, Instant};

use ipv8::proto::tunnel::{PeerFlags, TunnelCommunity};
use ipv8::runtime::Socks5Server;

/// A BitTorrent-looking datagram (an exit with `EXIT_BT` lets it out).
const BT: &[u8] = b"d1:ad2:id20:socks5-through-tunnel1:q4:ping1:t2:aa1:y1:qe";

/// Negotiates "no authentication" and sends request `command`; the reply.
fn request(server: SocketAddr, command: u8) -> (TcpStream, Vec<u8>) {
    let mut tcp = TcpStream::connect(server).unwrap();
    tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    tcp.write_all(&[5, 1, 0]).unwrap();
    let mut choice = [0; 2];
    tcp.read_exact(&mut choice).unwrap();
    assert_eq!(choice, [5, 0], "no authentication");
    tcp.write_all(&[5, command, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
    let mut reply = vec![0; 10];
    tcp.read_exact(&mut reply).unwrap();
    (tcp, reply)
}

async fn started() -> (SocketAddr, SocketAddr) {
    let (exit, _exit_events, exit_address) = node(PeerFlags::RELAY | PeerFlags::EXIT_BT);
    std::mem::forget(exit);
    let (originator, events, _) = node(PeerFlags(0));
    originator
        .with_node(move |node, now| node.walk_to::<TunnelCommunity>(now, exit_address))
        .await
        .unwrap()
        .unwrap();
    let server = Socks5Server::bind("127.0.0.1:0".parse().unwrap(), 1).await.unwrap();
    let address = server.local_addr().unwrap();
    tokio::spawn(server.run(originator, events));
    (address, echo())
}

/// Associates, then sends `BT` to `destination` (a SOCKS5 address: type, address, port) until
/// something comes back; what came back.
fn echo_through(server: SocketAddr, destination: &[u8]) -> Vec<u8> {
    let (_tcp, reply) = request(server, 3);
    assert_eq!(reply[..4], [5, 0, 0, 1], "succeeded, an IPv4 relay address");
    let port = u16::from_be_bytes([reply[8], reply[9]]);
    let relay = SocketAddr::from(([reply[4], reply[5], reply[6], reply[7]], port));
    let udp = UdpSocket::bind("127.0.0.1:0").unwrap();
    udp.set_read_timeout(Some(Duration::from_millis(300))).unwrap();
    let datagram = [&[0, 0, 0][..], destination, BT].concat();
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut buf = [0; 2048];
    // The first datagrams may go while the circuit is still being built, and are dropped.
    while Instant::now() < deadline {
        udp.send_to(&datagram, relay).unwrap();
        if let Ok((len, from)) = udp.recv_from(&mut buf) {
            assert_eq!(from, relay, "replies come from the relay socket");
            return buf[..len].to_vec();
        }
    }
    panic!("no echo through the circuit");
}

/// What the client should get back: the echo with a header naming the echo server.
fn expected(echo: SocketAddr) -> Vec<u8> {
    [&[0, 0, 0, 1, 127, 0, 0, 1][..], &echo.port().to_be_bytes(), BT].concat()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn udp_associate_sends_through_a_circuit_and_gets_the_echo_back() {
    let (server, echo) = started().await;
    let to = [&[1, 127, 0, 0, 1][..], &echo.port().to_be_bytes()].concat();
    let received = tokio::task::spawn_blocking(move || echo_through(server, &to)).await.unwrap();
    assert_eq!(received, expected(echo));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_name_is_resolved_at_the_exit() {
    let (server, echo) = started().await;
    let to = [&[3, 9][..], b"localhost", &echo.port().to_be_bytes()].concat();
    let received = tokio::task::spawn_blocking(move || echo_through(server, &to)).await.unwrap();
    assert_eq!(received, expected(echo), "the exit resolved localhost to 127.0.0.1");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn commands_other_than_udp_associate_are_refused() {
    let (server, _) = started().await;
    let reply = tokio::task::spawn_blocking(move || request(server, 1).1).await.unwrap();
    assert_eq!(reply[..2], [5, 7], "CONNECT: command not supported");
}
