//! A read-only TAXII 2.1 server at `/taxii2/`: discovery, one API root (`/taxii2/api/`), two
//! collections (the register, the exchange), their objects (all, or one by id), manifest and
//! versions with `added_after`, `limit`, `next` and the `match[type|id|version|spec_version]`
//! filters; errors as TAXII error messages. Authenticated with the same bearer tokens; a caller gets exactly what the API
//! would show it (the same `may_see` filter; the exchange collection holds the messages its
//! authority sent or received).

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::{json, Value};
use vigil_exchange::taxii::{self, Collection, Filters, TAXII_MEDIA_TYPE};
use vigil_model::Caller;
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

/// Turns every problem document of the TAXII routes (authentication, parameters, not found,
/// not acceptable…) into a TAXII 2.1 error message with the TAXII media type.
pub async fn taxii_errors(request: Request, next: Next) -> Response {
    let response = next.run(request).await;
    let problem = response
        .headers()
        .get(header::CONTENT_TYPE)
        .is_some_and(|v| v.as_bytes().starts_with(b"application/problem+json"));
    if !problem {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, 64 * 1024)
        .await
        .unwrap_or_default();
    let p: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let text = |k: &str| p[k].as_str().unwrap_or("").to_string();
    let e = taxii::error(
        &text("title"),
        &text("detail"),
        &text("code"),
        parts.status.as_u16(),
    );
    parts.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(TAXII_MEDIA_TYPE),
    );
    parts.headers.remove(header::CONTENT_LENGTH);
    Response::from_parts(parts, Body::from(e.to_string()))
}

const PAGING: [&str; 3] = ["added_after", "limit", "next"];

/// The objects of collection `id` that `caller` may see and that pass the query's filters
/// (date added, object), and the restricted records among all the caller may see.
async fn selected(
    state: &AppState,
    caller: &Caller,
    id: &str,
    query: &BTreeMap<String, String>,
    object_id: Option<&str>,
) -> ApiResult<(Collection, Vec<(String, Value)>, Vec<String>)> {
    let c = collection(id)?;
    let filters = Filters::parse(query.iter().map(|(k, v)| (k.as_str(), v.as_str())), &PAGING)
        .map_err(ApiError::invalid)?;
    let register = c == Collection::Register && caller.role.may_read_register();
    let exchange = c == Collection::Exchange;
    let (objects, restricted) =
        crate::exchange::stix_objects(state, caller, register, exchange).await?;
    let objects = objects
        .into_iter()
        .filter(|(_, o)| filters.matches(o))
        .filter(|(_, o)| object_id.is_none_or(|want| o["id"].as_str() == Some(want)))
        .collect();
    Ok((c, objects, restricted))
}

fn page_of(
    objects: Vec<(String, Value)>,
    query: &BTreeMap<String, String>,
) -> ApiResult<taxii::Page> {
    let limit = query
        .get("limit")
        .map(|l| {
            l.parse::<usize>()
                .map_err(|_| ApiError::invalid("limit: a number"))
        })
        .transpose()?;
    taxii::page(
        objects,
        query.get("added_after").map(String::as_str),
        limit,
        query.get("next").map(String::as_str),
    )
    .map_err(ApiError::invalid)
}

/// Audits what a page handed out: the restricted records among the objects' Vigil ids.
async fn audit_page(
    state: &AppState,
    caller: &Caller,
    action: &str,
    c: Collection,
    ids: Vec<String>,
    restricted: &[String],
) -> ApiResult<()> {
    let n = ids.len();
    let returned: Vec<String> = ids
        .into_iter()
        .filter(|v| restricted.iter().any(|r| r == v))
        .collect();
    let entry =
        vigil_store::NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Success)
            .records(returned)
            .detail(format!("collection {}: {n} objects", c.id()));
    state.audit(&entry).await?;
    Ok(())
}

