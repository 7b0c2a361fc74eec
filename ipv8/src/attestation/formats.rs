//! The identity formats (schemas) py-ipv8 knows (spec `attestation.md` §2): which algorithm, key
//! size and value encoding an attestation of a given `id_format` uses.

use super::bonehexact::ValueHash;

/// An identity format by its py-ipv8 name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdFormat {
    /// `id_metadata`: exact value, 32-bit primes, first 4 bytes of SHA-256.
    Metadata,
    /// `id_metadata_big`: exact value, 64-bit primes, SHA-256.
    MetadataBig,
    /// `id_metadata_huge`: exact value, 96-bit primes, SHA-512.
    MetadataHuge,
    /// `id_metadata_range_18plus`: a range proof that 18 ≤ value ≤ 200, 32-bit primes.
    Range18Plus,
}

/// Every format, in py-ipv8's order.
pub const ID_FORMATS: [IdFormat; 4] =
    [IdFormat::Metadata, IdFormat::MetadataBig, IdFormat::MetadataHuge, IdFormat::Range18Plus];

impl IdFormat {
    /// The format named `name`.
    ///
    /// # Examples
    ///
    /// ```
    /// use ipv8::attestation::IdFormat;
    ///
    /// let format = IdFormat::from_name("id_metadata_big").expect("known");
    /// assert_eq!(format.key_size(), 64);
    /// assert_eq!(format.name(), "id_metadata_big");
    /// assert!(IdFormat::from_name("id_shoe_size").is_none());
    /// ```
    #[must_use]
    pub fn from_name(name: &str) -> Option<Self> {
        ID_FORMATS.into_iter().find(|f| f.name() == name)
    }

    /// py-ipv8's name.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Self::Metadata => "id_metadata",
            Self::MetadataBig => "id_metadata_big",
            Self::MetadataHuge => "id_metadata_huge",
            Self::Range18Plus => "id_metadata_range_18plus",
        }
    }

    /// The algorithm's name (`bonehexact` or `pengbaorange`).
    #[must_use]
    pub fn algorithm(self) -> &'static str {
        match self {
            Self::Range18Plus => "pengbaorange",
            _ => "bonehexact",
        }
    }

    /// Bits per prime of the subject's Boneh key.
    #[must_use]
    pub fn key_size(self) -> u64 {
        match self {
            Self::Metadata | Self::Range18Plus => 32,
            Self::MetadataBig => 64,
            Self::MetadataHuge => 96,
        }
    }

    /// How an exact-value format hashes values (`None` for the range format).
    #[must_use]
    pub fn value_hash(self) -> Option<ValueHash> {
        match self {
            Self::Metadata => Some(ValueHash::Sha256First4),
            Self::MetadataBig => Some(ValueHash::Sha256),
            Self::MetadataHuge => Some(ValueHash::Sha512),
            Self::Range18Plus => None,
        }
    }
}
