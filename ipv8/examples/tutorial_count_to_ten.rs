//! Port of the seed's "storing states" tutorial, the easy way: two peers count to 10.
//!
//! A peer asks its neighbour for "value + 1" and remembers what it asked in a random-number cache;
//! the request carries the cache's number as its identifier. The answer is only accepted if it
//! pops a matching cache. To show the replay protection, every request after the first is sent
//! twice: the second answer finds no cache any more and is ignored.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_count_to_ten
//! ```

use ipv8::proto::{Community, CommunityId, Context, NumberCache, Peer, Schedule};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

/// "Please add one to `value`", tagged with the number of the asker's cache.
#[payload(msg_id = 1)]
struct MyRequest {
    #[payload(format = "I")]
    value: u32,
    #[payload(format = "I")]
    identifier: u32,
}

/// The answer, echoing the identifier so the asker can find its cache.
#[payload(msg_id = 2)]
struct MyResponse {
    #[payload(format = "I")]
    value: u32,
    #[payload(format = "I")]
    identifier: u32,
}

/// What we asked, kept until the answer comes (the tutorial's `MyCache`).
struct MyCache {
    value: u32,
}

impl NumberCache<Counter> for MyCache {}

#[derive(Default)]
struct Counter {
    /// Every accepted answer, in order.
    answers: Vec<u32>,
    /// Answers that found no cache: replays of an answer we already used.
    ignored_replays: u32,
}

impl Counter {
    /// Store a cache for `value` and send `copies` identical requests to every peer.
    fn ask(ctx: &mut Context<'_, Self>, value: u32, copies: usize) {
        let Ok(number) = ctx.add_random_cache(MyCache { value }) else { return };
        // Random cache numbers are drawn below 2^16, so they fit the `I` field.
        let identifier = u32::try_from(number).expect("cache numbers fit a u32");
        let request = MyRequest { value, identifier };
        for peer in ctx.peers() {
            for _ in 0..copies {
                ctx.ez_send(&peer, &request);
            }
        }
    }
}

#[community]
impl Counter {
    #[lazy_handler]
    fn on_request(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: MyRequest) {
        let response = MyResponse { value: payload.value + 1, identifier: payload.identifier };
        ctx.ez_send(peer, &response);
    }

    #[lazy_handler]
    fn on_response(&mut self, ctx: &mut Context<Self>, _peer: &Peer, payload: MyResponse) {
        // Popping removes the cache, so a second answer with the same identifier finds nothing.
        let Some(cache) = ctx.request_cache().pop::<MyCache>(payload.identifier.into()) else {
            self.ignored_replays += 1;
            return;
        };
        assert_eq!(cache.value + 1, payload.value, "the answer matches the question");
        self.answers.push(payload.value);
        if payload.value < 10 {
            // From here on, simulate a replay attack: each request goes out twice.
            Self::ask(ctx, payload.value, 2);
        }
    }
}

impl Community for Counter {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"count to ten tutor!!")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let registered = ctx.register_task(
            "wait for peers and send a request",
            Schedule::now(),
            |_: &mut Self, ctx| Self::ask(ctx, 0, 1),
        );
        registered.expect("the task name is free");
    }
}

fn main() {
    let mut net = TestNetwork::with_config(SimConfig::new(1), 2, |_| Counter::default());
    net.deliver_messages();
    for i in 0..net.len() {
        let counter = net.overlay(i);
        let sequence: Vec<String> = counter.answers.iter().map(u32::to_string).collect();
        println!("peer {i} counted: {}", sequence.join(" "));
        println!("peer {i} ignored {} replayed answers", counter.ignored_replays);
    }
}
