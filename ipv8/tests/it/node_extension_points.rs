//! The node's extension points, on the sans-IO core: identities per overlay, several overlays of
//! one class, removing a community, communities that ask each other, CPU jobs, datagrams under no
//! prefix, traffic one community carries for another, introduction extra bytes, strategies with
//! typed access to their community, and panicking community code.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use ipv8::crypto::{Curve, PrivateKey, PublicKey};
use ipv8::proto::discovery::{IntroductionRequest, IntroductionResponse, Strategy, Walker};
use ipv8::proto::{
    AskError, Community, CommunityId, Context, DropReason, Event, Incoming, Node, NodeError, Peer,
    Reply, Request, Responder, Schedule, SocketError, SocketId, Transmit,
};
use ipv8::testing::TestNetwork;
use ipv8::{community, payload};

const A: &str = "127.0.0.1:9001";
const B: &str = "127.0.0.1:9002";
const ONE: CommunityId = CommunityId(*b"extension points one");
const TWO: CommunityId = CommunityId(*b"extension points two");
const CARRIER: CommunityId = CommunityId(*b"extension carrier!!!");

fn key() -> PrivateKey {
    PrivateKey::generate(Curve::Curve25519).expect("a fresh key")
}

fn addr(text: &str) -> SocketAddr {
    text.parse().expect("an address")
}

fn node(address: &str, seed: u64, now: Instant) -> Node {
    let mut node = Node::new(key(), seed, now);
    node.set_address(addr(address));
    node
}

/// Hands everything `from` queued to `to` (and nothing else), as a lossless wire would.
fn pump(from: &mut Node, to: &mut Node, now: Instant) -> Vec<Transmit> {
    let sent: Vec<_> = std::iter::from_fn(|| from.poll_transmit()).collect();
    let source = from.address().expect("an address");
    for transmit in &sent {
        if Some(transmit.destination) == to.address() {
            to.handle_datagram(now, source, &transmit.contents);
        }
    }
    sent
}

fn events(node: &mut Node) -> Vec<Event> {
    std::iter::from_fn(|| node.poll_event()).collect()
}

#[payload(msg_id = 1)]
struct Hello {
    text: String,
}

#[payload(msg_id = 2)]
struct Boom {
    text: String,
}

/// Hears greetings (and panics on `Boom`); remembers introduction extra bytes it saw.
struct Greeter {
    id: CommunityId,
    heard: Vec<(PublicKey, String)>,
    extra_in_requests: Vec<Vec<u8>>,
    extra_in_responses: Vec<Vec<u8>>,
    ticks: u32,
}

impl Greeter {
    fn new(id: CommunityId) -> Self {
        Self {
            id,
            heard: Vec::new(),
            extra_in_requests: Vec::new(),
            extra_in_responses: Vec::new(),
            ticks: 0,
        }
    }
}

#[community]
impl Greeter {
    #[lazy_handler]
    fn on_hello(&mut self, _ctx: &mut Context<Self>, peer: &Peer, payload: Hello) {
        self.heard.push((peer.key().clone(), payload.text));
    }

    #[lazy_handler]
    fn on_boom(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Boom) {
        panic!("boom: {}", payload.text);
    }
}

impl Community for Greeter {
    fn community_id(&self) -> CommunityId {
        self.id
    }

    fn introduction_request_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        _peer: &Peer,
        request: &IntroductionRequest,
    ) {
        self.extra_in_requests.push(request.extra_bytes.clone());
    }

    fn introduction_response_callback(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        _peer: &Peer,
        response: &IntroductionResponse,
    ) {
        self.extra_in_responses.push(response.extra_bytes.clone());
    }
}

fn greet(node: &mut Node, now: Instant, id: CommunityId, to: &str, text: &str) {
    let text = text.to_owned();
    let to = addr(to);
    node.with_community_id::<Greeter, _>(now, id, move |_, ctx| ctx.ez_send(to, &Hello { text }))
        .expect("the community runs");
}

