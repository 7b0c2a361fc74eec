#[ipv8::payload(msg_id = 1, msg_id = 2)]
struct Clock {
    #[payload(format = "Q", format = "q")]
    clock: i64,
}

fn main() {}
