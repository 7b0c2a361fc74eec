//! Shapes `#[payload]` must accept without warnings, each checked by a round trip and by the formats
//! the macro resolved for its fields.
#![deny(warnings, unused_qualifications)]

use std::convert::Infallible;
use std::net::{SocketAddr, SocketAddrV4};

use ipv8::payload;
use ipv8::wire::format::Address;
use ipv8::wire::{DecodeError, EncodeError, Format, Message, Payload, Reader};

fn round_trip<P: Payload + PartialEq + std::fmt::Debug>(value: &P) -> Vec<u8> {
    let bytes = value.to_bytes().expect("encodes");
    assert_eq!(bytes.len(), value.encoded_len(), "encoded_len of {}", P::NAME);
    assert_eq!(&P::from_bytes(&bytes).expect("decodes"), value);
    bytes
}

fn formats<P: Payload>() -> Vec<&'static str> {
    P::FIELDS.iter().map(|field| field.format).collect()
}

#[payload]
#[derive(Debug, PartialEq)]
struct Inner {
    x: i64,
}

#[payload(msg_id = 7)]
#[derive(Debug, PartialEq)]
struct Defaults {
    a: bool,
    b: u8,
    c: u16,
    d: u32,
    e: u64,
    f: i32,
    g: i64,
    h: f32,
    i: f64,
    j: String,
    k: Vec<u8>,
    l: Vec<i64>,
    m: Vec<bool>,
    n: Vec<f64>,
    o: Vec<Vec<u8>>,
    p: [u8; 20],
    q: SocketAddrV4,
    r: SocketAddr,
    s: Inner,
    t: Vec<Inner>,
}

#[test]
fn default_formats_follow_the_dataclass_mapping() {
    assert_eq!(
        formats::<Defaults>(),
        [
            "?",
            "B",
            "H",
            "I",
            "Q",
            "l",
            "q",
            "f",
            "d",
            "varlenHutf8",
            "varlenH",
            "arrayH-q",
            "arrayH-?",
            "arrayH-d",
            "varlenH-list",
            "20s",
            "ipv4",
            "ip_address",
            "payload",
            "payload-list"
        ]
    );
    assert_eq!(Defaults::MSG_ID, 7);
    round_trip(&Defaults {
        a: true,
        b: 200,
        c: 0x1234,
        d: 7,
        e: u64::MAX - 1,
        f: -2,
        g: -1,
        h: 1.5,
        i: -2.25,
        j: "hé".into(),
        k: b"ab".to_vec(),
        l: vec![1, -2],
        m: vec![true, false],
        n: vec![1.5],
        o: vec![b"ab".to_vec(), Vec::new()],
        p: [0x11; 20],
        q: "1.2.3.4:80".parse().unwrap(),
        r: "[2001:db8::1]:8090".parse().unwrap(),
        s: Inner { x: 7 },
        t: vec![Inner { x: 1 }, Inner { x: 2 }],
    });
}

#[payload(msg_id = 8)]
#[derive(Debug, PartialEq)]
struct Named {
    #[payload(format = "BBH")]
    bbh: (u8, u8, u16),
    #[payload(format = "BH")]
    bh: (u8, u16),
    #[payload(format = "c")]
    c: u8,
    #[payload(format = "HH")]
    hh: (u16, u16),
    #[payload(format = "LL")]
    ll: (u32, u32),
    #[payload(format = "QH")]
    qh: (u64, u16),
    #[payload(format = "QL")]
    ql: (u64, u32),
    #[payload(format = "QQHHBH")]
    qqhhbh: (u64, u64, u16, u16, u8, u16),
    #[payload(format = "ccB")]
    ccb: (u8, u8, u8),
    #[payload(format = "4SH")]
    s4h: ([u8; 4], u16),
    #[payload(format = "32s")]
    s32: Vec<u8>,
    #[payload(format = "64s")]
    s64: [u8; 64],
    #[payload(format = "74s")]
    s74: [u8; 74],
    #[payload(format = "c20s")]
    c20s: (u8, [u8; 20]),
    #[payload(format = "bits")]
    bits: [bool; 8],
    #[payload(format = "doublevarlenH")]
    dvh: Vec<u8>,
    #[payload(format = "varlenI")]
    vi: Vec<u8>,
    #[payload(format = "varlenIutf8")]
    viu: String,
    #[payload(format = "varlenBx2")]
    vb2: Vec<u8>,
    #[payload(format = "varlenHx20")]
    vh20: Vec<[u8; 20]>,
    #[payload(format = "address")]
    address: Address,
    #[payload(format = "raw")]
    raw: Vec<u8>,
}

