//! Live interop with py-ipv8 3.2.1 (`xtask/py/keys_interop.py`, run with the venv's Python): key files
//! written by either side load in the other to the same public key and mid, signatures made by either
//! side verify in the other, and both sides accept and refuse the same odd inputs.
//!
//! The interpreter is `$IPV8_PYTHON`, else `target/py-venv/bin/python` (made by `cargo xtask vectors`
//! and `cargo xtask ci`). Without it these tests fail; they never skip. Nothing touches the network.
#![cfg(feature = "legacy-curves")]

use crate::common::{python, workspace};
use std::fmt::Write as _;
use std::io::Write as _;
use std::process::{Command, Stdio};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ipv8::crypto::{Curve, KeyError, PrivateKey, PublicKey, keyfile};
use serde_json::{Value, json};

const LEVELS: [&str; 5] = ["curve25519", "very-low", "low", "medium", "high"];

/// A sect163k1 public key with a compressed point (made with the `openssl` tool).
const COMPRESSED_PUBLIC: &str =
    "302b301006072a8648ce3d020106052b810400010317000305349dde525b2b4276cef4a2ba3cd6feed9af5a47c";
/// The same key with its curve given by explicit parameters instead of a name.
const EXPLICIT_PUBLIC: &str = "3081de3081ad06072a8648ce3d02013081a1020101302506072a8648ce3d0102301a020200a306092a8648ce3d01\
     0203033009020103020106020107302e041500000000000000000000000000000000000000000104150000000000000000\
     00000000000000000000000001042b0402fe13c0537bbc11acaa07d793de4e6d5e5c94eee80289070fb05d38ff58321f2e\
     800536d538ccdaa3d9021504000000000000000000020108a2e0cc0d99f8a5ef020102032c000405349dde525b2b4276ce\
     f4a2ba3cd6feed9af5a47c024c25031db9052610b8a61d03b263ce3fd80deb26";
/// Its private key, SEC1 with a compressed public point.
const COMPRESSED_PRIVATE: &str = "303e020101041500f1c366da7f1d1bd68f6f0edd5e5ce59389d03083a00706052b81040001a119\
     0317000305349dde525b2b4276cef4a2ba3cd6feed9af5a47c";

/// Runs the requests through py-ipv8 and returns its answers, one per request.
fn py(requests: &[Value]) -> Vec<Value> {
    let python = python();
    let mut child = Command::new(&python)
        .arg(workspace().join("xtask/py/keys_interop.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| {
            panic!(
                "cannot run {} ({err}); run `cargo xtask vectors` to create the py-ipv8 venv",
                python.display()
            )
        });
    let input = serde_json::to_vec(requests).unwrap();
    child.stdin.take().unwrap().write_all(&input).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "keys_interop.py failed: {stderr}");
    let answers: Vec<Value> = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(answers.len(), requests.len());
    answers
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

fn curve_of(level: &str) -> Curve {
    level.parse().unwrap()
}

/// Checks py-ipv8's description of a key against ours.
fn assert_same_key(described: &Value, key: &PrivateKey) {
    let public = key.public_key();
    assert_eq!(described["public"], hex(public.to_bin()), "{described}");
    assert_eq!(described["mid"], hex(public.mid().as_bytes()));
    assert_eq!(described["curve"], key.curve().curve_name());
    assert_eq!(described["sig_len"], public.signature_len());
    assert_eq!(described["private"], hex(&key.to_bin()));
}

#[test]
fn key_files_written_in_rust_load_in_py_ipv8() {
    let dir = tempfile::tempdir().unwrap();
    let keys: Vec<_> = LEVELS.map(|level| PrivateKey::generate(curve_of(level)).unwrap()).into();
    let requests: Vec<_> = LEVELS
        .iter()
        .zip(&keys)
        .map(|(level, key)| {
            let path = dir.path().join(format!("{level}.pem"));
            keyfile::write(&path, key, false).unwrap();
            json!({"op": "load", "path": path})
        })
        .collect();
    for (described, key) in py(&requests).iter().zip(&keys) {
        assert_same_key(described, key);
    }
}

