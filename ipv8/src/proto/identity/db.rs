//! [`IdentityDb`]: py-ipv8's `sqlite/identity.db` (`ipv8/attestation/identity/database.py` on
//! `ipv8/database.py`; spec `attestation.md` §6): the tokens, metadata and attestations of every
//! pseudonym a process knows, ours and others', in the same tables, columns and keys, so that
//! py-ipv8 and we read each other's files.
//!
//! Opening sets the pragmas py-ipv8 sets (page size 8192 on a new file, WAL with exclusive
//! locking except in memory, synchronous NORMAL) and (re)writes the schema and
//! `database_version` `'1'`. One connection is shared by every clone of the handle; each write is
//! one transaction.
//!
//! # Examples
//!
//! ```
//! use ipv8::crypto::{Curve, PrivateKey};
//! use ipv8::proto::identity::chain::Pseudonym;
//! use ipv8::proto::identity::db::IdentityDb;
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("sqlite").join("identity.db");
//! let key = PrivateKey::generate(Curve::Curve25519)?;
//! {
//!     let mut me = Pseudonym::mine(IdentityDb::open(&path)?, key.clone())?;
//!     me.create_credential([1; 32], br#"{"name": "a"}"#.to_vec(), None)?;
//! }
//! let db = IdentityDb::open(&path)?;
//! assert_eq!(db.version()?, "1");
//! assert_eq!(db.tokens_for(key.public_key().to_bin())?.len(), 1);
//! assert_eq!(db.remove_all_for(key.public_key().to_bin())?, [vec![1; 32]]);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::fmt;
use std::path::Path;
use std::sync::{Arc, Mutex, PoisonError};

use rusqlite::types::{Value, ValueRef};
use rusqlite::{Connection, OptionalExtension as _, Row, params};

use super::chain::{Credential, HASH_LEN, IdentityAttestation, Metadata, Token};

/// The schema version py-ipv8 3.2.1 writes (`IdentityDatabase.LATEST_DB_VERSION`).
pub const DATABASE_VERSION: &str = "1";

/// The page size py-ipv8 gives new databases.
const PAGE_SIZE: i64 = 8192;

/// The tables, as py-ipv8 creates them, and the version row it rewrites on every open.
const SCHEMA: &str = "
BEGIN;
CREATE TABLE IF NOT EXISTS Tokens(
 public_key BLOB,
 previous_token_hash BLOB,
 signature BLOB,
 content_hash BLOB,
 content LONGBLOB,

 PRIMARY KEY (public_key, previous_token_hash, content_hash)
 );

CREATE TABLE IF NOT EXISTS Metadata(
 public_key BLOB,
 token_pointer BLOB,
 signature BLOB,
 serialized_json_dict LONGBLOB,

 PRIMARY KEY (public_key, token_pointer)
 );

CREATE TABLE IF NOT EXISTS Attestations(
 public_key BLOB,
 authority_key BLOB,
 metadata_pointer BLOB,
 signature BLOB,

 PRIMARY KEY (public_key, metadata_pointer)
 );

CREATE TABLE IF NOT EXISTS option(key TEXT PRIMARY KEY, value BLOB);
DELETE FROM option WHERE key = 'database_version';
INSERT INTO option(key, value) VALUES('database_version', '1');
COMMIT;
";

