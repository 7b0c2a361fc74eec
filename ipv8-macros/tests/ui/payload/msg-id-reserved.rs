#[ipv8::payload(msg_id = 246)]
struct Clock {
    clock: i64,
}

fn main() {}
