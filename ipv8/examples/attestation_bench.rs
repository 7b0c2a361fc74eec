//! Times the attestation primitives on one core: key generation, attesting, and a whole proof
//! (every challenge made, answered and checked) for `id_metadata`, `id_metadata_big` and the
//! range format. `cargo xtask bench-attestation` runs it beside py-ipv8's own code.
//!
//! ```sh
//! cargo run --release -p ipv8 --example attestation_bench -- 20
//! ```
//! Argument: runs per measurement. Prints one JSON line per measurement: the median seconds.

use std::time::Instant;

use ipv8::attestation::{
    BonehAttestation, BonehPrivateKey, Histogram, IdFormat, RangeAttestation, RangeProof, respond,
};
use serde_json::json;

fn median(mut samples: Vec<f64>) -> f64 {
    samples.sort_by(f64::total_cmp);
    samples.get(samples.len() / 2).copied().unwrap_or(0.0)
}

fn time<T>(runs: usize, mut work: impl FnMut() -> T) -> f64 {
    let samples = (0..runs)
        .map(|_| {
            let start = Instant::now();
            std::hint::black_box(work());
            start.elapsed().as_secs_f64()
        })
        .collect();
    median(samples)
}

fn report(op: &str, format: IdFormat, seconds: f64) {
    println!("{}", json!({ "op": op, "format": format.name(), "seconds": seconds }));
}

fn exact(format: IdFormat, runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = rand_core::OsRng;
    let hash = format.value_hash().ok_or("an exact-value format")?;
    report(
        "keygen",
        format,
        time(runs, || BonehPrivateKey::generate(format.key_size(), &mut rand_core::OsRng)),
    );
    let key = BonehPrivateKey::generate(format.key_size(), &mut rng)?;
    let bits = hash.bits(b"alice");
    report(
        "attest",
        format,
        time(runs, || BonehAttestation::attest(&key.public, &bits, &mut rand_core::OsRng)),
    );
    let blob = BonehAttestation::attest(&key.public, &bits, &mut rng).to_bytes();
    let expected = hash.relativity(b"alice");
    let prove = || -> Result<f64, Box<dyn std::error::Error>> {
        let mut rng = rand_core::OsRng;
        let attestation = BonehAttestation::from_bytes(&blob)?;
        let mut answers = Histogram::default();
        for i in 0..attestation.bitpairs.len() {
            let challenge = attestation.challenge(i, &mut rng).ok_or("a pair")?;
            answers.add(respond(&key, &challenge)?);
        }
        Ok(answers.certainty(&expected))
    };
    if prove()? < 0.99 {
        return Err("the proof failed".into());
    }
    report("prove", format, time(runs, || prove().unwrap_or(0.0)));
    Ok(())
}

fn range(runs: usize) -> Result<(), Box<dyn std::error::Error>> {
    let format = IdFormat::Range18Plus;
    let mut rng = rand_core::OsRng;
    let key = BonehPrivateKey::generate(format.key_size(), &mut rng)?;
    let attest = || -> Result<Vec<u8>, Box<dyn std::error::Error>> {
        let mut rng = rand_core::OsRng;
        Ok(RangeAttestation::attest(&key.public, 42, 18, 200, 32, &mut rng)?
            .to_private_bytes(&key.public, &mut rng)?)
    };
    report("attest", format, time(runs, || attest().unwrap_or_default()));
    let blob = attest()?;
    let stored = RangeAttestation::from_private_bytes(&key, &blob)?;
    let public = stored.proof.to_bytes();
    let prove = || -> Result<bool, Box<dyn std::error::Error>> {
        let mut rng = rand_core::OsRng;
        let (proof, _) = RangeProof::read(&public)?;
        let challenge = proof.challenge(&mut rng);
        let response = stored.respond(&challenge, &mut rng)?;
        Ok(proof.check(18, 200, &challenge, &response))
    };
    if !prove()? {
        return Err("the range proof failed".into());
    }
    report("prove", format, time(runs, || prove().unwrap_or(false)));
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let runs: usize = std::env::args().nth(1).map_or(Ok(10), |n| n.parse())?;
    exact(IdFormat::Metadata, runs)?;
    exact(IdFormat::MetadataBig, runs)?;
    range(runs)
}
