//! `/identity/*` (spec `rest-api.md` §2, the IPv8 documentation's identity tutorial): pseudonyms,
//! their credentials, and attestation and verification between pseudonyms, in py-ipv8's shapes
//! and error bodies. Every route but `GET /identity` loads its pseudonym first.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};

use self::bodies::{
    AttestationRequests, Credentials as CredentialList, Names, Peers, PublicKey, Schemas,
    SubjectCredentials, VerificationRequests, Verifications,
};
use super::reply::{bare_error, failure, success};
use crate::attestation::{ID_FORMATS, IdFormat};
use crate::proto::Peer;
use crate::proto::identity::wallet::{
    Attest, AttestationCommunity, Consent, OutstandingAttestations, OutstandingVerifications,
    RequestAttestation, VerificationOutputs, Verify, WalletError,
};
use crate::proto::identity::{Credentials, IdentityCommunity};
use crate::runtime::{Pseudonym, PseudonymError, Pseudonyms, RuntimeError};

mod bodies;

/// The routes' state: the pseudonyms they serve.
type Shared = State<Arc<Pseudonyms>>;

/// The `/identity` routes, serving `pseudonyms`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(pseudonyms: Arc<Pseudonyms>) -> Router<S> {
    Router::new()
        .route("/identity", get(names))
        .route("/identity/{pseudonym}/schemas", get(schemas))
        .route("/identity/{pseudonym}/public_key", get(public_key))
        .route("/identity/{pseudonym}/unload", get(unload))
        .route("/identity/{pseudonym}/remove", get(remove))
        .route("/identity/{pseudonym}/peers", get(peers))
        .route("/identity/{pseudonym}/credentials", get(credentials))
        .route("/identity/{pseudonym}/credentials/{subject}", get(peer_credentials))
        .route("/identity/{pseudonym}/request/{authority}", put(request))
        .route("/identity/{pseudonym}/attest/{subject}", put(attest))
        .route("/identity/{pseudonym}/verify/{subject}", put(verify))
        .route("/identity/{pseudonym}/allow/{verifier}", put(allow))
        .route("/identity/{pseudonym}/disallow/{verifier}", put(disallow))
        .route("/identity/{pseudonym}/outstanding/attestations", get(outstanding_attestations))
        .route("/identity/{pseudonym}/outstanding/verifications", get(outstanding_verifications))
        .route("/identity/{pseudonym}/verifications", get(verifications))
        .with_state(pseudonyms)
}

/// `400 {"error": "incorrect parameters"}`.
fn incorrect_parameters() -> Response {
    bare_error(StatusCode::BAD_REQUEST, "incorrect parameters")
}

/// py-ipv8's error middleware body for an exception: 500 with its class name and text.
fn internal(code: &'static str, error: &impl std::fmt::Display) -> Response {
    exception(StatusCode::INTERNAL_SERVER_ERROR, code, error)
}

/// The same body for an exception py-ipv8 raises on bad input (a value that is not base64, an
/// unknown schema, nothing outstanding to answer), but with `400`: the client's error.
fn invalid(code: &'static str, error: &impl std::fmt::Display) -> Response {
    exception(StatusCode::BAD_REQUEST, code, error)
}

/// py-ipv8's error middleware body, `{"success": false, "error": {"code", "message"}}`, with
/// `status`.
fn exception(status: StatusCode, code: &str, error: &impl std::fmt::Display) -> Response {
    let error = json!({ "code": code, "message": error.to_string() });
    (status, Json(json!({ "success": false, "error": error }))).into_response()
}

/// An invalid name is the client's error (`400`); anything else the server's.
fn from_pseudonym_error(error: &PseudonymError) -> Response {
    match error {
        PseudonymError::InvalidName(_) => failure(StatusCode::BAD_REQUEST, &error.to_string()),
        _ => internal("PseudonymError", error),
    }
}

/// The node of the pseudonym failed or stopped.
fn from_runtime(error: &RuntimeError) -> Response {
    internal("RuntimeError", error)
}

/// Nothing outstanding to answer is the client's error (`400`); anything else the server's.
fn from_wallet(error: &WalletError) -> Response {
    match error {
        WalletError::NotOutstanding => invalid("KeyError", error),
        _ => internal("WalletError", error),
    }
}

