//! The answers of the `/identity` routes, typed, in py-ipv8's shapes: keys and values in base64,
//! credentials' metadata as the JSON object it is, outstanding requests' metadata as the JSON text
//! py-ipv8 stored. Fields are in alphabetical order, as the `json!` values they replace wrote them.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;

use crate::proto::Peer;
use crate::proto::identity::CredentialInfo;
use crate::proto::identity::wallet::{
    OutstandingAttestation, OutstandingVerification, VerificationOutput,
};

/// `{"names": [str]}`: every pseudonym.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Names)]
pub(super) struct Names {
    /// The pseudonyms' names (their key files').
    pub(super) names: Vec<String>,
}

/// `{"schemas": [str]}`: the identity formats this node offers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Schemas)]
pub(super) struct Schemas {
    /// The formats' names.
    pub(super) schemas: Vec<&'static str>,
}

/// `{"public_key": b64}`: a pseudonym's key.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::PublicKey)]
pub(super) struct PublicKey {
    /// The serialized public key, in base64.
    public_key: String,
}

impl PublicKey {
    /// The body for the serialized `key`.
    pub(super) fn new(key: &[u8]) -> Self {
        Self { public_key: STANDARD.encode(key) }
    }
}

/// `{"peers": [b64 key]}`: the peers of a pseudonym's identity overlay.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Peers)]
pub(super) struct Peers {
    /// Each peer's serialized public key, in base64.
    peers: Vec<String>,
}

impl Peers {
    /// The body listing `peers`.
    pub(super) fn new(peers: &[Peer]) -> Self {
        Self { peers: peers.iter().map(|p| STANDARD.encode(p.key().to_bin())).collect() }
    }
}

/// `{"names": [credential]}`: the attributes of a pseudonym.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Credentials)]
pub(super) struct Credentials {
    /// Each attribute.
    names: Vec<Credential>,
}

impl Credentials {
    /// The body listing `credentials`.
    pub(super) fn new(credentials: Vec<CredentialInfo>) -> Self {
        Self { names: credentials.into_iter().map(Credential::from).collect() }
    }
}

/// One attribute with the authorities that attested it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Credential)]
struct Credential {
    /// The serialized keys of the authorities that attested it, in base64.
    attesters: Vec<String>,
    /// The attribute hash (without the SHA-1 padding), in base64.
    hash: String,
    /// The metadata, a JSON object (`name`, `schema`, `date` and the requester's own keys).
    #[schema(value_type = Object)]
    metadata: Value,
    /// Its name.
    name: String,
}

impl From<CredentialInfo> for Credential {
    fn from(c: CredentialInfo) -> Self {
        Self {
            attesters: c.attesters.iter().map(|a| STANDARD.encode(a)).collect(),
            hash: STANDARD.encode(&c.hash),
            metadata: c.metadata,
            name: c.name,
        }
    }
}

/// The attributes of a current peer, or py-ipv8's failure for a peer that is not one.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
#[schema(as = identity::SubjectCredentials)]
pub(super) enum SubjectCredentials {
    /// `{"names": [credential]}`.
    Found(Credentials),
    /// `{"success": false, "error": "failed to find subject"}`, with status 200.
    NotFound {
        /// Always `false`.
        success: bool,
        /// What was not found.
        error: &'static str,
    },
}

impl SubjectCredentials {
    /// py-ipv8's answer for a subject that is not a current peer.
    pub(super) fn not_found() -> Self {
        Self::NotFound { success: false, error: "failed to find subject" }
    }
}

/// `{"requests": [...]}`: attestation requests waiting for our answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::AttestationRequests)]
pub(super) struct AttestationRequests {
    /// Each request.
    requests: Vec<AttestationRequest>,
}

impl AttestationRequests {
    /// The body listing `outstanding`.
    pub(super) fn new(outstanding: Vec<OutstandingAttestation>) -> Self {
        let requests = outstanding
            .into_iter()
            .map(|o| AttestationRequest {
                attribute_name: o.name,
                metadata: o.metadata,
                peer: STANDARD.encode(&o.subject),
            })
            .collect();
        Self { requests }
    }
}

/// One attestation request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::AttestationRequest)]
struct AttestationRequest {
    /// The attribute asked for.
    attribute_name: String,
    /// The request's extra metadata, as the JSON text py-ipv8's `json.dumps` writes.
    metadata: String,
    /// The subject's serialized public key, in base64.
    peer: String,
}

/// `{"requests": [...]}`: verification requests waiting for our consent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::VerificationRequests)]
pub(super) struct VerificationRequests {
    /// Each request.
    requests: Vec<VerificationRequest>,
}

impl VerificationRequests {
    /// The body listing `outstanding`.
    pub(super) fn new(outstanding: Vec<OutstandingVerification>) -> Self {
        let requests = outstanding
            .into_iter()
            .map(|o| VerificationRequest {
                attribute_name: o.name,
                peer: STANDARD.encode(&o.verifier),
            })
            .collect();
        Self { requests }
    }
}

