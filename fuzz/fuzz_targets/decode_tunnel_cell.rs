//! Fuzzes cell framing and layer removal: never panics; a cell that decodes encodes back to the
//! same bytes (under the tunnel prefix), and a layer either decrypts or is refused.
#![no_main]

use ipv8::proto::tunnel::{COMMUNITY_ID, Cell, Direction, SessionKeys};

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(cell) = Cell::decode(data) {
        let mut packet = cell.encode(COMMUNITY_ID);
        packet[..22].copy_from_slice(&data[..22]);
        assert_eq!(packet, data);
        let _ = cell.inner_packet(COMMUNITY_ID);
        let keys = SessionKeys::derive(&[7; 64]);
        let _ = keys.decrypt(Direction::Forward, &cell.message);
    }
});
