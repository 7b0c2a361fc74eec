#[ipv8::payload(msg_id = 1)]
struct Clock {
    #[payload(format = "varlenH")]
    clock: i64,
}

fn main() {}
