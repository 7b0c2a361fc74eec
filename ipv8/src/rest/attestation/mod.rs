//! `/attestation?type=...`: the older attestation API of the IPv8 documentation (and of the
//! Android prototype), which py-ipv8 3.2.1 no longer serves. Peers are named by base64 mids and
//! everything travels in the query string. It is served by the pseudonym
//! [`ATTESTATION_PSEUDONYM`] (loaded on first use), so the same credentials also show under
//! `/identity/attestation/...`.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde_json::{Value, json};
use sha1::Digest as _;

use self::bodies::{Attributes, Listing, Mids, Outputs, Outstanding, OutstandingVerify};
use crate::attestation::IdFormat;
use crate::proto::Peer;
use crate::proto::identity::wallet::{
    Attest, AttestationCommunity, Consent, OutstandingAttestations, OutstandingVerifications,
    RequestAttestation, VerificationOutputs, Verify, WalletError,
};
use crate::proto::identity::{Credentials, IdentityCommunity};
use crate::runtime::{Pseudonym, Pseudonyms, RuntimeError};

mod bodies;

/// The pseudonym that serves `/attestation`.
pub const ATTESTATION_PSEUDONYM: &str = "attestation";

/// The route's state: the pseudonyms, one of which serves it.
type Shared = State<Arc<Pseudonyms>>;

/// The `/attestation` route, serving `pseudonyms`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(pseudonyms: Arc<Pseudonyms>) -> Router<S> {
    Router::new().route("/attestation", get(handle_get).post(handle_post)).with_state(pseudonyms)
}