/// Loads the pseudonym, with the `X-Rendezvous` token if the request has one (cut to 20 bytes,
/// as py-ipv8 does).
async fn load(
    pseudonyms: &Pseudonyms,
    name: &str,
    headers: &HeaderMap,
) -> Result<Pseudonym, Response> {
    let token = headers
        .get("X-Rendezvous")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| STANDARD.decode(v.trim()).ok())
        .map(|mut t| {
            t.truncate(20);
            t
        });
    pseudonyms.load(name, token.as_deref()).await.map_err(|e| from_pseudonym_error(&e))
}

/// Loads the pseudonym and answers what its attestation overlay lists for `request`, as `body`
/// puts it.
async fn listed<R, B>(
    pseudonyms: &Pseudonyms,
    name: &str,
    headers: &HeaderMap,
    request: R,
    body: impl FnOnce(R::Response) -> B,
) -> Response
where
    R: crate::proto::Request,
    AttestationCommunity: crate::proto::Responder<R>,
    B: serde::Serialize,
{
    let pseudonym = match load(pseudonyms, name, headers).await {
        Ok(pseudonym) => pseudonym,
        Err(r) => return r,
    };
    match pseudonym.handle.ask::<AttestationCommunity, _>(request).await {
        Ok(list) => Json(body(list)).into_response(),
        Err(e) => from_runtime(&e),
    }
}

/// The peers of the pseudonym's identity overlay.
async fn identity_peers(pseudonym: &Pseudonym) -> Result<Vec<Peer>, Response> {
    pseudonym
        .handle
        .with_community::<IdentityCommunity, _>(|_, ctx| ctx.peers())
        .await
        .map_err(|e| from_runtime(&e))
}

/// The current peer with this base64 key (from a URL path).
async fn find_peer(pseudonym: &Pseudonym, key_b64: &str) -> Result<Option<Peer>, Response> {
    let Ok(key) = STANDARD.decode(key_b64) else {
        return Ok(None);
    };
    let peers = identity_peers(pseudonym).await?;
    Ok(peers.into_iter().find(|p| p.key().to_bin() == key.as_slice()))
}

/// The request's body as a JSON object, or `None` for anything else.
fn body_of(body: &axum::body::Bytes) -> Option<serde_json::Map<String, Value>> {
    match serde_json::from_slice(body) {
        Ok(Value::Object(map)) => Some(map),
        _ => None,
    }
}

/// The string under `key`, if the value there is one.
fn text<'a>(map: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    map.get(key).and_then(Value::as_str)
}

/// GET `/identity`: the names of every pseudonym (key files).
#[utoipa::path(
    get,
    path = "/identity",
    operation_id = "get_identity",
    tag = "identity",
    responses(
        (status = 200, description = "`{names: [str]}`: every pseudonym", body = Names),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn names(State(pseudonyms): Shared) -> Response {
    match pseudonyms.names() {
        Ok(names) => Json(Names { names }).into_response(),
        Err(e) => from_pseudonym_error(&e),
    }
}

/// GET: the attestation schemas (identity formats) this node offers.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/schemas",
    operation_id = "get_identity_pseudonym_schemas",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{schemas: [str]}`", body = Schemas),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn schemas(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = load(&p, &name, &headers).await {
        return r;
    }
    let schemas = ID_FORMATS.iter().map(|f| f.name()).collect();
    Json(Schemas { schemas }).into_response()
}

/// GET: the pseudonym's public key.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/public_key",
    operation_id = "get_identity_pseudonym_public_key",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{public_key: b64}`", body = PublicKey),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn public_key(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    match load(&p, &name, &headers).await {
        Ok(pseudonym) => Json(PublicKey::new(&pseudonym.public_key)).into_response(),
        Err(r) => r,
    }
}

/// GET: unloads the pseudonym's communities.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/unload",
    operation_id = "get_identity_pseudonym_unload",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{success: true}`", body = super::reply::Outcome),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn unload(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = load(&p, &name, &headers).await {
        return r;
    }
    p.unload(&name).await;
    success()
}

/// GET: unloads the pseudonym and deletes its key file and database rows.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/remove",
    operation_id = "get_identity_pseudonym_remove",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{success: true}`: key file and database rows deleted", body = super::reply::Outcome),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn remove(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    if let Err(r) = load(&p, &name, &headers).await {
        return r;
    }
    match p.remove(&name).await {
        Ok(()) => success(),
        Err(e) => from_pseudonym_error(&e),
    }
}

