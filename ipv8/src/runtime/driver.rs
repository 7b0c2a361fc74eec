//! The driver: a loop that runs a [`Node`] on an [`Endpoint`] and does nothing but move bytes and
//! time between them (quinn's `ConnectionDriver`). Each turn it waits for a command, the node's
//! timer, or a socket; then it runs due timers, reads a bounded batch from each socket, sends what
//! the node queued and passes its events on. Local work (commands, timers) is looked at first, and
//! every queue is bounded, so a flood of datagrams can neither starve timers nor grow memory.

use std::collections::VecDeque;
use std::io;
use std::net::SocketAddr;
use std::pin::Pin;
use std::time::Instant;

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Sleep;

use super::forwarded::{Forwarded, Out};
use super::monitor::{LoopStep, Monitor, MonitorFn};
use super::resolve::{Resolved, Resolver};
use super::sockets::{Arrival, ExtraSockets, send_ready};
use super::udp::Inbox;
use super::workers::Workers;
use super::{Config, Endpoint, Stats};
use crate::proto::{Event, JobDone, Node, Transmit};

/// A closure run on the node inside the loop, given the current time.
pub(crate) type NodeFn = Box<dyn FnOnce(&mut Node, Instant) + Send>;

/// Work for the loop, sent by a [`NodeHandle`](super::NodeHandle).
pub(crate) enum Command {
    /// Runs a closure on the node.
    Run(NodeFn),
    /// Answers with the counters.
    Stats(oneshot::Sender<Stats>),
    /// Runs a closure on the loop's own measurements.
    Monitor(MonitorFn),
    /// Shuts the node down, ends the loop and answers when done.
    Shutdown(oneshot::Sender<()>),
}

/// The most datagrams sent per turn; the rest wait for the next turn.
const SEND_BATCH: usize = 1024;
/// The most CPU jobs running on the blocking pool at once; more wait in the node.
const JOBS_RUNNING: usize = 64;

/// The state of the loop.
struct Driver {
    node: Node,
    endpoint: Endpoint,
    commands: mpsc::Receiver<Command>,
    events: mpsc::Sender<Event>,
    stats: Stats,
    /// The next datagrams to send, held while their socket cannot take them or the turn's batch
    /// is spent, and the run of datagrams to one destination being gathered.
    pending: VecDeque<Transmit>,
    /// A run of datagrams laid end to end, to send in one call.
    run: Vec<u8>,
    /// Datagrams read from each socket of the endpoint.
    inboxes: Vec<Inbox>,
    /// Datagrams the node's fast paths forwarded this turn.
    forwarded: Forwarded,
    /// The most datagrams handled per turn from the endpoint's sockets, and from the extra ones.
    receive_batch: usize,
    /// Threads that check and make large batches' signatures beside the loop.
    workers: Workers,
    /// Finished CPU jobs, sent back by the blocking pool.
    jobs_done: mpsc::Receiver<JobDone>,
    jobs_tx: mpsc::Sender<JobDone>,
    jobs_running: usize,
    /// Sockets communities opened besides the endpoint.
    extra: ExtraSockets,
    /// Names being resolved for communities.
    resolver: Resolver,
    /// Drift measurements and slow steps.
    monitor: Monitor,
    /// The drift probe's timer, armed while the monitor measures drift.
    probe: Pin<Box<Sleep>>,
}

/// What woke the loop.
enum Woken {
    Command(Command),
    JobDone(JobDone),
    Resolved(Resolved),
    Probe,
    Arrival(Arrival),
    Io,
}

/// Whether the loop goes on after a command.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Stop,
}

