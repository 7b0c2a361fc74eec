//! [`Pseudonyms`]: py-ipv8's `CommunicationManager`. A pseudonym is a key of its own under
//! `pseudonyms/<name>` in the working directory (raw `LibNaCLSK:` bytes, as py-ipv8 writes it) and
//! a node of its own on its own UDP port, running an
//! [`IdentityCommunity`](crate::proto::identity::IdentityCommunity) beside an
//! [`AttestationCommunity`](crate::proto::identity::wallet::AttestationCommunity): peers see a
//! pseudonym at an address that does not lead to the main node. The identity overlay walks from
//! the bootstrap servers given here (the node's own, so `--bootstrap` governs pseudonyms too);
//! both databases (`sqlite/identity.db`, `sqlite/attestations.db`) are shared by every pseudonym.

use std::collections::HashMap;
use std::io;
use std::net::{IpAddr, SocketAddr, SocketAddrV4};
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};
use std::time::Instant;

use tokio::sync::Mutex;
use tokio::task::JoinHandle;

use super::{Endpoint, EndpointConfig, NodeHandle, spawn};
use crate::crypto::{Curve, PrivateKey};
use crate::proto::discovery::{DispersyBootstrapper, RandomWalk};
use crate::proto::identity::IdentityCommunity;
use crate::proto::identity::db::IdentityDb;
use crate::proto::identity::wallet::{AttestationCommunity, WalletDb};
use crate::proto::{Community as _, Node, Rng};

/// Why a pseudonym could not be loaded or removed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PseudonymError {
    /// Names are file names: no separators, no `.` or `..`, not empty.
    #[error("invalid pseudonym name {0:?}")]
    InvalidName(String),
    /// The key file could not be read or written.
    #[error("pseudonym key file: {0}")]
    Io(#[from] io::Error),
    /// The key file holds no key.
    #[error("pseudonym key file {0} holds no private key")]
    BadKey(PathBuf),
    /// A database could not be opened.
    #[error("{0}")]
    Db(String),
    /// The pseudonym's node could not start.
    #[error("pseudonym node: {0}")]
    Node(String),
}

/// A loaded pseudonym: its node and its serialized public key.
#[derive(Debug, Clone)]
pub struct Pseudonym {
    /// The pseudonym's node (its identity and attestation overlays).
    pub handle: NodeHandle,
    /// The pseudonym's serialized public key.
    pub public_key: Vec<u8>,
}

struct Loaded {
    pseudonym: Pseudonym,
    task: JoinHandle<Node>,
}

/// The pseudonyms of one working directory.
///
/// # Examples
///
/// ```
/// use ipv8::runtime::Pseudonyms;
///
/// #[tokio::main]
/// async fn main() -> Result<(), Box<dyn std::error::Error>> {
///     let dir = tempfile::tempdir()?;
///     // No bootstrap servers: the pseudonym waits for peers that walk to it.
///     let pseudonyms = Pseudonyms::new(dir.path(), "127.0.0.1".parse()?, Vec::new());
///     let alice = pseudonyms.load("alice", None).await?;
///     assert_eq!(pseudonyms.names()?, ["alice"]);
///     assert_eq!(pseudonyms.load("alice", None).await?.public_key, alice.public_key);
///     pseudonyms.remove("alice").await?;
///     assert!(pseudonyms.names()?.is_empty());
///     Ok(())
/// }
/// ```
pub struct Pseudonyms {
    directory: PathBuf,
    bind: IpAddr,
    bootstrap: Vec<SocketAddr>,
    socks5: Option<SocketAddr>,
    identity_db: OnceLock<IdentityDb>,
    wallet_db: OnceLock<WalletDb>,
    loaded: Mutex<HashMap<String, Loaded>>,
}

impl std::fmt::Debug for Pseudonyms {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Pseudonyms")
            .field("directory", &self.directory)
            .field("bind", &self.bind)
            .field("bootstrap", &self.bootstrap)
            .field("socks5", &self.socks5)
            .finish_non_exhaustive()
    }
}

impl Pseudonyms {
    /// The pseudonyms of `working_directory`, whose nodes bind to `bind` (port 0) and bootstrap
    /// from `bootstrap`.
    #[must_use]
    pub fn new(working_directory: &Path, bind: IpAddr, bootstrap: Vec<SocketAddr>) -> Arc<Self> {
        Self::with_proxy(working_directory, bind, bootstrap, None)
    }