#[test]
fn key_files_written_by_py_ipv8_load_in_rust() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = LEVELS.map(|level| dir.path().join(format!("{level}.pem"))).into();
    let requests: Vec<_> = LEVELS
        .iter()
        .zip(&paths)
        .map(|(level, path)| json!({"op": "generate", "level": level, "out": path}))
        .collect();
    for ((described, path), level) in py(&requests).iter().zip(&paths).zip(LEVELS) {
        let key = keyfile::read(path).unwrap();
        assert_eq!(key.curve(), curve_of(level));
        assert_same_key(described, &key);
    }
    // py-ipv8 3.2.1 makes sect571k1 keys for "high", not the sect571r1 of its docs.
    assert_eq!(keyfile::read(&paths[4]).unwrap().curve().curve_name(), "sect571k1");
}

#[test]
fn signatures_verify_both_ways() {
    let dir = tempfile::tempdir().unwrap();
    let message = b"signed by one implementation, verified by the other";
    let mut requests = Vec::new();
    let mut ours = Vec::new();
    for level in LEVELS {
        let theirs = dir.path().join(format!("py-{level}.pem"));
        requests.push(json!({"op": "generate", "level": level, "out": theirs}));
        requests.push(json!({"op": "sign", "path": theirs, "msg": hex(message)}));
        let key = PrivateKey::generate(curve_of(level)).unwrap();
        let signature = key.sign(message);
        let public = hex(key.public_key().to_bin());
        requests.push(
            json!({"op": "verify", "public": public, "msg": hex(message), "sig": hex(&signature)}),
        );
        requests.push(
            json!({"op": "verify", "public": public, "msg": hex(b"other"), "sig": hex(&signature)}),
        );
        ours.push(theirs);
    }
    let answers = py(&requests);
    for (chunk, path) in answers.chunks(4).zip(&ours) {
        let public = keyfile::read(path).unwrap().public_key();
        let signature = unhex(chunk[1]["sig"].as_str().unwrap());
        assert_eq!(signature.len(), public.signature_len());
        assert!(
            public.verify(message, &signature),
            "py-ipv8's {:?} signature verifies",
            public.curve()
        );
        assert!(!public.verify(b"other", &signature));
        assert_eq!(chunk[2]["valid"], true, "py-ipv8 verifies our {:?} signature", public.curve());
        assert_eq!(chunk[3]["valid"], false);
    }
}

#[test]
fn py_ipv8_pem_exports_load_in_rust() {
    let dir = tempfile::tempdir().unwrap();
    let paths: Vec<_> = LEVELS.map(|level| dir.path().join(format!("{level}.pem"))).into();
    let generate: Vec<_> = LEVELS
        .iter()
        .zip(&paths)
        .map(|(level, path)| json!({"op": "generate", "level": level, "out": path}))
        .collect();
    py(&generate);
    let pems = py(&paths.iter().map(|path| json!({"op": "pem", "path": path})).collect::<Vec<_>>());
    for (pem, path) in pems.iter().zip(&paths) {
        let key = keyfile::read(path).unwrap();
        let private =
            PrivateKey::from_bin(pem["private_pem"].as_str().unwrap().as_bytes()).unwrap();
        let public = PublicKey::from_bin(pem["public_pem"].as_str().unwrap().as_bytes()).unwrap();
        assert!(public.verify(b"m", &key.sign(b"m")));
        if key.curve() == Curve::Curve25519 {
            // A curve25519 PEM holds only the Ed25519 half: lossy in py-ipv8 too.
            assert_eq!(private.to_bin()[42..], key.to_bin()[42..]);
        } else {
            assert_eq!(private.to_bin(), key.to_bin());
            assert_eq!(public, key.public_key());
        }
    }
}