/// Starts the loop on the current tokio runtime; returns its command sender and event receiver.
pub(crate) fn start(
    config: &Config,
    node: Node,
    endpoint: Endpoint,
) -> (mpsc::Sender<Command>, mpsc::Receiver<Event>, JoinHandle<Node>) {
    let (command_tx, commands) = mpsc::channel(config.command_capacity());
    let (events, event_rx) = mpsc::channel(config.event_capacity());
    let (jobs_tx, jobs_done) = mpsc::channel(JOBS_RUNNING);
    endpoint.enable_gro();
    let inboxes = endpoint.sockets().map(|_| Inbox::new(config.receive_batch())).collect();
    let driver = Driver {
        extra: ExtraSockets::new(config.transport()),
        resolver: Resolver::new(),
        jobs_done,
        jobs_tx,
        jobs_running: 0,
        node,
        endpoint,
        commands,
        events,
        stats: Stats::default(),
        pending: VecDeque::new(),
        run: Vec::new(),
        inboxes,
        forwarded: Forwarded::default(),
        receive_batch: config.receive_batch(),
        workers: Workers::start(config.crypto_workers()),
        monitor: Monitor::default(),
        probe: Box::pin(tokio::time::sleep_until(tokio::time::Instant::now())),
    };
    (command_tx, event_rx, tokio::spawn(driver.run()))
}

/// The time handed to the node: tokio's clock, so that a paused test clock drives the node too.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

impl Driver {
    async fn run(mut self) -> Node {
        let timer = tokio::time::sleep_until(tokio::time::Instant::now());
        tokio::pin!(timer);
        let mut armed = None;
        loop {
            self.flush();
            let deadline = self.node.poll_timeout();
            if deadline != armed {
                if let Some(deadline) = deadline {
                    timer.as_mut().reset(deadline.into());
                }
                armed = deadline;
            }
            let flow = match self.wait(timer.as_mut(), deadline.is_some()).await {
                Woken::Command(command) => self.command(command),
                Woken::Resolved((id, result)) => {
                    self.resolver.running -= 1;
                    let started = self.monitor.start();
                    self.node.handle_resolved(now(), id, result);
                    self.monitor.finish(started, LoopStep::Resolved);
                    Flow::Continue
                }
                Woken::JobDone(done) => {
                    self.jobs_running -= 1;
                    let started = self.monitor.start();
                    self.node.handle_job_done(now(), done);
                    self.monitor.finish(started, LoopStep::JobDone);
                    Flow::Continue
                }
                Woken::Probe => {
                    self.monitor.probe_woke(tokio::time::Instant::now());
                    self.arm_probe();
                    Flow::Continue
                }
                Woken::Arrival(arrival) => {
                    self.arrivals(arrival);
                    Flow::Continue
                }
                Woken::Io => Flow::Continue,
            };
            if flow == Flow::Stop {
                break;
            }
            self.run_timers();
            if self.receive() {
                // More datagrams wait: let the runtime's other tasks run first, since a full batch
                // can be long work (signature checks) and socket readiness alone would let this
                // loop keep the thread for up to tokio's whole cooperative budget.
                tokio::task::yield_now().await;
            }
        }
        self.node
    }

    /// Waits for something to do; returns a command or a finished job if that is what came. A
    /// closed command channel (every handle dropped) comes back as a shutdown whose answer nobody
    /// awaits.
    async fn wait(&mut self, timer: Pin<&mut Sleep>, armed: bool) -> Woken {
        let pending = self.pending.front().map(|transmit| {
            (transmit.socket.map(|id| self.extra.socket(id)), transmit.destination)
        });
        let waiting = self.inboxes.iter().any(Inbox::has_waiting);
        tokio::select! {
            biased;
            command = self.commands.recv() => {
                Woken::Command(command.unwrap_or_else(|| Command::Shutdown(oneshot::channel().0)))
            }
            Some(done) = self.jobs_done.recv(), if self.jobs_running > 0 => Woken::JobDone(done),
            Some(resolved) = self.resolver.done.recv(), if self.resolver.running > 0 => {
                Woken::Resolved(resolved)
            }
            Some(arrival) = self.extra.arrivals.recv(), if self.extra.any_open() => {
                Woken::Arrival(arrival)
            }
            () = self.probe.as_mut(), if self.monitor.probe_due().is_some() => Woken::Probe,
            () = timer, if armed => Woken::Io,
            _ = self.endpoint.readable() => Woken::Io,
            _ = writable(&self.endpoint, pending) => Woken::Io,
            // Datagrams read earlier wait for their turn.
            () = std::future::ready(()), if waiting => Woken::Io,
        }
    }

