//! A SOCKS5 front-end to tunnel circuits (RFC 1928, `UDP ASSOCIATE` only, no authentication), as
//! Tribler's `ipv8_rust_tunnels` offers: any UDP application sends its datagrams to the relay
//! socket of its association, they leave through one of the node's ready data circuits of the
//! configured hop count, and what comes back through that circuit from the same destination is
//! returned to the application with a SOCKS5 UDP header.
//!
//! Circuits' exits apply their exit policy (py-ipv8's: BitTorrent-like traffic with `EXIT_BT`,
//! IPv8 packets with `EXIT_IPV8`); other data is dropped there.

use std::collections::{HashMap, HashSet};
use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::mpsc;

use super::{Events, NodeHandle};
use crate::proto::Event;
use crate::proto::tunnel::{
    ActiveDataCircuits, CreateCircuit, TunnelCommunity, TunnelData, TunnelEvent,
};
use crate::wire::format::Address;

/// The largest SOCKS5 UDP datagram taken from an application.
const MAX_DATAGRAM: usize = 65_535;
/// Datagrams that may wait for one association's relay socket.
const ASSOCIATION_QUEUE: usize = 256;
/// Destinations one association gets replies from; datagrams to further ones still go out, but
/// what comes back from them is not routed.
const ASSOCIATION_DESTINATIONS: usize = 1024;

/// Where replies that came back through a circuit from a destination go: the association that
/// sent there, or (key `None`) the one that last sent to a host name through that circuit, whose
/// addresses only the exit knows.
type Routes = Arc<Mutex<HashMap<(u32, Option<SocketAddr>), mpsc::Sender<(SocketAddr, Vec<u8>)>>>>;

/// A SOCKS5 server whose `UDP ASSOCIATE` sessions send through the node's circuits.
///
/// # Examples
///
/// ```no_run
/// # async fn run(handle: ipv8::runtime::NodeHandle, events: ipv8::runtime::Events) -> std::io::Result<()> {
/// use ipv8::runtime::Socks5Server;
///
/// let server = Socks5Server::bind("127.0.0.1:1080".parse().unwrap(), 1).await?;
/// // Applications configure 127.0.0.1:1080 as their SOCKS5 proxy; data leaves through
/// // one-hop circuits.
/// server.run(handle, events).await;
/// # Ok(())
/// # }
/// # let _ = run;
/// ```
pub struct Socks5Server {
    listener: TcpListener,
    hops: usize,
}

impl Socks5Server {
    /// Listens for SOCKS5 clients at `address`, sending through circuits of `hops` hops.
    ///
    /// # Errors
    ///
    /// The TCP listener could not be bound.
    pub async fn bind(address: SocketAddr, hops: usize) -> io::Result<Self> {
        Ok(Self { listener: TcpListener::bind(address).await?, hops: hops.max(1) })
    }

    /// The address clients connect to.
    ///
    /// # Errors
    ///
    /// As the operating system's `getsockname`.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Serves clients until the node stops. It takes the node's events: data that comes back
    /// through circuits is routed to the association that sent to its origin; other events are
    /// dropped.
    pub async fn run(self, handle: NodeHandle, mut events: Events) {
        let routes: Routes = Arc::default();
        let returns = Arc::clone(&routes);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                route_back(&returns, event);
            }
        });
        while let Ok((client, _)) = self.listener.accept().await {
            let (handle, routes) = (handle.clone(), Arc::clone(&routes));
            let hops = self.hops;
            tokio::spawn(async move {
                let _ = associate(client, handle, routes, hops).await;
            });
        }
    }
}

/// Hands data that came back through a circuit to the association that sent to its origin.
fn route_back(routes: &Routes, event: Event) {
    let Event::Community { event, .. } = event else { return };
    let Ok(event) = event.downcast::<TunnelEvent>() else { return };
    let TunnelEvent::Data { circuit, origin: Address::Ip(origin), data } = *event else { return };
    let Ok(routes) = routes.lock() else { return };
    let association = routes.get(&(circuit, Some(origin))).or(routes.get(&(circuit, None)));
    if let Some(association) = association {
        let _ = association.try_send((origin, data));
    }
}

