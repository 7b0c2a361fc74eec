#[ipv8::payload(msg_id = 1)]
struct Pair {
    pair: (u8, u8),
}

fn main() {}
