//! What the administrative routes share: py-ipv8's small bodies, typed (`{"success": true}`,
//! `{"success": false, "error": text}`, `{"error": text}`), and request bodies read as py-ipv8
//! reads them (a JSON object whose keys count by their presence, flags by Python's truth).

use axum::Json;
use axum::body::Bytes;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};

use super::error::ApiError;

/// `{"success": true}`, or `{"success": false, "error": text}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub(super) struct Outcome<'a> {
    success: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    error: Option<&'a str>,
}

/// `{"error": text}`, the bare error body of a few py-ipv8 routes.
#[derive(Debug, Serialize)]
struct BareError<'a> {
    error: &'a str,
}

/// `200 {"success": true}`.
pub(super) fn success() -> Response {
    Json(Outcome { success: true, error: None }).into_response()
}

/// `{"success": false, "error": error}` with `status`.
pub(super) fn failure(status: StatusCode, error: &str) -> Response {
    (status, Json(Outcome { success: false, error: Some(error) })).into_response()
}

/// `{"error": error}` with `status`.
pub(super) fn bare_error(status: StatusCode, error: &str) -> Response {
    (status, Json(BareError { error })).into_response()
}

/// The request's JSON body as an object. A body that is not JSON (an empty one included) fails
/// with py-ipv8's error middleware body and code `JSONDecodeError`, but as the client's error,
/// `400`, where py-ipv8 answers `500`; JSON that is not an object reads as an empty one, so the
/// route answers that its parameters are missing.
pub(super) fn json_object(body: &Bytes) -> Result<Map<String, Value>, ApiError> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Ok(Map::new()),
        Err(error) => Err(ApiError::bad_request("JSONDecodeError", error.to_string())),
    }
}

/// Python's truth value of a JSON value, which py-ipv8 gives flags such as `enable`: `false`,
/// `null`, zero and empty strings, lists and objects are false.
pub(super) fn truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(flag) => *flag,
        Value::Number(number) => number.as_f64().is_some_and(|n| n != 0.0),
        Value::String(text) => !text.is_empty(),
        Value::Array(items) => !items.is_empty(),
        Value::Object(map) => !map.is_empty(),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn flags_are_true_as_in_python() {
        for value in [json!(true), json!(1), json!(-0.5), json!("no"), json!([0]), json!({"a": 0})]
        {
            assert!(truthy(&value), "{value}");
        }
        for value in
            [json!(false), json!(null), json!(0), json!(0.0), json!(""), json!([]), json!({})]
        {
            assert!(!truthy(&value), "{value}");
        }
    }

    #[test]
    fn bodies_are_objects_or_a_decode_error() {
        assert_eq!(json_object(&Bytes::from_static(b"[1]")).ok(), Some(Map::new()));
        let map = json_object(&Bytes::from_static(br#"{"enable": null}"#)).ok();
        assert!(map.is_some_and(|m| m.contains_key("enable")));
        let error = json_object(&Bytes::from_static(b"")).err().map(|e| e.into_response().status());
        assert_eq!(error, Some(StatusCode::BAD_REQUEST));
    }
}
