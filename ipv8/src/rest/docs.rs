//! The REST API described: an `OpenAPI` 3.1 document made from the routes' `#[utoipa::path]`
//! attributes and their bodies' `ToSchema` derives, served at `/docs/openapi.json`, and Swagger UI
//! at `/docs`. Both need no API key, as py-ipv8's `/docs` (which serves Swagger 2.0 at
//! `/docs/swagger.json`). The UI's files come with `utoipa-swagger-ui-vendored` from the registry
//! and are embedded in the binary: nothing is downloaded at build time, nothing from another host
//! at run time.

use axum::Router;
use axum::http::StatusCode;
use axum::middleware;
use axum::response::{IntoResponse as _, Response};
use utoipa::OpenApi as _;
use utoipa::openapi::content::ContentBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Type};
use utoipa::openapi::security::{ApiKey, ApiKeyValue, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{OpenApi, RefOr, ResponseBuilder};
use utoipa_swagger_ui::{Config, SwaggerUi};

use super::error::ApiError;

/// Where Swagger UI is served (`/docs` redirects to `/docs/`).
const UI: &str = "/docs";
/// Where the document is served.
const DOCUMENT: &str = "/docs/openapi.json";
/// The name of the API key's security scheme, as py-ipv8 declares it.
const SCHEME: &str = "apiKey";

/// The document's head: what every route shares.
#[derive(utoipa::OpenApi)]
#[openapi(info(
    title = "IPv8 REST API",
    description = "py-ipv8's REST API, served by rust-ipv8. Errors carry \
        `{\"success\": false, \"error\": {\"code\": name, \"message\": text}}` unless a route says \
        otherwise; an unknown path answers 404 with code `HTTPNotFound`, a known path with another \
        method 405 with `HTTPMethodNotAllowed`, every route 503 once the node has stopped."
))]
struct Head;

/// Swagger UI and the document of the routes a server answers: `/identity` and `/attestation`
/// only with `identity`, the `apiKey` scheme only when `keyed`.
pub(super) fn routes<S: Clone + Send + Sync + 'static>(identity: bool, keyed: bool) -> Router<S> {
    // Swagger UI would otherwise send the document to swagger.io's online validator.
    let offline = Config::default().validator_url("none");
    let ui = SwaggerUi::new(UI).url(DOCUMENT, document(identity, keyed)).config(offline);
    Router::from(ui).layer(middleware::map_response(not_found))
}

/// py-ipv8's body for a file under `/docs/` that Swagger UI does not have (it answers an empty
/// `404`).
async fn not_found(response: Response) -> Response {
    if response.status() == StatusCode::NOT_FOUND {
        return ApiError::not_found().into_response();
    }
    response
}

/// The document; see [`routes`].
fn document(identity: bool, keyed: bool) -> OpenApi {
    let mut document = Head::openapi();
    let parts = [
        super::routes::Doc::openapi(),
        super::statistics::Doc::openapi(),
        super::isolation::Doc::openapi(),
        super::asyncio::Doc::openapi(),
        super::dht::Doc::openapi(),
        super::dht_peers::Doc::openapi(),
        super::tunnel::Doc::openapi(),
        super::tunnel_speed::Doc::openapi(),
        super::metrics::Doc::openapi(),
        super::ui::Doc::openapi(),
    ];
    for part in parts {
        document.merge(part);
    }
    if identity {
        document.merge(super::identity::Doc::openapi());
        document.merge(super::attestation::Doc::openapi());
    }
    if keyed {
        secure(&mut document);
    }
    document
}

/// Declares py-ipv8's security scheme, the key in the `X-Api-Key` header, for every route, and
/// its answer without the key.
fn secure(document: &mut OpenApi) {
    let scheme = SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("X-Api-Key")));
    document.components.get_or_insert_with(Default::default).add_security_scheme(SCHEME, scheme);
    document.security = Some(vec![SecurityRequirement::new(SCHEME, Vec::<String>::new())]);
    for item in document.paths.paths.values_mut() {
        let methods = [&mut item.get, &mut item.put, &mut item.post, &mut item.delete];
        for operation in methods.into_iter().flatten() {
            operation.responses.responses.insert("401".to_owned(), RefOr::T(unauthorized()));
        }
    }
}

/// `401 {"error": "Unauthorized access"}`, py-ipv8's answer to a request without the key.
fn unauthorized() -> utoipa::openapi::Response {
    let text = ObjectBuilder::new().schema_type(Type::String);
    let body = ObjectBuilder::new().property("error", text).required("error");
    ResponseBuilder::new()
        .description("`{error: \"Unauthorized access\"}`: the API key is missing or wrong")
        .content("application/json", ContentBuilder::new().schema(Some(body)).build())
        .build()
}
