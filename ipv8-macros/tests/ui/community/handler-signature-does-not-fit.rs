use ipv8::proto::{Context, Peer};

#[ipv8::payload(msg_id = 1)]
struct Ping {
    n: i64,
}

#[ipv8::payload(msg_id = 1)]
struct AlsoOne {
    n: i64,
}

struct Demo;

#[ipv8::community]
impl Demo {
    #[lazy_handler]
    fn on_ping(&mut self, _peer: &Peer, _payload: Ping) {}

    #[lazy_handler]
    fn on_also_one(&self, _ctx: &mut Context<Self>, _peer: &Peer, _payload: AlsoOne) {}
}

fn main() {}