    /// Hands `first` to the node, and the datagrams that arrived on extra sockets after it, up to
    /// a batch (their replies then leave together).
    fn arrivals(&mut self, first: Arrival) {
        let started = self.monitor.start();
        let Arrival { id, source, data } = first;
        self.node.handle_socket_datagram(now(), id, source, &data);
        let mut handled = 1;
        while handled < self.receive_batch {
            let Ok(Arrival { id, source, data }) = self.extra.arrivals.try_recv() else { break };
            self.node.handle_socket_datagram(now(), id, source, &data);
            handled += 1;
        }
        self.monitor.finish(started, LoopStep::SocketDatagrams(handled));
    }

    /// Opens and closes the sockets the node's communities asked for, telling them the outcome.
    fn open_sockets(&mut self) {
        while let Some(request) = self.node.poll_socket_request() {
            if let Some((id, result)) = self.extra.handle(request) {
                self.node.handle_socket_opened(now(), id, result);
            }
        }
    }

    /// Starts the CPU jobs the node queued on tokio's blocking pool, up to [`JOBS_RUNNING`] at
    /// once; each sends its result back to the loop.
    fn start_jobs(&mut self) {
        while self.jobs_running < JOBS_RUNNING {
            let Some(job) = self.node.poll_job() else { return };
            self.jobs_running += 1;
            let done = self.jobs_tx.clone();
            tokio::task::spawn_blocking(move || {
                // The channel has room for every running job, so this never waits long.
                let _ = done.blocking_send(job.run());
            });
        }
    }

    fn command(&mut self, command: Command) -> Flow {
        match command {
            Command::Run(f) => {
                let started = self.monitor.start();
                let run = std::panic::AssertUnwindSafe(|| f(&mut self.node, now()));
                let result = std::panic::catch_unwind(run);
                self.monitor.finish(started, LoopStep::HandleCall);
                if result.is_err() {
                    // The caller's answer was dropped with the closure; it sees an error.
                    self.stats.handle_panics += 1;
                    tracing::error!("a closure sent through a NodeHandle panicked");
                }
                self.flush();
            }
            Command::Stats(reply) => {
                let _ = reply.send(self.snapshot());
            }
            Command::Monitor(f) => {
                f(&mut self.monitor);
                self.arm_probe();
            }
            Command::Shutdown(done) => {
                self.node.shutdown();
                self.flush();
                let _ = done.send(());
                return Flow::Stop;
            }
        }
        Flow::Continue
    }

    fn snapshot(&self) -> Stats {
        Stats {
            node: self.node.stats().clone(),
            proxy_dropped: self.endpoint.proxy_dropped(),
            ..self.stats.clone()
        }
    }

    /// Sets the drift probe's timer to when the monitor wants it.
    fn arm_probe(&mut self) {
        if let Some(due) = self.monitor.probe_due() {
            self.probe.as_mut().reset(due);
        }
    }

    fn run_timers(&mut self) {
        let now = now();
        if self.node.poll_timeout().is_some_and(|due| due <= now) {
            let started = self.monitor.start();
            self.node.handle_timeout(now);
            self.monitor.finish(started, LoopStep::Timers);
        }
    }

    /// Hands up to a batch of datagrams from each socket to the node at once (it checks their
    /// signatures together), reading more when those of the last read are all handed over;
    /// returns whether a socket may have more. Datagrams a fast path forwards skip the batch
    /// and leave at once, from the receive buffer through one reused send buffer.
    fn receive(&mut self) -> bool {
        let Self {
            node,
            endpoint,
            stats,
            inboxes,
            monitor,
            forwarded,
            pending,
            extra,
            workers,
            ..
        } = self;
        let mut more = false;
        for (socket, inbox) in endpoint.sockets().zip(inboxes.iter_mut()) {
            more |= inbox.fill(socket, stats);
            let mut batch = endpoint.inbound(inbox.take());
            if !batch.is_empty() {
                let started = monitor.start();
                let (now, received) = (now(), batch.len());
                batch.retain(|&(source, data)| !forwarded.offer(node, now, source, data));
                if !batch.is_empty() {
                    let checks = node.signature_checks(&batch);
                    let (verdicts, on_workers) = workers.verify(&checks, &batch);
                    stats.checked_on_workers += on_workers as u64;
                    node.handle_checked_datagrams(now, &batch, &verdicts);
                }
                monitor.finish(started, LoopStep::Datagrams(received));
            }
            more |= inbox.has_waiting();
        }
        forwarded.flush(&Out { endpoint, extra }, stats, pending);
        more
    }

