//! Port of the seed's "storing states" tutorial, the hard way: caches added by number.
//!
//! First, one task adds a `MyState` cache with number 0 and state 42, while a periodic task polls
//! the request cache with `has` until the cache is there, peeks at it with `get` and removes it
//! with `pop`. Then a second cache is added and never collected: after its 3 s timeout, its
//! `on_timeout` runs. Everything runs on the simulator's virtual clock, one node, no network.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_request_cache
//! ```

use std::time::Duration;

use ipv8::community;
use ipv8::proto::{Community, CommunityId, Context, NumberCache, Schedule};
use ipv8::testing::{SimConfig, TestNetwork};

/// The tutorial's `MyState`: the cache's type is its name, and it carries one number of state.
struct MyState {
    state: i64,
}

impl NumberCache<MyCommunity> for MyState {
    /// Time out after 3 s instead of the default 10 s.
    fn timeout_delay(&self) -> Duration {
        Duration::from_secs(3)
    }

    fn on_timeout(
        self: Box<Self>,
        _community: &mut MyCommunity,
        _ctx: &mut Context<'_, MyCommunity>,
    ) {
        println!("Oh no! I never received a response! (state {})", self.state);
    }
}

/// A community with no messages: only its request cache and task manager are used.
#[derive(Default)]
struct MyCommunity {
    polls: u32,
}

#[community]
impl MyCommunity {}

impl Community for MyCommunity {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"request cache tutor!")
    }
}

/// The tutorial's `foo`: add a cache with number 0 and state 42, a little later.
fn foo(_: &mut MyCommunity, ctx: &mut Context<'_, MyCommunity>) {
    ctx.add_cache(0, MyState { state: 42 }).expect("number 0 is free");
    println!("foo added a MyState cache with number 0");
}

/// The tutorial's `bar` loop body: every 100 ms, check whether cache 0 has arrived.
fn bar(this: &mut MyCommunity, ctx: &mut Context<'_, MyCommunity>) {
    this.polls += 1;
    if !ctx.request_cache().has::<MyState>(0) {
        return;
    }
    let peeked = ctx.request_cache().get::<MyState>(0).map(|cache| cache.state);
    println!("get peeks at the state without removing it: {peeked:?}");
    let cache = ctx.request_cache().pop::<MyState>(0).expect("present");
    println!("I found a cache with the state: {}", cache.state);
    println!("bar polled {} times", this.polls);
    println!("has after pop: {}", ctx.request_cache().has::<MyState>(0));
    ctx.cancel_task("bar");
}

fn main() {
    let mut net = TestNetwork::with_config(SimConfig::new(1), 1, |_| MyCommunity::default());

    println!("-- add, has, get, pop --");
    net.with_overlay(0, |_, ctx| {
        let foo_later = Schedule::after(Duration::from_millis(250));
        ctx.register_task("foo", foo_later, foo).expect("free name");
        let poll = Schedule::every(Duration::from_millis(100));
        ctx.register_task("bar", poll, bar).expect("free name");
    });
    net.advance(Duration::from_secs(1));

    println!("-- a cache that times out --");
    net.with_overlay(0, |_, ctx| ctx.add_cache(0, MyState { state: 42 }))
        .expect("number 0 is free");
    let duplicate = net.with_overlay(0, |_, ctx| ctx.add_cache(0, MyState { state: 7 }));
    println!("adding number 0 again: {}", duplicate.expect_err("a duplicate"));
    net.advance(Duration::from_secs(2));
    println!("after 2 s the cache is still there: {}", has_cache(&mut net));
    net.advance(Duration::from_secs(2));
    println!("after 4 s the cache is gone: {}", !has_cache(&mut net));
}

fn has_cache(net: &mut TestNetwork<MyCommunity>) -> bool {
    net.with_overlay(0, |_, ctx| ctx.request_cache().has::<MyState>(0))
}