/// GET: the peers of the pseudonym's identity overlay.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/peers",
    operation_id = "get_identity_pseudonym_peers",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{peers: [b64 key]}`", body = Peers),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn peers(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    let pseudonym = match load(&p, &name, &headers).await {
        Ok(pseudonym) => pseudonym,
        Err(r) => return r,
    };
    match identity_peers(&pseudonym).await {
        Ok(peers) => Json(Peers::new(&peers)).into_response(),
        Err(r) => r,
    }
}

/// The credentials of our pseudonym (`subject` `None`) or of the subject's.
async fn credentials_of(
    pseudonym: &Pseudonym,
    subject: Option<Vec<u8>>,
) -> Result<CredentialList, Response> {
    let answer = pseudonym.handle.ask::<IdentityCommunity, _>(Credentials { subject }).await;
    answer.map(CredentialList::new).map_err(|e| from_runtime(&e))
}

/// GET: our own attributes.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/credentials",
    operation_id = "get_identity_pseudonym_credentials",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{names: [credential]}`: our own attributes", body = CredentialList),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn credentials(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    match load(&p, &name, &headers).await {
        Ok(pseudonym) => match credentials_of(&pseudonym, None).await {
            Ok(list) => Json(list).into_response(),
            Err(r) => r,
        },
        Err(r) => r,
    }
}