    fn flush(&mut self) {
        self.start_jobs();
        while let Some(request) = self.node.poll_resolve_request() {
            self.resolver.start(request);
        }
        self.open_sockets();
        self.flush_transmits();
        self.flush_events();
    }

    /// Sends a batch of the node's datagrams, a run of same-size datagrams to one destination in
    /// one call where the socket can (UDP GSO); keeps back what a full socket cannot take.
    fn flush_transmits(&mut self) {
        self.sign_ahead();
        let mut budget = SEND_BATCH;
        while budget > 0 {
            let run = self.gather_run();
            if run == 0 {
                return;
            }
            let sent = if run == 1 { self.send_one() } else { self.send_run(run) };
            if !sent {
                return;
            }
            budget = budget.saturating_sub(run);
        }
        // One more is kept, so that the loop wakes for it when its socket can take it.
        if self.pending.is_empty() {
            self.pending.extend(self.node.poll_transmit());
        }
    }

    /// With worker threads, takes the node's next datagrams (as many as one turn sends) and has
    /// those still to be signed signed on the workers and the loop at once, in order.
    fn sign_ahead(&mut self) {
        if self.workers.count() == 0 {
            return;
        }
        let room = SEND_BATCH.saturating_sub(self.pending.len());
        let outgoing: Vec<_> =
            std::iter::from_fn(|| self.node.poll_outgoing()).take(room).collect();
        if !outgoing.is_empty() {
            let (transmits, on_workers) = self.workers.sign(outgoing);
            self.stats.signed_on_workers += on_workers as u64;
            self.pending.extend(transmits);
        }
    }

    /// Gathers the next run into `pending`: datagrams to one destination from one socket, all as
    /// long as the first but the last (which may be shorter), as many as one call may carry.
    /// Returns its length (0: nothing to send).
    fn gather_run(&mut self) -> usize {
        if self.pending.is_empty() {
            self.pending.extend(self.node.poll_transmit());
        }
        let Some(first) = self.pending.front() else { return 0 };
        let (socket, destination, size) = (first.socket, first.destination, first.contents.len());
        let most = match socket {
            Some(id) => self.extra.max_segments(id, size),
            None => self.endpoint.max_segments(destination, size),
        };
        let mut run = 1;
        while run < most {
            if run == self.pending.len() {
                let Some(next) = self.node.poll_transmit() else { break };
                self.pending.push_back(next);
            }
            let next = &self.pending[run];
            let len = next.contents.len();
            if next.socket != socket || next.destination != destination || len > size {
                break;
            }
            run += 1;
            if len < size {
                break;
            }
        }
        run
    }

