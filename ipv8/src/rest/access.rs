//! Who may use the REST API, and the answers to browsers' CORS pre-flights: the middleware that
//! wraps every route, in py-ipv8's order (API key first, then CORS, then the routes).

use std::fmt;
use std::str::FromStr;

use axum::Json;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN,
    ACCESS_CONTROL_MAX_AGE, ACCESS_CONTROL_REQUEST_METHOD,
};
use axum::http::{HeaderName, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use super::EmptyApiKey;

/// The header that carries the key, as in py-ipv8.
const HEADER: HeaderName = HeaderName::from_static("x-api-key");
/// The query parameter that carries the key when the header does not.
const PARAMETER: &str = "apikey";
/// Paths that py-ipv8 serves without a key (its API documentation and the files it uses). The
/// dashboard's page and files are exempt too, by their exact paths (`ui::ASSETS`): its
/// `/ui/snapshot` is not.
const EXEMPT: [&str; 2] = ["/docs", "/static"];

/// The secret every request to the REST API must carry once the server has one (py-ipv8's
/// `api_key`): in the `X-Api-Key` header or, when that header is missing or empty, in the
/// `apikey` query parameter.
///
/// Only a SHA-256 digest of the key is kept, and a request's key is compared with it in constant
/// time, so neither the time an answer takes nor a memory dump tells the key. `Debug` does not
/// show it either.
///
/// # Examples
///
/// ```
/// use ipv8::rest::ApiKey;
///
/// let key: ApiKey = "my secret key".parse()?;
/// assert!(key.matches(b"my secret key"));
/// assert!(!key.matches(b"my secret"));
/// assert!("".parse::<ApiKey>().is_err());
/// # Ok::<(), ipv8::rest::EmptyApiKey>(())
/// ```
#[derive(Clone)]
pub struct ApiKey {
    digest: [u8; 32],
}

impl ApiKey {
    /// The key `key`, which must not be empty: py-ipv8 takes an empty key for no key at all,
    /// and a server that looks protected but is not is worse than one that says it is open.
    ///
    /// # Errors
    ///
    /// [`EmptyApiKey`] for `""`.
    pub fn new(key: &str) -> Result<Self, EmptyApiKey> {
        if key.is_empty() {
            return Err(EmptyApiKey);
        }
        Ok(Self { digest: Sha256::digest(key.as_bytes()).into() })
    }

    /// Whether `candidate` is the key, in time that depends on the candidate's length only.
    #[must_use]
    pub fn matches(&self, candidate: &[u8]) -> bool {
        let digest: [u8; 32] = Sha256::digest(candidate).into();
        digest.ct_eq(&self.digest).into()
    }
}

impl FromStr for ApiKey {
    type Err = EmptyApiKey;

    fn from_str(key: &str) -> Result<Self, EmptyApiKey> {
        Self::new(key)
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(..)")
    }
}

/// `router` behind the key check (when there is a key) and the CORS pre-flight answers: every
/// request meets them before any route or fallback, so that nothing a route adds (the `Allow`
/// header of a path's method fallback) reaches their answers.
pub(super) fn guard(router: Router, key: Option<ApiKey>) -> Router {
    Router::new().fallback_service(router).layer(middleware::from_fn_with_state(key, check))
}

async fn check(State(key): State<Option<ApiKey>>, request: Request, next: Next) -> Response {
    if key.is_some_and(|key| !admits(&key, &request)) {
        return (StatusCode::UNAUTHORIZED, Json(json!({ "error": "Unauthorized access" })))
            .into_response();
    }
    if is_preflight(&request) {
        return preflight();
    }
    next.run(request).await
}

/// Whether `request` may pass: its path is exempt, or it carries the key. A non-empty header
/// wins over the query parameter, as in py-ipv8.
fn admits(key: &ApiKey, request: &Request) -> bool {
    let path = request.uri().path();
    if EXEMPT.iter().any(|prefix| path.starts_with(prefix)) || super::ui::ASSETS.contains(&path) {
        return true;
    }
    let header = request.headers().get(HEADER).map(|value| value.as_bytes().to_vec());
    let given = header.filter(|value| !value.is_empty()).or_else(|| {
        let query = request.uri().query()?;
        query_value(query, PARAMETER)
    });
    given.is_some_and(|given| key.matches(&given))
}

/// A browser's CORS pre-flight: `OPTIONS` with `Access-Control-Request-Method`.
fn is_preflight(request: &Request) -> bool {
    request.method() == Method::OPTIONS
        && request.headers().contains_key(ACCESS_CONTROL_REQUEST_METHOD)
}

/// py-ipv8's pre-flight answer: every method, header and origin, cached for a day.
fn preflight() -> Response {
    let headers = [
        (ACCESS_CONTROL_ALLOW_METHODS, "GET, PUT, POST, PATCH, DELETE, OPTIONS"),
        (ACCESS_CONTROL_ALLOW_HEADERS, "*"),
        (ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
        (ACCESS_CONTROL_MAX_AGE, "86400"),
    ];
    (StatusCode::OK, headers).into_response()
}

/// The decoded value of the first `name` parameter in `query` (form encoding: `+` is a space).
fn query_value(query: &str, name: &str) -> Option<Vec<u8>> {
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
        (decode(key) == name.as_bytes()).then(|| decode(value))
    })
}

/// Every `name=value` pair of `query`, decoded (form encoding; invalid UTF-8 replaced).
pub(super) fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            let text = |raw: &str| String::from_utf8_lossy(&decode(raw)).into_owned();
            (text(key), text(value))
        })
        .collect()
}

/// Percent-decodes `text`, `+` as a space; a `%` without two hex digits stays as it is.
fn decode(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut decoded = Vec::with_capacity(bytes.len());
    let mut index = 0;
    while let Some(&byte) = bytes.get(index) {
        let escaped = bytes.get(index + 1..index + 3).filter(|_| byte == b'%').and_then(hex_byte);
        match (byte, escaped) {
            (_, Some(value)) => {
                decoded.push(value);
                index += 3;
                continue;
            }
            (b'+', None) => decoded.push(b' '),
            (other, None) => decoded.push(other),
        }
        index += 1;
    }
    decoded
}

/// The byte two hex digits stand for.
fn hex_byte(digits: &[u8]) -> Option<u8> {
    let &[high, low] = digits else { return None };
    let digit = |d: u8| char::from(d).to_digit(16);
    Some((digit(high)? * 16 + digit(low)?) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values_are_form_decoded() {
        let query = "other=1&api%6Bey=a+b%2B%3D%zz&apikey=second";
        assert_eq!(query_value(query, "apikey"), Some(b"a b+=%zz".to_vec()));
        assert_eq!(query_value("apikey", "apikey"), Some(Vec::new()));
        assert_eq!(query_value("x=1", "apikey"), None);
        assert_eq!(decode("%4"), b"%4");
        assert_eq!(decode("%"), b"%");
    }

    #[test]
    fn keys_match_only_themselves() {
        let key = ApiKey::new("k").expect("not empty");
        assert!(key.matches(b"k"));
        assert!(!key.matches(b"K"));
        assert!(!key.matches(b""));
        assert_eq!(format!("{key:?}"), "ApiKey(..)");
    }
}