#[test]
fn two_overlays_of_one_class_speak_with_their_own_keys() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    let (one, two) = (key(), key());
    a.add_community_with_key(now, Greeter::new(ONE), one.clone()).unwrap();
    a.add_community_with_key(now, Greeter::new(TWO), two.clone()).unwrap();
    b.add_community(now, Greeter::new(ONE)).unwrap();
    b.add_community(now, Greeter::new(TWO)).unwrap();

    greet(&mut a, now, ONE, B, "from one");
    greet(&mut a, now, TWO, B, "from two");
    a.with_community_id::<Greeter, _>(now, TWO, |_, ctx| ctx.walk_to(addr(B))).unwrap();
    pump(&mut a, &mut b, now);

    let heard = |id| b.community_by_id::<Greeter>(id).map(|g| g.heard.clone());
    assert_eq!(heard(ONE), Some(vec![(one.public_key(), "from one".to_owned())]));
    assert_eq!(heard(TWO), Some(vec![(two.public_key(), "from two".to_owned())]));
    let walked: Vec<_> = b.network().peers_for(TWO).iter().map(|p| p.key().clone()).collect();
    assert_eq!(walked, [two.public_key()], "the introduction was signed with TWO's key");
    let keys: Vec<_> = a.overlays().into_iter().map(|o| o.public_key).collect();
    assert_eq!(keys, [one.public_key(), two.public_key()]);
    assert_ne!(*a.public_key(), one.public_key(), "the node's own key is a third one");
}

#[test]
fn a_removed_community_receives_nothing_and_can_come_back() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    a.add_community(now, Greeter::new(ONE)).unwrap();
    b.add_community(now, Greeter::new(ONE)).unwrap();
    b.add_community(now, Greeter::new(TWO)).unwrap();

    b.remove_community(TWO).unwrap();
    assert_eq!(b.remove_community(TWO), Err(NodeError::UnknownCommunity(TWO)));
    assert_eq!(b.overlays().len(), 1);
    a.add_community(now, Greeter::new(TWO)).unwrap();
    greet(&mut a, now, TWO, B, "anyone?");
    pump(&mut a, &mut b, now);
    assert_eq!(b.stats().dropped("unknown_community"), 1);

    b.add_community(now, Greeter::new(TWO)).unwrap();
    greet(&mut a, now, TWO, B, "again");
    pump(&mut a, &mut b, now);
    assert_eq!(b.community_by_id::<Greeter>(TWO).map(|g| g.heard.len()), Some(1));
    assert_eq!(b.community_by_id::<Greeter>(ONE).map(|g| g.heard.len()), Some(0));
}

/// "Double this number, when you get round to it."
struct Double(u64);

impl Request for Double {
    type Response = u64;
}

/// "Drop this request on the floor."
struct Ignore;

impl Request for Ignore {
    type Response = ();
}

/// Answers `Double` one second later, from a task; drops every `Ignore`.
#[derive(Default)]
struct Doubler {
    waiting: Vec<(u64, Reply<u64>)>,
}

#[community]
impl Doubler {}

impl Community for Doubler {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"doubler community!!!")
    }
}

impl Responder<Double> for Doubler {
    fn on_request(&mut self, ctx: &mut Context<'_, Self>, request: Double, reply: Reply<u64>) {
        self.waiting.push((request.0, reply));
        let later = Schedule::after(Duration::from_secs(1));
        let answered = ctx.register_anonymous_task("answer", later, |me: &mut Self, ctx| {
            for (value, reply) in me.waiting.drain(..) {
                ctx.reply(reply, value * 2);
            }
        });
        assert!(answered.is_ok());
    }
}

impl Responder<Ignore> for Doubler {
    fn on_request(&mut self, _ctx: &mut Context<'_, Self>, _request: Ignore, reply: Reply<()>) {
        drop(reply);
    }
}

/// Asks the `Doubler` and keeps what came back.
#[derive(Default)]
struct Asker {
    doubled: Vec<Result<u64, AskError>>,
    ignored: Vec<Result<(), AskError>>,
}