/// GET: the attributes of a current peer.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/credentials/{subject}",
    operation_id = "get_identity_pseudonym_credentials_subject",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("subject" = String, Path, description = "a peer's public key, base64 (percent-encoded)"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{names: [credential]}` of a current peer, or `{success: false, error: text}` for a peer not in the identity overlay", body = SubjectCredentials),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn peer_credentials(
    State(p): Shared,
    Path((name, subject)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let pseudonym = match load(&p, &name, &headers).await {
        Ok(pseudonym) => pseudonym,
        Err(r) => return r,
    };
    match find_peer(&pseudonym, &subject).await {
        Ok(Some(peer)) => {
            match credentials_of(&pseudonym, Some(peer.key().to_bin().to_vec())).await {
                Ok(list) => Json(SubjectCredentials::Found(list)).into_response(),
                Err(r) => r,
            }
        }
        Ok(None) => Json(SubjectCredentials::not_found()).into_response(),
        Err(r) => r,
    }
}

/// The pseudonym, the peer named in the path (or py-ipv8's 200 failure naming its role), and the
/// JSON body with the required string fields (or 400).
async fn prepare(
    p: &Pseudonyms,
    name: &str,
    key: &str,
    role: &str,
    headers: &HeaderMap,
    body: &axum::body::Bytes,
    required: &[&str],
) -> Result<(Pseudonym, Peer, serde_json::Map<String, Value>), Response> {
    let pseudonym = load(p, name, headers).await?;
    let Some(map) = body_of(body) else {
        return Err(incorrect_parameters());
    };
    if required.iter().any(|k| text(&map, k).is_none()) {
        return Err(incorrect_parameters());
    }
    match find_peer(&pseudonym, key).await? {
        Some(peer) => Ok((pseudonym, peer, map)),
        None => Err(failure(StatusCode::OK, &format!("failed to find {role}"))),
    }
}

/// PUT: asks the authority to attest a new attribute (a fresh secret key for the schema).
#[utoipa::path(
    put,
    path = "/identity/{pseudonym}/request/{authority}",
    operation_id = "put_identity_pseudonym_request_authority",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("authority" = String, Path, description = "a peer's public key, base64 (percent-encoded)"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    request_body(
        content = Object,
        description = "`{name: str, schema: str, metadata: {str: str}}`",
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "`{success: true}`, or `{success: false, error: text}` for a peer not in the identity overlay", body = super::reply::Outcome),
        (status = 400, description = "`{error: incorrect parameters}`, or py-ipv8's error body (`{success: false, error: {code, message}}`, code `Error` or `KeyError`) for a value or hash that is not base64, an unknown schema or nothing outstanding to answer; `{success: false, error: text}` for an invalid pseudonym name", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn request(
    State(p): Shared,
    Path((name, authority)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let required = ["name", "schema"];
    let (pseudonym, peer, map) =
        match prepare(&p, &name, &authority, "authority", &headers, &body, &required).await {
            Ok(prepared) => prepared,
            Err(r) => return r,
        };
    let schema = text(&map, "schema").unwrap_or_default();
    let Some(format) = IdFormat::from_name(schema) else {
        return invalid("KeyError", &format!("unknown schema {schema}"));
    };
    let metadata = match map.get("metadata") {
        Some(Value::Object(m)) => m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_owned)))
            .collect(),
        _ => Vec::new(),
    };
    let name = text(&map, "name").unwrap_or_default().to_owned();
    let ask = RequestAttestation { attester: peer, name, format, metadata };
    answer(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await)
}

/// `{"success": true}` for a wallet request that was done, else its error body.
fn answer(result: Result<Result<(), WalletError>, RuntimeError>) -> Response {
    match result {
        Ok(Ok(())) => success(),
        Ok(Err(e)) => from_wallet(&e),
        Err(e) => from_runtime(&e),
    }
}

/// PUT: answers the subject's outstanding attestation request for the name with the value.
#[utoipa::path(
    put,
    path = "/identity/{pseudonym}/attest/{subject}",
    operation_id = "put_identity_pseudonym_attest_subject",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("subject" = String, Path, description = "a peer's public key, base64 (percent-encoded)"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    request_body(
        content = Object,
        description = "`{name: str, value: b64}`",
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "`{success: true}`, or `{success: false, error: text}` for a peer not in the identity overlay", body = super::reply::Outcome),
        (status = 400, description = "`{error: incorrect parameters}`, or py-ipv8's error body (`{success: false, error: {code, message}}`, code `Error` or `KeyError`) for a value or hash that is not base64, an unknown schema or nothing outstanding to answer; `{success: false, error: text}` for an invalid pseudonym name", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn attest(
    State(p): Shared,
    Path((name, subject)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let required = ["name", "value"];
    let (pseudonym, peer, map) =
        match prepare(&p, &name, &subject, "subject", &headers, &body, &required).await {
            Ok(prepared) => prepared,
            Err(r) => return r,
        };
    let Ok(value) = STANDARD.decode(text(&map, "value").unwrap_or_default()) else {
        return invalid("Error", &"value is not base64");
    };
    let name = text(&map, "name").unwrap_or_default().to_owned();
    let ask = Attest { subject: peer.key().to_bin().to_vec(), name, value };
    answer(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await)
}

/// PUT: starts a verification of the subject's attribute against one reference value.
#[utoipa::path(
    put,
    path = "/identity/{pseudonym}/verify/{subject}",
    operation_id = "put_identity_pseudonym_verify_subject",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("subject" = String, Path, description = "a peer's public key, base64 (percent-encoded)"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    request_body(
        content = Object,
        description = "`{hash: b64, value: b64, schema: str}`",
        content_type = "application/json",
    ),
    responses(
        (status = 200, description = "`{success: true}`, or `{success: false, error: text}` for a peer not in the identity overlay", body = super::reply::Outcome),
        (status = 400, description = "`{error: incorrect parameters}`, or py-ipv8's error body (`{success: false, error: {code, message}}`, code `Error` or `KeyError`) for a value or hash that is not base64, an unknown schema or nothing outstanding to answer; `{success: false, error: text}` for an invalid pseudonym name", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn verify(
    State(p): Shared,
    Path((name, subject)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let required = ["hash", "value", "schema"];
    let (pseudonym, peer, map) =
        match prepare(&p, &name, &subject, "subject", &headers, &body, &required).await {
            Ok(prepared) => prepared,
            Err(r) => return r,
        };
    let decode = |key| STANDARD.decode(text(&map, key).unwrap_or_default()).ok();
    let (Some(hash), Some(value)) = (decode("hash"), decode("value")) else {
        return invalid("Error", &"hash or value is not base64");
    };
    let Ok(hash) = <[u8; 20]>::try_from(hash.as_slice()) else {
        return invalid("Error", &"the hash is not 20 bytes");
    };
    let schema = text(&map, "schema").unwrap_or_default();
    let Some(format) = IdFormat::from_name(schema) else {
        return invalid("KeyError", &format!("unknown schema {schema}"));
    };
    let ask = Verify { subject: peer, hash, references: vec![value], format };
    answer(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await)
}

/// Allows or refuses the verifier's pending verification of the attribute the body names.
async fn consent(
    p: &Pseudonyms,
    name: &str,
    verifier: &str,
    headers: &HeaderMap,
    body: &axum::body::Bytes,
    allow: bool,
) -> Response {
    let (pseudonym, peer, map) =
        match prepare(p, name, verifier, "verifier", headers, body, &["name"]).await {
            Ok(prepared) => prepared,
            Err(r) => return r,
        };
    let name = text(&map, "name").unwrap_or_default().to_owned();
    let ask = Consent { verifier: peer.key().to_bin().to_vec(), name, allow };
    answer(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await)
}

/// The allow and disallow routes, from one description: each answers a pending verification of
/// our attribute by name through [`consent`], `$allow` saying how.
macro_rules! consent_route {
    ($handler:ident, $path:literal, $operation:literal, $allow:literal, $doc:literal) => {
        #[doc = $doc]
        #[utoipa::path(
            put,
            path = $path,
            operation_id = $operation,
            tag = "identity",
            params(
                ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
                ("verifier" = String, Path, description = "a peer's public key, base64 (percent-encoded)"),
                ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
            ),
            request_body(
                content = Object,
                description = "`{name: str}`",
                content_type = "application/json",
            ),
            responses(
                (status = 200, description = "`{success: true}`, or `{success: false, error: text}` for a peer not in the identity overlay", body = super::reply::Outcome),
                (status = 400, description = "`{error: incorrect parameters}`, or py-ipv8's error body (`{success: false, error: {code, message}}`, code `Error` or `KeyError`) for a value or hash that is not base64, an unknown schema or nothing outstanding to answer; `{success: false, error: text}` for an invalid pseudonym name", body = Object),
                (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
            )
        )]
        async fn $handler(
            State(p): Shared,
            Path((name, verifier)): Path<(String, String)>,
            headers: HeaderMap,
            body: axum::body::Bytes,
        ) -> Response {
            consent(&p, &name, &verifier, &headers, &body, $allow).await
        }
    };
}

consent_route!(
    allow,
    "/identity/{pseudonym}/allow/{verifier}",
    "put_identity_pseudonym_allow_verifier",
    true,
    "PUT: consents to a pending verification of our attribute by name."
);
consent_route!(
    disallow,
    "/identity/{pseudonym}/disallow/{verifier}",
    "put_identity_pseudonym_disallow_verifier",
    false,
    "PUT: refuses a pending verification of our attribute by name."
);

/// GET: attestation requests waiting for our answer.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/outstanding/attestations",
    operation_id = "get_identity_pseudonym_outstanding_attestations",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{requests: [{peer: b64 key, attribute_name, metadata: JSON text}]}`", body = AttestationRequests),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn outstanding_attestations(
    State(p): Shared,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    listed(&p, &name, &headers, OutstandingAttestations, AttestationRequests::new).await
}

