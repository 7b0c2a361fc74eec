use ipv8::proto::{Context, Peer};

struct NotAPayload {
    n: i64,
}

struct Demo;

#[ipv8::community]
impl Demo {
    #[lazy_handler]
    fn on_thing(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, _payload: NotAPayload) {}
}

fn main() {}