    /// Sends the first pending datagram; returns false if its socket is full.
    fn send_one(&mut self) -> bool {
        let Some(transmit) = self.pending.front() else { return true };
        let sent = match transmit.socket {
            Some(id) => self.extra.send(id, &transmit.contents, transmit.destination),
            None => self.endpoint.try_send_to(&transmit.contents, transmit.destination),
        };
        match sent {
            Ok(len) => {
                self.stats.datagrams_sent += 1;
                self.stats.bytes_sent += u64::try_from(len).unwrap_or(u64::MAX);
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => return false,
            Err(_) => self.stats.send_errors += 1,
        }
        self.pending.pop_front();
        true
    }

    /// Sends the first `run` pending datagrams in one call, or one by one if the socket refuses
    /// that; returns false if the socket is full.
    fn send_run(&mut self, run: usize) -> bool {
        let Some(first) = self.pending.front() else { return true };
        let (socket, destination, segment) =
            (first.socket, first.destination, first.contents.len());
        self.run.clear();
        for transmit in self.pending.iter().take(run) {
            self.run.extend_from_slice(&transmit.contents);
        }
        let sent = match socket {
            Some(id) => self.extra.send_segments(id, &self.run, segment, destination),
            None => self.endpoint.try_send_segments(&self.run, segment, destination),
        };
        match sent {
            Ok(()) => {
                self.stats.datagrams_sent += run as u64;
                self.stats.bytes_sent += u64::try_from(self.run.len()).unwrap_or(u64::MAX);
                self.pending.drain(..run);
                true
            }
            Err(error) if error.kind() == io::ErrorKind::WouldBlock => false,
            // Refused as a run (or failed for another reason): each datagram on its own, which
            // also counts the errors of those that still fail.
            Err(_) => (0..run).all(|_| self.send_one()),
        }
    }

    /// Passes the node's events on; when nobody keeps up, new ones are dropped and counted.
    fn flush_events(&mut self) {
        while let Some(event) = self.node.poll_event() {
            if let Err(TrySendError::Full(_)) = self.events.try_send(event) {
                self.stats.events_dropped += 1;
            }
        }
    }
}

/// Waits until the socket of the pending datagram (an extra socket, or the endpoint's socket for
/// its destination) can take it; never, without one.
async fn writable(
    endpoint: &Endpoint,
    pending: Option<(Option<ExtraSocket>, SocketAddr)>,
) -> io::Result<()> {
    match pending {
        // A socket closed meanwhile: the send fails at once.
        Some((Some(None), _)) => Ok(()),
        Some((Some(Some(socket)), _)) => send_ready(socket).await,
        Some((None, destination)) => endpoint.writable(destination).await,
        None => std::future::pending().await,
    }
}

/// An extra socket, if still open.
type ExtraSocket = Option<std::sync::Arc<dyn super::DatagramSocket>>;

#[cfg(test)]
mod tests {
    use std::io;
    use std::net::{SocketAddr, UdpSocket};
    use std::sync::Arc;
    use std::task::{Context as TaskContext, Poll};
    use std::thread::JoinHandle;
    use std::time::{Duration, Instant};

    use tokio::io::ReadBuf;

    use crate::community;
    use crate::crypto::{Curve, PrivateKey};
    use crate::proto::{Community, CommunityId, Context, Node, SocketError, SocketId};
    use crate::runtime::udp::Gso;
    use crate::runtime::{
        self, Config, DatagramSocket, Endpoint, EndpointConfig, NodeHandle, Transport,
    };

    const PATIENCE: Duration = Duration::from_secs(5);

    /// Sends what the test asks, from the endpoint or from a socket of its own.
    #[derive(Default)]
    struct Burst {
        socket: Option<(SocketId, SocketAddr)>,
        /// What arrived on the socket, in order.
        arrived: Vec<Vec<u8>>,
    }

    #[community]
    impl Burst {}

    impl Community for Burst {
        fn community_id(&self) -> CommunityId {
            CommunityId(*b"driver burst test!!!")
        }

        fn started(&mut self, ctx: &mut Context<'_, Self>) {
            ctx.open_socket(loopback()).expect("room for a socket");
        }

        fn on_socket_opened(
            &mut self,
            _ctx: &mut Context<'_, Self>,
            socket: SocketId,
            result: Result<SocketAddr, SocketError>,
        ) {
            self.socket = result.ok().map(|address| (socket, address));
        }

        fn on_socket_datagram(
            &mut self,
            _ctx: &mut Context<'_, Self>,
            _socket: SocketId,
            _source: SocketAddr,
            data: &[u8],
        ) -> Result<(), crate::proto::DropReason> {
            self.arrived.push(data.to_vec());
            Ok(())
        }
    }

    fn loopback() -> SocketAddr {
        "127.0.0.1:0".parse().expect("an address")
    }

    /// A node running [`Burst`] on 127.0.0.1, once its socket is open.
    async fn start(config: &Config) -> (NodeHandle, (SocketId, SocketAddr)) {
        let key = PrivateKey::generate(Curve::Curve25519).expect("a key");
        let mut node = Node::new(key, 1, Instant::now());
        node.add_community(Instant::now(), Burst::default()).expect("one community");
        let endpoint = EndpointConfig::new().with_ipv4("127.0.0.1:0".parse().expect("an address"));
        let (handle, _events, _task) =
            runtime::spawn_with(config, node, Endpoint::bind(&endpoint).expect("binds"));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let socket = handle.with_community::<Burst, _>(|burst, _| burst.socket).await;
            if let Some(socket) = socket.expect("the node runs Burst") {
                return (handle, socket);
            }
            assert!(Instant::now() < deadline, "the socket opens");
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }

    /// A plain UDP socket on 127.0.0.1 that collects `count` datagrams in a thread.
    fn sink(count: usize) -> (SocketAddr, JoinHandle<Vec<Vec<u8>>>) {
        let socket = UdpSocket::bind(loopback()).expect("binds");
        let _ = socket2::SockRef::from(&socket).set_recv_buffer_size(4 << 20);
        socket.set_read_timeout(Some(PATIENCE)).expect("a timeout");
        let address = socket.local_addr().expect("bound");
        let reader = std::thread::spawn(move || {
            let mut got = Vec::new();
            let mut buf = [0; 2048];
            while got.len() < count {
                let Ok(len) = socket.recv(&mut buf) else { break };
                got.push(buf[..len].to_vec());
            }
            got
        });
        (address, reader)
    }

    /// A burst for two destinations: runs of same-size datagrams, shorter ones that end a run,
    /// and datagrams that alternate between the destinations; longer than a run and than a read.
    fn burst(to: [SocketAddr; 2]) -> Vec<(SocketAddr, Vec<u8>)> {
        (0..300_u16)
            .map(|n| {
                let side = if n >= 200 { n % 2 } else { (n / 90) % 2 };
                let len = if n % 37 == 0 { 50 } else { 120 };
                let mut data = vec![b'x'; len];
                data[..2].copy_from_slice(&n.to_be_bytes());
                (to[usize::from(side)], data)
            })
            .collect()
    }

    /// Sends the burst from the endpoint (`from` None) or the community's socket; checks that
    /// each destination got its datagrams whole and in order.
    async fn send_burst(handle: &NodeHandle, from: Option<SocketId>) {
        let expected = |burst: &[(SocketAddr, Vec<u8>)], to: SocketAddr| -> Vec<Vec<u8>> {
            burst.iter().filter(|(d, _)| *d == to).map(|(_, data)| data.clone()).collect()
        };
        let sides: [SocketAddr; 2] =
            ["127.0.0.1:1".parse().unwrap(), "127.0.0.1:2".parse().unwrap()];
        let count = |side| burst(sides).iter().filter(|(to, _)| *to == side).count();
        let (a, a_got) = sink(count(sides[0]));
        let (b, b_got) = sink(count(sides[1]));
        let datagrams = burst([a, b]);
        let sending = datagrams.clone();
        handle
            .with_community::<Burst, _>(move |_, ctx| {
                for (to, data) in sending {
                    match from {
                        Some(socket) => ctx.send_on(socket, to, data),
                        None => ctx.send_raw(to, data),
                    }
                }
            })
            .await
            .expect("the node runs Burst");
        for (got, to) in [(a_got, a), (b_got, b)] {
            let got = got.join().expect("a reader");
            let want = expected(&datagrams, to);
            let numbers = |d: &[Vec<u8>]| -> Vec<(u8, u8, usize)> {
                d.iter().map(|d| (d[0], d[1], d.len())).collect()
            };
            assert!(got == want, "{:?}\n{:?}", numbers(&got), numbers(&want));
        }
        let stats = handle.stats().await.expect("the node runs");
        assert_eq!(stats.send_errors, 0);
    }

    #[tokio::test]
    async fn a_burst_leaves_whole_and_in_order_per_destination() {
        let (handle, (socket, _)) = start(&Config::new()).await;
        send_burst(&handle, None).await;
        send_burst(&handle, Some(socket)).await;
        let stats = handle.stats().await.expect("the node runs");
        assert_eq!(stats.datagrams_sent, 600);
        handle.shutdown().await;
    }

    /// Binds sockets that claim to send runs in one call and then refuse every run.
    struct Refusing;

    struct RefusingSocket(tokio::net::UdpSocket);

