//! [`WalletDb`]: our own attested attributes in py-ipv8's `sqlite/attestations.db` (spec
//! `attestation.md` §6), so a working directory moves between py-ipv8 and rust-ipv8 with its
//! credentials.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard};

use rusqlite::{Connection, OptionalExtension as _, params};

/// The schema version py-ipv8 3.2.1 writes.
pub const WALLET_DB_VERSION: u32 = 2;

/// Why the wallet database failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum WalletDbError {
    /// `SQLite` refused.
    #[error("wallet database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The directory for the file could not be made.
    #[error("wallet database directory: {0}")]
    Io(#[from] std::io::Error),
    /// The file holds a schema version newer than this crate knows.
    #[error("wallet database version {0} is newer than {WALLET_DB_VERSION}")]
    Version(u32),
    /// Another thread panicked while it held the database.
    #[error("the wallet database lock is poisoned")]
    Poisoned,
}

/// One of our attested attributes, a row of the `attestations` table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredAttestation {
    /// The attribute hash: SHA-1 of the attestation's public serialization.
    pub hash: [u8; 20],
    /// The attestation as the subject keeps it (a range proof with its secrets).
    pub blob: Vec<u8>,
    /// The serialized Boneh private key that answers its challenges.
    pub key: Vec<u8>,
    /// The identity format's name (`id_metadata`, ...).
    pub id_format: String,
}

/// py-ipv8's wallet database: one per process, shared by every pseudonym (cloning shares the
/// connection). Every write is a transaction of its own.
///
/// # Examples
///
/// ```
/// use ipv8::proto::identity::wallet::{StoredAttestation, WalletDb};
///
/// let db = WalletDb::in_memory()?;
/// let row = StoredAttestation {
///     hash: [1; 20],
///     blob: b"blob".to_vec(),
///     key: b"key".to_vec(),
///     id_format: "id_metadata".into(),
/// };
/// db.insert(&row)?;
/// assert_eq!(db.get(&[1; 20])?, Some(row));
/// assert_eq!(db.remove(&[[1; 20]])?, 1);
/// assert!(db.all()?.is_empty());
/// # Ok::<(), ipv8::proto::identity::wallet::WalletDbError>(())
/// ```
#[derive(Debug, Clone)]
pub struct WalletDb {
    connection: Arc<Mutex<Connection>>,
}

impl WalletDb {
    /// Opens (or creates) `path`, normally `<working directory>/sqlite/attestations.db`, with
    /// py-ipv8's settings (8 KiB pages, write-ahead log, exclusive locking, synchronous NORMAL),
    /// and upgrades a version-1 file as py-ipv8 does.
    ///
    /// # Errors
    ///
    /// The file cannot be opened or holds a newer schema.
    pub fn open(path: &Path) -> Result<Self, WalletDbError> {
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let connection = Connection::open(path)?;
        let page_size: u32 = connection.query_row("PRAGMA page_size", [], |r| r.get(0))?;
        if page_size < 8192 {
            connection.execute_batch("PRAGMA journal_mode = DELETE; PRAGMA page_size = 8192;")?;
        }
        connection.execute_batch(
            "PRAGMA locking_mode = EXCLUSIVE; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;",
        )?;
        Self::with_schema(connection)
    }

    /// A database in memory (tests and the simulator).
    ///
    /// # Errors
    ///
    /// `SQLite` cannot allocate it.
    pub fn in_memory() -> Result<Self, WalletDbError> {
        Self::with_schema(Connection::open_in_memory()?)
    }

    fn with_schema(mut connection: Connection) -> Result<Self, WalletDbError> {
        let tx = connection.transaction()?;
        tx.execute_batch("CREATE TABLE IF NOT EXISTS option(key TEXT PRIMARY KEY, value BLOB);")?;
        let version: Option<String> = tx
            .query_row(
                "SELECT CAST(value AS TEXT) FROM option WHERE key = 'database_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let version = version.and_then(|v| v.trim().parse::<u32>().ok()).unwrap_or(0);
        if version > WALLET_DB_VERSION {
            return Err(WalletDbError::Version(version));
        }
        if version == 1 {
            tx.execute_batch(
                "ALTER TABLE attestations ADD id_format TINYTEXT;
                 UPDATE attestations SET id_format = 'id_metadata';",
            )?;
        }
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS attestations(
                 hash BLOB,
                 blob LONGBLOB,
                 key MEDIUMBLOB,
                 id_format TINYTEXT,
                 PRIMARY KEY (hash)
             );
             DELETE FROM option WHERE key = 'database_version';
             INSERT INTO option(key, value) VALUES('database_version', '2');",
        )?;
        tx.commit()?;
        Ok(Self { connection: Arc::new(Mutex::new(connection)) })
    }

