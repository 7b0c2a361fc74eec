//! Reading the outer structure of DER keys by hand: the Ed25519 `SubjectPublicKeyInfo` in every
//! form py-ipv8 reads, and the shape of a key no parser accepted, to say why.
//!
//! Keys come from the network. Handing a refused key to `OpenSSL`'s generic decoders, to read a
//! lax Ed25519 form or to explain the refusal, cost up to 1 ms for DER-shaped garbage (against 33
//! µs for a signature check), so a peer could make a node spend that per datagram. Reading a few
//! tags costs about a microsecond.

use super::encoding::declared_len;

/// The content of the `id-ecPublicKey` OBJECT IDENTIFIER (1.2.840.10045.2.1) of every EC key.
pub(crate) const EC_PUBLIC_KEY: &[u8] = &[0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01];

/// The content of the `id-Ed25519` OBJECT IDENTIFIER (1.3.101.112).
pub(crate) const ED25519: &[u8] = &[0x2b, 0x65, 0x70];

const INTEGER: u8 = 0x02;
const BIT_STRING: u8 = 0x03;
const OCTET_STRING: u8 = 0x04;
const OBJECT_IDENTIFIER: u8 = 0x06;
const SEQUENCE: u8 = 0x30;

/// What a DER key is shaped like, judged from its first tags alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape<'a> {
    /// SEC1 `ECPrivateKey` or PKCS#8: the outer SEQUENCE opens with an INTEGER (the version),
    /// then an OCTET STRING (SEC1's key) or a SEQUENCE (PKCS#8's `AlgorithmIdentifier`).
    PrivateKey,
    /// `SubjectPublicKeyInfo`: the outer SEQUENCE opens with an `AlgorithmIdentifier`, whose
    /// OBJECT IDENTIFIER content (without tag and length) this is.
    PublicKey(&'a [u8]),
    /// Neither.
    Other,
}

/// The shape of `der`; never fails, anything unreadable is [`Shape::Other`].
pub(crate) fn shape(der: &[u8]) -> Shape<'_> {
    let Some((SEQUENCE, outer, _)) = element(der) else { return Shape::Other };
    match element(outer) {
        Some((INTEGER, _, rest)) => match element(rest) {
            Some((OCTET_STRING | SEQUENCE, _, _)) => Shape::PrivateKey,
            _ => Shape::Other,
        },
        Some((SEQUENCE, algorithm, _)) => match element(algorithm) {
            Some((OBJECT_IDENTIFIER, oid, _)) => Shape::PublicKey(oid),
            _ => Shape::Other,
        },
        _ => Shape::Other,
    }
}

/// The key of an Ed25519 `SubjectPublicKeyInfo`, `SEQUENCE { SEQUENCE { OID id-Ed25519 }, BIT
/// STRING }`, with lengths in any definite form. py-ipv8 3.2.1 reads keys with `OpenSSL`, which
/// takes long-form and non-minimal lengths and ignores the BIT STRING's unused-bits byte, but
/// refuses parameters after the OID, bytes after the BIT STRING and keys not of 32 bytes; so
/// does this. Bytes after the outer SEQUENCE are ignored, as everywhere in key parsing.
pub(crate) fn ed25519_key(der: &[u8]) -> Option<[u8; 32]> {
    let (SEQUENCE, outer, _) = element(der)? else { return None };
    let (SEQUENCE, algorithm, after_algorithm) = element(outer)? else { return None };
    let (OBJECT_IDENTIFIER, ED25519, []) = element(algorithm)? else { return None };
    let (BIT_STRING, bits, []) = element(after_algorithm)? else { return None };
    bits.split_first()?.1.try_into().ok()
}

/// The first DER element of `input`: its tag, its content and what follows it; `None` if the
/// header or the content is not all there.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let tag = *input.first()?;
    let end = declared_len(input).ok()?;
    let header = match input.get(1)? {
        first if *first < 0x80 => 2,
        first => 2 + usize::from(first & 0x7f),
    };
    Some((tag, input.get(header..end)?, input.get(end..)?))
}