/// An error answer in one of py-ipv8's shapes.
enum Failure {
    /// 400 `{"error": text}`.
    BadRequest(&'static str),
    /// py-ipv8's error middleware body for an exception: 500 with its class name and text.
    Internal(&'static str, String),
    /// The same body for an exception py-ipv8 raises on bad input (a missing or malformed
    /// argument, an unknown peer or format), but with `400`: the client's error, not the server's.
    Invalid(&'static str, String),
}

impl IntoResponse for Failure {
    fn into_response(self) -> Response {
        match self {
            Self::BadRequest(error) => {
                (StatusCode::BAD_REQUEST, Json(json!({ "error": error }))).into_response()
            }
            Self::Internal(code, message) => {
                exception(StatusCode::INTERNAL_SERVER_ERROR, code, &message)
            }
            Self::Invalid(code, message) => exception(StatusCode::BAD_REQUEST, code, &message),
        }
    }
}

/// `{"success": false, "error": {"code": code, "message": message}}` with `status`.
fn exception(status: StatusCode, code: &str, message: &str) -> Response {
    let error = json!({ "code": code, "message": message });
    (status, Json(json!({ "success": false, "error": error }))).into_response()
}

/// `400 {"error": error}`.
fn bad_request(error: &'static str) -> Failure {
    Failure::BadRequest(error)
}

/// A failure of the server, in py-ipv8's error body with the exception's class name `code`.
fn internal(code: &'static str, error: &impl std::fmt::Display) -> Failure {
    Failure::Internal(code, error.to_string())
}

/// A failure of the client, in py-ipv8's error body with the exception's class name `code`.
fn invalid(code: &'static str, error: &impl std::fmt::Display) -> Failure {
    Failure::Invalid(code, error.to_string())
}

/// The value of the query argument `name`, if given.
fn arg<'a>(args: &'a [(String, String)], name: &str) -> Option<&'a str> {
    args.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

/// The base64 of the SHA-1 of `key`: py-ipv8's mid.
fn mid_b64(key: &[u8]) -> String {
    STANDARD.encode(sha1::Sha1::digest(key))
}

/// The pseudonym serving `/attestation`, loaded if need be.
async fn pseudonym(p: &Pseudonyms) -> Result<Pseudonym, Failure> {
    p.load(ATTESTATION_PSEUDONYM, None).await.map_err(|e| internal("PseudonymError", &e))
}

/// The peers of its identity overlay.
async fn peers(pseudonym: &Pseudonym) -> Result<Vec<Peer>, Failure> {
    pseudonym
        .handle
        .with_community::<IdentityCommunity, _>(|_, ctx| ctx.peers())
        .await
        .map_err(|e| internal("RuntimeError", &e))
}

/// The current peer whose mid is `mid` (base64).
async fn peer_by_mid(pseudonym: &Pseudonym, mid: &str) -> Result<Option<Peer>, Failure> {
    Ok(peers(pseudonym).await?.into_iter().find(|p| mid_b64(p.key().to_bin()) == mid))
}

/// `{"success": true}` for a wallet request that was done, else its error body.
fn from_wallet(result: Result<Result<(), WalletError>, RuntimeError>) -> Response {
    match result {
        Ok(Ok(())) => super::reply::success(),
        Ok(Err(e @ WalletError::NotOutstanding)) => invalid("KeyError", &e).into_response(),
        Ok(Err(e)) => internal("WalletError", &e).into_response(),
        Err(e) => internal("RuntimeError", &e).into_response(),
    }
}

/// GET `/attestation?type=...`: py-ipv8's older attestation API, read side.
#[utoipa::path(
    get,
    path = "/attestation",
    operation_id = "get_attestation",
    tag = "attestation",
    params(
        ("type" = String, Query, description = "what to do; the other parameters depend on it", pattern = "^(peers|attributes|outstanding|outstanding_verify|verification_output)$"),
        ("mid" = Option<String>, Query, description = "a peer's member id, base64"),
    ),
    responses(
        (status = 200, description = "by `type`: lists for `peers`, `attributes` (with `mid`), `outstanding` and `outstanding_verify`, an object for `verification_output`", body = Listing),
        (status = 400, description = "`{error: text}`, or py-ipv8's error body (`{success: false, error: {code, message}}`, code `KeyError`, `Error` or `JSONDecodeError`): a missing, malformed or unknown parameter or peer", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn handle_get(State(p): Shared, uri: Uri) -> Response {
    let (args, kind, pseudonym) = match call(&p, &uri).await {
        Ok(call) => call,
        Err(failure) => return failure.into_response(),
    };
    let kind = kind.as_str();
    let listing = match kind {
        "outstanding" => outstanding(&pseudonym).await,
        "outstanding_verify" => outstanding_verify(&pseudonym).await,
        "verification_output" => verification_output(&pseudonym).await,
        "peers" => peers(&pseudonym).await.map(|peers| {
            Listing::Peers(Mids(peers.iter().map(|p| mid_b64(p.key().to_bin())).collect()))
        }),
        "attributes" => attributes(&pseudonym, arg(&args, "mid")).await,
        _ => return bad_request("type argument incorrect").into_response(),
    };
    listing.map_or_else(IntoResponse::into_response, |listing| Json(listing).into_response())
}

/// What both methods start with: the query's arguments, its `type` (py-ipv8's 400 without
/// one) and the attestation pseudonym.
async fn call(
    p: &Pseudonyms,
    uri: &Uri,
) -> Result<(Vec<(String, String)>, String, Pseudonym), Failure> {
    let args = uri.query().map(super::access::query_pairs).unwrap_or_default();
    let kind = arg(&args, "type").ok_or(bad_request("parameters or type missing"))?.to_owned();
    Ok((args, kind, pseudonym(p).await?))
}

/// `type=outstanding`: attestation requests waiting for our answer.
async fn outstanding(pseudonym: &Pseudonym) -> Result<Listing, Failure> {
    let list = pseudonym
        .handle
        .ask::<AttestationCommunity, _>(OutstandingAttestations)
        .await
        .map_err(|e| internal("RuntimeError", &e))?;
    let rows = list
        .into_iter()
        .map(|o| [mid_b64(&o.subject), o.name, STANDARD.encode(o.metadata.as_bytes())])
        .collect();
    Ok(Listing::Outstanding(Outstanding(rows)))
}

/// `type=outstanding_verify`: verification requests waiting for our consent.
async fn outstanding_verify(pseudonym: &Pseudonym) -> Result<Listing, Failure> {
    let list = pseudonym
        .handle
        .ask::<AttestationCommunity, _>(OutstandingVerifications)
        .await
        .map_err(|e| internal("RuntimeError", &e))?;
    let rows = list.into_iter().map(|o| [mid_b64(&o.verifier), o.name]).collect();
    Ok(Listing::OutstandingVerify(OutstandingVerify(rows)))
}

/// `type=verification_output`: verifications by attribute hash.
async fn verification_output(pseudonym: &Pseudonym) -> Result<Listing, Failure> {
    let list = pseudonym
        .handle
        .ask::<AttestationCommunity, _>(VerificationOutputs)
        .await
        .map_err(|e| internal("RuntimeError", &e))?;
    Ok(Listing::VerificationOutput(Outputs::new(list)))
}

/// `type=attributes`: our attributes, or those of the current peer with this mid (none for an
/// unknown mid).
async fn attributes(pseudonym: &Pseudonym, mid: Option<&str>) -> Result<Listing, Failure> {
    let subject = match mid {
        None => None,
        Some(mid) => match peer_by_mid(pseudonym, mid).await? {
            Some(peer) => Some(peer.key().to_bin().to_vec()),
            None => return Ok(Listing::Attributes(Attributes(Vec::new()))),
        },
    };
    let credentials = pseudonym
        .handle
        .ask::<IdentityCommunity, _>(Credentials { subject })
        .await
        .map_err(|e| internal("RuntimeError", &e))?;
    Ok(Listing::Attributes(Attributes::new(credentials)))
}

/// POST `/attestation?type=...`: py-ipv8's older attestation API: request, attest, allow, verify.
#[utoipa::path(
    post,
    path = "/attestation",
    operation_id = "post_attestation",
    tag = "attestation",
    params(
        ("type" = String, Query, description = "what to do; the other parameters depend on it", pattern = "^(request|attest|allow_verify|verify)$"),
        ("mid" = Option<String>, Query, description = "the peer's member id, base64 (all types)"),
        ("attribute_name" = Option<String>, Query, description = "`request`, `attest`, `allow_verify`"),
        ("attribute_value" = Option<String>, Query, description = "base64 (`attest`)"),
        ("attribute_hash" = Option<String>, Query, description = "20 bytes, base64 (`verify`)"),
        ("attribute_values" = Option<String>, Query, description = "base64 values, separated by commas (`verify`)"),
        ("id_format" = Option<String>, Query, description = "the proof format (`request`, `verify`; default `id_metadata`)"),
        ("metadata" = Option<String>, Query, description = "a JSON object, base64 (`request`)"),
    ),
    responses(
        (status = 200, description = "`{success: true}`", body = super::reply::Outcome),
        (status = 400, description = "`{error: text}`, or py-ipv8's error body (`{success: false, error: {code, message}}`, code `KeyError`, `Error` or `JSONDecodeError`): a missing, malformed or unknown parameter or peer", body = Object),
        (status = 500, description = "py-ipv8's error body: the pseudonym or the community failed", body = Object),
    )
)]
async fn handle_post(State(p): Shared, uri: Uri) -> Response {
    let (args, kind, pseudonym) = match call(&p, &uri).await {
        Ok(call) => call,
        Err(failure) => return failure.into_response(),
    };
    let kind = kind.as_str();
    let result = match kind {
        "request" => request(&pseudonym, &args).await,
        "attest" => attest(&pseudonym, &args).await,
        "allow_verify" => allow_verify(&pseudonym, &args).await,
        "verify" => verify(&pseudonym, &args).await,
        _ => return bad_request("type argument incorrect").into_response(),
    };
    result.unwrap_or_else(IntoResponse::into_response)
}

/// A required query argument, or py-ipv8's `KeyError` for a missing one (with `400`).
fn required<'a>(args: &'a [(String, String)], name: &str) -> Result<&'a str, Failure> {
    arg(args, name).ok_or_else(|| invalid("KeyError", &format!("'{name}'")))
}

