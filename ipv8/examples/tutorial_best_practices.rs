//! Port of the seed's "Community Best Practices" idea: keep a community to sending and receiving
//! messages, hand everything else to a manager behind a trait, and build the community from a
//! settings object that creates the manager itself when none is given.
//!
//! `Settings` is a builder with defaults. `BestPractices::new` takes the manager from the settings
//! or, if it is missing, creates the default `Totals` (py-ipv8's "create from configuration if
//! not explicitly supplied"). The handler only asks the manager to `process` a value and sends
//! the answer back; it knows nothing of how values add up, so each manager can be tested without
//! a network. Node 0 sends the same values to node 1 (default settings) and to node 2 (an
//! injected `Capped` manager and a smaller peer limit), and prints the answers.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_best_practices
//! ```

use std::time::Duration;

use ipv8::proto::{Community, CommunityId, Context, Peer};
use ipv8::testing::{SimConfig, TestNetwork};
use ipv8::{community, payload};

/// A value to process.
#[payload(msg_id = 1)]
struct Value {
    value: u32,
}

/// The processed total, sent back.
#[payload(msg_id = 2)]
struct Total {
    total: u64,
}

/// What the community needs from whatever keeps the values: one high-level operation.
trait ValueManager: Send {
    /// A short name, for printing the settings.
    fn name(&self) -> String;

    /// Takes in `value` and returns the total to answer with.
    fn process(&mut self, value: u32) -> u64;
}

/// The default manager: a running sum.
#[derive(Default)]
struct Totals {
    total: u64,
}

impl ValueManager for Totals {
    fn name(&self) -> String {
        "Totals (default)".to_owned()
    }

    fn process(&mut self, value: u32) -> u64 {
        self.total += u64::from(value);
        self.total
    }
}

/// A running sum in which no single value counts for more than `cap`.
struct Capped {
    cap: u32,
    total: u64,
}

impl ValueManager for Capped {
    fn name(&self) -> String {
        format!("Capped {{ cap: {} }}", self.cap)
    }

    fn process(&mut self, value: u32) -> u64 {
        self.total += u64::from(value.min(self.cap));
        self.total
    }
}

/// The community's settings: one object instead of a clump of constructor arguments.
struct Settings {
    max_peers: usize,
    reply: bool,
    value_manager: Option<Box<dyn ValueManager>>,
}

impl Default for Settings {
    fn default() -> Self {
        Self { max_peers: 30, reply: true, value_manager: None }
    }
}

impl Settings {
    /// Sets the most peers the community keeps.
    fn with_max_peers(self, max_peers: usize) -> Self {
        Self { max_peers, ..self }
    }

    /// Sets whether values are answered with the total.
    fn with_reply(self, reply: bool) -> Self {
        Self { reply, ..self }
    }

    /// Injects a manager instead of the default one.
    fn with_value_manager(self, value_manager: impl ValueManager + 'static) -> Self {
        Self { value_manager: Some(Box::new(value_manager)), ..self }
    }
}

/// The community: it receives values, asks its manager, and answers. Nothing more.
struct BestPractices {
    max_peers: usize,
    reply: bool,
    value_manager: Box<dyn ValueManager>,
    answers: Vec<(Peer, u64)>,
}

impl BestPractices {
    fn new(settings: Settings) -> Self {
        Self {
            max_peers: settings.max_peers,
            reply: settings.reply,
            // Create if missing: the injected manager, or the default one.
            value_manager: settings.value_manager.unwrap_or_else(|| Box::new(Totals::default())),
            answers: Vec::new(),
        }
    }
}

#[community]
impl BestPractices {
    #[lazy_handler]
    fn on_value(&mut self, ctx: &mut Context<Self>, peer: &Peer, payload: Value) {
        let total = self.value_manager.process(payload.value);
        if self.reply {
            ctx.ez_send(peer, &Total { total });
        }
    }

    #[lazy_handler]
    fn on_total(&mut self, _ctx: &mut Context<Self>, peer: &Peer, payload: Total) {
        self.answers.push((peer.clone(), payload.total));
    }
}

impl Community for BestPractices {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"best practices tut!!")
    }

    fn max_peers(&self) -> usize {
        self.max_peers
    }
}

/// The settings node `i` starts with.
fn settings(i: usize) -> Settings {
    match i {
        2 => Settings::default().with_max_peers(5).with_value_manager(Capped { cap: 10, total: 0 }),
        3 => Settings::default().with_reply(false),
        _ => Settings::default(),
    }
}

fn main() {
    println!("-- a manager needs no network to be tested --");
    let mut capped = Capped { cap: 10, total: 0 };
    let totals: Vec<u64> = [5, 7, 30].into_iter().map(|v| capped.process(v)).collect();
    println!("{} processes [5, 7, 30] into {totals:?}", capped.name());

    println!("-- effective settings --");
    let mut net =
        TestNetwork::with_config(SimConfig::new(9), 4, |i| BestPractices::new(settings(i)));
    for i in 0..net.len() {
        let c = net.overlay(i);
        let manager = c.value_manager.name();
        println!(
            "node {i}: max_peers = {}, reply = {}, value manager = {manager}",
            c.max_peers, c.reply
        );
    }

    println!("-- node 0 sends 5, 7 and 30 to nodes 1, 2 and 3 --");
    let receivers: Vec<Peer> = (1..net.len()).map(|j| net.peer(j)).collect();
    for value in [5, 7, 30] {
        net.with_overlay(0, |_, ctx| {
            for peer in &receivers {
                ctx.ez_send(peer, &Value { value });
            }
        });
        net.advance(Duration::from_millis(10));
    }
    for j in 1..net.len() {
        let answers: Vec<u64> = net
            .overlay(0)
            .answers
            .iter()
            .filter(|(peer, _)| *peer == net.peer(j))
            .map(|(_, total)| *total)
            .collect();
        println!("node {j} answered {answers:?}");
    }
}
