//! The metadata JSON our node signs, written byte for byte as Python's `json.dumps` writes it
//! (`", "` and `": "` separators, ASCII only, floats as `repr`), so that py-ipv8 and we produce
//! and hash the same bytes.

use std::fmt::Write as _;

/// A value in the metadata dictionary we sign.
#[derive(Debug, Clone, PartialEq)]
pub enum MetadataValue {
    /// A string.
    String(String),
    /// A float (the `date`).
    Float(f64),
}

/// The metadata JSON of a new credential: `{"name": …, "schema": …, "date": …}` followed by the
/// extra entries in their order; an extra entry with the key of an earlier one replaces its value
/// in place, as Python's `dict.update` does.
///
/// # Examples
///
/// ```
/// use ipv8::proto::identity::chain::metadata_json;
///
/// let extra = [("psn".to_owned(), "1234".to_owned())];
/// let json = metadata_json("age", "id_metadata", 1_700_000_000.5, &extra);
/// assert_eq!(
///     json,
///     br#"{"name": "age", "schema": "id_metadata", "date": 1700000000.5, "psn": "1234"}"#
/// );
/// ```
#[must_use]
pub fn metadata_json(name: &str, schema: &str, date: f64, extra: &[(String, String)]) -> Vec<u8> {
    let mut entries = vec![
        ("name".to_owned(), MetadataValue::String(name.to_owned())),
        ("schema".to_owned(), MetadataValue::String(schema.to_owned())),
        ("date".to_owned(), MetadataValue::Float(date)),
    ];
    for (key, value) in extra {
        let value = MetadataValue::String(value.clone());
        match entries.iter_mut().find(|(known, _)| known == key) {
            Some(entry) => entry.1 = value,
            None => entries.push((key.clone(), value)),
        }
    }
    python_json_object(&entries).into_bytes()
}

/// A JSON object of `entries` in their order, as `json.dumps` writes a dictionary.
fn python_json_object(entries: &[(String, MetadataValue)]) -> String {
    let fields: Vec<String> = entries
        .iter()
        .map(|(key, value)| {
            let value = match value {
                MetadataValue::String(text) => python_json_string(text),
                MetadataValue::Float(number) => python_float(*number),
            };
            format!("{}: {value}", python_json_string(key))
        })
        .collect();
    format!("{{{}}}", fields.join(", "))
}

/// A JSON string as `json.dumps` writes it: quotes, backslashes and the usual control characters
/// escaped by name, everything else outside printable ASCII as `\uXXXX` (UTF-16, lowercase hex).
///
/// # Examples
///
/// ```
/// use ipv8::proto::identity::chain::python_json_string;
///
/// assert_eq!(python_json_string("a\"b\n\u{e9}\u{1f600}"), r#""a\"b\n\u00e9\ud83d\ude00""#);
/// ```
#[must_use]
pub fn python_json_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 2);
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            ' '..='~' => out.push(c),
            _ => {
                let mut units = [0; 2];
                for unit in c.encode_utf16(&mut units) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
        }
    }
    out.push('"');
    out
}

/// A float as Python's `repr` (and so `json.dumps`) writes it: the shortest digits that read back
/// the same, positional from 1e-4 up to 1e16, else `d.ddde±XX`.
fn python_float(number: f64) -> String {
    if number.is_nan() {
        return "NaN".to_owned();
    }
    if number.is_infinite() {
        return if number > 0.0 { "Infinity" } else { "-Infinity" }.to_owned();
    }
    // Rust's `{:e}` gives the same shortest digits: `d.ddde±x`.
    let scientific = format!("{number:e}");
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let (sign, mantissa) = mantissa.strip_prefix('-').map_or(("", mantissa), |m| ("-", m));
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let body = if (-4..16).contains(&exponent) {
        positional(&digits, exponent)
    } else {
        let (first, rest) = digits.split_at(1);
        let dot = if rest.is_empty() { String::new() } else { format!(".{rest}") };
        let exponent_sign = if exponent < 0 { '-' } else { '+' };
        format!("{first}{dot}e{exponent_sign}{:02}", exponent.unsigned_abs())
    };
    format!("{sign}{body}")
}

/// `digits` (d.ddd) times 10^`exponent` written without an exponent, with at least one digit
/// after the point.
fn positional(digits: &str, exponent: i32) -> String {
    if exponent < 0 {
        let zeros = "0".repeat(exponent.unsigned_abs() as usize - 1);
        return format!("0.{zeros}{digits}");
    }
    let point = exponent.unsigned_abs() as usize + 1;
    if digits.len() > point {
        let (whole, fraction) = digits.split_at(point);
        format!("{whole}.{fraction}")
    } else {
        format!("{digits}{}.0", "0".repeat(point - digits.len()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_read_as_python_writes_them() {
        let cases = [
            (0.0, "0.0"),
            (-0.0, "-0.0"),
            (1.0, "1.0"),
            (1_700_000_000.123_456_7, "1700000000.1234567"),
            (0.0001, "0.0001"),
            (0.000_012_5, "1.25e-05"),
            (1e16, "1e+16"),
            (123_456_789_012_345.6, "123456789012345.6"),
            (-2.5, "-2.5"),
            (1.5e300, "1.5e+300"),
        ];
        for (number, python) in cases {
            assert_eq!(python_float(number), python, "{number}");
        }
    }

    #[test]
    fn duplicate_keys_replace_in_place() {
        let extra =
            [("name".to_owned(), "other".to_owned()), ("x".to_owned(), "\u{7f}".to_owned())];
        let json = metadata_json("n", "s", 2.0, &extra);
        assert_eq!(json, br#"{"name": "other", "schema": "s", "date": 2.0, "x": "\u007f"}"#);
    }
}
