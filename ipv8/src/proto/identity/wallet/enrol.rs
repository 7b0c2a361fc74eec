//! Enrolment (spec §1.1): the subject asks an attester for an attestation with a fresh Boneh key,
//! the attester's application gives the value, the attester sends the attestation back in chunks
//! under the global time of the request, and the subject keeps it and asks its identity overlay
//! to have the attester sign the matching metadata.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::Value;

use super::transfer::{Added, Chunks};
use super::{
    AttestationCommunity, RequestAttestation, StoredAttestation, WALLET_TABLE_LIMIT,
    WALLET_TIMEOUT, WalletError, WalletEvent, expired, job_rng, make_room, sha1,
};
use crate::attestation::{AttestationError, BonehPrivateKey, BonehPublicKey, IdFormat};
use crate::messages::attestation::{AttestationChunkPayload, RequestAttestationPayload};
use crate::proto::discovery::Timed;
use crate::proto::identity::{
    AddKnownHash, ExtraMetadata, IdentityCommunity, RequestAdvertisement,
};
use crate::proto::{Context, Peer, Reply};

/// Enrolments in both roles.
#[derive(Default)]
pub(super) struct Enrolments {
    /// Our requests waiting for the attester's chunks, by (attester key, global time).
    mine: HashMap<(Vec<u8>, u64), Mine>,
    /// The extra metadata of our requests by attribute name, for the advertisement.
    metadata: HashMap<String, (ExtraMetadata, Instant)>,
    /// Others' requests waiting for our value, by (subject key, attribute name).
    pub(super) asked: HashMap<(Vec<u8>, String), Asked>,
}

/// One of our requests.
struct Mine {
    attester: Peer,
    name: String,
    format: IdFormat,
    key: Arc<BonehPrivateKey>,
    chunks: Chunks,
    since: Instant,
}

/// A peer's request for an attestation by us.
pub(super) struct Asked {
    pub(super) subject: Peer,
    pub(super) metadata: ExtraMetadata,
    /// py-ipv8's `json.dumps` of the extra metadata (the REST API shows it so).
    pub(super) metadata_json: String,
    global_time: u64,
    key: BonehPublicKey,
    format: IdFormat,
    since: Instant,
}

impl Enrolments {
    pub(super) fn sweep(&mut self, now: Instant) {
        self.mine.retain(|_, m| !expired(m.since, now, WALLET_TIMEOUT));
        self.asked.retain(|_, a| !expired(a.since, now, WALLET_TIMEOUT));
        self.metadata.retain(|_, (_, at)| !expired(*at, now, WALLET_TIMEOUT * 2));
    }
}

impl AttestationCommunity {
    /// [`RequestAttestation`]: a fresh key (a job), then the request to the attester.
    pub(super) fn request_attestation(
        ctx: &mut Context<'_, Self>,
        request: RequestAttestation,
        reply: Reply<Result<(), WalletError>>,
    ) {
        let format = request.format;
        let mut rng = job_rng(ctx);
        let work = move || format.generate_key(&mut rng);
        let spawned = ctx.spawn_job(work, move |me: &mut Self, ctx, key| match key {
            Ok(key) => {
                me.send_request(ctx, request, key);
                ctx.reply(reply, Ok(()));
            }
            Err(e) => ctx.reply(reply, Err(WalletError::Attestation(e.to_string()))),
        });
        if spawned.is_err() {
            tracing::warn!("wallet: no room for a key generation job");
        }
    }

