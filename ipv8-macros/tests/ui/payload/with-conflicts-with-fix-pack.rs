mod json {
    pub fn fix_pack(v: &u32) -> Result<Vec<u8>, String> {
        Ok(v.to_string().into_bytes())
    }
    pub fn fix_unpack(w: Vec<u8>) -> Result<u32, String> {
        String::from_utf8_lossy(&w).parse().map_err(|_| "not a number".to_owned())
    }
}

#[ipv8::payload(msg_id = 1)]
struct Counter {
    #[payload(format = "varlenH", with = json, fix_pack = json::fix_pack)]
    count: u32,
}

fn main() {}