/// The `id_format` argument (`id_metadata` if not given), or py-ipv8's `KeyError`.
fn format_of(args: &[(String, String)]) -> Result<IdFormat, Failure> {
    let name = arg(args, "id_format").unwrap_or("id_metadata");
    IdFormat::from_name(name).ok_or_else(|| invalid("KeyError", &format!("'{name}'")))
}

/// Base64 `text` decoded, or py-ipv8's `Error` (with `400`).
fn decode(text: &str) -> Result<Vec<u8>, Failure> {
    STANDARD.decode(text).map_err(|e| invalid("Error", &e))
}

/// `type=request`: asks the peer to attest an attribute.
async fn request(pseudonym: &Pseudonym, args: &[(String, String)]) -> Result<Response, Failure> {
    let mid = required(args, "mid")?;
    let name = required(args, "attribute_name")?.to_owned();
    let format = format_of(args)?;
    let mut metadata = Vec::new();
    if let Some(encoded) = arg(args, "metadata") {
        let Ok(Value::Object(map)) = serde_json::from_slice(&decode(encoded)?) else {
            return Err(invalid("JSONDecodeError", &"metadata is not a JSON object"));
        };
        for (k, v) in map {
            metadata.push((k, v.as_str().map_or_else(|| v.to_string(), str::to_owned)));
        }
    }
    let Some(attester) = peer_by_mid(pseudonym, mid).await? else {
        return Err(bad_request("peer unknown"));
    };
    let ask = RequestAttestation { attester, name, format, metadata };
    Ok(from_wallet(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await))
}

