//! The outer layers of a serialized key: PEM armour and the DER framing, checked before any parsing so
//! that a truncated file says so instead of giving an `OpenSSL` error.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::KeyError;

/// The DER body of `bytes` if they are PEM (`-----BEGIN …-----`), or `None` if they are not PEM at all.
///
/// Leading whitespace and `\r\n` line ends are allowed; encrypted PEM (with `Proc-Type:` headers) is not.
pub(crate) fn pem_body(bytes: &[u8]) -> Option<Result<Vec<u8>, KeyError>> {
    let text = bytes.trim_ascii_start();
    text.starts_with(b"-----BEGIN ").then(|| decode_pem(text))
}

fn decode_pem(text: &[u8]) -> Result<Vec<u8>, KeyError> {
    let text = std::str::from_utf8(text).map_err(|_| KeyError::InvalidPem("not ASCII text"))?;
    let mut body = String::new();
    for line in text.lines().skip(1).map(str::trim) {
        if line.starts_with("-----END ") {
            return STANDARD.decode(&body).map_err(|_| KeyError::InvalidPem("invalid base64 body"));
        }
        if line.contains(':') {
            return Err(KeyError::InvalidPem("encrypted PEM keys are not supported"));
        }
        body.push_str(line);
    }
    Err(KeyError::InvalidPem("no END line"))
}

/// Checks that `der` starts with a DER SEQUENCE whose declared length is all there.
///
/// Bytes after the SEQUENCE are allowed, as py-ipv8 (through `OpenSSL`) ignores them.
pub(crate) fn check_der(der: &[u8]) -> Result<(), KeyError> {
    if der.first() != Some(&0x30) {
        return Err(KeyError::UnknownFormat);
    }
    let expected = declared_len(der)?;
    if der.len() < expected {
        return Err(KeyError::Truncated { what: "DER key", len: der.len(), expected });
    }
    Ok(())
}

/// The total length (header and content) the outer DER element declares.
pub(super) fn declared_len(der: &[u8]) -> Result<usize, KeyError> {
    let truncated = KeyError::Truncated { what: "DER key", len: der.len(), expected: 2 };
    let first = *der.get(1).ok_or(truncated)?;
    if first < 0x80 {
        return Ok(2 + usize::from(first));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 4 {
        return Err(KeyError::InvalidDer(format!("bad length byte {first:#04x}")));
    }
    let header = 2 + count;
    let Some(length) = der.get(2..header) else {
        return Err(KeyError::Truncated { what: "DER key", len: der.len(), expected: header });
    };
    let content = length.iter().fold(0usize, |acc, &byte| acc << 8 | usize::from(byte));
    Ok(header + content)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pem_is_recognised_and_decoded() {
        let pem = b"\r\n-----BEGIN PUBLIC KEY-----\r\nAAEC\r\nAw==\r\n-----END PUBLIC KEY-----";
        assert_eq!(pem_body(pem), Some(Ok(vec![0, 1, 2, 3])));
        assert_eq!(pem_body(b"0\x01\x02"), None);
    }

    #[test]
    fn broken_pem_is_an_error() {
        let no_end = b"-----BEGIN PUBLIC KEY-----\nAAEC\n";
        assert_eq!(pem_body(no_end), Some(Err(KeyError::InvalidPem("no END line"))));
        let encrypted = b"-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n-----END X-----";
        assert!(matches!(pem_body(encrypted), Some(Err(KeyError::InvalidPem(_)))));
        let bad = b"-----BEGIN PUBLIC KEY-----\n!!!!\n-----END PUBLIC KEY-----";
        assert!(matches!(pem_body(bad), Some(Err(KeyError::InvalidPem(_)))));
    }

    #[test]
    fn der_framing_is_checked() {
        assert_eq!(check_der(&[0x30, 0x01, 0x00, 0xff]), Ok(()));
        assert_eq!(check_der(&[0x04, 0x00]), Err(KeyError::UnknownFormat));
        let short = KeyError::Truncated { what: "DER key", len: 3, expected: 0x53 + 2 };
        assert_eq!(check_der(&[0x30, 0x53, 0x02]), Err(short));
        let long = KeyError::Truncated { what: "DER key", len: 3, expected: 0xee + 3 };
        assert_eq!(check_der(&[0x30, 0x81, 0xee]), Err(long));
        assert!(matches!(check_der(&[0x30, 0x80]), Err(KeyError::InvalidDer(_))));
        assert!(matches!(check_der(&[0x30]), Err(KeyError::Truncated { .. })));
    }
}
