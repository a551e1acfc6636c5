//! The search register under `/api/v1/notices` (docs/SEARCH.md): declaring a search, its
//! steps, the review list, and import and export as FtM, INTERPOL red-notice JSON and STIX.
//!
//! A notice is visible to whom its scope reaches (`may_see` on the scope's distribution, the
//! requesting authority as originator), like every record; to anyone else it does not exist
//! (404). Declaring and withdrawing are for the requesting state's analysts and admins; a
//! location may be reported by any visible state's officers, analysts and admins.

use axum::body::Body;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use vigil_model::{may_see, Caller, Role};
use vigil_notices::formats::{self, NoticeView};
use vigil_notices::{NoticeInput, Scope, Status, Step};
use vigil_store::{NewAuditEntry, Outcome, StoredNotice};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{read_body, ApiJson, ApiPath, ApiQuery, Auth};
use crate::routes::audit_denied;
use crate::AppState;

/// A notice with a photo or two is larger than the usual JSON body.
const NOTICE_BODY_LIMIT: usize = 4 * 1024 * 1024;

/// Notices not reviewed for this many days are listed for review by default.
pub const DEFAULT_REVIEW_DAYS: i64 = 365;

/// Whether the notice's scope reaches `caller`.
pub fn visible(caller: &Caller, n: &StoredNotice) -> bool {
    may_see(
        caller,
        &n.notice.scope.distribution(),
        &n.requesting_authority,
    )
}

/// Declaring a search: a member state's analysts and admins.
pub fn may_declare(caller: &Caller) -> bool {
    caller.member_state.is_some() && matches!(caller.role, Role::Admin | Role::Analyst)
}

/// Taking a step: officers report locations and detentions; the rest is for analysts and admins.
pub fn may_take(caller: &Caller, step: &Step) -> bool {
    match step {
        Step::Locate { .. } | Step::Detain { .. } => {
            matches!(caller.role, Role::Admin | Role::Analyst | Role::Officer)
        }
        _ => matches!(caller.role, Role::Admin | Role::Analyst),
    }
}

/// The notice as answered: photos are left out of lists (they are in the notice itself).
fn view(n: &StoredNotice, with_photos: bool) -> Value {
    let mut v = serde_json::to_value(n).unwrap_or(Value::Null);
    if !with_photos {
        if let Some(p) = v.pointer_mut("/notice/person/photos") {
            *p = json!([]);
        }
    }
    v
}

async fn visible_notice(state: &AppState, caller: &Caller, id: i64) -> ApiResult<StoredNotice> {
    match state.store.notice(id).await? {
        Some(n) if visible(caller, &n) => Ok(n),
        _ => Err(ApiError::not_found()),
    }
}

async fn failed(
    state: &AppState,
    caller: &Caller,
    action: &str,
    records: Vec<String>,
    e: &ApiError,
) {
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Failed)
        .records(records)
        .detail(e.detail.clone());
    if let Err(e) = state.audit(&entry).await {
        tracing::error!(error = %e, "cannot audit a refused notice write");
    }
}

async fn declare_checked(
    state: &AppState,
    caller: &Caller,
    input: NoticeInput,
) -> ApiResult<StoredNotice> {
    if !may_declare(caller) {
        audit_denied(
            state,
            caller,
            "notice.declare",
            "",
            "not a member state's analyst or admin",
        )
        .await;
        return Err(ApiError::forbidden(
            "only a member state's analysts and admins declare searches",
        ));
    }
    let entry = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "notice.declare",
        Outcome::Success,
    )
    .detail("search declared");
    match state
        .store
        .declare_notice(&caller.user, &caller.authority, input, &entry)
        .await
    {
        Ok(n) => {
            state.register_changed().await;
            Ok(n)
        }
        Err(e) => {
            let error = ApiError::from(e);
            failed(state, caller, "notice.declare", Vec::new(), &error).await;
            Err(error)
        }
    }
}

/// `POST /notices`: declares a search (201, the notice).
pub async fn declare(
    State(state): State<AppState>,
    Auth(caller): Auth,
    body: Body,
) -> ApiResult<Response> {
    let bytes = read_body(body, NOTICE_BODY_LIMIT).await?;
    let input: NoticeInput = serde_json::from_slice(&bytes)
        .map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))?;
    let n = declare_checked(&state, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(view(&n, true))).into_response())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    /// Only the caller's own authority's notices not reviewed for `review_days` days.
    #[serde(default)]
    review_due: bool,
    review_days: Option<i64>,
}

/// `GET /notices`: the notices the caller may see.
pub async fn list(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let status = q
        .status
        .as_deref()
        .map(|s| {
            Status::parse(s)
                .ok_or_else(|| ApiError::invalid(format!("status: unknown status {s:?}")))
        })
        .transpose()?;
    let days = q.review_days.unwrap_or(DEFAULT_REVIEW_DAYS);
    if days < 0 {
        return Err(ApiError::invalid("review_days: 0 or more"));
    }
    let cutoff = review_cutoff(days);
    let notices: Vec<Value> = state
        .store
        .notices()
        .await?
        .iter()
        .filter(|n| visible(&caller, n))
        .filter(|n| status.is_none_or(|s| n.status == s))
        .filter(|n| {
            !q.review_due
                || (n.requesting_authority == caller.authority
                    && !n.status.is_final()
                    && n.last_reviewed.as_str() < cutoff.as_str())
        })
        .map(|n| view(n, false))
        .collect();
    Ok(Json(json!({"notices": notices})))
}

/// The UTC instant `days` ago, as the store's RFC 3339 text compares.
fn review_cutoff(days: i64) -> String {
    vigil_model::utc_rfc3339_from_now(days.saturating_mul(-86_400))
}

