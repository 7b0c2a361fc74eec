#[ipv8::payload(msg_id = 1, signed)]
struct Clock {
    #[payload(rename = "time")]
    clock: i64,
}

fn main() {}
