//! Fast exponentiation in `F_p²` for the moduli the identity formats use (p below 2^256, odd):
//! Montgomery arithmetic on `N` fixed 64-bit limbs, with no allocation inside the loop. Larger
//! moduli stay on `num-bigint`.

use num_bigint::BigUint;

/// Limbs, least significant first.
type Limbs<const N: usize> = [u64; N];

/// The constants of Montgomery arithmetic modulo `p` with `R = 2^(64·N)`.
struct Monty<const N: usize> {
    p: Limbs<N>,
    /// `−p⁻¹ mod 2^64`.
    n0: u64,
    /// `R² mod p`.
    r2: Limbs<N>,
}

fn to_limbs<const N: usize>(x: &BigUint) -> Option<Limbs<N>> {
    let digits = x.to_u64_digits();
    if digits.len() > N {
        return None;
    }
    let mut limbs = [0; N];
    limbs[..digits.len()].copy_from_slice(&digits);
    Some(limbs)
}

fn from_limbs<const N: usize>(x: &Limbs<N>) -> BigUint {
    let bytes: Vec<u8> = x.iter().flat_map(|limb| limb.to_le_bytes()).collect();
    BigUint::from_bytes_le(&bytes)
}

/// `x ≥ y`.
fn geq<const N: usize>(x: &Limbs<N>, y: &Limbs<N>) -> bool {
    for i in (0..N).rev() {
        if x[i] != y[i] {
            return x[i] > y[i];
        }
    }
    true
}

/// `x − y`, wrapping.
fn sub_limbs<const N: usize>(x: &Limbs<N>, y: &Limbs<N>) -> Limbs<N> {
    let mut out = [0; N];
    let mut borrow = 0_u64;
    for i in 0..N {
        let (d, b1) = x[i].overflowing_sub(y[i]);
        let (d, b2) = d.overflowing_sub(borrow);
        out[i] = d;
        borrow = u64::from(b1 || b2);
    }
    out
}

impl<const N: usize> Monty<N> {
    fn new(p: &BigUint) -> Option<Self> {
        if !p.bit(0) {
            return None;
        }
        let limbs = to_limbs::<N>(p)?;
        // Newton's iteration for p⁻¹ mod 2^64.
        let mut inv = 1_u64;
        for _ in 0..6 {
            inv = inv.wrapping_mul(2_u64.wrapping_sub(limbs[0].wrapping_mul(inv)));
        }
        let r2 = (BigUint::from(1_u8) << (128 * N)) % p;
        Some(Self { p: limbs, n0: inv.wrapping_neg(), r2: to_limbs::<N>(&r2)? })
    }

    /// `x·y·R⁻¹ mod p` (CIOS), for `x, y < p`.
    fn mul(&self, x: &Limbs<N>, y: &Limbs<N>) -> Limbs<N> {
        let mut t = [0_u64; 8];
        let mut top = 0_u64;
        for &yi in y {
            let mut carry = 0_u128;
            for j in 0..N {
                let sum = u128::from(t[j]) + u128::from(x[j]) * u128::from(yi) + carry;
                t[j] = sum as u64;
                carry = sum >> 64;
            }
            let sum = u128::from(top) + carry;
            top = sum as u64;
            let overflow = (sum >> 64) as u64;
            let m = t[0].wrapping_mul(self.n0);
            let mut carry = (u128::from(t[0]) + u128::from(m) * u128::from(self.p[0])) >> 64;
            for j in 1..N {
                let sum = u128::from(t[j]) + u128::from(m) * u128::from(self.p[j]) + carry;
                t[j - 1] = sum as u64;
                carry = sum >> 64;
            }
            let sum = u128::from(top) + carry;
            t[N - 1] = sum as u64;
            top = overflow + (sum >> 64) as u64;
        }
        let mut out = [0; N];
        out.copy_from_slice(&t[..N]);
        if top != 0 || geq(&out, &self.p) { sub_limbs(&out, &self.p) } else { out }
    }

    fn add(&self, x: &Limbs<N>, y: &Limbs<N>) -> Limbs<N> {
        let mut out = [0; N];
        let mut carry = 0_u64;
        for i in 0..N {
            let (s, c1) = x[i].overflowing_add(y[i]);
            let (s, c2) = s.overflowing_add(carry);
            out[i] = s;
            carry = u64::from(c1 || c2);
        }
        if carry != 0 || geq(&out, &self.p) { sub_limbs(&out, &self.p) } else { out }
    }

    fn sub(&self, x: &Limbs<N>, y: &Limbs<N>) -> Limbs<N> {
        if geq(x, y) {
            sub_limbs(x, y)
        } else {
            let diff = sub_limbs(y, x);
            sub_limbs(&self.p, &diff)
        }
    }

    /// `(a + bω)(c + dω)` with three products: `ac − bd`, `(a+b)(c+d) − ac − 2bd`.
    fn fp2_mul(&self, x: &(Limbs<N>, Limbs<N>), y: &(Limbs<N>, Limbs<N>)) -> (Limbs<N>, Limbs<N>) {
        let ac = self.mul(&x.0, &y.0);
        let bd = self.mul(&x.1, &y.1);
        let cross = self.mul(&self.add(&x.0, &x.1), &self.add(&y.0, &y.1));
        let a = self.sub(&ac, &bd);
        let b = self.sub(&self.sub(&cross, &ac), &self.add(&bd, &bd));
        (a, b)
    }

    /// `(a + bω)² = (a − b)(a + b) + b(2a − b)ω`.
    fn fp2_square(&self, x: &(Limbs<N>, Limbs<N>)) -> (Limbs<N>, Limbs<N>) {
        let a = self.mul(&self.sub(&x.0, &x.1), &self.add(&x.0, &x.1));
        let b = self.mul(&x.1, &self.sub(&self.add(&x.0, &x.0), &x.1));
        (a, b)
    }

    fn pow(&self, a: &BigUint, b: &BigUint, e: &BigUint) -> Option<(BigUint, BigUint)> {
        let into = |x: &BigUint| to_limbs::<N>(x).map(|x| self.mul(&x, &self.r2));
        let base = (into(a)?, into(b)?);
        let mut one = [0; N];
        one[0] = 1;
        let mut result = (self.mul(&one, &self.r2), [0; N]);
        for i in (0..e.bits()).rev() {
            result = self.fp2_square(&result);
            if e.bit(i) {
                result = self.fp2_mul(&result, &base);
            }
        }
        let out = |x: &Limbs<N>| from_limbs(&self.mul(x, &one));
        Some((out(&result.0), out(&result.1)))
    }
}

/// `(a + bω)^e` in `F_p²` for `a, b < p`, when `p` is odd and below 2^256; `None` otherwise.
pub(super) fn pow(
    p: &BigUint,
    a: &BigUint,
    b: &BigUint,
    e: &BigUint,
) -> Option<(BigUint, BigUint)> {
    match p.bits() {
        0..=64 => Monty::<1>::new(p)?.pow(a, b, e),
        65..=128 => Monty::<2>::new(p)?.pow(a, b, e),
        129..=192 => Monty::<3>::new(p)?.pow(a, b, e),
        193..=256 => Monty::<4>::new(p)?.pow(a, b, e),
        _ => None,
    }
}
