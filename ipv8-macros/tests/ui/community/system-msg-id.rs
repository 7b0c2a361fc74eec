use ipv8::messages::IntroductionRequestPayload;
use ipv8::proto::{Context, Peer};

struct Demo;

#[ipv8::community]
impl Demo {
    #[lazy_handler]
    fn on_intro(&mut self, _ctx: &mut Context<Self>, _peer: &Peer, _payload: IntroductionRequestPayload) {}
}

fn main() {}
