//! The tokio runtime on real sockets, loopback only (`127.0.0.1` and `::1`): nodes exchange signed and
//! unsigned messages and a request whose answer is awaited through a `oneshot` future; timers run
//! tasks and time requests out; garbage is counted; the endpoint moves past taken ports and routes
//! each datagram to the socket of its destination's family; shutdown ends the loop.
#![cfg(feature = "runtime")]

use std::net::{SocketAddr, UdpSocket};
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey, PublicKey};
use ipv8::proto::oneshot::{self, Completer, Response, ResponseError};
use ipv8::proto::{
    Community, CommunityId, Context, Event, Node, NumberCache, Peer, Schedule, SocketError,
    SocketId,
};
use ipv8::runtime::{self, Config, Endpoint, EndpointConfig, EndpointError, Events, NodeHandle};
use ipv8::runtime::{LocalAddrs, RuntimeError};
use ipv8::wire::Payload;
use ipv8::{community, payload};
use tokio::task::JoinHandle;

const ID: CommunityId = CommunityId(*b"rust-ipv8 udp tests!");
/// Every wait is bounded, so a broken loop fails the test instead of hanging it.
const PATIENCE: Duration = Duration::from_secs(2);

#[payload(msg_id = 1)]
struct Note {
    text: String,
}

#[payload(msg_id = 2)]
struct Beep {
    value: i64,
}

#[payload(msg_id = 3)]
struct Ask {
    number: u64,
    value: i64,
}

#[payload(msg_id = 4)]
struct Answer {
    number: u64,
    value: i64,
}

#[payload(msg_id = 5)]
struct Crash {
    text: String,
}

/// What the test community reports through the node's events.
#[derive(Debug, PartialEq)]
enum Got {
    Note { from: PublicKey, text: String },
    Beep { from: SocketAddr, value: i64 },
    Tick(u32),
    JobDone(bool),
}

#[derive(Default)]
struct Echo {
    ticks: u32,
}

#[community]
impl Echo {
    #[lazy_handler]
    fn on_note(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: Note) {
        ctx.emit(Got::Note { from: peer.key().clone(), text: payload.text });
    }

    #[lazy_handler(unsigned)]
    fn on_beep(&mut self, ctx: &mut Context<Self>, source: SocketAddr, payload: Beep) {
        ctx.emit(Got::Beep { from: source, value: payload.value });
    }

    #[lazy_handler]
    fn on_ask(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: Ask) {
        let value = payload.value.wrapping_mul(2);
        ctx.ez_send(peer, &Answer { number: payload.number, value });
    }

    #[lazy_handler]
    fn on_crash(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Crash) {
        panic!("crash: {}", payload.text);
    }

    #[lazy_handler]
    fn on_answer(&mut self, ctx: &mut Context<Self>, _peer: &Peer, payload: Answer) {
        if let Some(pending) = ctx.request_cache().pop::<Pending>(payload.number) {
            pending.completer.complete(payload.value);
        }
    }
}

impl Community for Echo {
    fn community_id(&self) -> CommunityId {
        ID
    }
}

impl Echo {
    /// Asks `to` to double `value`; the answer (or the cache's timeout) resolves the future.
    fn ask(ctx: &mut Context<'_, Self>, to: &Peer, value: i64, timeout: Duration) -> Response<i64> {
        let (completer, response) = oneshot::channel();
        if let Ok(number) = ctx.add_random_cache(Pending { completer, timeout }) {
            ctx.ez_send(to, &Ask { number, value });
        }
        response
    }

    /// Emits a tick every `period`, three times.
    fn tick(ctx: &mut Context<'_, Self>, period: Duration) {
        let every = Schedule::every(period);
        let tick = |echo: &mut Self, ctx: &mut Context<'_, Self>| {
            echo.ticks += 1;
            ctx.emit(Got::Tick(echo.ticks));
            if echo.ticks == 3 {
                ctx.cancel_task("tick");
            }
        };
        ctx.register_task("tick", every, tick).expect("a fresh task name");
    }
}

