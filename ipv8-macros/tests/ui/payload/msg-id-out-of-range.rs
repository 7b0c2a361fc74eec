#[ipv8::payload(msg_id = 256)]
struct Clock {
    clock: i64,
}

fn main() {}
