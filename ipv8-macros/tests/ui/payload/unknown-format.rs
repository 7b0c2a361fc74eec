#[ipv8::payload(msg_id = 1)]
struct Blob {
    #[payload(format = "varlenQ")]
    blob: Vec<u8>,
}

fn main() {}
