#[ipv8::payload(msg_id = 1)]
struct Names {
    names: Vec<String>,
}

fn main() {}
