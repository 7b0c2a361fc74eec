use std::collections::HashMap;

#[ipv8::payload(msg_id = 1)]
struct Scores {
    scores: HashMap<String, i64>,
}

fn main() {}
