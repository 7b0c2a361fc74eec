//! [`KeySpec`]: a key by alias, py-ipv8's `keys` entries, and how it becomes a [`PrivateKey`].

use std::fs;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ConfigError;
use crate::crypto::{Curve, KeyFileError, PrivateKey, keyfile};

/// A key: `{alias, generation, file, bin}`.
///
/// The sources are tried as py-ipv8 tries them: an existing `file` is read; otherwise the key comes
/// from `bin` (base64 of the private key bytes) or, failing that, is generated on the `generation`
/// curve, and is then written to `file` if one is given. So the first run makes the key and later
/// runs load the same one.
///
/// An empty `file` (`""`, what py-ipv8's `add_key_from_bin` writes) means no file; a key without a
/// file is written as `"file": ""` so that py-ipv8 can read it back.
///
/// # Examples
///
/// ```
/// use ipv8::config::KeySpec;
/// use ipv8::crypto::Curve;
///
/// let dir = std::env::temp_dir().join(format!("ipv8-keyspec-doctest-{}", std::process::id()));
/// let spec = KeySpec::generate("my peer", Curve::Curve25519).with_file("ec.pem");
/// let first = spec.resolve(&dir)?; // generates dir/ec.pem
/// assert_eq!(spec.resolve(&dir)?.public_key(), first.public_key()); // and loads it again
/// # std::fs::remove_dir_all(&dir).unwrap();
/// # Ok::<(), ipv8::config::ConfigError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
#[non_exhaustive]
pub struct KeySpec {
    /// The name overlays use to refer to this key.
    pub alias: String,
    /// The curve to generate the key on when there is neither a file nor `bin`.
    #[serde(default, skip_serializing_if = "Option::is_none", with = "curve_name")]
    pub generation: Option<Curve>,
    /// Where the key is kept, relative to the working directory.
    #[serde(default, with = "optional_path")]
    pub file: Option<PathBuf>,
    /// Base64 of the private key bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bin: Option<String>,
}

impl KeySpec {
    /// A key generated on `curve`, with no file: a new key every time it is resolved.
    #[must_use]
    pub fn generate(alias: impl Into<String>, curve: Curve) -> KeySpec {
        KeySpec { alias: alias.into(), generation: Some(curve), file: None, bin: None }
    }

    /// A key given as base64 of its private key bytes (py-ipv8's `add_key_from_bin`).
    #[must_use]
    pub fn from_bin(alias: impl Into<String>, base64: impl Into<String>) -> KeySpec {
        KeySpec { alias: alias.into(), generation: None, file: None, bin: Some(base64.into()) }
    }

    /// The same key, kept in `file`.
    #[must_use]
    pub fn with_file(mut self, file: impl Into<PathBuf>) -> KeySpec {
        self.file = Some(file.into()).filter(|file| !file.as_os_str().is_empty());
        self
    }

    /// The private key: read from the file if it exists, else from `bin` or generated, then written
    /// to the file if there is one. A relative file is taken relative to `working_directory`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::KeyFile`] if the file cannot be read, holds no key, or cannot be written;
    /// [`ConfigError::Key`] if `bin` is not a key; [`ConfigError::NoKeyMaterial`] if there is
    /// nothing to make the key from.
    pub fn resolve(&self, working_directory: impl AsRef<Path>) -> Result<PrivateKey, ConfigError> {
        let file = self.file.as_ref().map(|file| working_directory.as_ref().join(file));
        if let Some(file) = file.as_ref().filter(|file| file.exists()) {
            return keyfile::read(file).map_err(|error| self.file_error(error));
        }
        let key = self.make(file.as_ref())?;
        if let Some(file) = &file {
            store(file, &key).map_err(|error| self.file_error(error))?;
        }
        Ok(key)
    }

    /// The key from `bin` or `generation`; `file` only names the missing file in the error.
    fn make(&self, file: Option<&PathBuf>) -> Result<PrivateKey, ConfigError> {
        let key = match (&self.bin, self.generation) {
            (Some(bin), _) => keyfile::from_base64(bin),
            (None, Some(curve)) => PrivateKey::generate(curve),
            (None, None) => {
                let file = file.cloned();
                return Err(ConfigError::NoKeyMaterial { alias: self.alias.clone(), file });
            }
        };
        key.map_err(|error| ConfigError::Key { alias: self.alias.clone(), error })
    }

    fn file_error(&self, error: KeyFileError) -> ConfigError {
        ConfigError::KeyFile { alias: self.alias.clone(), error }
    }
}

/// Writes a new key file, making its directory first if need be.
fn store(file: &Path, key: &PrivateKey) -> Result<(), KeyFileError> {
    if let Some(parent) = file.parent().filter(|parent| !parent.as_os_str().is_empty()) {
        fs::create_dir_all(parent)
            .map_err(|error| KeyFileError::Write { path: file.into(), error })?;
    }
    keyfile::write(file, key, false)
}

/// `generation` as a curve name (`curve25519`, `very-low`, …, or a curve's own name).
mod curve_name {
    use super::{Curve, Deserialize, Deserializer, Serializer};

    // Serde's `with` hands over `&Option<_>`.
    #[allow(clippy::ref_option, clippy::trivially_copy_pass_by_ref)]
    pub(super) fn serialize<S: Serializer>(curve: &Option<Curve>, s: S) -> Result<S::Ok, S::Error> {
        match curve {
            Some(curve) => s.serialize_str(curve.name()),
            None => s.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Curve>, D::Error> {
        let name = Option::<String>::deserialize(d)?;
        name.map(|name| name.parse().map_err(serde::de::Error::custom)).transpose()
    }
}

/// `file` as a path, with `""` (or a missing `file`) meaning none.
mod optional_path {
    use super::{Deserialize, Deserializer, PathBuf, Serialize, Serializer};

    #[allow(clippy::ref_option)]
    pub(super) fn serialize<S: Serializer>(
        file: &Option<PathBuf>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match file {
            Some(file) => file.serialize(s),
            None => s.serialize_str(""),
        }
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<PathBuf>, D::Error> {
        let file = Option::<PathBuf>::deserialize(d)?;
        Ok(file.filter(|file| !file.as_os_str().is_empty()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_file_is_no_file() {
        let spec: KeySpec =
            serde_json::from_str(r#"{"alias": "a", "bin": "AA==", "file": ""}"#).unwrap();
        assert_eq!(spec, KeySpec::from_bin("a", "AA=="));
        assert_eq!(serde_json::to_value(&spec).unwrap()["file"], "");
    }

    #[test]
    fn nothing_to_make_a_key_from() {
        let spec = KeySpec { alias: "a".into(), generation: None, file: None, bin: None };
        let err = spec.resolve(".").unwrap_err();
        assert_eq!(err.to_string(), r#"key "a": the key has no file, bin or generation"#);
    }

    #[test]
    fn an_unknown_curve_is_a_parse_error() {
        let err = serde_json::from_str::<KeySpec>(r#"{"alias": "a", "generation": "x"}"#);
        assert!(err.unwrap_err().to_string().starts_with(r#"unknown curve name "x""#));
    }
}
