//! Live interop with py-ipv8 3.2.1 (`xtask/py/identity_db.py`, run with the venv's Python): an
//! identity.db written by py-ipv8's `IdentityManager` is read by us (every signature checked, the
//! same tokens, metadata, attestations and hashes, and the metadata JSON we would have written),
//! one written by us is read by py-ipv8 the same way, and each side substantiates the other's
//! disclosure.
//!
//! The interpreter is `$IPV8_PYTHON`, else `target/py-venv/bin/python` (made by `cargo xtask
//! vectors` and `cargo xtask ci`). Without it these tests fail; they never skip.

use crate::common::{python, workspace};
use std::collections::HashSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use ipv8::crypto::{Curve, PrivateKey};
use ipv8::proto::identity::chain::{
    Disclosure, IdentityAttestation, MAX_DEPTH, Pseudonym, metadata_json, pad_hash,
};
use ipv8::proto::identity::db::IdentityDb;
use ipv8::proto::identity::{Credentials, IdentityCommunity};
use ipv8::testing::{SimConfig, TestNetwork};
use serde_json::{Value, json};

/// Runs one request through `identity_db.py` and returns its answer.
fn py(request: &Value) -> Value {
    let python = python();
    let mut child = Command::new(&python)
        .arg(workspace().join("xtask/py/identity_db.py"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run {} ({err})", python.display()));
    child.stdin.take().unwrap().write_all(&serde_json::to_vec(request).unwrap()).unwrap();
    let output = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "identity_db.py failed: {stderr}");
    serde_json::from_slice(&output.stdout).unwrap()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}

fn unhex(text: &Value) -> Vec<u8> {
    let text = text.as_str().unwrap();
    (0..text.len()).step_by(2).map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap()).collect()
}

/// A credential both sides create: hash, name, schema, date and extra metadata.
type Made = ([u8; 20], &'static str, &'static str, f64, Vec<(String, String)>);

/// The credentials both sides create.
fn credentials() -> Vec<Made> {
    vec![
        (
            [0x11; 20],
            "age",
            "id_metadata",
            1_700_000_000.25,
            vec![("psn".into(), "x\u{e9}\"".into())],
        ),
        ([0x22; 20], "name", "id_metadata_big", 1.5, vec![]),
        (
            [0x33; 20],
            "range",
            "id_metadata_range_18plus",
            1_718_000_000.123_456_7,
            vec![("schema".into(), "other".into()), ("k".into(), "v".into())],
        ),
    ]
}

/// The subject's rows in `db` as py's dump lists them (each sorted by hash).
fn rust_dump(db: &IdentityDb, subject: &[u8]) -> Value {
    let mut tokens: Vec<Value> = db
        .tokens_for(subject)
        .unwrap()
        .iter()
        .map(|t| {
            json!({"previous": hex(t.previous_hash()), "content_hash": hex(t.content_hash()),
                   "signature": hex(t.signature()), "hash": hex(t.hash())})
        })
        .collect();
    let mut metadata: Vec<Value> = db
        .metadata_for(subject)
        .unwrap()
        .iter()
        .map(|m| {
            json!({"token_pointer": hex(m.token_pointer()), "json": hex(m.json()),
                   "signature": hex(m.signature()), "hash": hex(m.hash())})
        })
        .collect();
    let mut attestations: Vec<Value> = db
        .attestations_for(subject)
        .unwrap()
        .iter()
        .map(|a| {
            let authority = db.authority_of(a).unwrap().unwrap();
            json!({"metadata_pointer": hex(a.metadata_pointer()), "signature": hex(a.signature()),
                   "hash": hex(a.hash()), "authority": hex(&authority)})
        })
        .collect();
    for list in [&mut tokens, &mut metadata, &mut attestations] {
        list.sort_by_key(|v| v["hash"].as_str().unwrap().to_owned());
    }
    json!({"tokens": tokens, "metadata": metadata, "attestations": attestations})
}

/// Every token of `pseudonym` chains back to the genesis hash, every metadata and attestation
/// is signed by its owner and authority.
fn assert_all_signatures_hold(pseudonym: &Pseudonym, authority: &PrivateKey) {
    let tree = pseudonym.tree();
    assert!(tree.tokens().all(|token| tree.verify(token, MAX_DEPTH)));
    for credential in pseudonym.credentials().unwrap() {
        assert!(credential.metadata.verify(pseudonym.public_key()));
        assert!(tree.get(credential.metadata.token_pointer()).is_some());
        for (key, attestation) in credential.attestations {
            assert_eq!(key, authority.public_key().to_bin());
            assert!(attestation.verify(&authority.public_key()));
        }
    }
}

fn write_with_py(path: &Path, subject: &PrivateKey, authority: &PrivateKey) -> Value {
    let credentials: Vec<Value> = credentials()
        .into_iter()
        .map(|(hash, name, schema, date, extra)| {
            json!({"hash": hex(&hash), "name": name, "schema": schema, "date": date, "extra": extra})
        })
        .collect();
    py(&json!({
        "op": "write",
        "path": path,
        "subject": hex(&subject.to_bin()),
        "authority": hex(&authority.to_bin()),
        "credentials": credentials,
    }))
}

fn disclosure_of(value: &Value) -> Disclosure {
    Disclosure {
        metadata: unhex(&value["metadata"]),
        tokens: unhex(&value["tokens"]),
        attestations: unhex(&value["attestations"]),
        authorities: unhex(&value["authorities"]),
    }
}