/// A request awaiting its answer.
struct Pending {
    completer: Completer<i64>,
    timeout: Duration,
}

impl NumberCache<Echo> for Pending {
    fn timeout_delay(&self) -> Duration {
        self.timeout
    }

    fn on_timeout(self: Box<Self>, _: &mut Echo, _: &mut Context<'_, Echo>) {
        self.completer.time_out();
    }
}

/// A node running [`Echo`] on the loop.
struct Running {
    handle: NodeHandle,
    events: Events,
    task: JoinHandle<Node>,
    key: PublicKey,
    addrs: LocalAddrs,
}

impl Running {
    fn start(endpoint: &EndpointConfig) -> Self {
        Self::start_with(&Config::new(), endpoint)
    }

    fn start_with(config: &Config, endpoint: &EndpointConfig) -> Self {
        let key = PrivateKey::generate(Curve::Curve25519).expect("a fresh key");
        let public = key.public_key();
        let now = Instant::now();
        let mut node = Node::new(key, 7, now);
        node.add_community(now, Echo::default()).expect("one community");
        let endpoint = Endpoint::bind(endpoint).expect("loopback binds");
        let (handle, events, task) = runtime::spawn_with(config, node, endpoint);
        Self { addrs: handle.local_addrs(), handle, events, task, key: public }
    }

    /// This node as a peer reached over IPv4.
    fn peer(&self) -> Peer {
        Peer::new(self.key.clone(), self.addrs.ipv4().expect("an IPv4 socket"))
    }

    async fn with_echo<R: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Echo, &mut Context<'_, Echo>) -> R + Send + 'static,
    ) -> R {
        self.handle.with_community::<Echo, _>(f).await.expect("the node runs Echo")
    }

    async fn stats(&self) -> runtime::Stats {
        self.handle.stats().await.expect("the node runs")
    }

    /// The next [`Got`] event, skipping other events.
    async fn next_got(&mut self) -> Got {
        let wait = async {
            loop {
                let event = self.events.recv().await.expect("the node runs");
                if let Event::Community { event, .. } = event {
                    return *event.downcast::<Got>().expect("only Echo emits");
                }
            }
        };
        tokio::time::timeout(PATIENCE, wait).await.expect("an event in time")
    }
}

fn ipv4_loopback() -> EndpointConfig {
    EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"))
}

#[tokio::test]
async fn a_panicking_handler_or_closure_does_not_stop_the_node() {
    let a = Running::start(&ipv4_loopback());
    let mut b = Running::start(&ipv4_loopback());
    let to_b = b.peer();
    a.with_echo(move |_, ctx| {
        ctx.ez_send(&to_b, &Crash { text: "hostile".into() });
        ctx.ez_send(&to_b, &Note { text: "after the crash".into() });
    })
    .await;

    let note = Got::Note { from: a.key.clone(), text: "after the crash".into() };
    assert_eq!(b.next_got().await, note);
    assert_eq!(b.stats().await.node.panics, 1);
    let panicked = b.handle.with_community::<Echo, ()>(|_, _| panic!("a bad closure")).await;
    assert!(matches!(panicked, Err(RuntimeError::Panicked)), "{panicked:?}");
    let panicked = b.handle.with_node(|_, _| -> () { panic!("a bad node closure") }).await;
    assert!(matches!(panicked, Err(RuntimeError::Panicked)), "{panicked:?}");
    assert!(b.handle.is_running());
    assert_eq!(b.stats().await.node.panics, 2, "the community closure counts as community code");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_node_answers_while_a_cpu_job_runs() {
    let a = Running::start(&ipv4_loopback());
    let mut b = Running::start(&ipv4_loopback());
    let (release, gate) = std::sync::mpsc::channel::<()>();
    b.with_echo(move |_, ctx| {
        let job = move || gate.recv_timeout(PATIENCE).is_ok();
        ctx.spawn_job(job, |_, ctx, released| ctx.emit(Got::JobDone(released)))
    })
    .await
    .expect("room for a job");

    // The job blocks until released; the node still hears and handles a message meanwhile.
    let to_b = b.peer();
    a.with_echo(move |_, ctx| ctx.ez_send(&to_b, &Note { text: "are you busy?".into() })).await;
    assert_eq!(b.next_got().await, Got::Note { from: a.key.clone(), text: "are you busy?".into() });
    release.send(()).expect("the job waits");
    assert_eq!(b.next_got().await, Got::JobDone(true));
}

/// Opens a socket of its own on 127.0.0.1 and echoes what arrives on it, from it.
#[derive(Default)]
struct Exit {
    socket: Option<SocketAddr>,
}

#[community]
impl Exit {}

impl Community for Exit {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"udp exit socket test")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let bind = "127.0.0.1:0".parse().expect("an address");
        ctx.open_socket(bind).expect("room for a socket");
    }

    fn on_socket_opened(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        _socket: SocketId,
        result: Result<SocketAddr, SocketError>,
    ) {
        self.socket = result.ok();
    }

    fn on_socket_datagram(
        &mut self,
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), ipv8::proto::DropReason> {
        ctx.send_on(socket, source, [b"echo: ", data].concat());
        Ok(())
    }
}

