//! The key and signature vectors of the core wire-format spec (§3, §6): keys A, B, C (curve25519) and
//! L (sect163k1), the Ed25519 signature of "hello", the legacy-signed packets V19 and V25, and every
//! signed packet py-ipv8 captured into `schemas/vectors/messages.json`.

use std::path::Path;

use ipv8::crypto::{Curve, KeyError, Mid, PrivateKey, PublicKey, verify_batch};
use serde_json::Value;

/// Decodes hex, ignoring whitespace so the spec's line breaks can be kept.
fn unhex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(|byte| !byte.is_ascii_whitespace()).collect();
    digits
        .chunks(2)
        .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).expect("hex digit"))
        .collect()
}

struct KeyVector {
    private: &'static str,
    public: &'static str,
    mid: &'static str,
    curve: Curve,
}

const A: KeyVector = KeyVector {
    private: "4c69624e61434c534b3a 202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f
              000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f",
    public: "4c69624e61434c504b3a 358072d6365880d1aeea329adf9121383851ed21a28e3b75e965d0d2cd166254
             03a107bff3ce10be1d70dd18e74bc09967e4d6309ba50d5f1ddc8664125531b8",
    mid: "2ac359af2f5f2ccc00c02f64d42a4b447083322e",
    curve: Curve::Curve25519,
};

const B: KeyVector = KeyVector {
    private: "4c69624e61434c534b3a 606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f
              404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f",
    public:
        "4c69624e61434c504b3a675dd574ed7789310b3d2e7681f3790b466c773b1521fecf36577958371ea52f2543b9
             2ff1095511476adc8369db6ddc933665a11978dda1404ee1066ca9559d",
    mid: "b08d5cecc674583317bd228c9b1665d6a3db370f",
    curve: Curve::Curve25519,
};

const C: KeyVector = KeyVector {
    private: "4c69624e61434c534b3a a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf
              808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f",
    public:
        "4c69624e61434c504b3a605a725d2a4adfeeb1a29e17edd621c1b7593ee8cdbc44ac6c4ab6e2f805d23ccd14
             b37f956e953194ff7fb73b3d81dcc561d61a7538094b7c3e1a643ee5f3aa",
    mid: "23a3b16e662c737287d634e38aa1d614988d89cb",
    curve: Curve::Curve25519,
};

const L: KeyVector = KeyVector {
    private: "30530201010415012323232323232323232323232323232323232323a00706052b81040001a12e032c0004002e5c2c7d
              28ad993dc77ad499f2ba674c110d6c640009928c768714e516690d1f8630cb9c458a2d8628",
    public: "3040301006072a8648ce3d020106052b81040001032c0004002e5c2c7d28ad993dc77ad499f2ba674c110d6c640009
             928c768714e516690d1f8630cb9c458a2d8628",
    mid: "b0e2ea2bbf921d2019d9b126e5fb92dbbae3368a",
    curve: Curve::VeryLow,
};

const A_SIGNS_HELLO: &str = "e1a7fca94a835127885b99e2eba733d6ee5bf5dc463ed8385eb6f1dcaa1117c0
                             f151750a10f46f5b3796a91203578f702c85c67c334b5689a516284d499f710f";

/// V19: introduction-request 246 signed with legacy key L (sect163k1).
const V19: &str = "00027e313685c1912a141279f8248fc8db5899c5df5a f6
    0042 3040301006072a8648ce3d020106052b81040001032c0004002e5c2c7d28ad993dc77ad499f2ba674c110d6c640009928c768714e516690d1f8630cb9c458a2d8628
    0000000000000001c63364141f9bc0a8010a1f9ccb0071051f9c010001
    025100cbd90379c45e9fc8b4790365b74e344849bf0396b85147dd6da56306ff699557755c5619a5ef5c";

/// V25: the tracker's introduction-response 245, signed with its random sect163k1 key.
const V25: &str = "00027e313685c1912a141279f8248fc8db5899c5df5a f5
    0042 3040301006072a8648ce3d020106052b81040001032c000400b74d0053c3f2ab8e13bb6ba2e66be08586b56f04022d4a619b9cc47dbbf2f99f8edfc6e7e7eed2a898
    0000000000000002cb0071051f9a0a010101191582a177ce19150a0000071f9bc63364141f9b100008
    03e69b1bf050ebfae5bb07b5399a919938bc3fc36d014c789c9b6c1da516d58bf2b39c4fa4edf632c2c5";

/// A signed packet taken apart as py-ipv8's receiver does (spec §2.2): the key after the 23-byte
/// header, the signature as the last `signature_len` bytes, the signed data everything before it.
struct Signed {
    key: PublicKey,
    data: Vec<u8>,
    signature: Vec<u8>,
}

fn split_signed(packet: &[u8]) -> Signed {
    let key_len = usize::from(u16::from_be_bytes([packet[23], packet[24]]));
    let key = PublicKey::from_bin(&packet[25..25 + key_len]).expect("the packet's key parses");
    let (data, signature) = packet.split_at(packet.len() - key.signature_len());
    Signed { key, data: data.to_vec(), signature: signature.to_vec() }
}

