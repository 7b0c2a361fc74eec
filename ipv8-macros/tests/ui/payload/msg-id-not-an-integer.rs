#[ipv8::payload(msg_id = "one")]
struct Clock {
    clock: i64,
}

fn main() {}
