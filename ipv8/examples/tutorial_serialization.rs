//! Port of the seed's serialization tutorial: the ways to describe a payload's wire format.
//!
//! `#[payload]` picks a py-ipv8 format for each field from its Rust type (the dataclass mapping),
//! a field may name another format, payloads nest (alone or in lists), a fix-up pair converts a
//! value before packing and after unpacking, and a user type implementing `wire::Format` adds a
//! new format (py-ipv8's `add_packer`). Each payload is encoded, printed in hex with the formats
//! the macro chose, and decoded again.
//!
//! ```sh
//! cargo run -p ipv8 --features test-util --example tutorial_serialization
//! ```

use std::convert::Infallible;
use std::fmt::{Debug, Write as _};
use std::time::Duration;

use ipv8::payload;
use ipv8::wire::{DecodeError, EncodeError, Format, Payload, Reader};

/// Formats from the types alone: `bool` is `?`, `u16` is `H`, `i64` is `q`, `String` is
/// `varlenHutf8`, `Vec<u8>` is `varlenH` and `[u8; 20]` (a member id) is `20s`.
#[payload(msg_id = 1)]
#[derive(Debug, PartialEq)]
struct Defaults {
    flag: bool,
    port: u16,
    clock: i64,
    name: String,
    blob: Vec<u8>,
    mid: [u8; 20],
}

/// Named formats override the mapping: a one-byte `c`, a `u32` as `I`, and a `(u8, u16)` as `BH`.
#[payload(msg_id = 2)]
#[derive(Debug, PartialEq)]
struct Named {
    #[payload(format = "c")]
    letter: u8,
    #[payload(format = "I")]
    value: u32,
    #[payload(format = "BH")]
    pair: (u8, u16),
}

/// A payload without a message id, only used inside others.
#[payload]
#[derive(Debug, PartialEq)]
struct Point {
    x: u16,
    y: u16,
}

/// A nested payload (`payload`) and a list of them (`payload-list`).
#[payload(msg_id = 3)]
#[derive(Debug, PartialEq)]
struct Nested {
    origin: Point,
    path: Vec<Point>,
}

/// Fix-up pair: a temperature in tenths of a degree travels as a `u16` with an offset of 1000.
#[allow(
    clippy::unnecessary_wraps,
    clippy::trivially_copy_pass_by_ref,
    reason = "a fix-up's signature is fixed"
)]
fn to_wire(tenths: &i16) -> Result<u16, Infallible> {
    Ok(tenths.wrapping_add(1000).cast_unsigned())
}

fn from_wire(wire: u16) -> Result<i16, String> {
    i16::try_from(i32::from(wire) - 1000).map_err(|err| err.to_string())
}

#[payload(msg_id = 4)]
#[derive(Debug, PartialEq)]
struct FixedUp {
    #[payload(format = "H", fix_pack = to_wire, fix_unpack = from_wire)]
    temperature: i16,
}

/// A user format: a duration in whole seconds, as a big-endian `u32`.
struct Seconds;

impl Format<Duration> for Seconds {
    fn encode(value: &Duration, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let secs = u32::try_from(value.as_secs()).map_err(EncodeError::custom)?;
        out.extend_from_slice(&secs.to_be_bytes());
        Ok(())
    }

    fn decode(reader: &mut Reader<'_>) -> Result<Duration, DecodeError> {
        Ok(Duration::from_secs(reader.read_u32()?.into()))
    }

    fn encoded_len(_: &Duration) -> usize {
        4
    }
}

#[payload(msg_id = 5)]
#[derive(Debug, PartialEq)]
struct UserFormat {
    #[payload(format = Seconds)]
    uptime: Duration,
}

/// Encode `value`, print its formats and bytes, and check that it decodes to itself.
fn show<P: Payload + PartialEq + Debug>(value: &P) {
    let bytes = value.to_bytes().expect("encodes");
    let formats: Vec<&str> = P::FIELDS.iter().map(|field| field.format).collect();
    let hex = bytes.iter().fold(String::new(), |mut hex, byte| {
        let _ = write!(hex, "{byte:02x}");
        hex
    });
    println!("{} {formats:?}", P::NAME);
    println!("  {hex}");
    assert_eq!(&P::from_bytes(&bytes).expect("decodes"), value, "round trip");
}

fn main() {
    show(&Defaults {
        flag: true,
        port: 8090,
        clock: -1,
        name: "hi".into(),
        blob: vec![0xab, 0xcd],
        mid: [0x11; 20],
    });
    show(&Named { letter: b'A', value: 7, pair: (1, 2) });
    show(&Nested {
        origin: Point { x: 1, y: 2 },
        path: vec![Point { x: 3, y: 4 }, Point { x: 5, y: 6 }],
    });
    show(&FixedUp { temperature: -5 });
    show(&UserFormat { uptime: Duration::from_secs(3600) });
}
