//! Fuzzes an application community as a whole node, written as a user would (the tutorials'
//! shape): a message board with `#[payload]` messages (a post, a query answered from a request
//! cache, an answer, a nested path) and `#[lazy_handler]`s, a periodic task that queries peers,
//! and the discovery core under its prefix. The script sends signed and unsigned datagrams from
//! four fixed keys (the harness signs them), replies that reuse bytes the node sent (a query's
//! identifier) and time passing. The node never panics, counts every packet, its peers are among
//! the signers, and the board stays within its bounds.
#![no_main]

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use ipv8::proto::{Community, CommunityId, Context, Node, NumberCache, Peer, Schedule};
use ipv8::{community, payload};
use ipv8_fuzz::script::{self, Run, SENDERS, Target};

/// Most posts the board keeps; the oldest go first.
const MAX_POSTS: usize = 16;
/// Longest body the board stores.
const MAX_BODY: usize = 64;
/// Most points of a path the board remembers.
const MAX_POINTS: usize = 32;

/// A post on a topic.
#[payload(msg_id = 1)]
struct Post {
    topic: u16,
    body: Vec<u8>,
}

/// A question for the posts on a topic, answered under its identifier.
#[payload(msg_id = 2)]
struct Query {
    identifier: u16,
    topic: u16,
}

/// The bodies of the posts on the queried topic.
#[payload(msg_id = 3)]
struct Answer {
    identifier: u16,
    bodies: Vec<Vec<u8>>,
}

/// A point of a path, only used inside [`Walked`].
#[payload]
struct Point {
    x: i64,
    y: i64,
}

/// A named path of points.
#[payload(msg_id = 4)]
struct Walked {
    name: String,
    points: Vec<Point>,
}

/// A query waiting for its answer.
struct Pending {
    topic: u16,
}

impl NumberCache<Board> for Pending {
    fn timeout_delay(&self) -> Duration {
        Duration::from_secs(3)
    }

    fn on_timeout(self: Box<Self>, board: &mut Board, _ctx: &mut Context<'_, Board>) {
        board.timeouts += 1;
    }
}

/// The board's state.
#[derive(Default)]
struct Board {
    posts: VecDeque<(u16, Vec<u8>)>,
    next_query: u16,
    answers: usize,
    timeouts: usize,
    longest_path: usize,
}

#[community]
impl Board {
    #[lazy_handler]
    fn on_post(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Post) {
        self.store(payload.topic, payload.body);
    }

    #[lazy_handler]
    fn on_query(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: Query) {
        let bodies = self.bodies(payload.topic);
        ctx.ez_send(peer, &Answer { identifier: payload.identifier, bodies });
    }

    #[lazy_handler]
    fn on_answer(&mut self, ctx: &mut Context<Self>, _peer: &Peer, payload: Answer) {
        let number = u64::from(payload.identifier);
        if let Some(pending) = ctx.request_cache().pop::<Pending>(number) {
            self.answers += 1;
            for body in payload.bodies.into_iter().take(MAX_POSTS) {
                self.store(pending.topic, body);
            }
        }
    }

    #[lazy_handler]
    fn on_walked(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, payload: Walked) {
        let len = payload.points.len().min(MAX_POINTS);
        self.longest_path = self.longest_path.max(len);
    }
}

impl Board {
    /// Keeps a post whose body is short enough, forgetting the oldest when the board is full.
    fn store(&mut self, topic: u16, body: Vec<u8>) {
        if body.len() <= MAX_BODY {
            if self.posts.len() == MAX_POSTS {
                self.posts.pop_front();
            }
            self.posts.push_back((topic, body));
        }
    }

    fn bodies(&self, topic: u16) -> Vec<Vec<u8>> {
        self.posts.iter().filter(|(t, _)| *t == topic).map(|(_, body)| body.clone()).collect()
    }

    /// Every second: ask each peer for the posts on one topic.
    fn ask_peers(&mut self, ctx: &mut Context<'_, Self>) {
        for peer in ctx.peers() {
            self.next_query = self.next_query.wrapping_add(1);
            let topic = self.next_query % 4;
            let identifier = self.next_query;
            if ctx.add_cache(u64::from(identifier), Pending { topic }).is_ok() {
                ctx.ez_send(&peer, &Query { identifier, topic });
            }
        }
    }
}

impl Community for Board {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"fuzzed message board")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let every_second = Schedule::every(Duration::from_secs(1));
        let _ = ctx.register_task("ask peers", every_second, Self::ask_peers);
    }
}

/// The board's messages and the discovery core's.
const MSG_IDS: [u8; 12] = [1, 2, 3, 4, 1, 3, 245, 246, 249, 250, 233, 234];

fn check(node: &Node) {
    assert!(node.network().len() <= SENDERS, "a peer without a signer");
    let board = node.community::<Board>().expect("the board runs");
    assert!(board.posts.len() <= MAX_POSTS);
    assert!(board.posts.iter().all(|(_, body)| body.len() <= MAX_BODY));
    assert!(board.longest_path <= MAX_POINTS);
    assert!(board.answers + board.timeouts <= usize::from(board.next_query));
}

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let start = Instant::now();
    let mut node = script::node(start);
    if node.add_community(start, Board::default()).is_err() {
        return;
    }
    let board = Board::default().community_id().prefix();
    let stranger = CommunityId(*b"a stranger community").prefix();
    let target = Target { prefixes: &[board, board, board, stranger], msg_ids: &MSG_IDS };
    Run::new(node, start).play(&target, data, check);
});