#[community]
impl Asker {}

impl Community for Asker {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"asker community!!!!!")
    }
}

fn ask_double(node: &mut Node, now: Instant, value: u64) {
    node.with_community::<Asker, _>(now, move |_, ctx| {
        ctx.ask::<Doubler, _>(Double(value), |me, _, answer| me.doubled.push(answer))
    })
    .expect("the asker runs")
    .expect("the mailbox has room");
}

#[test]
fn a_community_asks_another_and_gets_the_answer_later() {
    let start = Instant::now();
    let mut a = node(A, 1, start);
    a.add_community(start, Asker::default()).unwrap();

    ask_double(&mut a, start, 21);
    let doubled = &a.community::<Asker>().unwrap().doubled;
    assert_eq!(doubled, &[Err(AskError::NoSuchCommunity)], "no Doubler runs yet");

    a.add_community(start, Doubler::default()).unwrap();
    ask_double(&mut a, start, 21);
    assert_eq!(a.community::<Asker>().unwrap().doubled.len(), 1, "the answer takes a second");
    let due = a.poll_timeout().expect("the answering task");
    a.handle_timeout(due);
    assert_eq!(a.community::<Asker>().unwrap().doubled[1], Ok(42));

    // From outside the node: a future that the reply resolves.
    let response = a.ask::<Doubler, _>(due, Double(5));
    assert_eq!(response.try_take(), None);
    let due = a.poll_timeout().expect("the answering task");
    a.handle_timeout(due);
    assert_eq!(response.try_take(), Some(Ok(Ok(10))));
}

#[test]
fn an_unanswered_ask_times_out() {
    let start = Instant::now();
    let mut a = node(A, 1, start);
    a.add_community(start, Asker::default()).unwrap();
    a.add_community(start, Doubler::default()).unwrap();
    a.with_community::<Asker, _>(start, |_, ctx| {
        ctx.ask::<Doubler, _>(Ignore, |me, _, answer| me.ignored.push(answer))
    })
    .unwrap()
    .unwrap();
    a.handle_timeout(start + Duration::from_secs(29));
    assert_eq!(a.community::<Asker>().unwrap().ignored, []);
    a.handle_timeout(start + ipv8::proto::ASK_TIMEOUT);
    assert_eq!(a.community::<Asker>().unwrap().ignored, [Err(AskError::TimedOut)]);
}

#[test]
fn the_node_keeps_handling_packets_while_a_job_runs() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    a.add_community(now, Greeter::new(ONE)).unwrap();
    b.add_community(now, Greeter::new(ONE)).unwrap();

    let id = a
        .with_community::<Greeter, _>(now, |_, ctx| {
            ctx.spawn_job(|| (1..=10u64).product::<u64>(), |me, _, n| me.ticks = n as u32)
        })
        .unwrap()
        .expect("room for a job");
    let job = a.poll_job().expect("the job waits for the driver");
    assert_eq!((job.id(), job.owner()), (id, ONE));
    assert!(a.poll_job().is_none());

    // The job is out (on another thread, in a runtime); the node handles a greeting meanwhile.
    greet(&mut b, now, ONE, A, "still there?");
    pump(&mut b, &mut a, now);
    assert_eq!(a.community::<Greeter>().unwrap().heard.len(), 1);
    assert_eq!(a.community::<Greeter>().unwrap().ticks, 0);

    let done = std::thread::spawn(move || job.run()).join().expect("the job's thread");
    a.handle_job_done(now, done);
    assert_eq!(a.community::<Greeter>().unwrap().ticks, 3_628_800);
}

#[test]
fn a_panicking_job_is_reported_and_the_node_goes_on() {
    let now = Instant::now();
    let mut a = node(A, 1, now);
    a.add_community(now, Greeter::new(ONE)).unwrap();
    a.with_community::<Greeter, _>(now, |_, ctx| {
        ctx.spawn_job(|| -> u64 { panic!("no proof today") }, |me, _, n| me.ticks = n as u32)
    })
    .unwrap()
    .unwrap();
    let done = a.poll_job().unwrap().run();
    a.handle_job_done(now, done);
    assert_eq!(a.stats().panics, 1);
    let panicked = events(&mut a).into_iter().find_map(|event| match event {
        Event::Panicked { community_id, during, message } => Some((community_id, during, message)),
        _ => None,
    });
    assert_eq!(panicked, Some((ONE, "job".to_owned(), "no proof today".to_owned())));
}