/// GET: verification requests waiting for our consent.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/outstanding/verifications",
    operation_id = "get_identity_pseudonym_outstanding_verifications",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{requests: [{peer: b64 key, attribute_name}]}`", body = VerificationRequests),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn outstanding_verifications(
    State(p): Shared,
    Path(name): Path<String>,
    headers: HeaderMap,
) -> Response {
    listed(&p, &name, &headers, OutstandingVerifications, VerificationRequests::new).await
}

/// GET: the outputs of finished verifications.
#[utoipa::path(
    get,
    path = "/identity/{pseudonym}/verifications",
    operation_id = "get_identity_pseudonym_verifications",
    tag = "identity",
    params(
        ("pseudonym" = String, Path, description = "the pseudonym, loaded (made on first use) if need be"),
        ("X-Rendezvous" = Option<String>, Header, description = "up to 20 bytes, base64: XORed into the identity community id on loading"),
    ),
    responses(
        (status = 200, description = "`{outputs: [{hash: b64, reference: b64, match: float}]}`", body = Verifications),
        (status = 400, description = "`{success: false, error: text}`: an invalid pseudonym name (empty, `.`, `..`, or with a path separator)", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn verifications(State(p): Shared, Path(name): Path<String>, headers: HeaderMap) -> Response {
    listed(&p, &name, &headers, VerificationOutputs, Verifications::new).await
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(
    names,
    schemas,
    public_key,
    unload,
    remove,
    peers,
    credentials,
    peer_credentials,
    request,
    attest,
    verify,
    allow,
    disallow,
    outstanding_attestations,
    outstanding_verifications,
    verifications
))]
pub(super) struct Doc;
