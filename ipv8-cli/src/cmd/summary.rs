//! What `ipv8 keygen` and `ipv8 key show` print about a key, as text or JSON.

use std::fmt::Write as _;
use std::io::{self, Write as _};
use std::path::Path;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ipv8::crypto::{Curve, PrivateKey};
use serde_json::{Value, json};

/// Prints the key's curve, public key and mid (base64 and hex), after `heading` if there is one.
pub(crate) fn print(
    path: &Path,
    key: &PrivateKey,
    heading: Option<&str>,
    as_json: bool,
) -> io::Result<()> {
    let mut out = io::stdout().lock();
    if as_json {
        return writeln!(out, "{}", to_json(path, key));
    }
    if let Some(heading) = heading {
        writeln!(out, "{heading}")?;
    }
    write!(out, "{}", to_text(path, key))
}

/// The JSON object: `file`, `curve`, `curve_name`, `public_key_{base64,hex}`, `mid_{base64,hex}`,
/// `signature_len`.
fn to_json(path: &Path, key: &PrivateKey) -> Value {
    let public = key.public_key();
    json!({
        "file": path,
        "curve": key.curve().name(),
        "curve_name": key.curve().curve_name(),
        "public_key_base64": STANDARD.encode(public.to_bin()),
        "public_key_hex": hex(public.to_bin()),
        "mid_base64": public.mid().to_base64(),
        "mid_hex": public.mid().to_hex(),
        "signature_len": public.signature_len(),
    })
}

fn to_text(path: &Path, key: &PrivateKey) -> String {
    let public = key.public_key();
    let lines = [
        ("file", path.display().to_string()),
        ("curve", curve_label(key.curve())),
        ("public key base64", STANDARD.encode(public.to_bin())),
        ("public key hex", hex(public.to_bin())),
        ("mid base64", public.mid().to_base64()),
        ("mid hex", public.mid().to_hex()),
    ];
    lines.iter().fold(String::new(), |mut text, (label, value)| {
        let _ = writeln!(text, "{:<19}{value}", format!("{label}:"));
        text
    })
}

/// `curve25519`, or the level and the curve, such as `very-low (sect163k1)`.
fn curve_label(curve: Curve) -> String {
    if curve.is_legacy() { format!("{curve} ({})", curve.curve_name()) } else { curve.to_string() }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::new(), |mut text, byte| {
        let _ = write!(text, "{byte:02x}");
        text
    })
}
