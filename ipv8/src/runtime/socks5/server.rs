//! [`Socks5Server`]: the SOCKS5 front-end to the node's circuits (RFC 1928, `UDP ASSOCIATE` only,
//! no authentication).

use std::collections::HashMap;
use std::io;
use std::net::{Ipv4Addr, SocketAddr};
use std::sync::{Arc, Mutex};

use tokio::net::{TcpListener, TcpStream, UdpSocket};
use tokio::sync::{Semaphore, mpsc};
use tokio::task::JoinHandle;

use super::HANDSHAKE_TIMEOUT;
use super::codec::{
    NO_AUTHENTICATION, UDP_ASSOCIATE, VERSION, push_address, read_address, read_exact, read_u8,
    unwrap, wrap, write_all,
};
use crate::proto::Event;
use crate::proto::tunnel::{
    ActiveDataCircuits, CircuitInfo, CircuitType, CreateCircuit, PeerFlags, TunnelCommunity,
    TunnelData, TunnelEvent, could_be_ipv8,
};
use crate::runtime::{Events, NodeHandle};
use crate::wire::format::Address;

/// The largest SOCKS5 UDP datagram taken from an application.
const MAX_DATAGRAM: usize = 65_535;
/// Datagrams that may wait for one association's relay socket.
const ASSOCIATION_QUEUE: usize = 256;
/// Associations served at once; further clients are disconnected at once.
pub const MAX_ASSOCIATIONS: usize = 64;

/// The association each circuit is reserved for, which gets what comes back through it.
type Routes = Arc<Mutex<HashMap<u32, mpsc::Sender<(SocketAddr, Vec<u8>)>>>>;

/// A SOCKS5 server whose `UDP ASSOCIATE` sessions send through the node's circuits.
///
/// Each association gets circuits of its own, one for IPv8 packets (whose exits have
/// `EXIT_IPV8`, as py-ipv8's `TunnelEndpoint` asks) and one for other data (exits with `EXIT_BT`),
/// and keeps them while they last: peers see it at its circuits' exit sockets, which no other
/// association shares, and packets that come back through a circuit, from anyone, go to its
/// association. A datagram that finds no ready circuit of its kind is dropped while one is built.
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

    /// The hops of the circuits it sends through.
    #[must_use]
    pub fn hops(&self) -> usize {
        self.hops
    }

    /// Serves clients, up to [`MAX_ASSOCIATIONS`] at once, until the listener fails. It takes the
    /// node's events: data that comes back through a circuit goes to the association the circuit
    /// is reserved for; other events are dropped.
    pub async fn run(self, handle: NodeHandle, mut events: Events) {
        let routes: Routes = Arc::default();
        let returns = Arc::clone(&routes);
        tokio::spawn(async move {
            while let Some(event) = events.recv().await {
                route_back(&returns, event);
            }
        });
        let slots = Arc::new(Semaphore::new(MAX_ASSOCIATIONS));
        while let Ok((client, _)) = self.listener.accept().await {
            let Ok(slot) = Arc::clone(&slots).try_acquire_owned() else { continue };
            let (handle, routes) = (handle.clone(), Arc::clone(&routes));
            let hops = self.hops;
            tokio::spawn(async move {
                let _ = associate(client, handle, routes, hops).await;
                drop(slot);
            });
        }
    }
}

/// Hands data that came back through a circuit to the association it is reserved for.
fn route_back(routes: &Routes, event: Event) {
    let Event::Community { event, .. } = event else { return };
    let Ok(event) = event.downcast::<TunnelEvent>() else { return };
    let TunnelEvent::Data { circuit, origin: Address::Ip(origin), data } = *event else { return };
    let Ok(routes) = routes.lock() else { return };
    if let Some(association) = routes.get(&circuit) {
        let _ = association.try_send((origin, data));
    }
}

/// The method negotiation and the request on a client's TCP connection; whether it asked for
/// `UDP ASSOCIATE` (other commands are answered "not supported").
async fn negotiate(client: &TcpStream) -> io::Result<bool> {
    let version = read_u8(client).await?;
    let methods = read_u8(client).await?;
    let methods = read_exact(client, usize::from(methods)).await?;
    if version != VERSION || !methods.contains(&NO_AUTHENTICATION) {
        write_all(client, &[VERSION, 0xff]).await?;
        return Ok(false);
    }
    write_all(client, &[VERSION, NO_AUTHENTICATION]).await?;
    let request = read_exact(client, 4).await?;
    let _ = read_address(client, request[3]).await?;
    if request[1] != UDP_ASSOCIATE {
        // "Command not supported".
        write_all(client, &reply(7, SocketAddr::from((Ipv4Addr::UNSPECIFIED, 0)))).await?;
        return Ok(false);
    }
    Ok(true)
}

/// One client: the handshake on its TCP connection, then the association until the connection
/// closes.
async fn associate(
    client: TcpStream,
    handle: NodeHandle,
    routes: Routes,
    hops: usize,
) -> io::Result<()> {
    let negotiated = tokio::time::timeout(HANDSHAKE_TIMEOUT, negotiate(&client)).await;
    if !negotiated.map_err(|_| io::Error::from(io::ErrorKind::TimedOut))?? {
        return Ok(());
    }
    let local = client.local_addr()?;
    let relay = UdpSocket::bind(SocketAddr::new(local.ip(), 0)).await?;
    write_all(&client, &reply(0, relay.local_addr()?)).await?;
    let peer_ip = client.peer_addr()?.ip();
    let (back, mut returns) = mpsc::channel(ASSOCIATION_QUEUE);
    let mut session = Session::new(handle, routes, hops, back);
    let mut buf = vec![0; MAX_DATAGRAM];
    let mut closed = [0; 1];
    let ended = loop {
        tokio::select! {
            received = relay.recv_from(&mut buf) => {
                let (len, from) = match received {
                    Ok(received) => received,
                    Err(error) => break Err(error),
                };
                if from.ip() == peer_ip {
                    session.client_udp = Some(from);
                    session.send(buf.get(..len).unwrap_or_default()).await;
                }
            }
            Some((origin, data)) = returns.recv() => {
                if let Some(to) = session.client_udp {
                    let _ = relay.send_to(&wrap(origin, &data), to).await;
                }
            }
            ready = client.readable() => {
                if let Err(error) = ready {
                    break Err(error);
                }
                // The association lives as long as its TCP connection.
                match client.try_read(&mut closed) {
                    Ok(0) => break Ok(()),
                    Ok(_) => {}
                    Err(error) if error.kind() == io::ErrorKind::WouldBlock => {}
                    Err(error) => break Err(error),
                }
            }
        }
    };
    session.forget();
    ended
}