    /// As [`Pseudonyms::new`], but each pseudonym's node sends and receives through the SOCKS5
    /// proxy at `socks5` ([`EndpointConfig::with_socks5`]; its UDP socket is bound on the address
    /// its connection to the proxy comes from): with the main node's
    /// [`Socks5Server`](super::Socks5Server), through circuits of its own, as py-ipv8 anonymizes
    /// pseudonyms when a `HiddenTunnelCommunity` runs. A pseudonym whose proxy does not answer
    /// (or refuses: a [`Socks5Server`](super::Socks5Server) serves up to
    /// [`MAX_ASSOCIATIONS`](super::MAX_ASSOCIATIONS) at once) fails to load.
    ///
    /// # Examples
    ///
    /// ```no_run
    /// # async fn run(handle: ipv8::runtime::NodeHandle, events: ipv8::runtime::Events) -> Result<(), Box<dyn std::error::Error>> {
    /// use ipv8::runtime::{Pseudonyms, Socks5Server};
    ///
    /// // The main node (`handle`) runs a tunnel community, and exits with EXIT_IPV8 are known.
    /// let server = Socks5Server::bind("127.0.0.1:0".parse()?, 1).await?;
    /// let proxy = server.local_addr()?;
    /// tokio::spawn(server.run(handle, events));
    /// let dir = std::path::Path::new("working-directory");
    /// let pseudonyms = Pseudonyms::anonymized(dir, Vec::new(), proxy);
    /// let alice = pseudonyms.load("alice", None).await?;
    /// # let _ = alice;
    /// # Ok(())
    /// # }
    /// # let _ = run;
    /// ```
    #[must_use]
    pub fn anonymized(
        working_directory: &Path,
        bootstrap: Vec<SocketAddr>,
        socks5: SocketAddr,
    ) -> Arc<Self> {
        let bind = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);
        Self::with_proxy(working_directory, bind, bootstrap, Some(socks5))
    }

    fn with_proxy(
        working_directory: &Path,
        bind: IpAddr,
        bootstrap: Vec<SocketAddr>,
        socks5: Option<SocketAddr>,
    ) -> Arc<Self> {
        Arc::new(Self {
            directory: working_directory.to_path_buf(),
            bind,
            bootstrap,
            socks5,
            identity_db: OnceLock::new(),
            wallet_db: OnceLock::new(),
            loaded: Mutex::new(HashMap::new()),
        })
    }

    /// The SOCKS5 proxy pseudonyms send through, if they are anonymized.
    #[must_use]
    pub fn socks5(&self) -> Option<SocketAddr> {
        self.socks5
    }

    fn key_path(&self, name: &str) -> Result<PathBuf, PseudonymError> {
        let valid = !name.is_empty()
            && name != "."
            && name != ".."
            && !name.contains(['/', '\\', '\0'])
            && name.len() <= 255;
        if valid {
            Ok(self.directory.join("pseudonyms").join(name))
        } else {
            Err(PseudonymError::InvalidName(name.to_owned()))
        }
    }

    /// The names of every pseudonym with a key file (loaded or not), sorted.
    ///
    /// # Errors
    ///
    /// The directory exists but cannot be read.
    pub fn names(&self) -> Result<Vec<String>, PseudonymError> {
        let dir = self.directory.join("pseudonyms");
        if !dir.exists() {
            return Ok(Vec::new());
        }
        let mut names = Vec::new();
        for entry in std::fs::read_dir(dir)? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                names.push(entry.file_name().to_string_lossy().into_owned());
            }
        }
        names.sort();
        Ok(names)
    }

    /// The pseudonym `name`, loaded (its key made and written first if it has none) and running.
    /// A `rendezvous` token (at most 20 bytes) on the load that starts it changes its identity
    /// overlay's id so that it meets only peers with the same token.
    ///
    /// # Errors
    ///
    /// An invalid name, an unreadable key file or database, a socket that cannot be bound, or
    /// (anonymized) a SOCKS5 proxy that gives no association.
    pub async fn load(
        &self,
        name: &str,
        rendezvous: Option<&[u8]>,
    ) -> Result<Pseudonym, PseudonymError> {
        let mut loaded = self.loaded.lock().await;
        if let Some(l) = loaded.get(name) {
            return Ok(l.pseudonym.clone());
        }
        let key = self.key_for(name)?;
        let (identity_db, wallet_db) = self.databases()?;
        let public_key = key.public_key().to_bin().to_vec();
        let mut identity = IdentityCommunity::new(identity_db);
        if let Some(token) = rendezvous {
            identity = identity.with_rendezvous(token);
        }
        let node = self.node(key, identity, wallet_db)?;
        let endpoint = Endpoint::open(&self.endpoint_config())
            .await
            .map_err(|e| PseudonymError::Node(error_chain(&e)))?;
        let (handle, mut events, task) = spawn(node, endpoint);
        tokio::spawn(async move { while events.recv().await.is_some() {} });
        let pseudonym = Pseudonym { handle, public_key };
        loaded.insert(name.to_owned(), Loaded { pseudonym: pseudonym.clone(), task });
        Ok(pseudonym)
    }

    /// A pseudonym's endpoint: port 0 on the bind address, or through the proxy.
    fn endpoint_config(&self) -> EndpointConfig {
        let bind = match self.bind {
            IpAddr::V4(ip) => SocketAddrV4::new(ip, 0),
            IpAddr::V6(_) => SocketAddrV4::new(std::net::Ipv4Addr::LOCALHOST, 0),
        };
        let config = EndpointConfig::new().with_ipv4(bind);
        match self.socks5 {
            Some(proxy) => config.with_socks5(proxy),
            None => config,
        }
    }

    fn node(
        &self,
        key: PrivateKey,
        identity: IdentityCommunity,
        wallet_db: WalletDb,
    ) -> Result<Node, PseudonymError> {
        let now = Instant::now();
        let seed = Rng::from_os().next_u64();
        let mut node = Node::new(key, seed, now);
        node.set_rng(Rng::from_os());
        node.set_spawn_bootstrap(self.bootstrap.clone());
        let id = identity.community_id();
        let err = |e: crate::proto::NodeError| PseudonymError::Node(e.to_string());
        node.add_community(now, identity).map_err(err)?;
        node.add_strategy_to::<IdentityCommunity>(id, RandomWalk::new(), None).map_err(err)?;
        if !self.bootstrap.is_empty() {
            let bootstrapper = DispersyBootstrapper::new(self.bootstrap.clone());
            node.add_bootstrapper_to(id, bootstrapper).map_err(err)?;
        }
        node.add_community(now, AttestationCommunity::new(wallet_db)).map_err(err)?;
        Ok(node)
    }

    fn key_for(&self, name: &str) -> Result<PrivateKey, PseudonymError> {
        let path = self.key_path(name)?;
        if path.exists() {
            let bytes = std::fs::read(&path)?;
            return PrivateKey::from_bin(&bytes).map_err(|_| PseudonymError::BadKey(path));
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let key = PrivateKey::generate(Curve::Curve25519)
            .map_err(|_| PseudonymError::BadKey(path.clone()))?;
        let temporary = path.with_extension("tmp");
        std::fs::write(&temporary, key.to_bin())?;
        std::fs::rename(&temporary, &path)?;
        Ok(key)
    }

    fn databases(&self) -> Result<(IdentityDb, WalletDb), PseudonymError> {
        let sqlite = self.directory.join("sqlite");
        if self.identity_db.get().is_none() {
            let db = IdentityDb::open(sqlite.join("identity.db"))
                .map_err(|e| PseudonymError::Db(e.to_string()))?;
            let _ = self.identity_db.set(db);
        }
        if self.wallet_db.get().is_none() {
            let db = WalletDb::open(&sqlite.join("attestations.db"))
                .map_err(|e| PseudonymError::Db(e.to_string()))?;
            let _ = self.wallet_db.set(db);
        }
        match (self.identity_db.get(), self.wallet_db.get()) {
            (Some(identity), Some(wallet)) => Ok((identity.clone(), wallet.clone())),
            _ => Err(PseudonymError::Db("the databases are not open".into())),
        }
    }

    /// The pseudonym `name` if it is loaded.
    pub async fn get(&self, name: &str) -> Option<Pseudonym> {
        self.loaded.lock().await.get(name).map(|l| l.pseudonym.clone())
    }

    /// The names of the loaded pseudonyms, sorted.
    pub async fn loaded(&self) -> Vec<String> {
        let mut names: Vec<String> = self.loaded.lock().await.keys().cloned().collect();
        names.sort();
        names
    }

    /// Stops the pseudonym's node (its key and credentials stay); returns whether it was loaded.
    pub async fn unload(&self, name: &str) -> bool {
        let Some(loaded) = self.loaded.lock().await.remove(name) else {
            return false;
        };
        loaded.pseudonym.handle.shutdown().await;
        let _ = loaded.task.await;
        true
    }

    /// Unloads every pseudonym (the node stops).
    pub async fn shutdown(&self) {
        for name in self.loaded().await {
            self.unload(&name).await;
        }
    }

    /// Removes the pseudonym from existence: its rows in both databases, its node and its key
    /// file.
    ///
    /// # Errors
    ///
    /// An invalid name, or a database or file that refuses.
    pub async fn remove(&self, name: &str) -> Result<(), PseudonymError> {
        let path = self.key_path(name)?;
        if !path.exists() {
            self.unload(name).await;
            return Ok(());
        }
        let pseudonym = self.load(name, None).await?;
        let node = |e: crate::runtime::RuntimeError| PseudonymError::Node(e.to_string());
        let removed = pseudonym
            .handle
            .ask::<IdentityCommunity, _>(crate::proto::identity::RemoveMine)
            .await
            .map_err(node)?;
        let hashes =
            removed.iter().filter_map(|h| <[u8; 20]>::try_from(h.as_slice()).ok()).collect();
        let forget = crate::proto::identity::wallet::ForgetAttestations { hashes };
        pseudonym
            .handle
            .ask::<AttestationCommunity, _>(forget)
            .await
            .map_err(node)?
            .map_err(|e| PseudonymError::Db(e.to_string()))?;
        self.unload(name).await;
        std::fs::remove_file(path)?;
        Ok(())
    }
}

/// An error and its sources, as one line.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}
