//! The seed's "storing states" tutorial, the easy way: two peers count to 10 through request and
//! response messages matched by a random-number cache, while a replay attack sends every request twice.

use ipv8::proto::{Community, CommunityId, Context, NumberCache, Peer, Schedule};
use ipv8::testing::TestNetwork;
use ipv8::{community, payload};

#[payload(msg_id = 1)]
struct MyRequest {
    #[payload(format = "I")]
    value: u32,
    #[payload(format = "I")]
    identifier: u32,
}

#[payload(msg_id = 2)]
struct MyResponse {
    #[payload(format = "I")]
    value: u32,
    #[payload(format = "I")]
    identifier: u32,
}

/// What we asked, kept until the answer comes.
struct MyCache {
    value: u32,
}

impl NumberCache<Counter> for MyCache {}

#[derive(Default)]
struct Counter {
    done: bool,
    answers: Vec<u32>,
    ignored_replays: u32,
}

impl Counter {
    fn ask(ctx: &mut Context<'_, Self>, value: u32, copies: usize) {
        let Ok(number) = ctx.add_random_cache(MyCache { value }) else { return };
        let request = MyRequest { value, identifier: number as u32 };
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
        ctx.ez_send(peer, &MyResponse { value: payload.value + 1, identifier: payload.identifier });
    }

    #[lazy_handler]
    fn on_response(&mut self, ctx: &mut Context<Self>, _peer: &Peer, payload: MyResponse) {
        let Some(cache) = ctx.request_cache().pop::<MyCache>(payload.identifier.into()) else {
            self.ignored_replays += 1;
            return;
        };
        assert_eq!(cache.value + 1, payload.value);
        self.answers.push(payload.value);
        if payload.value == 10 {
            self.done = true;
        } else {
            Self::ask(ctx, payload.value, 2);
        }
    }
}

impl Community for Counter {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"count to ten tutor!!")
    }

    fn started(&mut self, ctx: &mut Context<'_, Self>) {
        let _ = ctx.register_task(
            "wait for peers and send a request",
            Schedule::now(),
            |_: &mut Self, ctx| {
                Self::ask(ctx, 0, 1);
            },
        );
    }
}

#[test]
fn two_peers_count_to_ten_and_ignore_replays() {
    let mut net = TestNetwork::initialize(2, |_| Counter::default());
    net.deliver_messages();
    for i in 0..2 {
        let counter = net.overlay(i);
        assert!(counter.done, "peer {i} did not reach 10");
        assert_eq!(counter.answers, (1..=10).collect::<Vec<_>>());
        assert_eq!(
            counter.ignored_replays, 9,
            "peer {i}: every replayed request after the first is ignored"
        );
    }
    assert_eq!(net.node(0).stats().handled[&MyRequest::MSG_ID], 1 + 9 * 2);
}

use ipv8::wire::Message as _;
