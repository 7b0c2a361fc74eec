#[ipv8::payload(msg_id = 1)]
struct Clock(i64);

fn main() {}
