//! An [`Endpoint`] through a SOCKS5 proxy, against a proxy made here: the handshake, headers on
//! the way out and off on the way in, and what is dropped (datagrams from strangers, malformed
//! headers from the relay), by the endpoint and by a running node's driver.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::task::JoinHandle;

use super::Socks5Error;
use super::codec::{read_address, read_exact, wrap, write_all};
use crate::crypto::{Curve, PrivateKey};
use crate::proto::Node;
use crate::runtime::{self, Endpoint, EndpointConfig, EndpointError};

const PATIENCE: Duration = Duration::from_secs(5);

/// A proxy that answers one client's `UDP ASSOCIATE` with `code`; once it has, the control
/// connection, the relay socket and the client's announced UDP address.
fn proxy(listener: TcpListener, code: u8) -> JoinHandle<(TcpStream, UdpSocket, SocketAddr)> {
    tokio::spawn(async move {
        let (control, _) = listener.accept().await.unwrap();
        let [5, count] = read_exact(&control, 2).await.unwrap()[..] else { panic!("a greeting") };
        assert!(read_exact(&control, count.into()).await.unwrap().contains(&0));
        write_all(&control, &[5, 0]).await.unwrap();
        let [5, 3, 0, atyp] = read_exact(&control, 4).await.unwrap()[..] else {
            panic!("ASSOCIATE")
        };
        let client = read_address(&control, atyp).await.unwrap().expect("an IP address");
        let relay = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        let mut reply = vec![5, code, 0];
        super::codec::push_address(&mut reply, relay.local_addr().unwrap());
        write_all(&control, &reply).await.unwrap();
        (control, relay, client)
    })
}

async fn listener() -> (TcpListener, EndpointConfig) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let config = EndpointConfig::new()
        .with_ipv4("127.0.0.1:0".parse().unwrap())
        .with_socks5(listener.local_addr().unwrap());
    (listener, config)
}

/// Sends `data` from `socket` to `to`.
async fn send(socket: &UdpSocket, data: &[u8], to: SocketAddr) {
    socket.send_to(data, to).await.unwrap();
}

#[tokio::test]
async fn datagrams_go_wrapped_to_the_relay_and_come_back_unwrapped() {
    let (listener, config) = listener().await;
    let proxy = proxy(listener, 0);
    let endpoint = Endpoint::open(&config).await.expect("associated");
    let (_control, relay, announced) = proxy.await.unwrap();
    let local = endpoint.local_addrs().ipv4().expect("one IPv4 socket");
    assert_eq!(announced, local, "the request names the socket datagrams come from");
    assert_eq!(endpoint.relay(), Some(relay.local_addr().unwrap()));
    assert_eq!(endpoint.proxy(), config.socks5());

    let peer: SocketAddr = "10.0.0.7:8090".parse().unwrap();
    endpoint.send_to(b"hello", peer).await.unwrap();
    let mut buf = [0; 64];
    let (len, from) = relay.recv_from(&mut buf).await.unwrap();
    assert_eq!(from, local);
    assert_eq!(buf[..len], wrap(peer, b"hello")[..], "the header names the peer");

    let stranger = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    send(&stranger, &wrap(peer, b"forged"), local).await;
    let mut fragment = wrap(peer, b"fragment");
    fragment[2] = 1;
    send(&relay, &fragment, local).await;
    send(&relay, &[0, 0, 0, 3, 4, b'h', b'o', b's', b't', 0, 80, b'x'], local).await;
    send(&relay, &[0, 0, 0], local).await;
    send(&relay, &wrap(peer, b"welcome"), local).await;
    let (len, from) = tokio::time::timeout(PATIENCE, endpoint.recv_from(&mut buf))
        .await
        .expect("in time")
        .unwrap();
    assert_eq!((&buf[..len], from), (&b"welcome"[..], peer));
    assert_eq!(endpoint.proxy_dropped(), 4, "a stranger's, a fragment, a host name, cut short");
}

#[tokio::test]
async fn a_refusing_proxy_and_the_synchronous_bind_give_errors() {
    let (listener, config) = listener().await;
    let _proxy = proxy(listener, 2);
    let refused = Endpoint::open(&config).await.expect_err("refused");
    assert!(
        matches!(refused, EndpointError::Socks5 { source: Socks5Error::Refused(2), .. }),
        "{refused:?}"
    );
    let sync = Endpoint::bind(&config).expect_err("needs open");
    assert!(matches!(sync, EndpointError::Socks5NeedsOpen), "{sync:?}");

    let closed = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = closed.local_addr().unwrap();
    drop(closed);
    let nobody = config.with_socks5(address);
    let error = Endpoint::open(&nobody).await.expect_err("nobody listens");
    assert!(matches!(error, EndpointError::Socks5 { source: Socks5Error::Io(_), .. }), "{error:?}");
}

#[tokio::test]
async fn a_silent_proxy_times_out() {
    tokio::time::pause();
    let (listener, config) = listener().await;
    let opening = tokio::spawn(async move { Endpoint::open(&config).await });
    let (_silent, _) = listener.accept().await.unwrap();
    let error = opening.await.unwrap().expect_err("no answer");
    assert!(
        matches!(error, EndpointError::Socks5 { source: Socks5Error::Timeout, .. }),
        "{error:?}"
    );
}

#[tokio::test]
async fn a_node_behind_a_proxy_hears_the_relay_only_and_keeps_its_address_to_itself() {
    let (listener, config) = listener().await;
    let proxy = proxy(listener, 0);
    let endpoint = Endpoint::open(&config).await.expect("associated");
    let local = endpoint.local_addrs().ipv4().expect("an IPv4 socket");
    let key = PrivateKey::generate(Curve::Curve25519).unwrap();
    let (handle, _events, _task) = runtime::spawn(Node::new(key, 1, Instant::now()), endpoint);
    let (_control, relay, _) = proxy.await.unwrap();
    let address = handle.with_node(|node, _| node.address()).await.unwrap();
    assert_eq!(address, None, "peers must not learn the socket behind the proxy");

    let peer: SocketAddr = "127.0.0.1:9".parse().unwrap();
    let stranger = UdpSocket::bind("127.0.0.1:0").await.unwrap();
    send(&stranger, &wrap(peer, &[0; 30]), local).await;
    send(&relay, &[0, 0, 0, 9, 1, 2, 3], local).await;
    send(&relay, &wrap(peer, &[0, 2, 7, 7]), local).await;
    let deadline = Instant::now() + PATIENCE;
    let stats = loop {
        let stats = handle.stats().await.unwrap();
        if stats.datagrams_received >= 3 || Instant::now() > deadline {
            break stats;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    assert_eq!(stats.datagrams_received, 3);
    assert_eq!(stats.proxy_dropped, 2);
    assert_eq!(stats.node.received, 1, "the relay's well-formed datagram reached the node");
    handle.shutdown().await;
}