/// What a datagram is, which decides the exits it may leave from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// An IPv8 packet: exits with `EXIT_IPV8`.
    Ipv8,
    /// Anything else (BitTorrent-like data, say): exits chosen as for any data circuit.
    Other,
}

impl Kind {
    fn of(data: &[u8]) -> Self {
        if could_be_ipv8(data) { Self::Ipv8 } else { Self::Other }
    }

    fn index(self) -> usize {
        match self {
            Self::Ipv8 => 0,
            Self::Other => 1,
        }
    }

    /// The exit flags a new circuit for this kind asks for.
    fn exit_flags(self) -> Option<PeerFlags> {
        match self {
            Self::Ipv8 => Some(PeerFlags::EXIT_IPV8),
            Self::Other => None,
        }
    }

    /// Whether `circuit`'s exit was chosen for this kind.
    fn fits(self, circuit: &CircuitInfo) -> bool {
        let flags = circuit.exit_flags;
        match self {
            Self::Ipv8 => flags.contains(PeerFlags::EXIT_IPV8),
            Self::Other => flags.is_empty() || flags.contains(PeerFlags::EXIT_BT),
        }
    }
}

/// One association's state.
struct Session {
    handle: NodeHandle,
    routes: Routes,
    hops: usize,
    back: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    client_udp: Option<SocketAddr>,
    /// The circuit reserved for each [`Kind`], once there is one.
    circuits: [Option<u32>; 2],
    /// The circuit being built for each [`Kind`].
    building: [Option<JoinHandle<()>>; 2],
}

impl Session {
    fn new(
        handle: NodeHandle,
        routes: Routes,
        hops: usize,
        back: mpsc::Sender<(SocketAddr, Vec<u8>)>,
    ) -> Self {
        Self {
            handle,
            routes,
            hops,
            back,
            client_udp: None,
            circuits: [None; 2],
            building: [None, None],
        }
    }

    /// Sends one SOCKS5 UDP datagram of the client through its circuit for that kind of data;
    /// without one, the datagram is dropped (as UDP may be) while a circuit is built.
    async fn send(&mut self, datagram: &[u8]) {
        let Ok((destination, data)) = unwrap(datagram) else { return };
        let kind = Kind::of(data);
        // A second try when the reserved circuit is gone.
        for _ in 0..2 {
            let Some(circuit) = self.circuit(kind).await else { return };
            let request =
                TunnelData { circuit, destination: destination.clone(), data: data.to_vec() };
            match self.handle.ask::<TunnelCommunity, _>(request).await {
                Ok(Ok(())) | Err(_) => return,
                Ok(Err(_)) => self.release(kind),
            }
        }
    }

    /// The circuit reserved for `kind`: the one kept, else a ready one of the configured hops
    /// that fits and no other association has; without one, one is built (one at a time).
    async fn circuit(&mut self, kind: Kind) -> Option<u32> {
        if let Some(id) = self.circuits[kind.index()] {
            return Some(id);
        }
        let active = ActiveDataCircuits { hops: Some(self.hops) };
        let circuits = self.handle.ask::<TunnelCommunity, _>(active).await.ok()?;
        let reserved = self.routes.lock().ok().and_then(|mut routes| {
            let free = circuits.iter().find(|c| kind.fits(c) && !routes.contains_key(&c.id))?;
            routes.insert(free.id, self.back.clone());
            Some(free.id)
        });
        if reserved.is_none() {
            self.build(kind);
        }
        self.circuits[kind.index()] = reserved;
        reserved
    }

    /// Asks for a circuit for `kind` unless one is on its way.
    fn build(&mut self, kind: Kind) {
        let building = &mut self.building[kind.index()];
        if building.as_ref().is_some_and(|task| !task.is_finished()) {
            return;
        }
        let create = CreateCircuit {
            hops: self.hops,
            ctype: CircuitType::Data,
            exit_flags: kind.exit_flags(),
        };
        let handle = self.handle.clone();
        *building = Some(tokio::spawn(async move {
            let _ = handle.ask::<TunnelCommunity, _>(create).await;
        }));
    }

    /// Gives up the circuit reserved for `kind`.
    fn release(&mut self, kind: Kind) {
        if let Some(id) = self.circuits[kind.index()].take()
            && let Ok(mut routes) = self.routes.lock()
        {
            routes.remove(&id);
        }
    }

    /// Gives up every circuit of this association.
    fn forget(&mut self) {
        self.release(Kind::Ipv8);
        self.release(Kind::Other);
    }
}

/// A reply to a request: `VER REP RSV ATYP BND.ADDR BND.PORT`.
fn reply(code: u8, bound: SocketAddr) -> Vec<u8> {
    let mut reply = vec![VERSION, code, 0];
    push_address(&mut reply, bound);
    reply
}
