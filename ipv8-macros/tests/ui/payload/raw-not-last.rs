#[ipv8::payload(msg_id = 1)]
struct Packet {
    #[payload(format = "raw")]
    rest: Vec<u8>,
    identifier: u16,
}

fn main() {}
