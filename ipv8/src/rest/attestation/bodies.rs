//! The answers of `GET /attestation`, typed, in py-ipv8's shapes: lists of rows that are lists
//! themselves, peers named by base64 mids, and verification outputs by base64 hash.

use std::borrow::Cow;
use std::collections::BTreeMap;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use serde::Serialize;
use serde_json::Value;
use utoipa::openapi::RefOr;
use utoipa::openapi::schema::{AnyOfBuilder, Schema};
use utoipa::{PartialSchema, ToSchema};

use super::mid_b64;
use crate::proto::identity::CredentialInfo;
use crate::proto::identity::wallet::VerificationOutput;

/// The answer of `GET /attestation`, by `type`: py-ipv8's lists of rows (rows are lists too),
/// or, for `verification_output`, an object.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub(super) enum Listing {
    /// `peers`.
    Peers(Mids),
    /// `attributes`.
    Attributes(Attributes),
    /// `outstanding`.
    Outstanding(Outstanding),
    /// `outstanding_verify`.
    OutstandingVerify(OutstandingVerify),
    /// `verification_output`.
    VerificationOutput(Outputs),
}

/// The schema is any of the variants' (not one of them: an empty list fits every list). Rows of
/// mixed values are documented as lists of any values: schemathesis refuses the tuple schemas
/// (`prefixItems`) utoipa would write for them.
impl PartialSchema for Listing {
    fn schema() -> RefOr<Schema> {
        AnyOfBuilder::new()
            .item(Mids::schema())
            .item(Attributes::schema())
            .item(Outstanding::schema())
            .item(OutstandingVerify::schema())
            .item(Outputs::schema())
            .into()
    }
}

impl ToSchema for Listing {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("attestation.Listing")
    }
}

/// `[b64 mid]`: the current peers.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = attestation::Mids)]
pub(super) struct Mids(pub(super) Vec<String>);

/// `[[name, b64 hash, metadata, b64 mid of the first attester or ""]]`: attributes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = attestation::Attributes, value_type = Vec<Vec<Value>>)]
pub(super) struct Attributes(pub(super) Vec<(String, String, Value, String)>);

/// `[[b64 mid, name, b64 metadata JSON]]`: attestation requests waiting for our answer.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = attestation::Outstanding)]
pub(super) struct Outstanding(pub(super) Vec<[String; 3]>);

/// `[[b64 mid, name]]`: verification requests waiting for our consent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = attestation::OutstandingVerify)]
pub(super) struct OutstandingVerify(pub(super) Vec<[String; 2]>);

/// `{b64 hash: [[b64 reference, match]]}`: verifications, finished (`match` from 0.0 to 1.0) or
/// running (`0.0`).
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[schema(as = attestation::VerificationOutput, value_type = BTreeMap<String, Vec<Vec<Value>>>)]
pub(super) struct Outputs(BTreeMap<String, Vec<(String, f64)>>);

impl Attributes {
    /// The rows of `credentials`: each with the mid of its first attester, or `""`.
    pub(super) fn new(credentials: Vec<CredentialInfo>) -> Self {
        let rows = credentials
            .into_iter()
            .map(|c| {
                let attester = c.attesters.first().map(|a| mid_b64(a)).unwrap_or_default();
                (c.name, STANDARD.encode(&c.hash), c.metadata, attester)
            })
            .collect();
        Self(rows)
    }
}

impl Outputs {
    /// `outputs` by hash, each hash's in their order; a running verification matches `0.0`.
    pub(super) fn new(outputs: Vec<VerificationOutput>) -> Self {
        let mut by_hash = BTreeMap::<String, Vec<(String, f64)>>::new();
        for o in outputs {
            let row = (STANDARD.encode(&o.reference), o.matches.unwrap_or(0.0));
            by_hash.entry(STANDARD.encode(o.hash)).or_default().push(row);
        }
        Self(by_hash)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn value(listing: &Listing) -> Value {
        serde_json::to_value(listing).expect("a JSON body")
    }

    #[test]
    fn attributes_are_as_the_json_values_were() {
        let info = |attesters| CredentialInfo {
            name: "age".to_owned(),
            hash: vec![1, 2, 3],
            metadata: json!({"name": "age", "schema": "id_metadata"}),
            attesters,
        };
        let rows = vec![info(vec![vec![4], vec![5]]), info(Vec::new())];
        let metadata = json!({"name": "age", "schema": "id_metadata"});
        let old = json!([["age", "AQID", metadata, mid_b64(&[4])], ["age", "AQID", metadata, ""],]);
        assert_eq!(value(&Listing::Attributes(Attributes::new(rows))), old);
        assert_eq!(value(&Listing::Attributes(Attributes(Vec::new()))), json!([]));
    }

    #[test]
    fn lists_of_rows_are_as_the_json_values_were() {
        let peers = Listing::Peers(Mids(vec!["bWlk".to_owned()]));
        assert_eq!(value(&peers), json!(["bWlk"]));
        let row = ["bWlk".to_owned(), "age".to_owned(), "e30=".to_owned()];
        assert_eq!(
            value(&Listing::Outstanding(Outstanding(vec![row]))),
            json!([["bWlk", "age", "e30="]])
        );
        let row = ["bWlk".to_owned(), "age".to_owned()];
        let verify = Listing::OutstandingVerify(OutstandingVerify(vec![row]));
        assert_eq!(value(&verify), json!([["bWlk", "age"]]));
    }

    #[test]
    fn verification_outputs_are_as_the_json_values_were() {
        let output = |hash, reference, matches| VerificationOutput {
            hash: [hash; 20],
            reference: vec![reference],
            matches,
        };
        let outputs = vec![output(2, 1, Some(0.5)), output(1, 2, None), output(2, 3, Some(1.0))];
        let (one, two) = (STANDARD.encode([1; 20]), STANDARD.encode([2; 20]));
        let mut old = serde_json::Map::new();
        old.insert(two, json!([["AQ==", 0.5], ["Aw==", 1.0]]));
        old.insert(one, json!([["Ag==", 0.0]]));
        let listing = Listing::VerificationOutput(Outputs::new(outputs));
        assert_eq!(value(&listing), Value::Object(old.clone()));
        // The same text too: hashes sorted, as `serde_json::Map` wrote them.
        assert_eq!(serde_json::to_string(&listing).ok(), serde_json::to_string(&old).ok());
    }
}

#[cfg(test)]
mod schema_tests {
    use utoipa::OpenApi as _;

    #[test]
    fn the_listing_is_any_of_its_shapes_under_a_name_of_its_own() {
        let document = serde_json::to_value(super::super::Doc::openapi()).expect("a document");
        let listing = &document["components"]["schemas"]["attestation.Listing"];
        assert_eq!(listing["anyOf"].as_array().map(Vec::len), Some(5), "{listing}");
    }
}
