//! The model of `schemas/messages/*.toml` (format described in `schemas/README.md`).

use std::path::Path;

use anyhow::Context;
use serde::Deserialize;

/// One schema file: the payloads and messages of one overlay.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Schema {
    pub(crate) overlay: String,
    #[serde(default)]
    pub(crate) community_id: Option<String>,
    #[serde(default, rename = "payload")]
    pub(crate) payloads: Vec<Payload>,
    #[serde(default, rename = "message")]
    #[allow(dead_code)]
    pub(crate) messages: Vec<Message>,
}

/// A payload: fields in wire order.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Payload {
    pub(crate) name: String,
    pub(crate) msg_id: Option<u8>,
    pub(crate) doc: String,
    pub(crate) fields: Vec<Field>,
}

/// A field and its py-ipv8 format name.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Field {
    pub(crate) name: String,
    pub(crate) format: String,
    #[serde(default)]
    pub(crate) bits: Vec<String>,
    /// The nested payload of a `payload` or `payload-list` field.
    #[serde(default)]
    pub(crate) payload: Option<String>,
}

/// How payloads travel as one message.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)]
pub(crate) struct Message {
    pub(crate) name: String,
    pub(crate) msg_id: u8,
    pub(crate) signed: bool,
    pub(crate) payloads: Vec<String>,
}

/// Reads every schema file, sorted by file name.
pub(crate) fn load_all(dir: &Path) -> anyhow::Result<Vec<Schema>> {
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .collect();
    paths.sort();
    paths.iter().map(|path| load(path)).collect()
}

fn load(path: &Path) -> anyhow::Result<Schema> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    toml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