/// An OBJECT IDENTIFIER's content in dotted form (`1.3.101.110`), or `None` if it is malformed.
#[cfg(feature = "legacy-curves")]
pub(crate) fn dotted_oid(content: &[u8]) -> Option<String> {
    use std::fmt::Write as _;

    let mut arcs: Vec<u64> = Vec::new();
    let mut arc: u64 = 0;
    for &byte in content {
        if arc == 0 && byte == 0x80 {
            return None; // A non-minimal arc.
        }
        arc = arc.checked_mul(128)? | u64::from(byte & 0x7f);
        if byte & 0x80 == 0 {
            arcs.push(arc);
            arc = 0;
        }
    }
    if content.last().is_some_and(|last| last & 0x80 != 0) {
        return None; // Ends inside an arc.
    }
    let (&first, rest) = arcs.split_first()?;
    let (a, b) = if first < 80 { (first / 40, first % 40) } else { (2, first - 80) };
    let mut dotted = format!("{a}.{b}");
    for arc in rest {
        let _ = write!(dotted, ".{arc}");
    }
    Some(dotted)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_told_apart_by_their_first_tags() {
        // SEC1 ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, ... }.
        assert_eq!(shape(&[0x30, 0x05, 0x02, 0x01, 0x01, 0x04, 0x00]), Shape::PrivateKey);
        // PKCS#8: SEQUENCE { INTEGER 0, SEQUENCE { ... }, ... }.
        assert_eq!(shape(&[0x30, 0x05, 0x02, 0x01, 0x00, 0x30, 0x00]), Shape::PrivateKey);
        assert_eq!(shape(&[0x30, 0x03, 0x02, 0x01, 0x01]), Shape::Other);
        // X25519 SubjectPublicKeyInfo: SEQUENCE { SEQUENCE { OID 1.3.101.110 }, BIT STRING }.
        let x25519 = [0x30, 0x09, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x00];
        assert_eq!(shape(&x25519), Shape::PublicKey(&[0x2b, 0x65, 0x6e]));
        assert_eq!(shape(&[0x30, 0x02, 0x04, 0x00]), Shape::Other);
        assert_eq!(shape(&[0x30, 0x04, 0x30, 0x02, 0x05, 0x00]), Shape::Other);
        // Lengths that run past the input are not read.
        assert_eq!(shape(&[0x30, 0x05, 0x02, 0x01]), Shape::Other);
        assert_eq!(shape(&[0x30, 0x03, 0x30, 0x7f, 0x06]), Shape::Other);
        assert_eq!(shape(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff, 0x02]), Shape::Other);
        assert_eq!(shape(&[]), Shape::Other);
    }

    /// The forms were checked against py-ipv8 3.2.1's `key_from_public_bin` by hand.
    #[test]
    fn ed25519_keys_are_read_in_the_forms_py_ipv8_reads() {
        let key = [7; 32];
        let read = |head: &[u8], tail: &[u8]| ed25519_key(&[head, &key, tail].concat());
        let canonical = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
        assert_eq!(read(&canonical, &[]), Some(key));
        assert_eq!(read(&canonical, b"after"), Some(key));
        let long_outer = [0x30, 0x81, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21];
        assert_eq!(read(&[&long_outer[..], &[0x00]].concat(), &[]), Some(key));
        let long_bits = [0x30, 0x2c, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x82, 0x00];
        assert_eq!(read(&[&long_bits[..], &[0x21, 0x00]].concat(), &[]), Some(key));
        let unused_bits = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x01];
        assert_eq!(read(&unused_bits, &[]), Some(key));

        let parameters = [0x30, 0x2c, 0x30, 0x07, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x05, 0x00];
        assert_eq!(read(&[&parameters[..], &[0x03, 0x21, 0x00]].concat(), &[]), None);
        let inner_tail = [0x30, 0x2c, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00];
        assert_eq!(read(&inner_tail, &[0x05, 0x00]), None);
        let long_key = [0x30, 0x2b, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x22, 0x00];
        assert_eq!(read(&long_key, &[0x01]), None);
        let x25519 = [0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x6e, 0x03, 0x21, 0x00];
        assert_eq!(read(&x25519, &[]), None);
    }

    #[cfg(feature = "legacy-curves")]
    #[test]
    fn object_identifiers_are_written_dotted() {
        assert_eq!(dotted_oid(&[0x2b, 0x65, 0x6e]).as_deref(), Some("1.3.101.110"));
        assert_eq!(dotted_oid(EC_PUBLIC_KEY).as_deref(), Some("1.2.840.10045.2.1"));
        assert_eq!(dotted_oid(&[0x88, 0x37]).as_deref(), Some("2.999"));
        assert_eq!(dotted_oid(&[]), None);
        assert_eq!(dotted_oid(&[0x2b, 0x86]), None); // Ends inside an arc.
        assert_eq!(dotted_oid(&[0x2b, 0x80, 0x01]), None); // Non-minimal.
        assert_eq!(dotted_oid(&[0xff; 12]), None); // Overflows.
    }
}