/// The key of the current peer with this mid, or the given error.
async fn key_by_mid(pseudonym: &Pseudonym, mid: &str) -> Result<Option<Vec<u8>>, Failure> {
    Ok(peer_by_mid(pseudonym, mid).await?.map(|p| p.key().to_bin().to_vec()))
}

/// `type=attest`: answers the peer's outstanding attestation request with the value.
async fn attest(pseudonym: &Pseudonym, args: &[(String, String)]) -> Result<Response, Failure> {
    let mid = required(args, "mid")?;
    let name = required(args, "attribute_name")?.to_owned();
    let value = decode(required(args, "attribute_value")?)?;
    let Some(subject) = key_by_mid(pseudonym, mid).await? else {
        return Err(invalid("KeyError", &format!("('{mid}', '{name}')")));
    };
    let ask = Attest { subject, name, value };
    Ok(from_wallet(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await))
}

/// `type=allow_verify`: consents to the peer's pending verification of our attribute.
async fn allow_verify(
    pseudonym: &Pseudonym,
    args: &[(String, String)],
) -> Result<Response, Failure> {
    let mid = required(args, "mid")?;
    let name = required(args, "attribute_name")?.to_owned();
    let Some(verifier) = key_by_mid(pseudonym, mid).await? else {
        return Err(invalid("KeyError", &format!("('{mid}', '{name}')")));
    };
    let ask = Consent { verifier, name, allow: true };
    Ok(from_wallet(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await))
}

/// `type=verify`: starts a verification of the peer's attribute against reference values.
async fn verify(pseudonym: &Pseudonym, args: &[(String, String)]) -> Result<Response, Failure> {
    let mid = required(args, "mid")?;
    let hash = decode(required(args, "attribute_hash")?)?;
    let Ok(hash) = <[u8; 20]>::try_from(hash.as_slice()) else {
        return Err(invalid("Error", &"attribute_hash is not 20 bytes"));
    };
    let references = required(args, "attribute_values")?
        .split(',')
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    let format = format_of(args)?;
    let Some(subject) = peer_by_mid(pseudonym, mid).await? else {
        return Err(bad_request("peer unknown"));
    };
    let ask = Verify { subject, hash, references, format };
    Ok(from_wallet(pseudonym.handle.ask::<AttestationCommunity, _>(ask).await))
}

/// The routes of this file, described for `/docs/openapi.json`.
#[derive(utoipa::OpenApi)]
#[openapi(paths(handle_get, handle_post))]
pub(super) struct Doc;