/// One verification request.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::VerificationRequest)]
struct VerificationRequest {
    /// The attribute to verify.
    attribute_name: String,
    /// The verifier's serialized public key, in base64.
    peer: String,
}

/// `{"outputs": [...]}`: finished verifications.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Verifications)]
pub(super) struct Verifications {
    /// Each finished verification (those whose proof still runs are left out).
    outputs: Vec<Verification>,
}

impl Verifications {
    /// The body listing the finished ones of `outputs`.
    pub(super) fn new(outputs: Vec<VerificationOutput>) -> Self {
        let outputs = outputs
            .into_iter()
            .filter_map(|o| {
                let matches = o.matches?;
                let hash = STANDARD.encode(o.hash);
                Some(Verification { hash, matches, reference: STANDARD.encode(&o.reference) })
            })
            .collect();
        Self { outputs }
    }
}

/// One finished verification.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = identity::Verification)]
struct Verification {
    /// The attribute hash, in base64.
    hash: String,
    /// How well the reference matched, 0.0 to 1.0.
    #[serde(rename = "match")]
    matches: f64,
    /// The reference value, in base64.
    reference: String,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn value(body: &impl Serialize) -> Value {
        serde_json::to_value(body).expect("a JSON body")
    }

    #[test]
    fn credentials_are_as_the_json_values_were() {
        let info = CredentialInfo {
            name: "age".to_owned(),
            hash: vec![1, 2, 3],
            metadata: json!({"name": "age", "schema": "id_metadata", "extra": 1}),
            attesters: vec![vec![4, 5], vec![6]],
        };
        let old = json!({"names": [{
            "name": "age",
            "hash": "AQID",
            "metadata": {"name": "age", "schema": "id_metadata", "extra": 1},
            "attesters": ["BAU=", "Bg=="],
        }]});
        assert_eq!(value(&SubjectCredentials::Found(Credentials::new(vec![info]))), old);
        let not_found = json!({"success": false, "error": "failed to find subject"});
        assert_eq!(value(&SubjectCredentials::not_found()), not_found);
    }

    #[test]
    fn outstanding_requests_are_as_the_json_values_were() {
        let attestation = OutstandingAttestation {
            subject: vec![7, 8],
            name: "age".to_owned(),
            metadata: r#"{"a": "b"}"#.to_owned(),
        };
        let old = json!({"requests": [
            {"peer": "Bwg=", "attribute_name": "age", "metadata": r#"{"a": "b"}"#},
        ]});
        assert_eq!(value(&AttestationRequests::new(vec![attestation])), old);
        let verification = OutstandingVerification { verifier: vec![9], name: "age".to_owned() };
        let old = json!({"requests": [{"peer": "CQ==", "attribute_name": "age"}]});
        assert_eq!(value(&VerificationRequests::new(vec![verification])), old);
    }

    #[test]
    fn verifications_are_as_the_json_values_were() {
        let output = |reference: u8, matches| VerificationOutput {
            hash: [3; 20],
            reference: vec![reference],
            matches,
        };
        let outputs = vec![output(1, Some(0.25)), output(2, None), output(3, Some(1.0))];
        let hash = STANDARD.encode([3; 20]);
        let old = json!({"outputs": [
            {"hash": hash, "reference": "AQ==", "match": 0.25},
            {"hash": hash, "reference": "Aw==", "match": 1.0},
        ]});
        let body = value(&Verifications::new(outputs));
        assert_eq!(body, old);
        assert!(body["outputs"][1]["match"].is_f64(), "a float, as py-ipv8's");
    }

    #[test]
    fn small_bodies_are_as_the_json_values_were() {
        assert_eq!(value(&PublicKey::new(&[1, 2])), json!({"public_key": "AQI="}));
        let names = Names { names: vec!["a".to_owned()] };
        assert_eq!(value(&names), json!({"names": ["a"]}));
        let schemas = Schemas { schemas: vec!["id_metadata"] };
        assert_eq!(value(&schemas), json!({"schemas": ["id_metadata"]}));
        assert_eq!(value(&Peers::new(&[])), json!({"peers": []}));
    }
}

#[cfg(test)]
mod schema_tests {
    use utoipa::OpenApi as _;

    #[test]
    fn the_routes_name_their_bodies_under_names_of_their_own() {
        let document = serde_json::to_value(super::super::Doc::openapi()).expect("a document");
        let schemas = &document["components"]["schemas"];
        for name in ["Names", "Credentials", "SubjectCredentials", "Verifications"] {
            assert!(schemas[format!("identity.{name}")].is_object(), "identity.{name}");
        }
        let path = &document["paths"]["/identity/{pseudonym}/credentials/{subject}"];
        let body = &path["get"]["responses"]["200"]["content"]["application/json"]["schema"];
        assert_eq!(body["$ref"], "#/components/schemas/identity.SubjectCredentials");
    }
}