#[test]
fn a_database_py_ipv8_wrote_reads_the_same_here() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqlite/identity.db");
    let subject = PrivateKey::generate(Curve::Curve25519).unwrap();
    let authority = PrivateKey::generate(Curve::Curve25519).unwrap();
    let written = write_with_py(&path, &subject, &authority);
    assert_eq!(written["valid"], true);

    let db = IdentityDb::open(&path).unwrap();
    assert_eq!(db.version().unwrap(), "1");
    let me = subject.public_key().to_bin().to_vec();
    let ours = rust_dump(&db, &me);
    for part in ["tokens", "metadata", "attestations"] {
        assert_eq!(ours[part], written[part], "{part}");
    }
    let mine = Pseudonym::mine(db.clone(), subject.clone()).unwrap();
    assert_eq!(mine.tree().len(), 3);
    assert_all_signatures_hold(&mine, &authority);

    // The metadata JSON py-ipv8 signed is byte for byte what we write.
    let stored: HashSet<Vec<u8>> =
        mine.credentials().unwrap().into_iter().map(|c| c.metadata.json().to_vec()).collect();
    let ours: HashSet<Vec<u8>> = credentials()
        .into_iter()
        .map(|(_, name, schema, date, extra)| metadata_json(name, schema, date, &extra))
        .collect();
    assert_eq!(stored, ours);
    let hashes: HashSet<[u8; 32]> = mine.tree().tokens().map(|t| *t.content_hash()).collect();
    assert!(credentials().iter().all(|(hash, ..)| hashes.contains(&pad_hash(hash))));

    // py-ipv8's disclosure loads here.
    let disclosure = disclosure_of(&written["disclosure"]);
    let mut theirs =
        Pseudonym::theirs(IdentityDb::in_memory().unwrap(), subject.public_key()).unwrap();
    // Tokens in an order that leaves some waiting make both sides answer `false`.
    let correct = theirs.substantiate(&disclosure).unwrap();
    assert_eq!(Value::Bool(correct), written["disclosure"]["correct"]);
    assert_eq!(theirs.tree().len(), 3);
    let loaded = rust_dump(theirs.db(), &me);
    assert_eq!(loaded["attestations"], written["attestations"]);
    assert_eq!(loaded["metadata"].as_array().unwrap().len(), 1);
    drop((mine, theirs, db));

    // Our community picks the chain up and lists the credentials as py-ipv8's REST API would.
    let mut net = TestNetwork::<IdentityCommunity>::empty(SimConfig::new(3));
    let db = IdentityDb::open(&path).unwrap();
    let key = subject.clone();
    let node = net.add_node(move |node, now| {
        node.add_community_with_key(now, IdentityCommunity::new(db), key).unwrap();
    });
    assert_eq!(net.overlay(node).token_chain().len(), 3);
    let listed =
        net.ask_and_wait::<IdentityCommunity, _>(node, Credentials { subject: None }).unwrap();
    let mut listed: Vec<Value> = listed
        .into_iter()
        .map(|c| {
            let attesters: Vec<String> = c.attesters.iter().map(|a| hex(a)).collect();
            json!({"hash": hex(&c.hash), "metadata": c.metadata, "attesters": attesters})
        })
        .collect();
    listed.sort_by_key(|v| v["hash"].as_str().unwrap().to_owned());
    assert_eq!(Value::Array(listed), written["credentials"]);
}

#[test]
fn a_database_we_wrote_reads_the_same_in_py_ipv8() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sqlite/identity.db");
    let subject = PrivateKey::generate(Curve::Curve25519).unwrap();
    let authority = PrivateKey::generate(Curve::Curve25519).unwrap();
    let me = subject.public_key().to_bin().to_vec();
    let (ours, disclosure) = {
        let mut mine = Pseudonym::mine(IdentityDb::open(&path).unwrap(), subject.clone()).unwrap();
        let mut last = None;
        for (hash, name, schema, date, extra) in credentials() {
            let json = metadata_json(name, schema, date, &extra);
            let made = mine.create_credential(pad_hash(&hash), json, last.as_ref()).unwrap();
            last = made.map(|credential| credential.metadata);
        }
        let last = last.unwrap();
        let attestation = IdentityAttestation::create(&last, &authority);
        assert!(mine.add_attestation(&authority.public_key(), &attestation).unwrap());
        let selector = HashSet::from([*attestation.hash()]);
        let disclosure = mine.create_disclosure(&[last], &selector).unwrap();
        (rust_dump(mine.db(), &me), disclosure)
    };

    let read = py(&json!({
        "op": "read",
        "path": path,
        "subject": hex(subject.public_key().to_bin()),
        "disclosure": {
            "metadata": hex(&disclosure.metadata),
            "tokens": hex(&disclosure.tokens),
            "attestations": hex(&disclosure.attestations),
            "authorities": hex(&disclosure.authorities),
        },
    }));
    assert_eq!(read["valid"], true);
    for part in ["tokens", "metadata", "attestations"] {
        assert_eq!(read[part], ours[part], "{part}");
    }
    assert_eq!(read["credentials"].as_array().unwrap().len(), 3);
    assert_eq!(
        (read["version"].as_str(), read["version_type"].as_str()),
        (Some("1"), Some("text"))
    );
    assert_eq!(read["page_size"], 8192);
    assert_eq!(read["journal_mode"], "wal");

    let substantiated = &read["substantiated"];
    assert_eq!(substantiated["correct"], true);
    assert_eq!(substantiated["tree"], 3);
    assert_eq!(substantiated["attestations"], ours["attestations"]);
    assert_eq!(substantiated["metadata"].as_array().unwrap().len(), 1);

    // The same tables, columns, types and keys as a file py-ipv8 made.
    let py_path = dir.path().join("py/identity.db");
    let written = write_with_py(&py_path, &subject, &authority);
    assert_eq!(read["tables"], written["tables"]);
}
