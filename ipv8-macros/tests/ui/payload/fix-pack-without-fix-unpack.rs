fn to_wire(v: &u32) -> Result<Vec<u8>, String> {
    Ok(v.to_string().into_bytes())
}

#[ipv8::payload(msg_id = 1)]
struct Counter {
    #[payload(format = "varlenH", fix_pack = to_wire)]
    count: u32,
}

fn main() {}