#[test]
fn a_panicking_handler_is_counted_and_the_node_goes_on() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    a.add_community(now, Greeter::new(ONE)).unwrap();
    b.add_community(now, Greeter::new(ONE)).unwrap();

    b.with_community::<Greeter, _>(now, |_, ctx| {
        ctx.ez_send(addr(A), &Boom { text: "bad input".into() });
    });
    greet(&mut b, now, ONE, A, "after the boom");
    pump(&mut b, &mut a, now);

    assert_eq!(a.stats().panics, 1);
    assert_eq!(a.stats().dropped("handler_panicked"), 1);
    assert_eq!(a.community::<Greeter>().unwrap().heard.len(), 1, "the next message is handled");
    let during: Vec<_> = events(&mut a)
        .into_iter()
        .filter_map(|event| match event {
            Event::Panicked { during, message, .. } => Some((during, message)),
            _ => None,
        })
        .collect();
    assert_eq!(during, [("message 2".to_owned(), "boom: bad input".to_owned())]);

    let result = a.try_with_community::<Greeter, ()>(now, |_, _| panic!("from outside"));
    assert_eq!(result, Err(NodeError::Panicked(ONE)));
}

/// Sets introduction extra bytes when it starts.
fn flagged(id: CommunityId, flags: &'static [u8]) -> impl FnOnce(&mut Node, Instant) {
    move |node, now| {
        node.add_community(now, Greeter::new(id)).unwrap();
        node.with_community::<Greeter, _>(now, |_, ctx| {
            ctx.set_introduction_extra_bytes(flags.to_vec());
        });
    }
}

#[test]
fn introductions_carry_each_sides_extra_bytes() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    flagged(ONE, &[1, 2, 3])(&mut a, now);
    flagged(ONE, &[9])(&mut b, now);

    a.walk_to::<Greeter>(now, addr(B)).unwrap();
    pump(&mut a, &mut b, now);
    pump(&mut b, &mut a, now);

    assert_eq!(b.community::<Greeter>().unwrap().extra_in_requests, [vec![1, 2, 3]]);
    assert_eq!(a.community::<Greeter>().unwrap().extra_in_responses, [vec![9]]);
}

/// Takes every datagram under no community's prefix.
#[derive(Default)]
struct Catcher {
    caught: Vec<Vec<u8>>,
}

#[community]
impl Catcher {}

impl Community for Catcher {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"catches the unclaim!")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.listen_unclaimed(true);
    }

    fn on_unclaimed(
        &mut self,
        _ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        if incoming.data().starts_with(b"not for me") {
            return Err(DropReason::UnknownCommunity);
        }
        self.caught.push(incoming.data().to_vec());
        Ok(())
    }
}

#[test]
fn a_listener_receives_datagrams_under_no_prefix() {
    let now = Instant::now();
    let mut a = node(A, 1, now);
    a.handle_datagram(now, addr(B), b"plain udp");
    assert_eq!(a.stats().dropped("too_short"), 1, "nobody listens yet");

    a.add_community(now, Catcher::default()).unwrap();
    a.handle_datagram(now, addr(B), b"plain udp");
    a.handle_datagram(now, addr(B), &[7; 40]);
    a.handle_datagram(now, addr(B), b"not for me, but long enough for a header");
    assert_eq!(a.community::<Catcher>().unwrap().caught, [b"plain udp".to_vec(), vec![7; 40]]);
    assert_eq!(a.stats().dropped("unknown_community"), 1);
}

/// Carries the `Greeter` traffic of `ONE`, wrapped under its own prefix as message 200.
struct Carrier;

#[community]
impl Carrier {}

