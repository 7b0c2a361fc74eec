//! Signing and verification per key kind over a 200-byte packet, our curve25519 verification against
//! raw ed25519-dalek (the target: within 10%), batch verification of 64 packets against 64 single
//! verifications, and public-key parsing: once per new peer, and of what a hostile peer can put
//! where a key goes (garbage, a private key, lax DER), which must cost no more than a key.

use std::hint::black_box;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use ed25519_dalek::{Signature, Verifier as _, VerifyingKey};
use ipv8::crypto::{Curve, PrivateKey, PublicKey, verify_batch};

/// A packet-sized message.
const MESSAGE: [u8; 200] = [0x5a; 200];

fn curves() -> Vec<Curve> {
    let legacy = [Curve::VeryLow, Curve::Low, Curve::Medium, Curve::High];
    let mut curves = vec![Curve::Curve25519];
    if cfg!(feature = "legacy-curves") {
        curves.extend(legacy);
    }
    curves
}

fn sign(c: &mut Criterion) {
    let mut group = c.benchmark_group("sign");
    for curve in curves() {
        let key = PrivateKey::generate(curve).unwrap();
        group.bench_function(BenchmarkId::from_parameter(curve), |b| {
            b.iter(|| key.sign(black_box(&MESSAGE)));
        });
    }
    group.finish();
}

fn verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    for curve in curves() {
        let key = PrivateKey::generate(curve).unwrap();
        let (public, signature) = (key.public_key(), key.sign(&MESSAGE));
        group.bench_function(BenchmarkId::from_parameter(curve), |b| {
            b.iter(|| assert!(public.verify(black_box(&MESSAGE), black_box(&signature))));
        });
    }
    let key = PrivateKey::generate(Curve::Curve25519).unwrap();
    let raw =
        VerifyingKey::from_bytes(key.public_key().to_bin()[42..].try_into().unwrap()).unwrap();
    let signature = Signature::from_slice(&key.sign(&MESSAGE)).unwrap();
    group.bench_function("ed25519-dalek (raw)", |b| {
        b.iter(|| assert!(raw.verify(black_box(&MESSAGE), black_box(&signature)).is_ok()));
    });
    group.finish();
}

fn batch(c: &mut Criterion) {
    let keys: Vec<_> = (0..64).map(|_| PrivateKey::generate(Curve::Curve25519).unwrap()).collect();
    let signed: Vec<_> = keys.iter().map(|key| (key.public_key(), key.sign(&MESSAGE))).collect();
    let items: Vec<_> =
        signed.iter().map(|(key, sig)| (key, &MESSAGE[..], sig.as_slice())).collect();
    let mut group = c.benchmark_group("verify 64 curve25519");
    group.bench_function("verify_batch", |b| b.iter(|| verify_batch(black_box(&items))));
    group.bench_function("one by one", |b| {
        b.iter(|| items.iter().map(|(key, data, sig)| key.verify(data, sig)).collect::<Vec<_>>());
    });
    let mut forged = items.clone();
    let bad = [0; 64];
    forged[10].2 = &bad;
    group.bench_function("verify_batch, one forged", |b| {
        b.iter(|| verify_batch(black_box(&forged)));
    });
    group.finish();
}

fn parse(c: &mut Criterion) {
    let mut group = c.benchmark_group("parse public key");
    for curve in curves() {
        let bin = PrivateKey::generate(curve).unwrap().public_key().to_bin().to_vec();
        group.bench_function(BenchmarkId::from_parameter(curve), |b| {
            b.iter(|| PublicKey::from_bin(black_box(&bin)).unwrap());
        });
    }
    // What a hostile peer can put where a key goes: DER-shaped garbage, and a private key.
    let mut garbage = vec![0x30, 0x59];
    garbage.extend((0..0x59u8).map(|i| i.wrapping_mul(97) ^ 0x3c));
    group.bench_function("DER-shaped garbage", |b| {
        b.iter(|| assert!(PublicKey::from_bin(black_box(&garbage)).is_err()));
    });
    // An Ed25519 key with a long-form length, which only OpenSSL's generic decoder reads.
    let lax = [
        &[0x30, 0x2b, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x81, 0x21, 0x00][..],
        &[7; 32],
    ]
    .concat();
    group.bench_function("Ed25519 in lax DER", |b| {
        b.iter(|| PublicKey::from_bin(black_box(&lax)));
    });
    if cfg!(feature = "legacy-curves") {
        let private = PrivateKey::generate(Curve::Medium).unwrap().to_bin();
        group.bench_function("a private key", |b| {
            b.iter(|| assert!(PublicKey::from_bin(black_box(&private)).is_err()));
        });
    }
    group.finish();
}

criterion_group!(benches, sign, verify, batch, parse);
criterion_main!(benches);
