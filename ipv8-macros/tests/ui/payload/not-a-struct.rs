#[ipv8::payload(msg_id = 1)]
enum Clock {
    Tick,
}

fn main() {}
