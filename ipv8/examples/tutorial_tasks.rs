//! Port of the seed's task-management tutorial: named, anonymous, delayed and periodic tasks,
//! cancelling, waiting for tasks, and futures that belong to request caches.
//!
//! In rust-ipv8 every community has a sans-IO `TaskManager` reached through its `Context`; a task
//! is a closure over the community, run by the node when its virtual deadline passes. Each part
//! below fills a fresh `COMPLETED` list and prints it, as the tutorial does.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_tasks
//! ```

use std::time::Duration;

use ipv8::community;
use ipv8::proto::oneshot::{self, Completer, Response};
use ipv8::proto::{Community, CommunityId, Context, NumberCache, Passthrough, Schedule};
use ipv8::testing::{SimConfig, TestNetwork};

const HALF_A_SECOND: Duration = Duration::from_millis(500);

/// A community whose only state is the tutorial's `COMPLETED` list.
#[derive(Default)]
struct Tasks {
    completed: Vec<u32>,
}

#[community]
impl Tasks {}

impl Community for Tasks {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"task manager tutor!!")
    }
}

/// A single node on the simulator; its virtual clock only moves when we advance it.
fn one_node() -> TestNetwork<Tasks> {
    TestNetwork::with_config(SimConfig::new(1), 1, |_| Tasks::default())
}

/// The tutorial's `execute_me_too(i)`, already delayed by the task's schedule.
fn execute_me_too(i: u32) -> impl FnMut(&mut Tasks, &mut Context<'_, Tasks>) + Send + 'static {
    move |tasks: &mut Tasks, _: &mut Context<'_, Tasks>| tasks.completed.push(i)
}

/// Two named tasks, one cancelled; waiting lets the other finish: prints `[2]`.
fn named_tasks(wait: bool) {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        let half = Schedule::after(HALF_A_SECOND);
        ctx.register_task("execute_me_too1", half, execute_me_too(1)).expect("free name");
        ctx.register_task("execute_me_too2", half, execute_me_too(2)).expect("free name");
        let again = ctx.register_task("execute_me_too2", half, execute_me_too(9));
        println!("registering execute_me_too2 twice fails: {}", again.is_err());
        ctx.cancel_task("execute_me_too1");
    });
    if wait {
        net.wait_for_tasks(0);
    }
    // Shutting down cancels whatever is still pending.
    net.with_overlay(0, |_, ctx| ctx.tasks().shutdown());
    net.advance(Duration::from_secs(1));
    println!("wait_for_tasks = {wait}: {:?}", net.overlay(0).completed);
}

/// Twenty anonymous tasks under one name, all due at the same moment.
fn anonymous_tasks() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        for i in 0..20 {
            let half = Schedule::after(HALF_A_SECOND);
            ctx.register_anonymous_task("execute_me_too", half, execute_me_too(i))
                .expect("anonymous tasks never clash");
        }
    });
    net.advance(Duration::from_millis(499));
    println!("after 499 ms: {:?}", net.overlay(0).completed);
    net.wait_for_tasks(0);
    println!("after waiting: {:?}", net.overlay(0).completed);
}

/// A periodic task adding 1 every 100 ms until the list holds 20 values, and a delayed task
/// sneaking in a 2 after half a second.
fn periodic_and_delayed_tasks() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        let keep_adding = |tasks: &mut Tasks, ctx: &mut Context<'_, Tasks>| {
            if tasks.completed.len() == 20 {
                ctx.cancel_task("keep adding 1");
            } else {
                tasks.completed.push(1);
            }
        };
        let every = Schedule::every(Duration::from_millis(100));
        ctx.register_task("keep adding 1", every, keep_adding).expect("free name");
        let later = Schedule::after(HALF_A_SECOND);
        ctx.register_task("sneaky inject", later, execute_me_too(2)).expect("free name");
    });
    net.wait_for_tasks(0);
    println!("{:?}", net.overlay(0).completed);
}

/// The tutorial's `MyCache`: it holds the sending half of a future and resolves it with `false`
/// when it times out (`register_future(..., on_timeout=False)`).
struct MyCache {
    completer: Option<Completer<bool>>,
}

impl NumberCache<Tasks> for MyCache {
    fn timeout_delay(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn on_timeout(mut self: Box<Self>, _: &mut Tasks, _: &mut Context<'_, Tasks>) {
        if let Some(completer) = self.completer.take() {
            completer.complete(false);
        }
    }
}

fn add_my_cache(net: &mut TestNetwork<Tasks>, number: u64) -> Response<bool> {
    let (completer, response) = oneshot::channel();
    let cache = MyCache { completer: Some(completer) };
    net.with_overlay(0, |_, ctx| ctx.add_cache(number, cache)).expect("free number");
    response
}

/// A future finished by hand, one that times out, and one cancelled by the shutdown.
fn futures_and_caches() {
    let mut net = one_node();
    let future0 = add_my_cache(&mut net, 0);
    // Passthrough replaces the timeout of caches added meanwhile with zero.
    net.passthrough(0, &Passthrough::All(Duration::ZERO));
    let future1 = add_my_cache(&mut net, 1);
    net.passthrough(0, &Passthrough::Off);
    let future2 = add_my_cache(&mut net, 2);

    net.with_overlay(0, |_, ctx| {
        let mut cache = ctx.request_cache().pop::<MyCache>(0).expect("cache 0");
        cache.completer.take().expect("not resolved yet").complete(true);
    });
    println!("future0 = {:?}", future0.try_take());
    net.advance(Duration::ZERO);
    println!("future1 = {:?}", future1.try_take());
    net.node_mut(0).shutdown();
    println!("future2 = {:?}", future2.try_take());
}

fn main() {
    println!("-- named tasks --");
    named_tasks(true);
    named_tasks(false);
    println!("-- anonymous tasks --");
    anonymous_tasks();
    println!("-- periodic and delayed tasks --");
    periodic_and_delayed_tasks();
    println!("-- futures and caches --");
    futures_and_caches();
}
