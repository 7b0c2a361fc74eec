//! The seed's task-management tutorial, sans-IO: named, anonymous, delayed and periodic tasks, and
//! futures registered with request caches that resolve, time out or are cancelled.

use std::time::Duration;

use ipv8::community;
use ipv8::proto::oneshot::{self, Completer, Response, ResponseError};
use ipv8::proto::{Community, CommunityId, Context, NumberCache, Passthrough, Schedule};
use ipv8::testing::TestNetwork;

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

fn one_node() -> TestNetwork<Tasks> {
    TestNetwork::initialize(1, |_| Tasks::default())
}

#[test]
fn cancelled_task_never_runs() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        let half = Schedule::after(Duration::from_millis(500));
        ctx.register_task("execute_me_too1", half, |t: &mut Tasks, _| t.completed.push(1)).unwrap();
        ctx.register_task("execute_me_too2", half, |t: &mut Tasks, _| t.completed.push(2)).unwrap();
        assert!(
            ctx.register_task("execute_me_too2", half, |_: &mut Tasks, _| {}).is_err(),
            "names are unique"
        );
        assert!(ctx.cancel_task("execute_me_too1"));
    });
    assert!(net.wait_for_tasks(0), "both tasks finished or were cancelled");
    assert_eq!(net.overlay(0).completed, [2]);
}

#[test]
fn anonymous_tasks_all_run_together() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        for i in 0..20 {
            let task = move |t: &mut Tasks, _: &mut Context<'_, Tasks>| t.completed.push(i);
            ctx.register_anonymous_task(
                "execute_me_too",
                Schedule::after(Duration::from_millis(500)),
                task,
            )
            .unwrap();
        }
    });
    net.advance(Duration::from_millis(499));
    assert!(net.overlay(0).completed.is_empty());
    assert!(net.wait_for_tasks(0));
    assert_eq!(net.overlay(0).completed, (0..20).collect::<Vec<_>>());
}

#[test]
fn periodic_and_delayed_tasks_interleave_as_in_the_tutorial() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        let keep_adding = |t: &mut Tasks, ctx: &mut Context<'_, Tasks>| {
            if t.completed.len() == 20 {
                ctx.cancel_task("keep adding 1");
            } else {
                t.completed.push(1);
            }
        };
        ctx.register_task(
            "keep adding 1",
            Schedule::every(Duration::from_millis(100)),
            keep_adding,
        )
        .unwrap();
        let inject = |t: &mut Tasks, _: &mut Context<'_, Tasks>| t.completed.push(2);
        ctx.register_task("sneaky inject", Schedule::after(Duration::from_millis(500)), inject)
            .unwrap();
    });
    net.advance(Duration::from_secs(5));
    // The tutorial prints [1, 1, 1, 1, 2, 1, 1, ...] (20 values).
    let mut expected = vec![1; 19];
    expected.insert(4, 2);
    assert_eq!(net.overlay(0).completed, expected);
    assert!(!net.with_overlay(0, |_, ctx| ctx.tasks().is_pending("keep adding 1")));
}

#[test]
fn shutdown_cancels_everything_and_refuses_new_tasks() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        ctx.register_task("later", Schedule::after(Duration::from_secs(1)), |t: &mut Tasks, _| {
            t.completed.push(9);
        })
        .unwrap();
        ctx.tasks().shutdown();
        assert!(ctx.register_task("again", Schedule::now(), |_: &mut Tasks, _| {}).is_err());
    });
    net.advance(Duration::from_secs(2));
    assert!(net.overlay(0).completed.is_empty());
}

/// A cache holding the completer of a future, as in the tutorial's `register_future`.
struct FutureCache {
    completer: Option<Completer<bool>>,
}

impl NumberCache<Tasks> for FutureCache {
    fn timeout_delay(&self) -> Duration {
        Duration::from_secs(1)
    }

    fn on_timeout(mut self: Box<Self>, _: &mut Tasks, _: &mut Context<'_, Tasks>) {
        // The tutorial's cache resolves its future with `False` on timeout.
        if let Some(completer) = self.completer.take() {
            completer.complete(false);
        }
    }
}

fn add_future_cache(net: &mut TestNetwork<Tasks>, number: u64) -> Response<bool> {
    let (completer, response) = oneshot::channel();
    net.with_overlay(0, |_, ctx| ctx.add_cache(number, FutureCache { completer: Some(completer) }))
        .unwrap();
    response
}

#[test]
fn cache_futures_resolve_time_out_or_are_cancelled() {
    let mut net = one_node();
    let future0 = add_future_cache(&mut net, 0);
    net.passthrough(0, &Passthrough::All(Duration::ZERO));
    let future1 = add_future_cache(&mut net, 1);
    net.passthrough(0, &Passthrough::Off);
    let future2 = add_future_cache(&mut net, 2);

    net.with_overlay(0, |_, ctx| {
        let mut cache = ctx.request_cache().pop::<FutureCache>(0).expect("cache 0");
        cache.completer.take().expect("unresolved").complete(true);
    });
    assert_eq!(future0.try_take(), Some(Ok(true)));

    net.advance(Duration::ZERO);
    assert_eq!(future1.try_take(), Some(Ok(false)), "cache 1 timed out at once");

    net.node_mut(0).shutdown();
    assert_eq!(future2.try_take(), Some(Err(ResponseError::Cancelled)));
}

#[test]
fn a_completer_can_report_a_timeout() {
    let (completer, response) = oneshot::channel::<u8>();
    completer.time_out();
    assert_eq!(response.try_take(), Some(Err(ResponseError::TimedOut)));
}

#[test]
fn waiting_for_a_periodic_task_gives_up_at_the_horizon() {
    let mut net = one_node();
    net.with_overlay(0, |_, ctx| {
        ctx.register_task(
            "forever",
            Schedule::every(Duration::from_secs(1)),
            |t: &mut Tasks, _| t.completed.push(1),
        )
        .unwrap();
    });
    assert!(!net.wait_for_tasks(0), "a periodic task never ends");
    assert!(net.overlay(0).completed.len() >= 59, "it kept running until the horizon");
}
