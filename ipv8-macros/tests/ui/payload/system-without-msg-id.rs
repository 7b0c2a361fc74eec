#[ipv8::payload(system)]
struct Clock {
    clock: i64,
}

fn main() {}
