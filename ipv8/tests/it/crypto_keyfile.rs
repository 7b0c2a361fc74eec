//! Key files as py-ipv8 writes them: raw `key_to_bin` bytes, owner-only, never silently overwritten,
//! and clear errors (naming the file) for every kind of bad file.

use std::fs;

use ipv8::crypto::{Curve, KeyError, KeyFileError, PrivateKey, keyfile};

/// The curves every build can generate.
fn curves() -> Vec<Curve> {
    if cfg!(feature = "legacy-curves") {
        vec![Curve::Curve25519, Curve::VeryLow, Curve::Low, Curve::Medium, Curve::High]
    } else {
        vec![Curve::Curve25519]
    }
}

#[test]
fn written_files_hold_the_raw_key_bytes_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    for curve in curves() {
        let path = dir.path().join(format!("{curve}.pem"));
        let key = PrivateKey::generate(curve).unwrap();
        keyfile::write(&path, &key, false).unwrap();
        assert_eq!(fs::read(&path).unwrap(), key.to_bin());
        let read = keyfile::read(&path).unwrap();
        assert_eq!(read.public_key(), key.public_key());
        assert_eq!(read.curve(), curve);
    }
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names.len(), curves().len(), "no temporary files are left behind: {names:?}");
}

#[cfg(unix)]
#[test]
fn written_files_are_owner_only() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("ec_multichain.pem");
    keyfile::write(&path, &PrivateKey::generate(Curve::Curve25519).unwrap(), false).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
    fs::set_permissions(&path, fs::Permissions::from_mode(0o644)).unwrap();
    keyfile::write(&path, &PrivateKey::generate(Curve::Curve25519).unwrap(), true).unwrap();
    assert_eq!(fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn existing_files_are_only_replaced_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("key.pem");
    let first = PrivateKey::generate(Curve::Curve25519).unwrap();
    let second = PrivateKey::generate(Curve::Curve25519).unwrap();
    keyfile::write(&path, &first, false).unwrap();
    let err = keyfile::write(&path, &second, false).unwrap_err();
    assert!(matches!(&err, KeyFileError::Exists { path: p } if *p == path));
    assert_eq!(err.to_string(), format!("key file {} already exists", path.display()));
    assert_eq!(keyfile::read(&path).unwrap().public_key(), first.public_key());
    keyfile::write(&path, &second, true).unwrap();
    assert_eq!(keyfile::read(&path).unwrap().public_key(), second.public_key());
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
}

#[test]
fn bad_files_give_errors_naming_the_file_and_the_problem() {
    let dir = tempfile::tempdir().unwrap();
    let good = PrivateKey::generate(Curve::Curve25519).unwrap().to_bin();
    let mut corrupted = good.clone();
    corrupted[3] = b'X';
    let cases: [(&str, Vec<u8>, &str); 5] = [
        ("empty.pem", vec![], "empty key"),
        (
            "truncated.pem",
            good[..50].to_vec(),
            "truncated curve25519 private key: 50 bytes, expected 74",
        ),
        ("corrupted.pem", corrupted, "unknown key format (expected LibNaCL binary, PEM or DER)"),
        (
            "text.pem",
            b"hello, world\n".to_vec(),
            "unknown key format (expected LibNaCL binary, PEM or DER)",
        ),
        (
            "public.pem",
            PrivateKey::from_bin(&good).unwrap().public_key().to_bin().to_vec(),
            "this is a public key, not a private key",
        ),
    ];
    for (name, bytes, problem) in cases {
        let path = dir.path().join(name);
        fs::write(&path, bytes).unwrap();
        let err = keyfile::read(&path).unwrap_err();
        assert!(matches!(err, KeyFileError::Invalid { .. }));
        assert_eq!(err.to_string(), format!("invalid key file {}: {problem}", path.display()));
    }
    let missing = dir.path().join("missing.pem");
    let err = keyfile::read(&missing).unwrap_err();
    assert!(err.to_string().starts_with(&format!("cannot read key file {}: ", missing.display())));
}

#[cfg(feature = "legacy-curves")]
#[test]
fn truncated_legacy_files_say_how_short_they_are() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("medium.pem");
    let der = PrivateKey::generate(Curve::Medium).unwrap().to_bin();
    fs::write(&path, &der[..100]).unwrap();
    let err = keyfile::read(&path).unwrap_err();
    let expected =
        format!("invalid key file {}: truncated DER key: 100 bytes, expected 178", path.display());
    assert_eq!(err.to_string(), expected);
}

#[test]
fn writing_into_a_missing_directory_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("no/such/dir/key.pem");
    let err = keyfile::write(&path, &PrivateKey::generate(Curve::Curve25519).unwrap(), false)
        .unwrap_err();
    assert!(matches!(err, KeyFileError::Write { .. }));
    assert!(err.to_string().starts_with(&format!("cannot write key file {}: ", path.display())));
}

#[test]
fn configuration_keys_are_base64_of_the_raw_bytes() {
    for curve in curves() {
        let key = PrivateKey::generate(curve).unwrap();
        let text = keyfile::to_base64(&key);
        assert_eq!(keyfile::from_base64(&format!(" {text}\n")).unwrap().to_bin(), key.to_bin());
    }
    assert!(matches!(keyfile::from_base64("not base64!"), Err(KeyError::InvalidBase64(_))));
    assert_eq!(keyfile::from_base64("").unwrap_err(), KeyError::Empty);
}