impl Community for Carrier {
    fn community_id(&self) -> CommunityId {
        CARRIER
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.carry(ONE, true);
    }

    fn on_carried(&mut self, ctx: &mut Context<'_, Self>, transmit: Transmit) {
        let mut wrapped = ctx.prefix().to_vec();
        wrapped.push(200);
        wrapped.extend(transmit.contents);
        ctx.send_direct(transmit.destination, wrapped);
    }

    fn on_packet(
        &mut self,
        ctx: &mut Context<'_, Self>,
        incoming: &Incoming<'_>,
    ) -> Result<(), DropReason> {
        if incoming.msg_id() != 200 {
            return self.dispatch_message(ctx, incoming);
        }
        let inner = incoming.data().get(23..).ok_or(DropReason::TooShort)?;
        ctx.deliver_carried(incoming.source(), inner.to_vec());
        Ok(())
    }
}

#[test]
fn a_carrier_takes_another_communitys_traffic_both_ways() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    for n in [&mut a, &mut b] {
        n.add_community(now, Greeter::new(ONE)).unwrap();
        n.add_community(now, Carrier).unwrap();
    }
    greet(&mut a, now, ONE, B, "through the carrier");
    let sent = pump(&mut a, &mut b, now);

    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0].contents[..22], CARRIER.prefix(), "the wire shows only the carrier");
    assert_eq!(sent[0].contents[22], 200);
    let heard = &b.community::<Greeter>().unwrap().heard;
    assert_eq!(heard, &[(a.public_key().clone(), "through the carrier".to_owned())]);

    a.remove_community(CARRIER).unwrap();
    greet(&mut a, now, ONE, B, "direct again");
    let sent = pump(&mut a, &mut b, now);
    assert_eq!(sent[0].contents[..22], ONE.prefix(), "no carrier, no redirection");
}

/// Counts its own ticks through typed access to its community, and walks to a fixed address.
struct Ticker;

impl Strategy<Greeter> for Ticker {
    fn take_step(&mut self, walker: &mut Walker<'_, Greeter>) {
        walker.community().ticks += 1;
        let (greeter, ctx) = walker.parts();
        if greeter.ticks == 2 {
            ctx.ez_send(addr(B), &Hello { text: "second tick".into() });
        }
    }
}

#[test]
fn a_strategy_works_on_its_own_community() {
    let start = Instant::now();
    let (mut a, mut b) = (node(A, 1, start), node(B, 2, start));
    a.add_community(start, Greeter::new(ONE)).unwrap();
    b.add_community(start, Greeter::new(ONE)).unwrap();
    a.add_strategy::<Greeter>(Ticker, None).unwrap();
    a.handle_timeout(start);
    a.handle_timeout(start + ipv8::proto::DEFAULT_WALKER_INTERVAL);
    pump(&mut a, &mut b, start);
    assert_eq!(a.community::<Greeter>().unwrap().ticks, 2);
    assert_eq!(b.community::<Greeter>().unwrap().heard.len(), 1);
}

/// Opens a socket of its own and echoes what arrives on it, from it.
#[derive(Default)]
struct Exit {
    socket: Option<(SocketId, SocketAddr)>,
}

#[community]
impl Exit {}

impl Community for Exit {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"exit socket communit")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        ctx.open_socket(addr("127.0.0.1:0")).expect("room for a socket");
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
        ctx: &mut Context<'_, Self>,
        socket: SocketId,
        source: SocketAddr,
        data: &[u8],
    ) -> Result<(), DropReason> {
        let mut echo = b"echo: ".to_vec();
        echo.extend_from_slice(data);
        ctx.send_on(socket, source, echo);
        Ok(())
    }
}