#[tokio::test]
async fn a_community_owns_a_udp_socket_of_its_own() {
    let a = Running::start(&ipv4_loopback());
    a.handle
        .with_node(|node, now| node.add_community(now, Exit::default()))
        .await
        .unwrap()
        .unwrap();
    let exit = tokio::time::timeout(PATIENCE, async {
        loop {
            let socket = a.handle.with_community::<Exit, _>(|exit, _| exit.socket).await.unwrap();
            if let Some(socket) = socket {
                return socket;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the socket opens");
    assert_ne!(Some(exit), a.addrs.ipv4(), "a socket besides the node's endpoint");

    let client = tokio::net::UdpSocket::bind("127.0.0.1:0").await.expect("a client socket");
    client.send_to(b"plain udp", exit).await.expect("sent");
    let mut buf = [0; 64];
    let (len, from) = tokio::time::timeout(PATIENCE, client.recv_from(&mut buf))
        .await
        .expect("an echo in time")
        .expect("received");
    assert_eq!((&buf[..len], from), (&b"echo: plain udp"[..], exit));
}

/// Opens a socket and sends from it the moment it is open (as a tunnel exit does with the
/// datagrams it queued), before the socket ever received anything.
struct FirstWord {
    to: SocketAddr,
}

#[community]
impl FirstWord {}

impl Community for FirstWord {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"udp first word test!")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let bind = "127.0.0.1:0".parse().expect("an address");
        ctx.open_socket(bind).expect("room for a socket");
    }

    fn on_socket_opened(
        &mut self,
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        result: Result<SocketAddr, SocketError>,
    ) {
        if result.is_ok() {
            for n in 0..3_u8 {
                ctx.send_on(socket, self.to, vec![b'0' + n]);
            }
        }
    }
}

/// On a runtime with one worker, the node's loop must wait for a fresh socket to become writable
/// rather than spin on it: a spinning loop starves the I/O driver and nothing more is sent or
/// received. The client listens from a plain thread, so a stuck node shows as a timeout here.
#[test]
fn a_fresh_socket_sends_what_was_queued_for_it() {
    let client = std::net::UdpSocket::bind("127.0.0.1:0").expect("a client socket");
    client.set_read_timeout(Some(PATIENCE * 5)).expect("a timeout");
    let to = client.local_addr().expect("bound");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .expect("a runtime");
    let node = runtime.block_on(async {
        let a = Running::start(&ipv4_loopback());
        a.handle.with_node(move |node, now| node.add_community(now, FirstWord { to })).await?.ok();
        Ok::<_, ipv8::runtime::RuntimeError>(a)
    });
    let mut buf = [0; 8];
    let mut got = Vec::new();
    while got.len() < 3 {
        let Ok((len, _)) = client.recv_from(&mut buf) else { break };
        got.push(buf[..len].to_vec());
    }
    runtime.shutdown_background();
    assert!(node.is_ok());
    assert_eq!(got, [b"0", b"1", b"2"], "the socket's first datagrams left");
}

#[tokio::test]
async fn signed_and_unsigned_messages_cross_the_loopback() {
    let a = Running::start(&ipv4_loopback());
    let mut b = Running::start(&ipv4_loopback());
    let to_b = b.peer();
    a.with_echo(move |_, ctx| {
        ctx.ez_send(&to_b, &Note { text: "signed".into() });
        ctx.ez_send_unsigned(to_b.address(), &Beep { value: 7 });
    })
    .await;

    assert_eq!(b.next_got().await, Got::Note { from: a.key.clone(), text: "signed".into() });
    let a_address = a.addrs.ipv4().expect("IPv4");
    assert_eq!(b.next_got().await, Got::Beep { from: a_address, value: 7 });
    let (a_stats, b_stats) = (a.stats().await, b.stats().await);
    assert_eq!((a_stats.datagrams_sent, a_stats.send_errors), (2, 0));
    assert_eq!(b_stats.datagrams_received, 2);
    assert_eq!(b_stats.bytes_received, a_stats.bytes_sent);
    assert_eq!((b_stats.node.handled.get(&1), b_stats.node.handled.get(&2)), (Some(&1), Some(&1)));
}

#[tokio::test]
async fn a_request_is_answered_through_a_oneshot_future() {
    let a = Running::start(&ipv4_loopback());
    let b = Running::start(&ipv4_loopback());
    let to_b = b.peer();
    let response = a.with_echo(move |_, ctx| Echo::ask(ctx, &to_b, 21, PATIENCE)).await;
    let answer = tokio::time::timeout(PATIENCE, response).await.expect("an answer in time");
    assert_eq!(answer, Ok(42));
    assert_eq!(b.stats().await.node.handled.get(&3), Some(&1));
}

/// The driver hands the node tokio's clock, so a paused test clock drives the node's timers: a
/// 30 s request timeout and half-second ticks pass at once.
#[tokio::test(start_paused = true)]
async fn the_node_timer_follows_tokio_time() {
    let (real, virtual_start) = (Instant::now(), tokio::time::Instant::now());
    let mut a = Running::start(&ipv4_loopback());
    let silent = UdpSocket::bind("127.0.0.1:0").expect("loopback binds");
    let to_nobody = Peer::new(a.key.clone(), silent.local_addr().expect("bound"));
    let timeout = Duration::from_secs(30);
    let response = a.with_echo(move |_, ctx| Echo::ask(ctx, &to_nobody, 1, timeout)).await;
    let result = tokio::time::timeout(2 * timeout, response).await.expect("resolved in time");
    assert_eq!(result, Err(ResponseError::TimedOut));
    assert!(virtual_start.elapsed() >= timeout);

    a.with_echo(|_, ctx| Echo::tick(ctx, Duration::from_millis(500))).await;
    for tick in 1..=3 {
        assert_eq!(a.next_got().await, Got::Tick(tick));
    }
    assert!(virtual_start.elapsed() >= timeout + Duration::from_millis(1500));
    assert!(real.elapsed() < PATIENCE, "virtual time, not real time, passed");
}

#[tokio::test]
async fn garbage_is_counted_and_the_node_keeps_working() {
    let mut b = Running::start(&ipv4_loopback());
    let to_b = b.addrs.ipv4().expect("IPv4");
    let raw = UdpSocket::bind("127.0.0.1:0").expect("loopback binds");
    let unknown_message = [&ID.prefix()[..], &[99], &[0; 8]].concat();
    let huge = vec![0xa5; 65_507];
    let garbage: [&[u8]; 6] = [&[], &[1], &[2; 21], &[3; 23], &unknown_message, &huge];
    for datagram in garbage {
        raw.send_to(datagram, to_b).expect("loopback send");
    }
    let beep = [&ID.prefix()[..], &[2], &Beep { value: 5 }.to_bytes().expect("encodes")].concat();
    raw.send_to(&beep, to_b).expect("loopback send");

    let from = raw.local_addr().expect("bound");
    assert_eq!(b.next_got().await, Got::Beep { from, value: 5 });
    let stats = b.stats().await;
    assert_eq!((stats.datagrams_received, stats.node.received), (7, 7));
    let dropped = &stats.node;
    assert_eq!(dropped.dropped("too_short"), 3);
    assert_eq!(dropped.dropped("unknown_community"), 2);
    assert_eq!(dropped.dropped("unknown_message"), 1);
    assert_eq!(stats.receive_errors, 0);
}

#[tokio::test]
async fn a_slow_event_reader_loses_new_events_not_the_node() {
    let a = Running::start(&ipv4_loopback());
    let mut b = Running::start_with(&Config::new().with_event_capacity(1), &ipv4_loopback());
    let to_b = b.peer();
    let response = a
        .with_echo(move |_, ctx| {
            for text in ["0", "1", "2"] {
                ctx.ez_send(&to_b, &Note { text: text.into() });
            }
            Echo::ask(ctx, &to_b, 1, PATIENCE)
        })
        .await;
    // The answer comes after the three notes, which were sent first on the same path.
    assert_eq!(tokio::time::timeout(PATIENCE, response).await.expect("in time"), Ok(2));
    assert_eq!(b.stats().await.events_dropped, 2);
    assert_eq!(b.next_got().await, Got::Note { from: a.key.clone(), text: "0".into() });
    assert!(b.events.is_empty());
}

#[tokio::test]
async fn shutdown_cancels_requests_and_ends_the_task() {
    let mut a = Running::start(&ipv4_loopback());
    let silent = UdpSocket::bind("127.0.0.1:0").expect("loopback binds");
    let to_nobody = Peer::new(a.key.clone(), silent.local_addr().expect("bound"));
    let response = a.with_echo(move |_, ctx| Echo::ask(ctx, &to_nobody, 1, PATIENCE)).await;

    a.handle.shutdown().await;
    assert_eq!(response.await, Err(ResponseError::Cancelled));
    let node = tokio::time::timeout(PATIENCE, a.task).await.expect("ended").expect("no panic");
    assert_eq!(node.stats().sent, 1);
    assert!(!a.handle.is_running());
    assert_eq!(a.handle.stats().await, Err(RuntimeError::Stopped));
    assert_eq!(a.handle.with_community::<Echo, _>(|_, _| ()).await, Err(RuntimeError::Stopped));
    assert!(a.events.recv().await.is_none(), "the event stream ends with the node");
    a.handle.shutdown().await;
}

#[tokio::test]
async fn dropping_every_handle_ends_the_task() {
    let a = Running::start(&ipv4_loopback());
    let clone = a.handle.clone();
    drop((a.handle, clone));
    tokio::time::timeout(PATIENCE, a.task).await.expect("ended").expect("no panic");
}

#[test]
fn handles_and_events_move_between_tasks() {
    fn sendable<T: Send + Sync + 'static>() {}
    fn clonable<T: Clone>() {}
    sendable::<NodeHandle>();
    clonable::<NodeHandle>();
    sendable::<Events>();
    sendable::<Endpoint>();
}

#[tokio::test]
async fn a_community_the_node_does_not_run_is_an_error() {
    struct Absent;
    #[community]
    impl Absent {}
    impl Community for Absent {
        fn community_id(&self) -> CommunityId {
            CommunityId([0; 20])
        }
    }
    let a = Running::start(&ipv4_loopback());
    let result = a.handle.with_community::<Absent, _>(|_, _| ()).await;
    assert!(matches!(result, Err(RuntimeError::NoSuchCommunity(name)) if name.ends_with("Absent")));
}

/// Binds two neighbouring loopback ports, `port` and `port + 1`, with `port + 2` free.
fn occupy_two_ports() -> (u16, [UdpSocket; 2]) {
    for _ in 0..100 {
        let first = UdpSocket::bind("127.0.0.1:0").expect("loopback binds");
        let port = first.local_addr().expect("bound").port();
        if port > u16::MAX - 2 {
            continue;
        }
        let Ok(second) = UdpSocket::bind(("127.0.0.1", port + 1)) else { continue };
        if UdpSocket::bind(("127.0.0.1", port + 2)).is_ok() {
            return (port, [first, second]);
        }
    }
    panic!("no three free neighbouring loopback ports in 100 tries");
}

#[tokio::test]
async fn a_taken_port_moves_the_endpoint_to_the_next_free_one() {
    let (port, _taken) = occupy_two_ports();
    let config = EndpointConfig::new()
        .with_ipv4(format!("127.0.0.1:{port}").parse().expect("an address"))
        .with_port_attempts(3);
    let endpoint = Endpoint::bind(&config).expect("the third port is free");
    assert_eq!(endpoint.local_addrs().ipv4().map(|address| address.port()), Some(port + 2));

    let error = Endpoint::bind(&config.with_port_attempts(2)).expect_err("both ports are taken");
    let message = error.to_string();
    assert!(
        matches!(error, EndpointError::NoFreePort { first, last, .. } if (first, last) == (port, port + 1)),
        "{message}"
    );
    assert_eq!(
        message,
        format!("no free UDP port on 127.0.0.1: tried ports {port} to {}", port + 1)
    );
}

#[test]
fn an_endpoint_needs_a_runtime_and_a_socket() {
    assert!(matches!(Endpoint::bind(&ipv4_loopback()), Err(EndpointError::NoRuntime)));
    let none = EndpointConfig::new().without_ipv4();
    assert!(matches!(Endpoint::bind(&none), Err(EndpointError::NoSocket)));
}

#[tokio::test]
async fn ipv6_loopback_and_dual_stack_dispatch() {
    if let Err(error) = UdpSocket::bind("[::1]:0") {
        eprintln!("skipped: this kernel has no IPv6 loopback ([::1]: {error})");
        return;
    }
    let v6_loopback = || "[::1]:0".parse().expect("an address");
    let a = Running::start(&ipv4_loopback().with_ipv6(v6_loopback()));
    let mut b = Running::start(&ipv4_loopback());
    let mut c = Running::start(&EndpointConfig::new().without_ipv4().with_ipv6(v6_loopback()));
    let (a_v4, a_v6) = (a.addrs.ipv4().expect("IPv4"), a.addrs.ipv6().expect("IPv6"));
    let (to_b, to_c) = (b.peer(), Peer::new(c.key.clone(), c.addrs.ipv6().expect("IPv6")));

    a.with_echo(move |_, ctx| {
        ctx.ez_send_unsigned(to_b.address(), &Beep { value: 4 });
        ctx.ez_send_unsigned(to_c.address(), &Beep { value: 6 });
        ctx.ez_send(&to_c, &Note { text: "over IPv6".into() });
    })
    .await;
    assert_eq!(b.next_got().await, Got::Beep { from: a_v4, value: 4 });
    assert_eq!(c.next_got().await, Got::Beep { from: a_v6, value: 6 });
    assert_eq!(c.next_got().await, Got::Note { from: a.key.clone(), text: "over IPv6".into() });

    // An IPv6-only node cannot reach an IPv4 address: the send is counted, the node goes on.
    let to_b = b.peer();
    c.with_echo(move |_, ctx| ctx.ez_send_unsigned(to_b.address(), &Beep { value: 1 })).await;
    let stats = c.stats().await;
    assert_eq!((stats.send_errors, stats.datagrams_sent), (1, 0));
}
