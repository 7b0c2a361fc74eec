//! [`verify_batch`]: many signatures at once, for the packet pipeline.

use ed25519_dalek::{Signature, VerifyingKey};

use super::{PublicKey, libnacl};

/// Verifies many `(key, data, signature)` items; the result for item `i` is at index `i`.
///
/// The Ed25519 items are first checked together with one batch verification, which costs about half
/// as much per signature as verifying each. If the batch fails (at least one is bad), each of them is
/// verified on its own, so one forged packet never makes good ones fail. Legacy items are verified one
/// by one. Malformed keys or signatures are `false`, as with [`PublicKey::verify`].
///
/// Batch verification checks the cofactored Ed25519 equation; it can accept a signature crafted with
/// small-order components that [`PublicKey::verify`] would reject. Honest signatures get the same
/// answer either way.
///
/// # Examples
///
/// ```
/// use ipv8::crypto::{Curve, PrivateKey, verify_batch};
///
/// let keys: Vec<_> = (0..3).map(|_| PrivateKey::generate(Curve::Curve25519)).collect::<Result<_, _>>()?;
/// let publics: Vec<_> = keys.iter().map(PrivateKey::public_key).collect();
/// let signatures: Vec<_> = keys.iter().map(|key| key.sign(b"packet")).collect();
/// let items = [
///     (&publics[0], &b"packet"[..], &signatures[0][..]),
///     (&publics[1], &b"forged"[..], &signatures[1][..]),
///     (&publics[2], &b"packet"[..], &signatures[2][..]),
/// ];
/// assert_eq!(verify_batch(&items), [true, false, true]);
/// # Ok::<(), ipv8::crypto::KeyError>(())
/// ```
#[must_use]
pub fn verify_batch(items: &[(&PublicKey, &[u8], &[u8])]) -> Vec<bool> {
    let mut results = vec![false; items.len()];
    let mut batch = Ed25519Batch::default();
    for (index, &(key, data, signature)) in items.iter().enumerate() {
        match (key.ed25519(), libnacl::signature_of(signature)) {
            (Some(verifying), Some(signature)) => batch.push(index, *verifying, data, signature),
            _ => results[index] = key.verify(data, signature),
        }
    }
    batch.run(items, &mut results);
    results
}

/// The Ed25519 items of a batch, in parallel vectors as `ed25519_dalek::verify_batch` wants them.
#[derive(Default)]
struct Ed25519Batch<'a> {
    indices: Vec<usize>,
    keys: Vec<VerifyingKey>,
    messages: Vec<&'a [u8]>,
    signatures: Vec<Signature>,
}

impl<'a> Ed25519Batch<'a> {
    fn push(&mut self, index: usize, key: VerifyingKey, data: &'a [u8], signature: Signature) {
        self.indices.push(index);
        self.keys.push(key);
        self.messages.push(data);
        self.signatures.push(signature);
    }

    /// Writes the verdict of every item in the batch into `results`.
    fn run(&self, items: &[(&PublicKey, &[u8], &[u8])], results: &mut [bool]) {
        // Fuzz builds sign otherwise (`libnacl::fuzz_build`): each item is checked alone there.
        let all_good = !cfg!(fuzzing)
            && self.indices.len() > 1
            && ed25519_dalek::verify_batch(&self.messages, &self.signatures, &self.keys).is_ok();
        for &index in &self.indices {
            let (key, data, signature) = items[index];
            results[index] = all_good || key.verify(data, signature);
        }
    }
}