/// `GET /notices/{id}`.
pub async fn show(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Value>> {
    let n = visible_notice(&state, &caller, id).await?;
    Ok(Json(view(&n, true)))
}

/// `POST /notices/{id}/steps`: one step (`{"step": "locate", ...}`).
pub async fn step(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiJson(step): ApiJson<Step>,
) -> ApiResult<Json<Value>> {
    let action = format!("notice.{}", step.name());
    let n = visible_notice(&state, &caller, id).await?;
    if !may_take(&caller, &step) {
        audit_denied(&state, &caller, &action, &format!("notice:{id}"), "role").await;
        return Err(ApiError::forbidden(format!(
            "a {} may not record a {} step",
            caller.role,
            step.name()
        )));
    }
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, &action, Outcome::Success)
        .detail(format!("step {} on notice {id}", step.name()));
    match state
        .store
        .notice_step(id, &caller.user, &caller.authority, step, &entry)
        .await
    {
        Ok(updated) => {
            if n.status.is_active() != updated.status.is_active() {
                state.register_changed().await;
            }
            Ok(Json(view(&updated, true)))
        }
        Err(e) => {
            let error = ApiError::from(e);
            failed(
                &state,
                &caller,
                &action,
                vec![format!("notice:{id}")],
                &error,
            )
            .await;
            Err(error)
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: String,
}

/// `GET /notices/{id}/export?format=ftm|interpol|stix`.
pub async fn export(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ExportQuery>,
) -> ApiResult<Response> {
    let n = visible_notice(&state, &caller, id).await?;
    let (content_type, text) = export_document(&n, &q.format)?;
    Ok(([("content-type", content_type)], text).into_response())
}

/// The notice as `format` (`ftm`, `interpol`, `stix`): its media type and text. The API and
/// `vigil notice export` both write it this way.
pub fn export_document(n: &StoredNotice, format: &str) -> ApiResult<(&'static str, String)> {
    let notice = NoticeView {
        id: n.id,
        entity_id: &n.entity_id,
        requesting_authority: &n.requesting_authority,
        status: n.status,
        input: &n.notice,
    };
    let internal =
        |e: vigil_notices::NoticeError| ApiError::new(ErrorCode::Internal, e.to_string());
    let modified = n
        .history
        .last()
        .map(|e| e.recorded.clone())
        .unwrap_or_default();
    match format {
        "ftm" => {
            let lines = formats::to_ftm(&notice).map_err(internal)?;
            Ok((
                "application/x-ndjson",
                lines.iter().map(|l| format!("{l}\n")).collect(),
            ))
        }
        "interpol" => Ok((
            "application/json",
            formats::to_interpol(&notice).to_string(),
        )),
        "stix" => {
            let mut objects = formats::to_stix(&notice, &modified).map_err(internal)?;
            objects.extend(vigil_exchange::stix::tlp_marking_definitions());
            let bundle = json!({
                "type": "bundle",
                "id": vigil_exchange::stix::stix_id("bundle", &format!("notice:{}:{modified}", n.id)),
                "objects": objects,
            });
            Ok((vigil_exchange::stix::STIX_MEDIA_TYPE, bundle.to_string()))
        }
        other => Err(ApiError::invalid(format!(
            "format: ftm, interpol or stix, not {other:?}"
        ))),
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: String,
    /// Where the imported search is circulated (FtM): `national`, `all_members`, or a comma
    /// list of member states. INTERPOL red notices go to all members.
    scope: Option<String>,
    contact_point: String,
    /// The date the search is declared here (default today).
    declared_on: Option<String>,
}

/// `POST /notices/import?format=ftm|interpol&contact_point=…`: one notice from another system,
/// declared by the caller's authority.
pub async fn import(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ImportQuery>,
    body: Body,
) -> ApiResult<Response> {
    let bytes = read_body(body, NOTICE_BODY_LIMIT).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::new(ErrorCode::InvalidBody, "the body is not UTF-8"))?;
    let scope = match q.scope.as_deref() {
        None | Some("all_members") => Scope::AllMembers,
        Some("national") => Scope::National,
        Some(states) => Scope::Interstate {
            states: states.split(',').map(|s| s.trim().to_uppercase()).collect(),
        },
    };
    let today = vigil_model::utc_now_rfc3339();
    let declared_on = q
        .declared_on
        .clone()
        .unwrap_or_else(|| today.get(..10).unwrap_or("").to_string());
    let invalid =
        |e: vigil_notices::NoticeError| ApiError::new(ErrorCode::InvalidBody, e.to_string());
    let input = match q.format.as_str() {
        "ftm" => formats::from_ftm(text, scope, &q.contact_point).map_err(invalid)?,
        "interpol" => {
            let own = caller.member_state.clone().unwrap_or_default();
            formats::from_interpol(text, &own, &declared_on, &q.contact_point).map_err(invalid)?
        }
        other => {
            return Err(ApiError::invalid(format!(
                "format: ftm or interpol, not {other:?}"
            )))
        }
    };
    let n = declare_checked(&state, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(view(&n, true))).into_response())
}

/// The screening answer's note on a hit on a search notice: what the officer does.
pub fn hit_instructions(entity: &vigil_model::Entity) -> Option<Value> {
    let designation = entity
        .designations
        .iter()
        .find(|d| d.kind == vigil_model::DesignationKind::WantedPerson)?;
    let instructions = entity
        .remarks
        .iter()
        .find_map(|r| r.strip_prefix("Handling instructions: "))
        .unwrap_or("hold the person if the law allows and contact the requesting state at once");
    Some(json!({
        "requested_by": designation.authority,
        "legal_basis": designation.legal_basis,
        "warrant": designation.reference,
        "instructions": instructions,
    }))
}