    impl Transport for Refusing {
        fn bind(&self, address: SocketAddr) -> io::Result<Arc<dyn DatagramSocket>> {
            let socket = UdpSocket::bind(address)?;
            socket.set_nonblocking(true)?;
            Ok(Arc::new(RefusingSocket(tokio::net::UdpSocket::from_std(socket)?)))
        }
    }

    impl DatagramSocket for RefusingSocket {
        fn local_addr(&self) -> io::Result<SocketAddr> {
            self.0.local_addr()
        }

        fn poll_recv_from(
            &self,
            cx: &mut TaskContext<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<SocketAddr>> {
            self.0.poll_recv_from(cx, buf)
        }

        fn try_send_to(&self, buf: &[u8], target: SocketAddr) -> io::Result<usize> {
            self.0.try_send_to(buf, target)
        }

        fn poll_send_ready(&self, cx: &mut TaskContext<'_>) -> Poll<io::Result<()>> {
            self.0.poll_send_ready(cx)
        }

        fn max_segments(&self, _size: usize) -> usize {
            64
        }

        fn try_send_segments(&self, _: &[u8], _: usize, _: SocketAddr) -> io::Result<()> {
            Err(io::Error::other("no runs here"))
        }
    }

    #[tokio::test]
    async fn a_socket_that_refuses_runs_sends_them_one_by_one() {
        let (handle, (socket, _)) = start(&Config::new().with_transport(Refusing)).await;
        send_burst(&handle, Some(socket)).await;
        handle.shutdown().await;
    }

    /// Datagrams that the kernel hands over together (a run sent in one call, on Linux) reach the
    /// node one by one, a batch per turn, and are counted one by one.
    #[tokio::test]
    async fn datagrams_read_together_are_counted_one_by_one() {
        let (handle, _) = start(&Config::new().with_receive_batch(8)).await;
        let to = handle.local_addrs().ipv4().expect("an IPv4 socket");
        let sender = tokio::net::UdpSocket::bind(loopback()).await.expect("binds");
        let gso = Gso::probe(&sender);
        let mut expected = 0;
        for (count, len) in [(64, 100), (30, 700), (1, 5)] {
            let run = vec![b'z'; count * len];
            if count > 1 && gso.segments(len) >= count {
                sender.writable().await.expect("writable");
                gso.try_send(&sender, &run, len, to).expect("sent");
            } else {
                for one in run.chunks(len) {
                    sender.send_to(one, to).await.expect("sent");
                }
            }
            expected += count as u64;
        }
        for n in 0..100_u8 {
            sender.send_to(&[n; 30], to).await.expect("sent");
        }
        expected += 100;
        let deadline = Instant::now() + PATIENCE;
        let stats = loop {
            let stats = handle.stats().await.expect("the node runs");
            if stats.datagrams_received >= expected || Instant::now() > deadline {
                break stats;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        };
        assert_eq!(stats.datagrams_received, expected);
        assert_eq!(stats.node.received, expected);
        handle.shutdown().await;
    }

    /// Datagrams that arrive on a community's socket faster than the loop turns all reach the
    /// community, in order, a batch per turn.
    #[tokio::test]
    async fn a_flood_on_a_community_socket_reaches_it_in_order() {
        let (handle, (_, address)) = start(&Config::new().with_receive_batch(8)).await;
        let sender = UdpSocket::bind(loopback()).expect("binds");
        let sent: Vec<Vec<u8>> = (0..300_u16).map(|n| n.to_be_bytes().to_vec()).collect();
        let mut arrived = Vec::new();
        // In floods of 100, few enough for any socket's receive buffer.
        for (floods, flood) in sent.chunks(100).enumerate() {
            for datagram in flood {
                sender.send_to(datagram, address).expect("sent");
            }
            let deadline = Instant::now() + PATIENCE;
            while arrived.len() < (floods + 1) * 100 && Instant::now() < deadline {
                tokio::time::sleep(Duration::from_millis(5)).await;
                arrived = handle
                    .with_community::<Burst, _>(|burst, _| burst.arrived.clone())
                    .await
                    .expect("the node runs Burst");
            }
        }
        assert!(arrived == sent, "{} of {} arrived, or out of order", arrived.len(), sent.len());
        handle.shutdown().await;
    }
}
