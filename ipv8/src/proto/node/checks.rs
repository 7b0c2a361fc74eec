//! Signature checks taken out of the node: [`Node::signature_checks`] says which signatures a
//! batch of datagrams carries, anyone may verify them (worker threads of a driver, in parallel),
//! and [`Node::handle_checked_datagrams`] handles the batch with the verdicts, so that no handler
//! checks them again.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use super::{Arrival, Node};
use crate::crypto::PublicKey;
use crate::proto::packet::{Checked, HEADER_LEN, PREFIX_LEN, SignedParts};

/// A signature the node would check before a handler sees a datagram: the sender's key and
/// where the signed bytes end (the signature follows them).
///
/// # Examples
///
/// ```
/// use std::net::SocketAddr;
/// use std::time::Instant;
/// use ipv8::crypto::{Curve, PrivateKey};
/// use ipv8::proto::{Node, SignatureCheck};
///
/// let node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, Instant::now());
/// let source: SocketAddr = "127.0.0.1:9".parse()?;
/// let datagrams = [(source, &b"not a packet of any community"[..])];
/// let checks = node.signature_checks(&datagrams);
/// // Nothing to check: the datagram is for no community of the node.
/// assert!(checks[0].is_none());
/// assert_eq!(SignatureCheck::verify_some(&checks, &datagrams), [None]);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone)]
pub struct SignatureCheck {
    key: PublicKey,
    signed_len: usize,
}

impl SignatureCheck {
    /// The sender's key.
    #[must_use]
    pub fn key(&self) -> &PublicKey {
        &self.key
    }

    /// Checks each signature against the datagram it came from, as one batch (Ed25519 batch
    /// verification): `true` where it is valid.
    #[must_use]
    pub fn verify_all(checks: &[(&SignatureCheck, &[u8])]) -> Vec<bool> {
        let items: Vec<_> = checks
            .iter()
            .map(|&(check, datagram)| {
                let (signed, signature) = datagram.split_at(check.signed_len.min(datagram.len()));
                (&check.key, signed, signature)
            })
            .collect();
        crate::crypto::verify_batch(&items)
    }

    /// The verdicts for a batch of datagrams and the checks [`Node::signature_checks`] gave for
    /// them, in the form [`Node::handle_checked_datagrams`] takes: `None` where there was nothing
    /// to check.
    #[must_use]
    pub fn verify_some(
        checks: &[Option<SignatureCheck>],
        datagrams: &[(SocketAddr, &[u8])],
    ) -> Vec<Option<bool>> {
        let present: Vec<_> = checks
            .iter()
            .zip(datagrams)
            .filter_map(|(check, (_, data))| Some((check.as_ref()?, *data)))
            .collect();
        let mut verdicts = Self::verify_all(&present).into_iter();
        checks.iter().map(|check| check.as_ref().and_then(|_| verdicts.next())).collect()
    }
}

impl Node {
    /// Sets how much CPU time per second, as estimated per curve, checks of legacy-curve
    /// signatures may take: what goes over it is dropped unchecked and counted under
    /// `check_budget` ([`DropReason::CheckBudget`](crate::proto::DropReason::CheckBudget)). The
    /// default, [`DEFAULT_LEGACY_CHECK_BUDGET`](crate::proto::DEFAULT_LEGACY_CHECK_BUDGET), is a
    /// fifth of a core: some 650 checks a second on `very-low`, py-ipv8's bootstrap servers'
    /// curve, or 70 on `high`. Such checks cost 0.3 to 2.8 ms each, so without a bound a peer
    /// with a legacy key could keep a core busy with a few hundred forged packets a second.
    /// curve25519 signatures (33 µs) are not bounded.
    ///
    /// ```
    /// use std::time::{Duration, Instant};
    /// use ipv8::crypto::{Curve, PrivateKey};
    /// use ipv8::proto::{DEFAULT_LEGACY_CHECK_BUDGET, Node};
    ///
    /// let mut node = Node::new(PrivateKey::generate(Curve::Curve25519)?, 1, Instant::now());
    /// assert_eq!(node.legacy_check_budget(), DEFAULT_LEGACY_CHECK_BUDGET);
    /// node.set_legacy_check_budget(Duration::from_millis(50));
    /// assert_eq!(node.legacy_check_budget(), Duration::from_millis(50));
    /// # Ok::<(), ipv8::crypto::KeyError>(())
    /// ```
    pub fn set_legacy_check_budget(&mut self, per_second: Duration) {
        self.shared.keys.budget.set_per_second(per_second);
    }

    /// The CPU time per second legacy-curve signature checks may take
    /// ([`Node::set_legacy_check_budget`]).
    #[must_use]
    pub fn legacy_check_budget(&self) -> Duration {
        self.shared.keys.budget.per_second()
    }

    /// The signatures the node would check in a batch of received datagrams, one entry per
    /// datagram: those of a community of the node, and, while a community listens for
    /// unclaimed datagrams (a bootstrap server), those under any prefix, whenever the datagram
    /// has the signed layout with a valid curve25519 key (legacy-curve signatures are checked
    /// when a handler asks, within [`Node::legacy_check_budget`]). Verify them anywhere (they are `Send`), then hand
    /// the batch to [`Node::handle_checked_datagrams`]; [`Node::handle_datagrams`] does all three.
    #[must_use]
    pub fn signature_checks(
        &self,
        datagrams: &[(SocketAddr, &[u8])],
    ) -> Vec<Option<SignatureCheck>> {
        let unclaimed = self.overlays.iter().any(|overlay| overlay.listens_unclaimed());
        datagrams
            .iter()
            .map(|(_, data)| {
                let prefix = data.get(..PREFIX_LEN)?;
                let wanted = self.by_prefix.contains_key(prefix) || unclaimed;
                if !wanted || data.len() < HEADER_LEN {
                    return None;
                }
                let parts = SignedParts::split(data, &self.shared.keys).ok()?;
                // Legacy signatures are checked by the handler, within their budget.
                if parts.key.curve().is_legacy() {
                    return None;
                }
                Some(SignatureCheck { key: parts.key, signed_len: parts.signed.len() })
            })
            .collect()
    }

    /// Handles a batch of received datagrams whose signatures were checked already:
    /// `verdicts[i]` is the outcome of checking `signature_checks(datagrams)[i]` (`None` where
    /// that was `None`). A datagram whose verdict is `Some(false)` reaches no handler as signed;
    /// one with `Some(true)` is not checked again, so the verdicts must come from the checks of
    /// these very datagrams.
    pub fn handle_checked_datagrams(
        &mut self,
        now: Instant,
        datagrams: &[(SocketAddr, &[u8])],
        verdicts: &[Option<bool>],
    ) {
        self.shared.now = now;
        let verdicts = verdicts.iter().copied().chain(std::iter::repeat(None));
        for ((source, data), verdict) in datagrams.iter().zip(verdicts) {
            self.handle_one(*source, data, Arrival::Socket(Checked::from_verdict(verdict)));
        }
        self.follow_up();
    }
}
