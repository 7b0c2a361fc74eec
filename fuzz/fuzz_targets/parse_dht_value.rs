//! Fuzzes parsing of a stored DHT value: never panics, and a value that parses as unsigned
//! serializes back to the same bytes.
#![no_main]

use ipv8::proto::dht::Value;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(Value::Unsigned(bytes)) = Value::parse(data) {
        assert_eq!(Value::unsigned(&bytes).ok().as_deref(), Some(data));
    }
});
