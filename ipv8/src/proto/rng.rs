//! [`Rng`]: the node's random numbers, from `ChaCha12` (`rand_chacha`), a cryptographic generator:
//! request identifiers, cache numbers and circuit ids cannot be predicted from the ones a peer
//! has seen. Seeded from a `u64` it replays exactly, so a simulated network is deterministic; a
//! running node reseeds it from the operating system ([`Rng::from_os`]). Keys come from the OS
//! generator directly.

use rand_chacha::ChaCha12Rng;
use rand_chacha::rand_core::{RngCore as _, SeedableRng as _};

/// A seedable cryptographic generator (`ChaCha12`).
///
/// # Examples
///
/// ```
/// use ipv8::proto::Rng;
///
/// let (mut a, mut b) = (Rng::new(7), Rng::new(7));
/// assert_eq!(a.next_u64(), b.next_u64());
/// assert!(a.below(10) < 10);
/// assert_ne!(Rng::from_os().next_u64(), Rng::from_os().next_u64());
/// ```
#[derive(Debug, Clone)]
pub struct Rng {
    inner: ChaCha12Rng,
}

impl Rng {
    /// A generator that always produces the same sequence for the same seed (the simulator's).
    #[must_use]
    pub fn new(seed: u64) -> Self {
        Self { inner: ChaCha12Rng::seed_from_u64(seed) }
    }

    /// A generator with this 32-byte seed.
    #[must_use]
    pub fn from_seed(seed: [u8; 32]) -> Self {
        Self { inner: ChaCha12Rng::from_seed(seed) }
    }

    /// A generator seeded from the operating system's random generator (a running node's).
    ///
    /// # Panics
    ///
    /// If the operating system has no random generator to give.
    #[must_use]
    pub fn from_os() -> Self {
        let mut seed = [0; 32];
        rand_core::RngCore::fill_bytes(&mut rand_core::OsRng, &mut seed);
        Self::from_seed(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A number in `0..bound` (0 when `bound` is 0).
    pub fn below(&mut self, bound: u64) -> u64 {
        if bound == 0 {
            return 0;
        }
        // Multiply-shift maps 64 random bits onto the range with negligible bias.
        ((u128::from(self.next_u64()) * u128::from(bound)) >> 64) as u64
    }

    /// `true` with probability `p` (0.0 to 1.0).
    pub fn chance(&mut self, p: f64) -> bool {
        #[allow(clippy::cast_precision_loss, reason = "53 bits of randomness are plenty here")]
        let unit = (self.next_u64() >> 11) as f64 / (1_u64 << 53) as f64;
        unit < p
    }

    /// A random element of `items`, or `None` if it is empty.
    pub fn choose<'a, T>(&mut self, items: &'a [T]) -> Option<&'a T> {
        items.get(usize::try_from(self.below(items.len() as u64)).ok()?)
    }
}
