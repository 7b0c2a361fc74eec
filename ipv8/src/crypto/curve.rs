//! [`Curve`]: the kinds of keys py-ipv8 makes and accepts.

use std::fmt;
use std::str::FromStr;

use super::KeyError;

/// The kind of a key: curve25519 (the default) or one of the legacy binary-field curves.
///
/// The names are py-ipv8's security levels, as given to `generate_key`. py-ipv8 3.2.1 generates
/// **sect571k1** for "high", although its docs (and py-ipv8 ≤ 3.2.0) say sect571r1: [`Curve::High`]
/// follows 3.2.1, and keys on sect571r1 are accepted as [`Curve::HighR1`] (named `high-r1`).
///
/// # Examples
///
/// ```
/// use ipv8::crypto::Curve;
///
/// let curve: Curve = "very-low".parse()?;
/// assert_eq!(curve, Curve::VeryLow);
/// assert_eq!(curve.curve_name(), "sect163k1");
/// assert_eq!(curve.signature_len(), 42);
/// assert_eq!("sect571r1".parse::<Curve>()?, Curve::HighR1);
/// assert_eq!(Curve::High.to_string(), "high");
/// # Ok::<(), ipv8::crypto::KeyError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Curve {
    /// X25519 ‖ Ed25519 dual keys (`LibNaCLPK:`/`LibNaCLSK:`), 64-byte Ed25519 signatures.
    Curve25519,
    /// sect163k1, 42-byte signatures; what py-ipv8's bootstrap servers sign with.
    VeryLow,
    /// sect233k1, 60-byte signatures.
    Low,
    /// sect409k1, 104-byte signatures.
    Medium,
    /// sect571k1, 144-byte signatures: what py-ipv8 3.2.1 generates for "high".
    High,
    /// sect571r1, 144-byte signatures: "high" in py-ipv8 ≤ 3.2.0 and its docs; accepted, not the default.
    HighR1,
}

impl Curve {
    /// Every curve, the default first.
    pub const ALL: [Curve; 6] =
        [Curve::Curve25519, Curve::VeryLow, Curve::Low, Curve::Medium, Curve::High, Curve::HighR1];

    /// The security-level name: `curve25519`, `very-low`, `low`, `medium`, `high` (or `high-r1`).
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Curve::Curve25519 => "curve25519",
            Curve::VeryLow => "very-low",
            Curve::Low => "low",
            Curve::Medium => "medium",
            Curve::High => "high",
            Curve::HighR1 => "high-r1",
        }
    }

    /// The curve's own name, as py-ipv8's `curve_name()` reports it (`sect163k1`, …, `curve25519`).
    #[must_use]
    pub fn curve_name(self) -> &'static str {
        match self {
            Curve::Curve25519 => "curve25519",
            Curve::VeryLow => "sect163k1",
            Curve::Low => "sect233k1",
            Curve::Medium => "sect409k1",
            Curve::High => "sect571k1",
            Curve::HighR1 => "sect571r1",
        }
    }

    /// The length of this kind's signatures: 64 for curve25519, else twice ⌈field degree / 8⌉.
    #[must_use]
    pub fn signature_len(self) -> usize {
        match self {
            Curve::Curve25519 => 64,
            Curve::VeryLow => 42,
            Curve::Low => 60,
            Curve::Medium => 104,
            Curve::High | Curve::HighR1 => 144,
        }
    }

    /// Whether this is one of the legacy binary-field curves (everything but curve25519).
    #[must_use]
    pub fn is_legacy(self) -> bool {
        self != Curve::Curve25519
    }
}

impl fmt::Display for Curve {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Curve {
    type Err = KeyError;

    /// Accepts a security-level name or a curve name, so both `very-low` and `sect163k1` work.
    fn from_str(name: &str) -> Result<Self, KeyError> {
        Curve::ALL
            .into_iter()
            .find(|curve| curve.name() == name || curve.curve_name() == name)
            .ok_or_else(|| KeyError::UnknownCurveName(name.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for curve in Curve::ALL {
            assert_eq!(curve.name().parse::<Curve>(), Ok(curve));
            assert_eq!(curve.curve_name().parse::<Curve>(), Ok(curve));
        }
    }

    #[test]
    fn unknown_name_is_an_error() {
        let err = "secp256k1".parse::<Curve>().unwrap_err();
        assert_eq!(err, KeyError::UnknownCurveName("secp256k1".into()));
    }
}
