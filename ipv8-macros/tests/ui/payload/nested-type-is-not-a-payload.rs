struct Inner {
    x: i64,
}

#[ipv8::payload(msg_id = 1)]
struct Outer {
    inner: Inner,
}

fn main() {}