/// Why the identity database failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DbError {
    /// The directory of the database file could not be made.
    #[error("cannot create the database directory")]
    Io(#[from] std::io::Error),
    /// The database failed.
    #[error(transparent)]
    Sqlite(#[from] rusqlite::Error),
    /// The file holds a `database_version` that is not a number.
    #[error("unreadable database version {0:?}")]
    Version(String),
}

/// A handle on the identity database: cheap to clone, every clone uses the same connection.
#[derive(Clone)]
pub struct IdentityDb {
    connection: Arc<Mutex<Connection>>,
}

impl IdentityDb {
    /// Opens (or creates, with its parent directories) the database file at `path`; `:memory:`
    /// is [`IdentityDb::in_memory`], as in py-ipv8.
    ///
    /// # Errors
    ///
    /// The directory or file cannot be made or opened, or is not an identity database.
    pub fn open(path: impl AsRef<Path>) -> Result<Self, DbError> {
        let path = path.as_ref();
        if path == Path::new(":memory:") {
            return Self::in_memory();
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)?;
        }
        Self::prepare(Connection::open(path)?, false)
    }

    /// A database in memory, gone when the last handle is dropped (py-ipv8's `:memory:`).
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn in_memory() -> Result<Self, DbError> {
        Self::prepare(Connection::open_in_memory()?, true)
    }

    fn prepare(connection: Connection, in_memory: bool) -> Result<Self, DbError> {
        set_pragmas(&connection, in_memory)?;
        check_version(&connection)?;
        connection.execute_batch(SCHEMA)?;
        Ok(Self { connection: Arc::new(Mutex::new(connection)) })
    }

    fn with<T>(
        &self,
        f: impl FnOnce(&mut Connection) -> rusqlite::Result<T>,
    ) -> Result<T, DbError> {
        let mut connection = self.connection.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(f(&mut connection)?)
    }

    /// The `database_version` the file holds.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn version(&self) -> Result<String, DbError> {
        let version = self.with(|c| {
            c.query_row("SELECT value FROM option WHERE key = 'database_version'", [], |row| {
                row.get::<_, Value>(0)
            })
        })?;
        Ok(value_text(&version))
    }

    /// Stores a token of `public_key`'s tree (nothing if its keys are there already); answers
    /// whether a row was added.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn insert_token(&self, public_key: &[u8], token: &Token) -> Result<bool, DbError> {
        let sql = "INSERT OR IGNORE INTO Tokens \
                   (public_key, previous_token_hash, signature, content_hash, content) \
                   VALUES(?,?,?,?,?)";
        let values = params![
            public_key,
            token.previous_hash().as_slice(),
            token.signature(),
            token.content_hash().as_slice(),
            token.content(),
        ];
        self.with(|c| c.execute(sql, values)).map(|added| added > 0)
    }

    /// Stores metadata of `public_key` (nothing if there is some for its token already);
    /// answers whether a row was added.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn insert_metadata(&self, public_key: &[u8], metadata: &Metadata) -> Result<bool, DbError> {
        let sql = "INSERT OR IGNORE INTO Metadata \
                   (public_key, token_pointer, signature, serialized_json_dict) VALUES(?,?,?,?)";
        let values = params![
            public_key,
            metadata.token_pointer().as_slice(),
            metadata.signature(),
            metadata.json()
        ];
        self.with(|c| c.execute(sql, values)).map(|added| added > 0)
    }

    /// Stores an attestation by `authority` of metadata of `subject` (nothing if the metadata has
    /// one already); answers whether a row was added.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn insert_attestation(
        &self,
        subject: &[u8],
        authority: &[u8],
        attestation: &IdentityAttestation,
    ) -> Result<bool, DbError> {
        let sql = "INSERT OR IGNORE INTO Attestations \
                   (public_key, authority_key, metadata_pointer, signature) VALUES(?,?,?,?)";
        let pointer = attestation.metadata_pointer().as_slice();
        let values = params![subject, authority, pointer, attestation.signature()];
        self.with(|c| c.execute(sql, values)).map(|added| added > 0)
    }

    /// The tokens of `public_key`'s tree, in the order they were stored (rows that are not
    /// tokens are skipped).
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn tokens_for(&self, public_key: &[u8]) -> Result<Vec<Token>, DbError> {
        let sql = "SELECT previous_token_hash, signature, content_hash, content FROM Tokens \
                   WHERE public_key = ? ORDER BY rowid";
        self.select(sql, public_key, token_row)
    }

    /// The metadata of `public_key`, in the order they were stored.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn metadata_for(&self, public_key: &[u8]) -> Result<Vec<Metadata>, DbError> {
        let sql = "SELECT token_pointer, signature, serialized_json_dict FROM Metadata \
                   WHERE public_key = ? ORDER BY rowid";
        self.select(sql, public_key, metadata_row)
    }

    /// The attestations others made of `public_key`'s metadata.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn attestations_for(&self, public_key: &[u8]) -> Result<Vec<IdentityAttestation>, DbError> {
        let sql = "SELECT metadata_pointer, signature FROM Attestations \
                   WHERE public_key = ? ORDER BY rowid";
        self.select(sql, public_key, attestation_row)
    }

    /// The attestations `authority` made (of anyone's metadata).
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn attestations_by(&self, authority: &[u8]) -> Result<Vec<IdentityAttestation>, DbError> {
        let sql = "SELECT metadata_pointer, signature FROM Attestations \
                   WHERE authority_key = ? ORDER BY rowid";
        self.select(sql, authority, attestation_row)
    }

    /// The attestations of the metadata whose hash is `metadata_hash`, each with its authority's
    /// serialized key.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn attestations_over(
        &self,
        metadata_hash: &[u8; HASH_LEN],
    ) -> Result<Vec<(Vec<u8>, IdentityAttestation)>, DbError> {
        let sql = "SELECT metadata_pointer, signature, authority_key FROM Attestations \
                   WHERE metadata_pointer = ? ORDER BY rowid";
        self.select(sql, metadata_hash.as_slice(), |row| {
            Some((bytes_column(row, 2)?, attestation_row(row)?))
        })
    }

    /// The serialized key of the authority that made `attestation`, if it is stored.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn authority_of(
        &self,
        attestation: &IdentityAttestation,
    ) -> Result<Option<Vec<u8>>, DbError> {
        let sql = "SELECT authority_key FROM Attestations WHERE signature = ? LIMIT 1";
        self.with(|c| c.query_row(sql, [attestation.signature()], |row| row.get(0)).optional())
    }

    /// Every metadata of `public_key` with the attestations of it.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn credentials_for(&self, public_key: &[u8]) -> Result<Vec<Credential>, DbError> {
        self.metadata_for(public_key)?
            .into_iter()
            .map(|metadata| {
                let attestations = self.attestations_over(metadata.hash())?;
                Ok(Credential { metadata, attestations })
            })
            .collect()
    }

    /// The serialized keys of every pseudonym with tokens here.
    ///
    /// # Errors
    ///
    /// The database failed.
    pub fn known_identities(&self) -> Result<Vec<Vec<u8>>, DbError> {
        self.with(|c| {
            let mut statement = c.prepare("SELECT DISTINCT public_key FROM Tokens")?;
            let keys = statement.query_map([], |row| row.get(0))?;
            keys.collect()
        })
    }

    /// Deletes every token, metadata and attestation row of `public_key`, in one transaction;
    /// answers the content hashes of the deleted tokens.
    ///
    /// # Errors
    ///
    /// The database failed (then nothing was deleted).
    pub fn remove_all_for(&self, public_key: &[u8]) -> Result<Vec<Vec<u8>>, DbError> {
        self.with(|c| {
            let transaction = c.transaction()?;
            let hashes = {
                let sql = "SELECT content_hash FROM Tokens WHERE public_key = ? ORDER BY rowid";
                let mut statement = transaction.prepare(sql)?;
                let rows = statement.query_map([public_key], |row| row.get(0))?;
                rows.collect::<rusqlite::Result<Vec<Vec<u8>>>>()?
            };
            for table in ["Tokens", "Metadata", "Attestations"] {
                let sql = format!("DELETE FROM {table} WHERE public_key = ?");
                transaction.execute(&sql, [public_key])?;
            }
            transaction.commit()?;
            Ok(hashes)
        })
    }

    /// Runs a query with one parameter and keeps the rows `read` makes something of (rows that
    /// do not hold what py-ipv8 stores, such as hashes of other lengths, are skipped).
    fn select<T>(
        &self,
        sql: &str,
        parameter: &[u8],
        read: impl Fn(&Row<'_>) -> Option<T>,
    ) -> Result<Vec<T>, DbError> {
        self.with(|c| {
            let mut statement = c.prepare(sql)?;
            let rows = statement.query_map([parameter], |row| Ok(read(row)))?;
            rows.filter_map(Result::transpose).collect()
        })
    }
}