#[test]
fn a_community_owns_a_socket_of_its_own_on_the_simulator() {
    let mut net = TestNetwork::initialize(2, |_| Catcher::default());
    let now = net.now();
    net.node_mut(1).add_community(now, Exit::default()).unwrap();
    net.flush(1);
    let (_, exit) = net.node(1).community::<Exit>().and_then(|e| e.socket).expect("opened");
    assert_ne!(exit, net.address(1), "a socket besides the node's endpoint");

    net.with_overlay(0, move |_, ctx| ctx.send_raw(exit, b"plain".to_vec()));
    net.deliver_messages();
    assert_eq!(net.overlay(0).caught, [b"echo: plain".to_vec()]);
    assert_eq!(net.overlay(1).caught, [] as [Vec<u8>; 0], "nothing reached node 1's endpoint");

    net.node_mut(1).remove_community(CommunityId(*b"exit socket communit")).unwrap();
    net.flush(1);
    net.with_overlay(0, move |_, ctx| ctx.send_raw(exit, b"anyone?".to_vec()));
    net.deliver_messages();
    assert_eq!(net.overlay(0).caught.len(), 1, "the socket closed with its community");
}

#[test]
fn an_isolated_community_keeps_a_peer_table_of_its_own() {
    let now = Instant::now();
    let (mut a, mut b) = (node(A, 1, now), node(B, 2, now));
    let own = a.private_key().clone();
    a.add_community(now, Greeter::new(ONE)).unwrap();
    a.add_isolated_community(now, Greeter::new(TWO), own).unwrap();
    b.add_community(now, Greeter::new(TWO)).unwrap();
    let isolated: Vec<_> = a.overlays().iter().map(|o| o.isolated).collect();
    assert_eq!(isolated, [false, true]);

    b.walk_to::<Greeter>(now, addr(A)).unwrap();
    pump(&mut b, &mut a, now);
    let b_key = b.public_key().clone();
    let in_two = a.network_of(TWO).unwrap().peers_for(TWO);
    assert_eq!(in_two.iter().map(|p| p.key().clone()).collect::<Vec<_>>(), [b_key]);
    assert!(a.network().peers().next().is_none(), "the node's own table never saw b");
}

#[test]
fn task_closures_need_no_annotations() {
    let now = Instant::now();
    let mut a = node(A, 1, now);
    a.add_community(now, Greeter::new(ONE)).unwrap();
    a.with_community::<Greeter, _>(now, |_, ctx| {
        let every = Schedule::every(Duration::from_secs(1));
        ctx.register_task("tick", every, |me, _ctx| me.ticks += 1).unwrap();
    });
    a.handle_timeout(now + Duration::from_secs(1));
    assert_eq!(a.community::<Greeter>().unwrap().ticks, 1);
}

#[test]
fn a_second_node_with_our_own_key_is_refused_and_counted() {
    let now = Instant::now();
    let key = key();
    let mut a = Node::new(key.clone(), 1, now);
    a.set_address(addr(A));
    let mut b = Node::new(key, 2, now);
    b.set_address(addr(B));
    a.add_community(now, Greeter::new(ONE)).unwrap();
    b.add_community(now, Greeter::new(ONE)).unwrap();

    a.walk_to::<Greeter>(now, addr(B)).unwrap();
    pump(&mut a, &mut b, now);
    assert_eq!(b.stats().dropped("own_key_elsewhere"), 1, "counted apart from our own echoes");
    assert!(b.network().peers().next().is_none(), "the twin never becomes a peer");
    assert!(pump(&mut b, &mut a, now).is_empty(), "and gets no answer");
}

#[test]
fn add_peer_fills_the_table_of_each_services_identity() {
    let now = Instant::now();
    let mut a = node(A, 1, now);
    a.add_community(now, Greeter::new(ONE)).unwrap();
    a.add_isolated_community(now, Greeter::new(TWO), key()).unwrap();
    let peer = Peer::new(key().public_key(), addr(B));
    a.add_peer(&peer, &[TWO]);
    assert_eq!(a.network_of(TWO).unwrap().peers_for(TWO), std::slice::from_ref(&peer));
    assert!(a.network().peers().next().is_none(), "the node's own table is not TWO's");
    a.add_peer(&peer, &[ONE]);
    assert_eq!(a.network().peers_for(ONE), [peer]);
}