/// One client: the method negotiation and the `UDP ASSOCIATE` request on its TCP connection, then
/// the association until the connection closes.
async fn associate(
    client: TcpStream,
    handle: NodeHandle,
    routes: Routes,
    hops: usize,
) -> io::Result<()> {
    let greeting = read_exact(&client, 2).await?;
    let methods = read_exact(&client, usize::from(greeting[1])).await?;
    if greeting[0] != 5 || !methods.contains(&0) {
        write_all(&client, &[5, 0xff]).await?;
        return Ok(());
    }
    write_all(&client, &[5, 0]).await?;
    let request = read_exact(&client, 4).await?;
    let _ = read_address(&client, request[3]).await?;
    if request[1] != 3 {
        // Only UDP ASSOCIATE: "command not supported".
        write_all(&client, &reply(7, SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))).await?;
        return Ok(());
    }
    let local = client.local_addr()?;
    let relay = UdpSocket::bind(SocketAddr::new(local.ip(), 0)).await?;
    write_all(&client, &reply(0, relay.local_addr()?)).await?;
    let peer_ip = client.peer_addr()?.ip();
    let (back, mut returns) = mpsc::channel(ASSOCIATION_QUEUE);
    let mut session =
        Session { handle, routes, hops, back, client_udp: None, used: HashSet::new() };
    let mut buf = vec![0; MAX_DATAGRAM];
    let mut closed = [0; 1];
    loop {
        tokio::select! {
            received = relay.recv_from(&mut buf) => {
                let (len, from) = received?;
                if from.ip() == peer_ip {
                    session.client_udp = Some(from);
                    session.send(buf.get(..len).unwrap_or_default()).await;
                }
            }
            Some((origin, data)) = returns.recv() => {
                if let Some(to) = session.client_udp {
                    let _ = relay.send_to(&udp_datagram(origin, &data), to).await;
                }
            }
            ready = client.readable() => {
                ready?;
                // The association lives as long as its TCP connection.
                match client.try_read(&mut closed) {
                    Ok(0) => break,
                    Ok(_) => {}
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                    Err(error) => return Err(error),
                }
            }
        }
    }
    session.forget();
    Ok(())
}

/// One association's state.
struct Session {
    handle: NodeHandle,
    routes: Routes,
    hops: usize,
    back: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    client_udp: Option<SocketAddr>,
    /// The (circuit, destination) routes this association registered.
    used: HashSet<(u32, Option<SocketAddr>)>,
}

impl Session {
    /// Sends one SOCKS5 UDP datagram of the client through a ready circuit (one is built when
    /// none is; the datagram is then dropped, as UDP may be).
    async fn send(&mut self, datagram: &[u8]) {
        let Some((destination, data)) = parse_udp_datagram(datagram) else { return };
        let Some(circuit) = self.circuit().await else { return };
        let key = match &destination {
            Address::Ip(to) => (circuit, Some(*to)),
            Address::Host { .. } => (circuit, None),
        };
        if !self.used.contains(&key) && self.used.len() < ASSOCIATION_DESTINATIONS {
            if let Ok(mut routes) = self.routes.lock() {
                routes.insert(key, self.back.clone());
            }
            self.used.insert(key);
        }
        let request = TunnelData { circuit, destination, data: data.to_vec() };
        let _ = self.handle.ask::<TunnelCommunity, _>(request).await;
    }

    /// A ready data circuit of the configured hop count; asks for one if there is none.
    async fn circuit(&self) -> Option<u32> {
        let active = ActiveDataCircuits { hops: Some(self.hops) };
        let circuits = self.handle.ask::<TunnelCommunity, _>(active).await.ok()?;
        if let Some(circuit) = circuits.first() {
            return Some(circuit.id);
        }
        let handle = self.handle.clone();
        let create = CreateCircuit::new(self.hops);
        tokio::spawn(async move { handle.ask::<TunnelCommunity, _>(create).await });
        None
    }

    /// Drops this association's return routes.
    fn forget(&self) {
        if let Ok(mut routes) = self.routes.lock() {
            for key in &self.used {
                routes.remove(key);
            }
        }
    }
}

/// A reply to a request: `VER REP RSV ATYP BND.ADDR BND.PORT`.
fn reply(code: u8, bound: SocketAddr) -> Vec<u8> {
    let mut reply = vec![5, code, 0];
    push_address(&mut reply, bound);
    reply
}