impl fmt::Debug for IdentityDb {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IdentityDb").finish_non_exhaustive()
    }
}

/// py-ipv8's `_initial_statements`: the page size of a new file, WAL with exclusive locking
/// (not in memory), synchronous NORMAL, each set only when it is not set already.
fn set_pragmas(connection: &Connection, in_memory: bool) -> rusqlite::Result<()> {
    let page_size: i64 = connection.query_row("PRAGMA page_size", [], |row| row.get(0))?;
    let mut journal_mode = pragma_text(connection, "PRAGMA journal_mode")?;
    let synchronous: i64 = connection.query_row("PRAGMA synchronous", [], |row| row.get(0))?;
    if page_size < PAGE_SIZE {
        if journal_mode == "WAL" {
            journal_mode = pragma_text(connection, "PRAGMA journal_mode = DELETE")?;
        }
        connection.execute_batch("PRAGMA page_size = 8192; VACUUM;")?;
    }
    if journal_mode != "WAL" && !in_memory {
        pragma_text(connection, "PRAGMA locking_mode = EXCLUSIVE")?;
        pragma_text(connection, "PRAGMA journal_mode = WAL")?;
    }
    if synchronous != 1 {
        connection.execute_batch("PRAGMA synchronous = NORMAL")?;
    }
    Ok(())
}

