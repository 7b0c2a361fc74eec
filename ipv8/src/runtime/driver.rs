//! The driver: a loop that runs a [`Node`] on an [`Endpoint`] and does nothing but move bytes and
//! time between them (quinn's `ConnectionDriver`). Each turn it waits for a command, the node's
//! timer, or a socket; then it runs due timers, reads a bounded batch from each socket, sends what
//! the node queued and passes its events on. Local work (commands, timers) is looked at first, and
//! every queue is bounded, so a flood of datagrams can neither starve timers nor grow memory.

use std::io;
use std::net::SocketAddr;
use std::ops::Range;
use std::pin::Pin;
use std::time::Instant;

use tokio::sync::mpsc::error::TrySendError;
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Sleep;

use super::resolve::{Resolved, Resolver};
use super::sockets::{Arrival, ExtraSockets, send_ready};
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
    /// Shuts the node down, ends the loop and answers when done.
    Shutdown(oneshot::Sender<()>),
}

/// Room for any UDP datagram, whole.
const MAX_DATAGRAM: usize = 65_536;
/// Room per datagram of a batch, besides the room for one of any size; a batch ends early when
/// large datagrams fill it.
const TYPICAL_DATAGRAM: usize = 2048;
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
    /// The next datagram to send, held while its socket cannot take it or the turn's batch is spent.
    pending: Option<Transmit>,
    inbox: Inbox,
    /// Finished CPU jobs, sent back by the blocking pool.
    jobs_done: mpsc::Receiver<JobDone>,
    jobs_tx: mpsc::Sender<JobDone>,
    jobs_running: usize,
    /// Sockets communities opened besides the endpoint.
    extra: ExtraSockets,
    /// Names being resolved for communities.
    resolver: Resolver,
}

/// A batch of received datagrams, read one after another into one buffer.
struct Inbox {
    buf: Box<[u8]>,
    datagrams: Vec<(SocketAddr, Range<usize>)>,
    batch: usize,
}

/// What woke the loop.
enum Woken {
    Command(Command),
    JobDone(JobDone),
    Resolved(Resolved),
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
        pending: None,
        inbox: Inbox::new(config.receive_batch()),
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
                    self.node.handle_resolved(now(), id, result);
                    Flow::Continue
                }
                Woken::JobDone(done) => {
                    self.jobs_running -= 1;
                    self.node.handle_job_done(now(), done);
                    Flow::Continue
                }
                Woken::Arrival(arrival) => {
                    let Arrival { id, source, data } = arrival;
                    self.node.handle_socket_datagram(now(), id, source, &data);
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
        let pending = self.pending.as_ref().map(|transmit| {
            (transmit.socket.map(|id| self.extra.socket(id)), transmit.destination)
        });
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
            () = timer, if armed => Woken::Io,
            _ = self.endpoint.readable() => Woken::Io,
            _ = writable(&self.endpoint, pending) => Woken::Io,
        }
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
                let run = std::panic::AssertUnwindSafe(|| f(&mut self.node, now()));
                if std::panic::catch_unwind(run).is_err() {
                    // The caller's answer was dropped with the closure; it sees an error.
                    self.stats.handle_panics += 1;
                    tracing::error!("a closure sent through a NodeHandle panicked");
                }
                self.flush();
            }
            Command::Stats(reply) => {
                let _ = reply.send(self.snapshot());
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
        Stats { node: self.node.stats().clone(), ..self.stats.clone() }
    }

    fn run_timers(&mut self) {
        let now = now();
        if self.node.poll_timeout().is_some_and(|due| due <= now) {
            self.node.handle_timeout(now);
        }
    }

    /// Reads up to a batch of datagrams from each socket and hands each batch to the node at once
    /// (it checks their signatures together); returns whether a socket may have more.
    fn receive(&mut self) -> bool {
        let Self { node, endpoint, stats, inbox, .. } = self;
        let mut more = false;
        for socket in endpoint.sockets() {
            more |= inbox.fill(socket, stats);
            let batch: Vec<_> = inbox.datagrams().collect();
            if !batch.is_empty() {
                node.handle_datagrams(now(), &batch);
            }
        }
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

    /// Sends a batch of the node's datagrams; keeps the next one back if its socket is full.
    fn flush_transmits(&mut self) {
        for _ in 0..SEND_BATCH {
            let Some(transmit) = self.pending.take().or_else(|| self.node.poll_transmit()) else {
                return;
            };
            let sent = match transmit.socket {
                Some(id) => self.extra.send(id, &transmit.contents, transmit.destination),
                None => self.endpoint.try_send_to(&transmit.contents, transmit.destination),
            };
            match sent {
                Ok(len) => {
                    self.stats.datagrams_sent += 1;
                    self.stats.bytes_sent += u64::try_from(len).unwrap_or(u64::MAX);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => {
                    self.pending = Some(transmit);
                    return;
                }
                Err(_) => self.stats.send_errors += 1,
            }
        }
        self.pending = self.node.poll_transmit();
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

impl Inbox {
    fn new(batch: usize) -> Self {
        let room = MAX_DATAGRAM + batch.saturating_mul(TYPICAL_DATAGRAM);
        Self { buf: vec![0; room].into_boxed_slice(), datagrams: Vec::with_capacity(batch), batch }
    }

    /// Reads what `socket` has, up to a batch and while a datagram of any size still fits; returns
    /// whether the socket may have more.
    fn fill(&mut self, socket: &tokio::net::UdpSocket, stats: &mut Stats) -> bool {
        self.datagrams.clear();
        let mut used = 0;
        for _ in 0..self.batch {
            let Some(room) = self.buf.get_mut(used..used + MAX_DATAGRAM) else { return true };
            match socket.try_recv_from(room) {
                Ok((len, source)) => {
                    self.datagrams.push((source, used..used + len));
                    used += len;
                    stats.datagrams_received += 1;
                    stats.bytes_received += u64::try_from(len).unwrap_or(u64::MAX);
                }
                Err(error) if error.kind() == io::ErrorKind::WouldBlock => return false,
                Err(_) => stats.receive_errors += 1,
            }
        }
        true
    }

    /// The datagrams read by the last [`Inbox::fill`].
    fn datagrams(&self) -> impl Iterator<Item = (SocketAddr, &[u8])> {
        let data = |range: &Range<usize>| self.buf.get(range.clone()).unwrap_or_default();
        self.datagrams.iter().map(move |(source, range)| (*source, data(range)))
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
