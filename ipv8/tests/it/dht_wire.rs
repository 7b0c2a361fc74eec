//! The DHT's node ids and value format against the spec's vectors (`dht.md` §3 and §6.1, taken from
//! py-ipv8 3.2.1 and `advanced-vectors.json`, key `dht`); its messages are covered by the golden
//! vectors of `vectors.rs`.

use ipv8::crypto::{Mid, PrivateKey};
use ipv8::proto::dht::{MAX_ENTRY_SIZE, NodeId, Value, ValueError};

/// Key A of the spec (`core-vectors.json`): X25519 half 20..3f, Ed25519 seed 00..1f.
const KEY_A: &str = "4c69624e61434c534b3a202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";
const MID_A: &str = "2ac359af2f5f2ccc00c02f64d42a4b447083322e";
const NODE_ID_A_1_2_3_4: &str = "b63cfb2ac359af2f5f2ccc00c02f64d42a4b4470";
const NODE_ID_A_2001_DB8_1: &str = "a3e80e2ac359af2f5f2ccc00c02f64d42a4b4470";
const SIGNED_HELLO_V1700000000_A: &str = "01000568656c6c6f6553f100004a4c69624e61434c504b3a358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd16625403a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8ea248bf4cbd961c05ba447420dcb4d767c733c9882f4c6e8cab49a887745d9c5bc3efcc7e14c6612de23b34a7b230f9c440b056496bae4fda009a8aa75d45f03";

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn key_a() -> PrivateKey {
    PrivateKey::from_bin(&unhex(KEY_A)).unwrap()
}

#[test]
fn node_ids_are_py_ipv8s() {
    let mid = key_a().mid();
    assert_eq!(mid.to_hex(), MID_A);
    let v4 = NodeId::of("1.2.3.4".parse().unwrap(), &mid);
    assert_eq!(v4.to_string(), NODE_ID_A_1_2_3_4);
    let v6 = NodeId::of("2001:db8::1".parse().unwrap(), &mid);
    assert_eq!(v6.to_string(), NODE_ID_A_2001_DB8_1);
    // The port is not part of the id; the masked bits of the address are not either.
    let masked = NodeId::of("253.242.195.4".parse().unwrap(), &mid);
    assert_eq!(masked, v4, "1.2.3.4 and 253.242.195.4 agree on every unmasked bit");
    let mapped = NodeId::of("::ffff:1.2.3.4".parse().unwrap(), &mid);
    assert_eq!(mapped, v4, "an IPv4-mapped address is its IPv4 address");
}

#[test]
fn distance_is_xor_ordered_as_a_big_endian_number() {
    let zero = NodeId::from([0; 20]);
    let mut one = [0; 20];
    one[19] = 1;
    let mut top = [0; 20];
    top[0] = 0x80;
    let (one, top) = (NodeId::from(one), NodeId::from(top));
    assert_eq!(top.distance(&one).as_bytes()[0], 0x80);
    assert!(zero.cmp_distance(&one, &top).is_lt());
    assert!(top.bit(0) && !top.bit(1) && one.bit(159) && !one.bit(158));
    let mid = Mid::from([7; 20]);
    let a = NodeId::of("10.0.0.1".parse().unwrap(), &mid);
    assert_eq!(a.distance(&a), zero);
}

#[test]
fn values_are_byte_exact_with_py_ipv8() {
    assert_eq!(Value::unsigned(b"hello").unwrap(), unhex("0068656c6c6f"));
    let signed = Value::signed(b"hello", 1_700_000_000, &key_a()).unwrap();
    assert_eq!(signed, unhex(SIGNED_HELLO_V1700000000_A));
    let parsed = Value::parse(&signed).unwrap();
    let Value::Signed { data, version, public_key } = parsed else { panic!("signed") };
    assert_eq!(
        (data.as_slice(), version, public_key),
        (&b"hello"[..], 1_700_000_000, key_a().public_key())
    );
    assert_eq!(Value::parse(&unhex("0068656c6c6f")).unwrap(), Value::Unsigned(b"hello".to_vec()));
}

#[test]
fn bad_values_are_refused_with_a_reason() {
    let mut forged = unhex(SIGNED_HELLO_V1700000000_A);
    forged[3] ^= 1; // "hello" becomes "iello": the signature no longer covers it.
    assert!(matches!(Value::parse(&forged), Err(ValueError::BadSignature)));
    let signed = unhex(SIGNED_HELLO_V1700000000_A);
    assert!(matches!(Value::parse(&signed[..signed.len() - 1]), Err(ValueError::BadSignature)));
    assert!(matches!(Value::parse(&signed[..5]), Err(ValueError::Malformed(_))));
    assert!(matches!(Value::parse(&[]), Err(ValueError::Empty)));
    assert!(matches!(Value::parse(&[2, 0]), Err(ValueError::UnknownType(2))));
    assert!(matches!(Value::parse(&[0; MAX_ENTRY_SIZE + 1]), Err(ValueError::TooLarge(171))));
    // With a 74-byte key a signed value has 147 bytes of overhead: 23 bytes of data fit, 24 do not.
    assert!(Value::signed(&[0; 23], 1, &key_a()).is_ok());
    assert!(matches!(Value::signed(&[0; 24], 1, &key_a()), Err(ValueError::TooLarge(171))));
}