/// The text a pragma answers, in upper case.
fn pragma_text(connection: &Connection, pragma: &str) -> rusqlite::Result<String> {
    connection.query_row(pragma, [], |row| row.get::<_, String>(0)).map(|s| s.to_uppercase())
}

/// py-ipv8's `_prepare_version` and `check_database`: a stored version must be a number (any
/// number: the schema is rewritten as version 1).
fn check_version(connection: &Connection) -> Result<(), DbError> {
    let sql = "SELECT value FROM option WHERE key == 'database_version' LIMIT 1";
    let has_option: i64 = connection.query_row(
        "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'option'",
        [],
        |row| row.get(0),
    )?;
    if has_option == 0 {
        return Ok(());
    }
    let Some(version) = connection.query_row(sql, [], |row| row.get::<_, Value>(0)).optional()?
    else {
        return Ok(());
    };
    let version = value_text(&version);
    if version.is_empty() || !version.bytes().all(|b| b.is_ascii_digit()) {
        return Err(DbError::Version(version));
    }
    Ok(())
}

/// A stored value as text (py-ipv8 stores the version as TEXT and reads it as bytes).
fn value_text(value: &Value) -> String {
    match value {
        Value::Integer(number) => number.to_string(),
        Value::Text(text) => text.clone(),
        Value::Blob(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        Value::Real(number) => number.to_string(),
        Value::Null => String::new(),
    }
}

/// A column's bytes, whether stored as BLOB or TEXT; `None` for anything else.
fn bytes_column(row: &Row<'_>, column: usize) -> Option<Vec<u8>> {
    match row.get_ref(column).ok()? {
        ValueRef::Blob(bytes) | ValueRef::Text(bytes) => Some(bytes.to_vec()),
        _ => None,
    }
}

/// A 32-byte hash column, `None` when the column holds anything else.
fn hash_column(row: &Row<'_>, column: usize) -> Option<[u8; HASH_LEN]> {
    bytes_column(row, column)?.try_into().ok()
}

fn token_row(row: &Row<'_>) -> Option<Token> {
    let mut token =
        Token::from_parts(hash_column(row, 0)?, hash_column(row, 2)?, bytes_column(row, 1)?);
    if let Some(content) = bytes_column(row, 3) {
        token.receive_content(&content);
    }
    Some(token)
}

fn metadata_row(row: &Row<'_>) -> Option<Metadata> {
    Some(Metadata::from_parts(hash_column(row, 0)?, bytes_column(row, 2)?, bytes_column(row, 1)?))
}

fn attestation_row(row: &Row<'_>) -> Option<IdentityAttestation> {
    Some(IdentityAttestation::from_parts(hash_column(row, 0)?, bytes_column(row, 1)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::{Curve, PrivateKey};

    fn pragma(db: &IdentityDb, name: &str) -> String {
        db.with(|c| c.query_row(&format!("PRAGMA {name}"), [], |row| row.get::<_, Value>(0)))
            .map(|value| value_text(&value))
            .unwrap()
    }

    fn columns(db: &IdentityDb, table: &str) -> Vec<(String, i64)> {
        let sql = format!("PRAGMA table_info({table})");
        db.with(|c| {
            let mut statement = c.prepare(&sql)?;
            let rows = statement.query_map([], |row| Ok((row.get(1)?, row.get(5)?)))?;
            rows.collect()
        })
        .unwrap()
    }

    #[test]
    fn a_new_file_has_py_ipv8s_schema_version_and_pragmas() {
        let dir = tempfile::tempdir().unwrap();
        let db = IdentityDb::open(dir.path().join("a/b/identity.db")).unwrap();
        assert_eq!(db.version().unwrap(), DATABASE_VERSION);
        assert_eq!(pragma(&db, "page_size"), "8192");
        assert_eq!(pragma(&db, "journal_mode"), "wal");
        assert_eq!(pragma(&db, "locking_mode"), "exclusive");
        assert_eq!(pragma(&db, "synchronous"), "1");
        let names = |table| columns(&db, table);
        assert_eq!(
            names("Tokens"),
            [
                ("public_key".into(), 1),
                ("previous_token_hash".into(), 2),
                ("signature".into(), 0),
                ("content_hash".into(), 3),
                ("content".into(), 0)
            ]
        );
        assert_eq!(
            names("Metadata"),
            [
                ("public_key".into(), 1),
                ("token_pointer".into(), 2),
                ("signature".into(), 0),
                ("serialized_json_dict".into(), 0)
            ]
        );
        assert_eq!(
            names("Attestations"),
            [
                ("public_key".into(), 1),
                ("authority_key".into(), 0),
                ("metadata_pointer".into(), 2),
                ("signature".into(), 0)
            ]
        );
        assert_eq!(names("option"), [("key".into(), 1), ("value".into(), 0)]);
        for memory in [IdentityDb::in_memory().unwrap(), IdentityDb::open(":memory:").unwrap()] {
            assert_eq!(pragma(&memory, "journal_mode"), "memory");
            assert_eq!(pragma(&memory, "locking_mode"), "normal");
        }
    }

    #[test]
    fn a_reopened_file_keeps_its_rows_and_removal_takes_only_one_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.db");
        let (me, other) = (PrivateKey::generate(Curve::Curve25519).unwrap(), [7u8; 74]);
        let token = Token::by_hash([1; 32], [2; 32], &me);
        let metadata = Metadata::create(&token, b"{}".to_vec(), &me);
        let attestation = IdentityAttestation::create(&metadata, &me);
        let mine = me.public_key().to_bin().to_vec();
        {
            let db = IdentityDb::open(&path).unwrap();
            assert!(db.insert_token(&mine, &token).unwrap());
            assert!(!db.insert_token(&mine, &token).unwrap(), "INSERT OR IGNORE");
            assert!(db.insert_token(&other, &token).unwrap());
            assert!(db.insert_metadata(&mine, &metadata).unwrap());
            assert!(db.insert_attestation(&mine, &other, &attestation).unwrap());
        }
        let db = IdentityDb::open(&path).unwrap();
        assert_eq!(db.tokens_for(&mine).unwrap(), vec![token.clone()]);
        assert_eq!(db.metadata_for(&mine).unwrap(), vec![metadata.clone()]);
        assert_eq!(db.attestations_for(&mine).unwrap(), vec![attestation.clone()]);
        assert_eq!(db.attestations_by(&other).unwrap(), vec![attestation.clone()]);
        assert_eq!(
            db.attestations_over(metadata.hash()).unwrap(),
            [(other.to_vec(), attestation.clone())]
        );
        assert_eq!(db.authority_of(&attestation).unwrap(), Some(other.to_vec()));
        let mut known = db.known_identities().unwrap();
        known.sort();
        assert_eq!(known.len(), 2);
        assert_eq!(db.credentials_for(&mine).unwrap().len(), 1);

        assert_eq!(db.remove_all_for(&mine).unwrap(), [vec![2; 32]]);
        assert!(db.tokens_for(&mine).unwrap().is_empty());
        assert!(db.metadata_for(&mine).unwrap().is_empty());
        assert!(db.attestations_for(&mine).unwrap().is_empty());
        assert_eq!(db.tokens_for(&other).unwrap().len(), 1);
    }

    #[test]
    fn rows_that_are_not_tokens_are_skipped() {
        let db = IdentityDb::in_memory().unwrap();
        db.with(|c| {
            c.execute(
                "INSERT INTO Tokens VALUES (?, ?, ?, ?, NULL)",
                params![
                    b"k".as_slice(),
                    [1u8; 31].as_slice(),
                    [0u8; 64].as_slice(),
                    [2u8; 32].as_slice()
                ],
            )
        })
        .unwrap();
        assert!(db.tokens_for(b"k").unwrap().is_empty());
    }

    #[test]
    fn a_version_that_is_not_a_number_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("identity.db");
        drop(IdentityDb::open(&path).unwrap());
        let connection = Connection::open(&path).unwrap();
        connection
            .execute("UPDATE option SET value = 'x' WHERE key = 'database_version'", [])
            .unwrap();
        drop(connection);
        assert!(matches!(IdentityDb::open(&path), Err(DbError::Version(v)) if v == "x"));
    }
}