fn vigil_id(o: &Value) -> Option<String> {
    o["external_references"][0]["external_id"]
        .as_str()
        .map(str::to_string)
}

fn with_dates(mut response: Response, page: &taxii::Page) -> Response {
    for (name, value) in [
        ("X-TAXII-Date-Added-First", &page.first_added),
        ("X-TAXII-Date-Added-Last", &page.last_added),
    ] {
        if let Some(v) = value.as_deref().and_then(|v| HeaderValue::from_str(v).ok()) {
            response.headers_mut().insert(name, v);
        }
    }
    response
}

/// `GET …/objects/`: the objects envelope, filtered by `match[...]` and paged.
pub async fn objects(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    accept(&headers)?;
    let (c, objects, restricted) = selected(&state, &caller, &id, &q, None).await?;
    envelope(&state, &caller, c, objects, &restricted, &q).await
}

async fn envelope(
    state: &AppState,
    caller: &Caller,
    c: Collection,
    objects: Vec<(String, Value)>,
    restricted: &[String],
    q: &BTreeMap<String, String>,
) -> ApiResult<Response> {
    let page = page_of(objects, q)?;
    let ids: Vec<String> = page.envelope["objects"]
        .as_array()
        .map(|objects| objects.iter().filter_map(vigil_id).collect())
        .unwrap_or_default();
    audit_page(state, caller, "taxii.objects", c, ids, restricted).await?;
    let response = taxii(page.envelope.clone());
    Ok(with_dates(response, &page))
}

/// `GET …/objects/{object_id}/`: that object (every version: Vigil keeps one) as an envelope.
pub async fn object(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath((id, object_id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    accept(&headers)?;
    let (c, objects, restricted) = selected(&state, &caller, &id, &q, Some(&object_id)).await?;
    if objects.is_empty() {
        return Err(ApiError::not_found());
    }
    envelope(&state, &caller, c, objects, &restricted, &q).await
}

/// `GET …/manifest/`: what the objects endpoint would return, as manifest records (id, date
/// added, version, media type).
pub async fn manifest(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
    ApiQuery(q): ApiQuery<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    accept(&headers)?;
    let (c, objects, restricted) = selected(&state, &caller, &id, &q, None).await?;
    let ids: std::collections::HashMap<String, String> = objects
        .iter()
        .filter_map(|(_, o)| Some((o["id"].as_str()?.to_string(), vigil_id(o)?)))
        .collect();
    let records = objects
        .into_iter()
        .map(|(added, o)| {
            let record = taxii::manifest_record(&added, &o);
            (added, record)
        })
        .collect();
    let page = page_of(records, &q)?;
    let handed: Vec<String> = page.envelope["objects"]
        .as_array()
        .map(|records| {
            records
                .iter()
                .filter_map(|r| r["id"].as_str().and_then(|i| ids.get(i)).cloned())
                .collect()
        })
        .unwrap_or_default();
    audit_page(&state, &caller, "taxii.manifest", c, handed, &restricted).await?;
    let response = taxii(page.envelope.clone());
    Ok(with_dates(response, &page))
}

/// `GET …/objects/{object_id}/versions/`: the versions of an object the caller may see.
pub async fn versions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath((id, object_id)): ApiPath<(String, String)>,
    ApiQuery(q): ApiQuery<BTreeMap<String, String>>,
    headers: HeaderMap,
) -> ApiResult<Response> {
    accept(&headers)?;
    let (c, objects, restricted) = selected(&state, &caller, &id, &q, Some(&object_id)).await?;
    if objects.is_empty() {
        return Err(ApiError::not_found());
    }
    let versions: Vec<String> = objects.iter().map(|(_, o)| taxii::version_of(o)).collect();
    let ids = objects.iter().filter_map(|(_, o)| vigil_id(o)).collect();
    audit_page(&state, &caller, "taxii.versions", c, ids, &restricted).await?;
    Ok(taxii(json!({"more": false, "versions": versions})))
}
