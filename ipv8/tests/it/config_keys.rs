//! Key resolution as py-ipv8 does it, in temporary directories: the first run generates the key and
//! keeps it, later runs load the same one; an existing file wins over `bin`; `bin` is written to a
//! missing file; bad files and bad `bin`s are errors that name the key and the file.
#![cfg(feature = "config")]

use ipv8::config::{Builder, Config, ConfigError, KeySpec};
use ipv8::crypto::{Curve, KeyError, KeyFileError, PrivateKey, keyfile};

#[test]
fn the_first_run_generates_and_keeps_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let spec = KeySpec::generate("me", Curve::Curve25519).with_file("keys/ec.pem");
    let first = spec.resolve(dir.path()).unwrap();
    let file = dir.path().join("keys/ec.pem");
    assert_eq!(keyfile::read(&file).unwrap().public_key(), first.public_key());
    assert_eq!(spec.resolve(dir.path()).unwrap().public_key(), first.public_key());
}

#[cfg(feature = "legacy-curves")]
#[test]
fn legacy_curves_are_generated_too() {
    let dir = tempfile::tempdir().unwrap();
    let key =
        KeySpec::generate("old", Curve::VeryLow).with_file("old.pem").resolve(dir.path()).unwrap();
    assert_eq!(key.curve(), Curve::VeryLow);
}

#[test]
fn a_key_without_a_file_is_new_each_time() {
    let spec = KeySpec::generate("me", Curve::Curve25519);
    let dir = tempfile::tempdir().unwrap();
    assert_ne!(
        spec.resolve(dir.path()).unwrap().public_key(),
        spec.resolve(dir.path()).unwrap().public_key()
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn bin_is_the_key_and_is_written_to_a_missing_file() {
    let key = PrivateKey::generate(Curve::Curve25519).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let spec = KeySpec::from_bin("me", keyfile::to_base64(&key));
    assert_eq!(spec.resolve(dir.path()).unwrap().public_key(), key.public_key());
    let spec = spec.with_file("me.pem");
    assert_eq!(spec.resolve(dir.path()).unwrap().public_key(), key.public_key());
    assert_eq!(keyfile::read(dir.path().join("me.pem")).unwrap().public_key(), key.public_key());
}

#[test]
fn an_existing_file_wins_over_bin_as_in_py_ipv8() {
    let (kept, given) = (
        PrivateKey::generate(Curve::Curve25519).unwrap(),
        PrivateKey::generate(Curve::Curve25519).unwrap(),
    );
    let dir = tempfile::tempdir().unwrap();
    keyfile::write(dir.path().join("me.pem"), &kept, false).unwrap();
    let spec = KeySpec::from_bin("me", keyfile::to_base64(&given)).with_file("me.pem");
    assert_eq!(spec.resolve(dir.path()).unwrap().public_key(), kept.public_key());
}

#[test]
fn a_bad_file_is_an_error_naming_the_key_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("ec.pem");
    std::fs::write(&file, b"LibNaCLSK:short").unwrap();
    let err = KeySpec::generate("me", Curve::Curve25519)
        .with_file("ec.pem")
        .resolve(dir.path())
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::KeyFile { error: KeyFileError::Invalid { .. }, .. }),
        "{err:?}"
    );
    let expected = format!(
        "key \"me\": invalid key file {}: truncated curve25519 private key: 15 bytes, expected 74",
        file.display()
    );
    assert_eq!(err.to_string(), expected);
    assert_eq!(
        std::fs::read(&file).unwrap(),
        b"LibNaCLSK:short",
        "a bad key file is never overwritten"
    );
}

#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("ec.pem")).unwrap();
    let err = KeySpec::generate("me", Curve::Curve25519)
        .with_file("ec.pem")
        .resolve(dir.path())
        .unwrap_err();
    let prefix =
        format!("key \"me\": cannot read key file {}: ", dir.path().join("ec.pem").display());
    assert!(err.to_string().starts_with(&prefix), "{err}");
}

#[test]
fn a_bad_bin_is_an_error_naming_the_key() {
    let err = KeySpec::from_bin("me", "%%%").resolve(".").unwrap_err();
    assert!(matches!(err, ConfigError::Key { error: KeyError::InvalidBase64(_), .. }), "{err:?}");
    assert!(err.to_string().starts_with("key \"me\": invalid base64: "), "{err}");
}

#[test]
fn a_missing_file_with_nothing_to_make_a_key_from_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let mut spec = KeySpec::generate("me", Curve::Curve25519).with_file("ec.pem");
    spec.generation = None;
    let err = spec.resolve(dir.path()).unwrap_err();
    let file = dir.path().join("ec.pem");
    assert_eq!(
        err.to_string(),
        format!(
            "key \"me\": key file {} does not exist and the key has no bin or generation",
            file.display()
        )
    );
}

#[test]
fn keys_are_resolved_against_the_working_directory() {
    let dir = tempfile::tempdir().unwrap();
    let config = Builder::from(Config::loopback(0))
        .clear_keys()
        .add_key("a", Curve::Curve25519, "a.pem")
        .add_key_from_bin(
            "b",
            keyfile::to_base64(&PrivateKey::generate(Curve::Curve25519).unwrap()),
        )
        .with_working_directory(dir.path())
        .clear_overlays()
        .finalize()
        .unwrap();
    let keys = config.resolve_keys().unwrap();
    assert_eq!(keys.iter().map(|(alias, _)| alias.as_str()).collect::<Vec<_>>(), ["a", "b"]);
    assert_eq!(
        keyfile::read(dir.path().join("a.pem")).unwrap().public_key(),
        keys[0].1.public_key()
    );
}