    fn send_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        request: RequestAttestation,
        key: BonehPrivateKey,
    ) {
        let RequestAttestation { attester, name, format, metadata } = request;
        let mut pairs = vec![
            ("attribute".to_owned(), Value::from(name.clone())),
            ("public_key".to_owned(), Value::from(mime_base64(&key.public.to_bytes()))),
            ("id_format".to_owned(), Value::from(format.name())),
        ];
        pairs.extend(metadata.iter().map(|(k, v)| (k.clone(), Value::from(v.clone()))));
        let global_time = ctx.claim_global_time();
        let payload = RequestAttestationPayload { metadata: py_json(&pairs).into_bytes() };
        ctx.ez_send(&attester, &Timed { global_time, payload });
        let now = ctx.now();
        make_room(&mut self.enrol.mine, |m| m.since);
        make_room(&mut self.enrol.metadata, |(_, at)| *at);
        self.enrol.metadata.insert(name.clone(), (metadata, now));
        let k = (attester.key().to_bin().to_vec(), global_time);
        let mine = Mine {
            attester,
            name,
            format,
            key: Arc::new(key),
            chunks: Chunks::default(),
            since: now,
        };
        self.enrol.mine.insert(k, mine);
    }

    /// A peer asks us to attest: remember it for the application.
    pub(super) fn record_request(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        global_time: u64,
        p: &RequestAttestationPayload,
    ) {
        let Some(parsed) = parse_request(&p.metadata) else {
            ctx.refuse("wallet_bad_request_metadata");
            return;
        };
        let Some(format) = IdFormat::from_name(&parsed.id_format) else {
            ctx.refuse("wallet_unknown_id_format");
            return;
        };
        let Ok((key, [])) = BonehPublicKey::read(&parsed.public_key) else {
            ctx.refuse("wallet_bad_public_key");
            return;
        };
        let subject = peer.key().to_bin().to_vec();
        let metadata_json = py_json(&parsed.extra);
        let metadata = parsed.extra.into_iter().map(|(k, v)| (k, text(v))).collect();
        make_room(&mut self.enrol.asked, |a| a.since);
        let asked = Asked {
            subject: peer.clone(),
            metadata,
            metadata_json,
            global_time,
            key,
            format,
            since: ctx.now(),
        };
        self.enrol.asked.insert((subject.clone(), parsed.attribute.clone()), asked);
        ctx.emit(WalletEvent::AttestationRequested { subject, name: parsed.attribute });
    }

    /// [`Attest`](super::Attest): the attestation of `value` for an outstanding request, made in
    /// a job and sent in chunks; the identity overlay learns its hash to sign the metadata.
    pub(super) fn attest(
        &mut self,
        ctx: &mut Context<'_, Self>,
        subject: Vec<u8>,
        name: String,
        value: Vec<u8>,
        reply: Reply<Result<(), WalletError>>,
    ) {
        let Some(asked) = self.enrol.asked.remove(&(subject, name.clone())) else {
            ctx.reply(reply, Err(WalletError::NotOutstanding));
            return;
        };
        let format = asked.format;
        let key = asked.key.clone();
        let mut rng = job_rng(ctx);
        let work = move || {
            let blob = format.attest(&key, &value, &mut rng)?;
            let hash = sha1(&format.read_public(&blob)?.public_bytes());
            Ok::<_, AttestationError>((blob, hash))
        };
        let done = move |_: &mut Self, ctx: &mut Context<'_, Self>, result: Made| match result {
            Ok((blob, hash)) => {
                let known = AddKnownHash {
                    hash,
                    name,
                    subject: asked.subject.key().to_bin().to_vec(),
                    metadata: Some(asked.metadata),
                };
                if ctx.ask::<IdentityCommunity, _>(known, |_, _, _| {}).is_err() {
                    tracing::warn!(
                        "wallet: the identity overlay could not be told of an attestation"
                    );
                }
                Self::send_blob(ctx, &asked.subject, &blob, Some(asked.global_time));
                ctx.reply(reply, Ok(()));
            }
            Err(e) => ctx.reply(reply, Err(WalletError::Attestation(e.to_string()))),
        };
        if ctx.spawn_job(work, done).is_err() {
            tracing::warn!("wallet: no room for an attestation job");
        }
    }

    /// A chunk of an attestation we asked for; `false` if it belongs to no enrolment of ours.
    pub(super) fn on_enrolment_chunk(
        &mut self,
        ctx: &mut Context<'_, Self>,
        peer: &Peer,
        global_time: u64,
        p: &AttestationChunkPayload,
    ) -> bool {
        let k = (peer.key().to_bin().to_vec(), global_time);
        let Some(mine) = self.enrol.mine.get_mut(&k) else {
            return false;
        };
        match mine.chunks.add(&p.attestation_hash, p.sequence_number, &p.data) {
            Added::Waiting => {}
            Added::TooLarge => {
                self.enrol.mine.remove(&k);
                ctx.refuse("wallet_blob_too_large");
            }
            Added::Complete(blob) => {
                if let Some(mine) = self.enrol.mine.remove(&k) {
                    Self::finish_enrolment(ctx, mine, blob);
                }
            }
        }
        true
    }

    /// Reads and keeps a whole attestation (a job), then has the identity overlay advertise it.
    fn finish_enrolment(ctx: &mut Context<'_, Self>, mine: Mine, blob: Vec<u8>) {
        let (format, key) = (mine.format, mine.key.clone());
        let mut rng = job_rng(ctx);
        let work = move || {
            let owned = format.read_owned(&key, &blob)?;
            let hash = sha1(&owned.public_bytes());
            let kept = owned.private_bytes(&key.public, &mut rng)?;
            Ok::<_, AttestationError>((hash, kept))
        };
        let done = move |me: &mut Self, ctx: &mut Context<'_, Self>, result: Read| match result {
            Ok((hash, blob)) => me.keep(ctx, mine, hash, blob),
            Err(e) => {
                tracing::warn!("wallet: an attestation from {} is unreadable: {e}", mine.name);
            }
        };
        if ctx.spawn_job(work, done).is_err() {
            tracing::warn!("wallet: no room to read an attestation");
        }
    }

    fn keep(&mut self, ctx: &mut Context<'_, Self>, mine: Mine, hash: [u8; 20], blob: Vec<u8>) {
        let row = StoredAttestation {
            hash,
            blob,
            key: mine.key.to_bytes(),
            id_format: mine.format.name().to_owned(),
        };
        if let Err(e) = self.db.insert(&row) {
            tracing::error!("wallet: attestation {} not stored: {e}", mine.name);
            return;
        }
        let metadata =
            self.enrol.metadata.get(&mine.name).map(|(m, _)| m.clone()).unwrap_or_default();
        ctx.emit(WalletEvent::Attested { hash, name: mine.name.clone() });
        let advertise = RequestAdvertisement {
            authority: mine.attester,
            hash,
            name: mine.name,
            schema: mine.format.name().to_owned(),
            metadata,
        };
        if ctx.ask::<IdentityCommunity, _>(advertise, |_, _, _| {}).is_err() {
            tracing::warn!("wallet: the identity overlay could not advertise an attestation");
        }
    }
}