/// Odd inputs: py-ipv8 and we must accept the same ones, with the same resulting public key.
#[test]
fn odd_public_keys_are_treated_alike() {
    let a = PrivateKey::generate(Curve::Curve25519).unwrap();
    let a_public = a.public_key().to_bin().to_vec();
    let legacy = PrivateKey::generate(Curve::Low).unwrap().public_key().to_bin().to_vec();
    let mut off_curve = [&b"LibNaCLPK:"[..], &[1; 32], &[0; 32]].concat();
    off_curve[42] = 2;
    let spki = [
        &[0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00],
        &a_public[42..],
    ]
    .concat();
    let pem = format!(
        "-----BEGIN PUBLIC KEY-----\n{}\n-----END PUBLIC KEY-----\n",
        STANDARD.encode(&legacy)
    );
    let inputs: Vec<Vec<u8>> = vec![
        [a_public.as_slice(), b"extra"].concat(),
        a_public[..73].to_vec(),
        [legacy.as_slice(), b"junk"].concat(),
        legacy[..legacy.len() - 1].to_vec(),
        off_curve,
        spki,
        pem.into_bytes(),
        b"garbage".to_vec(),
        a.to_bin(),
        unhex(COMPRESSED_PUBLIC),
        unhex(EXPLICIT_PUBLIC),
    ];
    let requests: Vec<_> =
        inputs.iter().map(|input| json!({"op": "load_public", "public": hex(input)})).collect();
    let accepted: Vec<bool> =
        inputs.iter().map(|input| PublicKey::from_bin(input).is_ok()).collect();
    assert_eq!(accepted, [true, false, true, false, true, true, true, false, false, true, true]);
    for (answer, input) in py(&requests).iter().zip(&inputs) {
        match PublicKey::from_bin(input) {
            Ok(key) => assert_eq!(answer["public"], hex(key.to_bin()), "input {}", hex(input)),
            Err(err) => assert!(
                answer.get("error").is_some(),
                "py-ipv8 accepts what we refuse ({err}): {answer}"
            ),
        }
    }
}

#[test]
fn odd_private_keys_are_treated_alike() {
    let a = PrivateKey::generate(Curve::Curve25519).unwrap().to_bin();
    let legacy = PrivateKey::generate(Curve::Medium).unwrap().to_bin();
    let pem = format!(
        "-----BEGIN EC PRIVATE KEY-----\n{}\n-----END EC PRIVATE KEY-----",
        STANDARD.encode(&legacy)
    );
    let inputs: Vec<Vec<u8>> = vec![
        [a.as_slice(), b"extra"].concat(),
        a[..60].to_vec(),
        [legacy.as_slice(), b"junk"].concat(),
        legacy[..legacy.len() - 10].to_vec(),
        pem.into_bytes(),
        b"".to_vec(),
        unhex(COMPRESSED_PRIVATE),
    ];
    let requests: Vec<_> =
        inputs.iter().map(|input| json!({"op": "load_private", "private": hex(input)})).collect();
    let accepted: Vec<bool> =
        inputs.iter().map(|input| PrivateKey::from_bin(input).is_ok()).collect();
    assert_eq!(accepted, [true, false, true, false, true, false, true]);
    for (answer, input) in py(&requests).iter().zip(&inputs) {
        match PrivateKey::from_bin(input) {
            Ok(key) => assert_same_key(answer, &key),
            Err(err) => assert!(
                answer.get("error").is_some(),
                "py-ipv8 accepts what we refuse ({err}): {answer}"
            ),
        }
    }
}

/// A known, deliberate difference: py-ipv8 (through `OpenSSL`) takes a key on any named curve, we only
/// take the curves py-ipv8 generates. Pinned so that a change on either side is noticed.
#[test]
fn keys_on_curves_py_ipv8_never_generates_are_refused_here_only() {
    let p256 = "3059301306072a8648ce3d020106082a8648ce3d030107034200047653f22ddf9b3504e167ff661bd624c61188d6f52f22\
                1243fc885403d4ec96575fd755ef3d00b9b48b6351d4a84eb09ae2ce333646f2d6d896d9aaf1a0806c51";
    let answer = &py(&[json!({"op": "load_public", "public": p256})])[0];
    assert_eq!(answer["curve"], "prime256v1");
    let err = PublicKey::from_bin(&unhex(p256)).unwrap_err();
    assert_eq!(err, KeyError::UnknownCurve("prime256v1".into()));
}
