mod decimal {
    pub fn fix_pack(v: &u32) -> Result<Vec<u8>, String> {
        Ok(v.to_string().into_bytes())
    }
    pub fn fix_unpack(w: Vec<u8>) -> Result<u32, String> {
        String::from_utf8_lossy(&w).parse().map_err(|_| "not a number".to_owned())
    }
}

#[ipv8::payload(msg_id = 1)]
struct Counter {
    #[payload(with = decimal)]
    count: u32,
}

fn main() {}