fn check_key_vector(vector: &KeyVector) {
    let private = PrivateKey::from_bin(&unhex(vector.private)).unwrap();
    assert_eq!(private.to_bin(), unhex(vector.private));
    assert_eq!(private.curve(), vector.curve);
    let public = private.public_key();
    assert_eq!(public.to_bin(), unhex(vector.public));
    assert_eq!(public.mid().to_string(), vector.mid);
    assert_eq!(public.signature_len(), vector.curve.signature_len());
    let parsed = PublicKey::from_bin(&unhex(vector.public)).unwrap();
    assert_eq!(parsed, public);
    assert_eq!(parsed.mid(), Mid::hash(&unhex(vector.public)));
    let signature = private.sign(b"spec vector");
    assert!(parsed.verify(b"spec vector", &signature));
}

#[test]
fn curve25519_keys_a_b_c_match_the_spec() {
    for vector in [&A, &B, &C] {
        check_key_vector(vector);
    }
}

#[test]
fn legacy_key_l_matches_the_spec() {
    check_key_vector(&L);
    assert_eq!(PublicKey::from_bin(&unhex(L.public)).unwrap().signature_len(), 42);
}

#[test]
fn key_a_signs_hello_as_the_spec_says() {
    let key = PrivateKey::from_bin(&unhex(A.private)).unwrap();
    assert_eq!(key.sign(b"hello"), unhex(A_SIGNS_HELLO));
    assert!(key.public_key().verify(b"hello", &unhex(A_SIGNS_HELLO)));
    assert!(!key.public_key().verify(b"hellO", &unhex(A_SIGNS_HELLO)));
}

#[test]
fn legacy_packets_v19_and_v25_verify() {
    for packet in [V19, V25] {
        let signed = split_signed(&unhex(packet));
        assert_eq!(signed.key.curve(), Curve::VeryLow);
        assert_eq!(signed.signature.len(), 42);
        assert!(signed.key.verify(&signed.data, &signed.signature));
        let mut tampered = signed.data.clone();
        tampered[30] ^= 1;
        assert!(!signed.key.verify(&tampered, &signed.signature));
        let mut forged = signed.signature.clone();
        forged[41] ^= 1;
        assert!(!signed.key.verify(&signed.data, &forged));
    }
    assert_eq!(split_signed(&unhex(V19)).key.to_bin(), unhex(L.public));
}

/// Every signed packet of `schemas/vectors/messages.json`, split into its parts.
fn captured_signed_packets() -> Vec<Signed> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/vectors/messages.json");
    let vectors: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    let messages = vectors["messages"].as_array().unwrap();
    let signed: Vec<_> = messages
        .iter()
        .filter(|message| message["signed"] == Value::Bool(true))
        .map(|message| split_signed(&unhex(message["hex"].as_str().unwrap())))
        .collect();
    assert!(signed.len() >= 10, "expected the spec's signed packets, found {}", signed.len());
    signed
}

#[test]
fn every_captured_signed_packet_verifies() {
    for signed in captured_signed_packets() {
        assert!(signed.key.verify(&signed.data, &signed.signature));
    }
}

#[test]
fn batch_verification_agrees_with_single_verification() {
    let mut packets = captured_signed_packets();
    packets.extend([V19, V25].map(|packet| split_signed(&unhex(packet))));
    packets[1].signature[0] ^= 1; // One bad Ed25519 signature must not spoil the others.
    packets[3].data.push(0);
    let items: Vec<_> =
        packets.iter().map(|p| (&p.key, p.data.as_slice(), p.signature.as_slice())).collect();
    let expected: Vec<bool> = items.iter().map(|(key, data, sig)| key.verify(data, sig)).collect();
    assert_eq!(verify_batch(&items), expected);
    assert_eq!(expected.iter().filter(|&&valid| !valid).count(), 2);
    assert_eq!(verify_batch(&items[4..]), vec![true; items.len() - 4]);
    assert_eq!(verify_batch(&[]), Vec::<bool>::new());
}

#[test]
fn a_key_of_an_unknown_curve_is_an_error_not_a_panic() {
    // prime256v1 (secp256r1), a curve py-ipv8 never generates.
    let p256 = unhex(
        "3059301306072a8648ce3d020106082a8648ce3d030107034200047653f22ddf9b3504e167ff661bd624c61188d6f52f22
         1243fc885403d4ec96575fd755ef3d00b9b48b6351d4a84eb09ae2ce333646f2d6d896d9aaf1a0806c51",
    );
    let err = PublicKey::from_bin(&p256).unwrap_err();
    if cfg!(feature = "legacy-curves") {
        assert_eq!(err, KeyError::UnknownCurve("prime256v1".into()));
    } else {
        assert_eq!(err, KeyError::LegacyCurvesDisabled);
    }
}
