//! Helpers shared by the integration tests: hex decoding and the packets captured from py-ipv8
//! (`schemas/vectors/messages.json`).

use std::path::{Path, PathBuf};

use ipv8::crypto::PrivateKey;
use ipv8::proto::{Community, CommunityId, Context, Peer};
use serde_json::Value;

/// Bytes from lowercase hex.
///
/// # Panics
///
/// Panics on malformed hex (test data only).
#[allow(dead_code, reason = "not every test crate uses every helper")]
pub(crate) fn unhex(text: &str) -> Vec<u8> {
    assert!(text.len().is_multiple_of(2), "odd hex length: {text}");
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).expect("hex digit"))
        .collect()
}

/// The captured packets and the scenario's keys.
#[allow(dead_code, reason = "not every test crate uses every helper")]
pub(crate) struct Vectors(Value);

#[allow(dead_code, reason = "not every test crate uses every helper")]
impl Vectors {
    /// Loads `schemas/vectors/messages.json`.
    pub(crate) fn load() -> Self {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../schemas/vectors/messages.json");
        Self(
            serde_json::from_str(&std::fs::read_to_string(path).expect("messages.json"))
                .expect("json"),
        )
    }

    /// The private key of scenario peer `name` ("A", "B", "C").
    pub(crate) fn key(&self, name: &str) -> PrivateKey {
        PrivateKey::from_bin(&unhex(self.0["keys"][name].as_str().expect("key")))
            .expect("key parses")
    }

    /// The packet whose name starts with `prefix` (e.g. "V5 ").
    pub(crate) fn packet(&self, prefix: &str) -> Vec<u8> {
        let messages = self.0["messages"].as_array().expect("messages");
        let found =
            messages.iter().find(|m| m["name"].as_str().is_some_and(|n| n.starts_with(prefix)));
        unhex(found.and_then(|m| m["hex"].as_str()).expect("vector present"))
    }
}

/// An application community with no discovery of its own: it only hears of peers.
#[allow(dead_code, reason = "not every test crate uses every helper")]
#[derive(Default)]
pub(crate) struct Quiet {
    /// The peers it was told about, in order.
    pub(crate) added: Vec<Peer>,
}

#[ipv8::community]
impl Quiet {}

impl Community for Quiet {
    fn community_id(&self) -> CommunityId {
        CommunityId(*b"quiet app community!")
    }

    fn on_peer_added(&mut self, _ctx: &mut Context<'_, Self>, peer: &Peer) {
        self.added.push(peer.clone());
    }
}

/// The workspace's root directory.
pub(crate) fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The Python with py-ipv8 3.2.1 installed: `$IPV8_PYTHON`, else `target/py-venv/bin/python`
/// (made by `cargo xtask vectors`); panics with how to get it when there is none.
pub(crate) fn python() -> PathBuf {
    if let Some(python) = std::env::var_os("IPV8_PYTHON") {
        return python.into();
    }
    let python = workspace().join("target/py-venv/bin/python");
    assert!(
        python.exists(),
        "the py-ipv8 interop tests need py-ipv8 3.2.1: {} is missing; run `cargo xtask vectors` \
         to create the venv (or set IPV8_PYTHON to a Python that has pyipv8==3.2.1)",
        python.display()
    );
    python
}