#[test]
fn every_named_format_round_trips() {
    let bytes = round_trip(&Named {
        bbh: (1, 2, 0x0304),
        bh: (1, 0x0203),
        c: b'A',
        hh: (1, 2),
        ll: (1, 2),
        qh: (1, 2),
        ql: (1, 2),
        qqhhbh: (1, 2, 3, 4, 5, 6),
        ccb: (b'a', b'b', 3),
        s4h: ([1, 2, 3, 4], 80),
        s32: [7; 32].to_vec(),
        s64: [8; 64],
        s74: [9; 74],
        c20s: (b'Y', [0x11; 20]),
        bits: [true, false, true, false, false, false, false, true],
        dvh: b"ab".to_vec(),
        vi: b"ab".to_vec(),
        viu: "hé".into(),
        vb2: b"abcd".to_vec(),
        vh20: vec![[1; 20], [2; 20]],
        address: Address::Host { host: "example.com".into(), port: 53 },
        raw: b"rest".to_vec(),
    });
    assert!(bytes.ends_with(b"rest"));
    assert_eq!(formats::<Named>()[14], "bits");
}

/// A user format (py-ipv8's `add_packer`): a Unix time as a big-endian `u32`.
struct UnixTime;

impl Format<std::time::Duration> for UnixTime {
    fn encode(value: &std::time::Duration, out: &mut Vec<u8>) -> Result<(), EncodeError> {
        let secs = u32::try_from(value.as_secs()).map_err(EncodeError::custom)?;
        out.extend_from_slice(&secs.to_be_bytes());
        Ok(())
    }
    fn decode(reader: &mut Reader<'_>) -> Result<std::time::Duration, DecodeError> {
        Ok(std::time::Duration::from_secs(reader.read_u32()?.into()))
    }
    fn encoded_len(_: &std::time::Duration) -> usize {
        4
    }
}

#[derive(Debug, PartialEq)]
struct Settings {
    name: String,
    level: u8,
}

/// A fix-up module: `Settings` travels as `name=level` text in a `varlenH`.
mod settings_text {
    #[allow(clippy::unnecessary_wraps, reason = "a fix-up's signature is fixed")]
    pub(crate) fn fix_pack(
        settings: &super::Settings,
    ) -> Result<Vec<u8>, std::convert::Infallible> {
        Ok(format!("{}={}", settings.name, settings.level).into_bytes())
    }

    pub(crate) fn fix_unpack(wire: Vec<u8>) -> Result<super::Settings, String> {
        let text = String::from_utf8(wire).map_err(|err| err.to_string())?;
        let (name, level) = text.split_once('=').ok_or("no `=`")?;
        Ok(super::Settings { name: name.into(), level: level.parse().map_err(|_| "bad level")? })
    }
}

#[allow(
    clippy::unnecessary_wraps,
    clippy::trivially_copy_pass_by_ref,
    reason = "a fix-up's signature is fixed"
)]
fn double(value: &u32) -> Result<u64, Infallible> {
    Ok(u64::from(*value) * 2)
}

fn halve(wire: u64) -> Result<u32, String> {
    u32::try_from(wire / 2).map_err(|err| err.to_string())
}

#[payload(msg_id = 9)]
#[derive(Debug, PartialEq)]
struct Custom {
    #[payload(format = UnixTime)]
    at: std::time::Duration,
    #[payload(format = "varlenH", with = settings_text)]
    settings: Settings,
    #[payload(format = "Q", fix_pack = double, fix_unpack = halve)]
    doubled: u32,
}

#[test]
fn user_formats_and_fix_ups_round_trip() {
    let custom = Custom {
        at: std::time::Duration::from_secs(1_700_000_000),
        settings: Settings { name: "walker".into(), level: 3 },
        doubled: 21,
    };
    let bytes = round_trip(&custom);
    assert_eq!(&bytes[..4], &1_700_000_000_u32.to_be_bytes());
    assert_eq!(&bytes[4..6], &[0, 8]);
    assert_eq!(&bytes[6..14], b"walker=3");
    assert_eq!(&bytes[14..], &42_u64.to_be_bytes());
    assert_eq!(formats::<Custom>(), ["UnixTime", "varlenH", "Q"]);
}

#[test]
fn fix_up_errors_name_the_field() {
    let mut bytes = Custom {
        at: std::time::Duration::ZERO,
        settings: Settings { name: "x".into(), level: 1 },
        doubled: 0,
    }
    .to_bytes()
    .unwrap();
    bytes[6 + 1] = b'?';
    let err = Custom::from_bytes(&bytes).unwrap_err();
    assert_eq!(err.to_string(), "Custom.settings: no `=`");
}

#[payload]
#[derive(Debug, PartialEq)]
struct Generic<T: Payload> {
    items: Vec<T>,
}

#[payload]
#[derive(Debug, PartialEq)]
struct Empty;

#[test]
fn generic_and_empty_payloads() {
    round_trip(&Generic { items: vec![Inner { x: 3 }] });
    assert!(round_trip(&Empty).is_empty());
}

mod reexport {
    pub(crate) use ipv8 as renamed;
}

#[payload(msg_id = 10, crate = "reexport::renamed")]
#[derive(Debug, PartialEq)]
struct ThroughReexport {
    x: u16,
}

#[test]
fn crate_path_can_be_renamed() {
    assert_eq!(round_trip(&ThroughReexport { x: 0x0102 }), [1, 2]);
}