fn push_address(out: &mut Vec<u8>, address: SocketAddr) {
    match address.ip() {
        IpAddr::V4(ip) => {
            out.push(1);
            out.extend_from_slice(&ip.octets());
        }
        IpAddr::V6(ip) => {
            out.push(4);
            out.extend_from_slice(&ip.octets());
        }
    }
    out.extend_from_slice(&address.port().to_be_bytes());
}

/// A SOCKS5 UDP datagram for the client: `RSV(2) FRAG ATYP DST.ADDR DST.PORT DATA`.
fn udp_datagram(origin: SocketAddr, data: &[u8]) -> Vec<u8> {
    let mut datagram = vec![0, 0, 0];
    push_address(&mut datagram, origin);
    datagram.extend_from_slice(data);
    datagram
}

/// The destination and data of a client's SOCKS5 UDP datagram; `None` for fragments and
/// malformed ones.
fn parse_udp_datagram(datagram: &[u8]) -> Option<(Address, &[u8])> {
    let (&[0, 0, 0, atyp], rest) = datagram.split_first_chunk::<4>()? else { return None };
    let (host, rest): (Result<IpAddr, String>, &[u8]) = match atyp {
        1 => {
            let (ip, rest) = rest.split_first_chunk::<4>()?;
            (Ok(Ipv4Addr::from(*ip).into()), rest)
        }
        4 => {
            let (ip, rest) = rest.split_first_chunk::<16>()?;
            (Ok(Ipv6Addr::from(*ip).into()), rest)
        }
        3 => {
            let (&len, rest) = rest.split_first()?;
            let (name, rest) = rest.split_at_checked(usize::from(len))?;
            (Err(String::from_utf8(name.to_vec()).ok()?), rest)
        }
        _ => return None,
    };
    let (port, data) = rest.split_first_chunk::<2>()?;
    let port = u16::from_be_bytes(*port);
    let destination = match host {
        Ok(ip) => Address::Ip(SocketAddr::new(ip, port)),
        Err(host) => Address::Host { host, port },
    };
    Some((destination, data))
}

/// Reads the address of a request (`ATYP` given) and its port.
async fn read_address(client: &TcpStream, atyp: u8) -> io::Result<Vec<u8>> {
    let len = match atyp {
        1 => 4,
        4 => 16,
        3 => usize::from(read_exact(client, 1).await?[0]),
        _ => return Err(io::ErrorKind::InvalidData.into()),
    };
    read_exact(client, len + 2).await
}

/// Reads exactly `len` bytes (tokio's `io-util` is not among this crate's features).
async fn read_exact(stream: &TcpStream, len: usize) -> io::Result<Vec<u8>> {
    let mut buf = vec![0; len];
    let mut filled = 0;
    while filled < len {
        stream.readable().await?;
        match stream.try_read(buf.get_mut(filled..).unwrap_or_default()) {
            Ok(0) => return Err(io::ErrorKind::UnexpectedEof.into()),
            Ok(n) => filled += n,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
    Ok(buf)
}

/// Writes all of `data`.
async fn write_all(stream: &TcpStream, data: &[u8]) -> io::Result<()> {
    let mut written = 0;
    while written < data.len() {
        stream.writable().await?;
        match stream.try_write(data.get(written..).unwrap_or_default()) {
            Ok(n) => written += n,
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
            Err(error) => return Err(error),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn udp_datagrams_round_trip_and_malformed_ones_are_refused() {
        let origin: SocketAddr = "10.1.2.3:6881".parse().unwrap();
        let datagram = udp_datagram(origin, b"payload");
        assert_eq!(parse_udp_datagram(&datagram), Some((Address::Ip(origin), &b"payload"[..])));
        let v6: SocketAddr = "[2001:db8::1]:53".parse().unwrap();
        assert_eq!(parse_udp_datagram(&udp_datagram(v6, b"")), Some((Address::Ip(v6), &b""[..])));
        let named = [&[0, 0, 0, 3, 4][..], b"host", &[0, 80], b"x"].concat();
        let host = Address::Host { host: "host".into(), port: 80 };
        assert_eq!(parse_udp_datagram(&named), Some((host, &b"x"[..])));
        let mut fragment = datagram.clone();
        fragment[2] = 1;
        assert_eq!(parse_udp_datagram(&fragment), None, "fragments are not supported");
        assert_eq!(parse_udp_datagram(&datagram[..6]), None, "cut short");
        assert_eq!(parse_udp_datagram(&[0, 0, 0, 9, 1, 2]), None, "unknown address type");
    }
}
