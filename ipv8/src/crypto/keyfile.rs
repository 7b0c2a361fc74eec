//! Key files as py-ipv8 keeps them, and keys carried in a configuration as base64.
//!
//! py-ipv8 stores a key (by default `ec_multichain.pem`) as the **raw** private
//! [`to_bin`](super::PrivateKey::to_bin) bytes, despite the `.pem` name: 74 bytes `LibNaCLSK:…` for
//! curve25519, DER for the legacy curves. Reading accepts everything
//! [`PrivateKey::from_bin`](super::PrivateKey::from_bin) does, PEM included.
//!
//! # Examples
//!
//! ```
//! use ipv8::crypto::{Curve, PrivateKey, keyfile};
//!
//! let path = std::env::temp_dir().join(format!("ipv8-keyfile-doctest-{}.pem", std::process::id()));
//! let key = PrivateKey::generate(Curve::Curve25519)?;
//! keyfile::write(&path, &key, false)?;
//! assert_eq!(keyfile::read(&path)?.public_key(), key.public_key());
//! assert!(keyfile::write(&path, &key, false).is_err()); // no silent overwrite
//!
//! let config_bin = keyfile::to_base64(&key);
//! assert_eq!(keyfile::from_base64(&config_bin)?.public_key(), key.public_key());
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;

use super::{KeyError, KeyFileError, PrivateKey};

/// Reads the private key in `path`.
///
/// # Errors
///
/// [`KeyFileError::Read`] if the file cannot be read, [`KeyFileError::Invalid`] if it holds no usable
/// private key (empty, truncated, corrupted, a public key, an unknown format or curve).
pub fn read(path: impl AsRef<Path>) -> Result<PrivateKey, KeyFileError> {
    let path = path.as_ref();
    let bytes = fs::read(path).map_err(|error| KeyFileError::Read { path: path.into(), error })?;
    PrivateKey::from_bin(&bytes).map_err(|error| KeyFileError::Invalid { path: path.into(), error })
}

/// Writes `key` to `path` as py-ipv8 does (raw [`PrivateKey::to_bin`] bytes), atomically and, on Unix,
/// readable by the owner only (mode 0600).
///
/// The bytes go to a temporary file in the same directory, which is synced and then moved into place,
/// so a crash leaves either the old file or the complete new one. Without `overwrite`, an existing file
/// is left alone, even one created concurrently.
///
/// # Errors
///
/// [`KeyFileError::Exists`] if `path` exists and `overwrite` is false, [`KeyFileError::Write`] if the
/// file cannot be written.
pub fn write(
    path: impl AsRef<Path>,
    key: &PrivateKey,
    overwrite: bool,
) -> Result<(), KeyFileError> {
    let path = path.as_ref();
    let failed = |error| KeyFileError::Write { path: path.into(), error };
    if !overwrite && path.exists() {
        return Err(KeyFileError::Exists { path: path.into() });
    }
    let temporary = temporary_path(path);
    let placed =
        write_new(&temporary, &key.to_bin()).and_then(|()| place(&temporary, path, overwrite));
    if placed.is_err() {
        // Best effort: the temporary file may not even exist.
        let _ = fs::remove_file(&temporary);
    }
    match placed {
        Ok(()) => Ok(()),
        Err(error) if error.kind() == io::ErrorKind::AlreadyExists => {
            Err(KeyFileError::Exists { path: path.into() })
        }
        Err(error) => Err(failed(error)),
    }
}

/// A private key from base64 of its [`PrivateKey::to_bin`] bytes, a configuration's `bin`.
///
/// # Errors
///
/// [`KeyError::InvalidBase64`], or whatever [`PrivateKey::from_bin`] finds wrong with the bytes.
pub fn from_base64(text: &str) -> Result<PrivateKey, KeyError> {
    let bytes = STANDARD.decode(text.trim()).map_err(|e| KeyError::InvalidBase64(e.to_string()))?;
    PrivateKey::from_bin(&bytes)
}

/// Base64 of the key's [`PrivateKey::to_bin`] bytes, for a configuration's `bin`.
#[must_use]
pub fn to_base64(key: &PrivateKey) -> String {
    STANDARD.encode(key.to_bin())
}

/// A fresh name beside `path`: `.{name}.{pid}.{nanos}.tmp`.
fn temporary_path(path: &Path) -> PathBuf {
    let name = path.file_name().map_or_else(|| "key".into(), |name| name.to_string_lossy());
    let nanos =
        SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |elapsed| elapsed.as_nanos());
    path.with_file_name(format!(".{name}.{}.{nanos}.tmp", std::process::id()))
}

/// Creates `path` (which must not exist) with mode 0600 and writes and syncs `bytes`.
fn write_new(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// Moves the finished temporary file to `path`. Without `overwrite`, a hard link places it only if
/// `path` does not exist (atomically); file systems without hard links fall back to a checked rename.
fn place(temporary: &Path, path: &Path, overwrite: bool) -> io::Result<()> {
    if overwrite {
        fs::rename(temporary, path)?;
    } else {
        match fs::hard_link(temporary, path) {
            Ok(()) => fs::remove_file(temporary)?,
            Err(error) if error.kind() == io::ErrorKind::AlreadyExists => return Err(error),
            Err(_) if path.exists() => return Err(io::ErrorKind::AlreadyExists.into()),
            Err(_) => fs::rename(temporary, path)?,
        }
    }
    sync_parent(path);
    Ok(())
}

/// Syncs the directory entry of `path` so that the new name survives a crash (Unix only; best effort).
fn sync_parent(path: &Path) {
    if cfg!(unix) {
        let parent = path.parent().filter(|parent| !parent.as_os_str().is_empty());
        if let Ok(directory) = File::open(parent.unwrap_or(Path::new("."))) {
            let _ = directory.sync_all();
        }
    }
}