    fn lock(&self) -> Result<MutexGuard<'_, Connection>, WalletDbError> {
        self.connection.lock().map_err(|_| WalletDbError::Poisoned)
    }

    /// Stores an attestation (replacing one with the same hash).
    ///
    /// # Errors
    ///
    /// `SQLite` refused the write; nothing was written then.
    pub fn insert(&self, row: &StoredAttestation) -> Result<(), WalletDbError> {
        self.lock()?.execute(
            "INSERT OR REPLACE INTO attestations (hash, blob, key, id_format) VALUES (?1, ?2, ?3, ?4)",
            params![&row.hash[..], &row.blob, &row.key, row.id_format.as_bytes()],
        )?;
        Ok(())
    }

    /// The attestation with this attribute hash.
    ///
    /// # Errors
    ///
    /// `SQLite` refused the read.
    pub fn get(&self, hash: &[u8; 20]) -> Result<Option<StoredAttestation>, WalletDbError> {
        let connection = self.lock()?;
        let mut statement = connection
            .prepare("SELECT hash, blob, key, id_format FROM attestations WHERE hash = ?1")?;
        let mut rows = statement.query_map(params![&hash[..]], row)?;
        Ok(rows.next().transpose()?.flatten())
    }

    /// Every attestation we hold (rows that are not py-ipv8's shape are skipped).
    ///
    /// # Errors
    ///
    /// `SQLite` refused the read.
    pub fn all(&self) -> Result<Vec<StoredAttestation>, WalletDbError> {
        let connection = self.lock()?;
        let mut statement =
            connection.prepare("SELECT hash, blob, key, id_format FROM attestations")?;
        let rows = statement.query_map([], row)?;
        let mut out = Vec::new();
        for r in rows {
            if let Some(r) = r? {
                out.push(r);
            }
        }
        Ok(out)
    }

    /// Deletes the attestations with these hashes in one transaction; returns how many there were.
    ///
    /// # Errors
    ///
    /// `SQLite` refused; nothing was deleted then.
    pub fn remove(&self, hashes: &[[u8; 20]]) -> Result<usize, WalletDbError> {
        let mut connection = self.lock()?;
        let tx = connection.transaction()?;
        let mut removed = 0;
        for hash in hashes {
            removed +=
                tx.execute("DELETE FROM attestations WHERE hash = ?1", params![&hash[..]])?;
        }
        tx.commit()?;
        Ok(removed)
    }
}

/// A row as py-ipv8 writes it (`id_format` as text or bytes); `None` for a hash that is not 20
/// bytes.
fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Option<StoredAttestation>> {
    let hash: Vec<u8> = r.get(0)?;
    let id_format = match r.get_ref(3)? {
        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
            String::from_utf8_lossy(t).into_owned()
        }
        _ => "id_metadata".to_owned(),
    };
    let Ok(hash) = <[u8; 20]>::try_from(hash.as_slice()) else {
        return Ok(None);
    };
    Ok(Some(StoredAttestation { hash, blob: r.get(1)?, key: r.get(2)?, id_format }))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u8) -> StoredAttestation {
        StoredAttestation {
            hash: [n; 20],
            blob: vec![n; 3],
            key: vec![n; 2],
            id_format: "id_metadata_big".into(),
        }
    }

    #[test]
    fn a_file_keeps_its_rows_and_version_across_opens() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("sqlite").join("attestations.db");
        {
            let db = WalletDb::open(&path).expect("created");
            db.insert(&row(1)).expect("stored");
            db.insert(&row(2)).expect("stored");
        }
        let db = WalletDb::open(&path).expect("reopened");
        let mut all = db.all().expect("read");
        all.sort_by_key(|r| r.hash);
        assert_eq!(all, [row(1), row(2)]);
        let version: String = db
            .lock()
            .expect("lock")
            .query_row("SELECT value FROM option WHERE key = 'database_version'", [], |r| r.get(0))
            .expect("a version");
        assert_eq!(version, "2");
    }

    #[test]
    fn a_version_one_file_is_upgraded() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("old.db");
        {
            let c = Connection::open(&path).expect("created");
            c.execute_batch(
                "CREATE TABLE attestations(hash BLOB, blob LONGBLOB, key MEDIUMBLOB, PRIMARY KEY (hash));
                 CREATE TABLE option(key TEXT PRIMARY KEY, value BLOB);
                 INSERT INTO option VALUES('database_version', '1');",
            )
            .expect("a version 1 schema");
            c.execute(
                "INSERT INTO attestations VALUES (?1, x'01', x'02')",
                params![&[9_u8; 20][..]],
            )
            .expect("a row");
        }
        let db = WalletDb::open(&path).expect("upgraded");
        let got = db.get(&[9; 20]).expect("read").expect("the row");
        assert_eq!(got.id_format, "id_metadata");
    }

    #[test]
    fn a_newer_version_is_refused() {
        let dir = tempfile::tempdir().expect("a temporary directory");
        let path = dir.path().join("new.db");
        {
            let c = Connection::open(&path).expect("created");
            c.execute_batch(
                "CREATE TABLE option(key TEXT PRIMARY KEY, value BLOB);
                 INSERT INTO option VALUES('database_version', '3');",
            )
            .expect("a newer schema");
        }
        assert!(matches!(WalletDb::open(&path), Err(WalletDbError::Version(3))));
    }
}