/// An attestation made for a subject: the blob to send and its attribute hash.
type Made = Result<(Vec<u8>, [u8; 20]), AttestationError>;
/// An attestation received: its attribute hash and what the database keeps.
type Read = Result<([u8; 20], Vec<u8>), AttestationError>;

/// A request-attestation's JSON: the attribute, the subject's key, the format and the rest.
struct ParsedRequest {
    attribute: String,
    public_key: Vec<u8>,
    id_format: String,
    extra: Vec<(String, Value)>,
}

fn parse_request(json: &[u8]) -> Option<ParsedRequest> {
    let Ok(Value::Object(mut map)) = serde_json::from_slice::<Value>(json) else {
        return None;
    };
    let mut take = |key: &str| match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    let attribute = take("attribute")?;
    let public_key = take("public_key")?;
    let id_format = take("id_format")?;
    let compact: String = public_key.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    let public_key = STANDARD.decode(compact).ok()?;
    let extra = map.into_iter().take(WALLET_TABLE_LIMIT).collect();
    Some(ParsedRequest { attribute, public_key, id_format, extra })
}

/// A metadata value as text: strings as they are, anything else as its JSON.
fn text(value: Value) -> String {
    match value {
        Value::String(s) => s,
        other => other.to_string(),
    }
}

/// A JSON object as Python's `json.dumps` writes it (`{"k": v, ...}`).
pub(super) fn py_json(pairs: &[(String, Value)]) -> String {
    let fields: Vec<String> =
        pairs.iter().map(|(k, v)| format!("{}: {}", Value::from(k.as_str()), v)).collect();
    format!("{{{}}}", fields.join(", "))
}

/// Base64 as Python's `base64.encodebytes` writes it: a newline after every 76 characters and at
/// the end.
pub(super) fn mime_base64(bytes: &[u8]) -> String {
    let plain = STANDARD.encode(bytes);
    let mut out = String::with_capacity(plain.len() + plain.len() / 76 + 1);
    for line in plain.as_bytes().chunks(76) {
        out.push_str(&String::from_utf8_lossy(line));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_json_and_mime_base64_look_as_py_ipv8_writes_them() {
        let pairs = vec![("a".to_owned(), Value::from("x\"y")), ("b".to_owned(), Value::from(1))];
        assert_eq!(py_json(&pairs), r#"{"a": "x\"y", "b": 1}"#);
        assert_eq!(py_json(&[]), "{}");
        let encoded = mime_base64(&[0xff; 60]);
        let lines: Vec<&str> = encoded.split_terminator('\n').collect();
        assert_eq!(lines.iter().map(|l| l.len()).collect::<Vec<_>>(), [76, 4]);
        assert!(encoded.ends_with('\n'));
    }

    #[test]
    fn a_request_is_parsed_leniently_and_refused_when_incomplete() {
        let json = br#"{"attribute": "age", "public_key": "AQID\nBA==\n", "id_format": "id_metadata", "x": 5}"#;
        let parsed = parse_request(json).expect("a request");
        assert_eq!(parsed.public_key, [1, 2, 3, 4]);
        assert_eq!(parsed.extra, [("x".to_owned(), Value::from(5))]);
        assert!(parse_request(br#"{"attribute": "age"}"#).is_none());
        assert!(parse_request(b"[1, 2]").is_none());
        assert!(parse_request(b"\xff").is_none());
    }
}
