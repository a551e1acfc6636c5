//! A read-only TAXII 2.1 server at `/taxii2/`: discovery, one API root (`/taxii2/api/`), two
//! collections (the register, the exchange) and their objects with `added_after`, `limit` and
//! `next`. Authenticated with the same bearer tokens; a caller gets exactly what the API
//! would show it (the same `may_see` filter; the exchange collection holds the messages its
//! authority sent or received).

use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{json, Value};
use vigil_exchange::taxii::{self, Collection, TAXII_MEDIA_TYPE};
use vigil_store::Outcome;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiPath, ApiQuery, Auth};
use crate::AppState;

pub const API_ROOT: &str = "/taxii2/api/";

fn taxii(value: Value) -> Response {
    let mut response = (axum::http::StatusCode::OK, value.to_string()).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    response
}

/// TAXII clients ask for its media type; an `Accept` that excludes it is a 406.
fn accept(headers: &HeaderMap) -> ApiResult<()> {
    match headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) {
        Some(accept)
            if !(accept.contains("taxii+json")
                || accept.contains("*/*")
                || accept.contains("application/json")) =>
        {
            Err(ApiError::new(
                ErrorCode::NotAcceptable,
                format!("Accept: this server answers {TAXII_MEDIA_TYPE}"),
            ))
        }
        _ => Ok(()),
    }
}

pub async fn discovery(Auth(_caller): Auth, headers: HeaderMap) -> ApiResult<Response> {
    accept(&headers)?;
    Ok(taxii(taxii::discovery(API_ROOT)))
}

pub async fn api_root(
    State(state): State<AppState>,
    Auth(_caller): Auth,
    headers: HeaderMap,
) -> ApiResult<Response> {
    accept(&headers)?;
    Ok(taxii(taxii::api_root(state.config.upload_limit)))
}

pub async fn collections(Auth(_caller): Auth, headers: HeaderMap) -> ApiResult<Response> {
    accept(&headers)?;
    let all: Vec<Value> = Collection::ALL.iter().map(|c| c.resource()).collect();
    Ok(taxii(json!({ "collections": all })))
}

fn collection(id: &str) -> ApiResult<Collection> {
    Collection::by_id(id).ok_or_else(ApiError::not_found)
}

pub async fn collection_resource(
    Auth(_caller): Auth,
    ApiPath(id): ApiPath<String>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    accept(&headers)?;
    Ok(taxii(collection(&id)?.resource()))
}

#[derive(Deserialize)]
pub struct ObjectsQuery {
    added_after: Option<String>,
    limit: Option<String>,
    next: Option<String>,
    /// TAXII's filters (`match[type]`, …) are accepted and ignored: every page is what the
    /// caller may see, ordered by date added.
    #[serde(flatten)]
    _filters: std::collections::HashMap<String, String>,
}

pub async fn objects(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<ObjectsQuery>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let c = collection(&id)?;
    accept(&headers)?;
    let register = c == Collection::Register && caller.role.may_read_register();
    let exchange = c == Collection::Exchange;
    let (objects, restricted) =
        crate::exchange::stix_objects(&state, &caller, register, exchange).await?;
    let limit = q
        .limit
        .as_deref()
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| ApiError::invalid("limit: a number"))
        })
        .transpose()?;
    let page = taxii::page(objects, q.added_after.as_deref(), limit, q.next.as_deref())
        .map_err(ApiError::invalid)?;
    let returned: Vec<String> = page.envelope["objects"]
        .as_array()
        .map(|objects| {
            objects
                .iter()
                .filter_map(|o| {
                    o["external_references"][0]["external_id"]
                        .as_str()
                        .filter(|v| restricted.iter().any(|r| r == v))
                        .map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    let entry = vigil_store::NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "taxii.objects",
        Outcome::Success,
    )
    .records(returned)
    .detail(format!(
        "collection {}: {} objects",
        c.id(),
        page.envelope["objects"].as_array().map_or(0, Vec::len)
    ));
    state.audit(&entry).await?;
    let mut response = taxii(page.envelope);
    for (name, value) in [
        ("X-TAXII-Date-Added-First", page.first_added),
        ("X-TAXII-Date-Added-Last", page.last_added),
    ] {
        if let Some(v) = value.and_then(|v| HeaderValue::from_str(&v).ok()) {
            response.headers_mut().insert(name, v);
        }
    }
    Ok(response)
}
