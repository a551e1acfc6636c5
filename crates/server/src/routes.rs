//! The handlers. Every read filters on [`vigil_model::may_see`]: a record the caller may not
//! see is absent (404 on a direct read, not 403, so its existence does not leak).

use std::collections::HashMap;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::{Deserialize, Serialize};
use serde_json::json;
use vigil_model::{
    may_see, Caller, Designation, DesignationKind, DesignationStatus, Distribution, Entity,
    EntityId, ListName, Name, NameKind, PartialDate, Schema, MAX_FIELD_BYTES,
};
use vigil_store::{
    AuditFilter, DesignationChange, EntityRecord, FileRef, NewAuditEntry, Outcome, RevisionInfo,
};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{read_body, ApiJson, ApiPath, ApiQuery, Auth};
use crate::AppState;

/// Who contributed each list: the originator of its records.
async fn origins(state: &AppState) -> ApiResult<HashMap<String, String>> {
    Ok(state
        .store
        .list_origins()
        .await?
        .into_iter()
        .map(|o| (o.name, o.authority))
        .collect())
}

fn visible(caller: &Caller, entity: &Entity, origins: &HashMap<String, String>) -> bool {
    let originator = origins
        .get(entity.id.list())
        .map(String::as_str)
        .unwrap_or("");
    may_see(caller, &entity.distribution, originator)
}

fn require(ok: bool, what: &str) -> ApiResult<()> {
    if ok {
        Ok(())
    } else {
        Err(ApiError::forbidden(what.to_string()))
    }
}

fn read_register(caller: &Caller) -> ApiResult<()> {
    require(
        caller.role.may_read_register(),
        "officers may screen but not browse the register",
    )
}

/// Audits a read that returned records not distributed publicly.
async fn audit_restricted_read(
    state: &AppState,
    caller: &Caller,
    action: &str,
    records: Vec<String>,
) -> ApiResult<()> {
    if records.is_empty() {
        return Ok(());
    }
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Success)
        .records(records);
    state.audit(&entry).await?;
    Ok(())
}

pub(crate) async fn audit_denied(
    state: &AppState,
    caller: &Caller,
    action: &str,
    record: &str,
    why: &str,
) {
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Denied)
        .records(vec![record.to_string()])
        .detail(why);
    if let Err(e) = state.audit(&entry).await {
        tracing::error!(error = %e, "cannot audit a refused request");
    }
}

fn parse_id(id: &str) -> ApiResult<EntityId> {
    id.parse()
        .map_err(|e: vigil_model::IdError| ApiError::invalid(e.to_string()))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: Option<String>,
    list: Option<String>,
    schema: Option<String>,
    #[serde(default)]
    include_delisted: bool,
    limit: Option<usize>,
    offset: Option<usize>,
}

#[derive(Serialize)]
struct EntitySummary {
    id: String,
    caption: String,
    schema: Schema,
    list: String,
    listed: bool,
    revision: i64,
}

pub async fn search_entities(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    read_register(&caller)?;
    let schema = query
        .schema
        .as_deref()
        .map(|s| Schema::parse(s).ok_or_else(|| ApiError::invalid(format!("unknown schema {s:?}"))))
        .transpose()?;
    let needle = query.q.as_deref().map(str::to_lowercase);
    let limit = query.limit.unwrap_or(50).clamp(1, 1000);
    let offset = query.offset.unwrap_or(0);
    // The cached snapshot, not a decode of every entity per request; one cheap query checks
    // it still matches the store (an import from the command line rebuilds it).
    let snapshot = state.screening.refresh_if_changed(&state.store).await?;
    let origins = &snapshot.origins;
    let matches: Vec<&EntityRecord> = snapshot
        .records
        .iter()
        .filter(|r| query.include_delisted || r.listed)
        .filter(|r| {
            query
                .list
                .as_deref()
                .is_none_or(|l| r.entity.id.list() == l)
        })
        .filter(|r| visible(&caller, &r.entity, origins))
        .filter(|r| schema.is_none_or(|s| r.entity.schema == s))
        .filter(|r| {
            needle.as_deref().is_none_or(|n| {
                r.entity
                    .names
                    .iter()
                    .any(|name| name.value.to_lowercase().contains(n))
            })
        })
        .collect();
    let total = matches.len();
    let page: Vec<&EntityRecord> = matches.into_iter().skip(offset).take(limit).collect();
    let restricted = page
        .iter()
        .filter(|r| r.entity.distribution != Distribution::Public)
        .map(|r| r.entity.id.to_string())
        .collect();
    audit_restricted_read(&state, &caller, "entity.search", restricted).await?;
    let items: Vec<EntitySummary> = page
        .into_iter()
        .map(|r| EntitySummary {
            id: r.entity.id.to_string(),
            caption: r.entity.caption().to_string(),
            schema: r.entity.schema,
            list: r.entity.id.list().to_string(),
            listed: r.listed,
            revision: r.revision,
        })
        .collect();
    Ok(Json(
        json!({"total": total, "offset": offset, "items": items}),
    ))
}

pub async fn show_entity(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<EntityRecord>> {
    read_register(&caller)?;
    let id = parse_id(&id)?;
    let origins = origins(&state).await?;
    let record = state
        .store
        .entity(&id, None)
        .await?
        .filter(|r| visible(&caller, &r.entity, &origins))
        .ok_or_else(ApiError::not_found)?;
    if record.entity.distribution != Distribution::Public {
        audit_restricted_read(&state, &caller, "entity.read", vec![id.to_string()]).await?;
    }
    Ok(Json(record))
}

pub async fn entity_history(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    read_register(&caller)?;
    let id = parse_id(&id)?;
    let origins = origins(&state).await?;
    let versions: Vec<_> = state
        .store
        .history(&id)
        .await?
        .into_iter()
        .filter(|v| visible(&caller, &v.entity, &origins))
        .collect();
    if versions.is_empty() {
        return Err(ApiError::not_found());
    }
    if versions
        .iter()
        .any(|v| v.entity.distribution != Distribution::Public)
    {
        audit_restricted_read(&state, &caller, "entity.history", vec![id.to_string()]).await?;
    }
    Ok(Json(json!({"id": id, "versions": versions})))
}

/// A revision as shown to a caller: its counts and files only when the caller may see every
/// entity the list ever held, since they would otherwise reveal restricted records.
#[derive(Serialize)]
struct RevisionView {
    list: String,
    number: i64,
    imported_at: String,
    published: Option<String>,
    effective: String,
    format: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    files: Option<Vec<FileRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    counts: Option<serde_json::Value>,
}

fn revision_view(r: RevisionInfo, full: bool) -> RevisionView {
    RevisionView {
        counts: full.then(|| {
            json!({"entities": r.entities, "added": r.added, "changed": r.changed,
                   "delisted": r.delisted, "unchanged": r.unchanged})
        }),
        files: full.then_some(r.files),
        list: r.list,
        number: r.number,
        imported_at: r.imported_at,
        published: r.published,
        effective: r.effective,
        format: r.format,
    }
}

/// Counts of the list's entities the caller may see: (listed, delisted, whether that is all).
async fn visible_counts(
    state: &AppState,
    caller: &Caller,
    list: &str,
    origins: &HashMap<String, String>,
) -> ApiResult<(i64, i64, bool)> {
    let records = state.store.entities(Some(list), None, true).await?;
    let (mut listed, mut delisted, mut all) = (0, 0, true);
    for r in &records {
        if !visible(caller, &r.entity, origins) {
            all = false;
            continue;
        }
        if r.listed {
            listed += 1;
        } else {
            delisted += 1;
        }
    }
    Ok((listed, delisted, all))
}

pub async fn lists(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<serde_json::Value>> {
    read_register(&caller)?;
    let origins = origins(&state).await?;
    let mut out = Vec::new();
    for summary in state.store.lists().await? {
        let (listed, delisted, all) =
            visible_counts(&state, &caller, &summary.name, &origins).await?;
        out.push(json!({
            "name": summary.name,
            "authority": summary.authority,
            "title": summary.title,
            "format": summary.format,
            "revisions": summary.revisions,
            "listed": listed,
            "delisted": delisted,
            "latest": summary.latest.map(|r| revision_view(r, all)),
        }));
    }
    Ok(Json(json!({ "lists": out })))
}

fn list_name(name: &str) -> ApiResult<ListName> {
    ListName::new(name).map_err(|e| ApiError::invalid(e.to_string()))
}

pub async fn revisions(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(name): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    read_register(&caller)?;
    let list = list_name(&name)?;
    let origins = origins(&state).await?;
    if !origins.contains_key(list.as_str()) {
        return Err(ApiError::not_found());
    }
    let (_, _, all) = visible_counts(&state, &caller, list.as_str(), &origins).await?;
    let revisions: Vec<RevisionView> = state
        .store
        .revisions(list.as_str())
        .await?
        .into_iter()
        .map(|r| revision_view(r, all))
        .collect();
    Ok(Json(json!({"list": list, "revisions": revisions})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DiffQuery {
    from: i64,
    to: i64,
}

pub async fn diff(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(name): ApiPath<String>,
    ApiQuery(query): ApiQuery<DiffQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    read_register(&caller)?;
    let list = list_name(&name)?;
    let origins = origins(&state).await?;
    let entries = state
        .store
        .diff(list.as_str(), query.from, query.to)
        .await?;
    let mut out = Vec::new();
    let mut restricted = Vec::new();
    for entry in entries {
        let Ok(id) = entry.id.parse::<EntityId>() else {
            continue;
        };
        // Visibility follows the entity's distribution as the register holds it now.
        let Some(record) = state.store.entity(&id, None).await? else {
            continue;
        };
        if !visible(&caller, &record.entity, &origins) {
            continue;
        }
        if record.entity.distribution != Distribution::Public {
            restricted.push(entry.id.clone());
        }
        out.push(entry);
    }
    audit_restricted_read(&state, &caller, "list.diff", restricted).await?;
    Ok(Json(
        json!({"list": list, "from": query.from, "to": query.to, "changes": out}),
    ))
}

/// A national designation as an authority submits it.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DesignationInput {
    /// The id in the state's own list (`17` becomes `ru:17`); given on POST only.
    #[serde(default)]
    id: Option<String>,
    schema: String,
    /// Primary name first, then aliases.
    names: Vec<String>,
    #[serde(default)]
    kind: Option<DesignationKind>,
    #[serde(default)]
    regime: Option<String>,
    legal_basis: String,
    /// Date of the decision (YYYY-MM-DD).
    listed_on: String,
    /// Court decision or decree reference.
    reference: String,
    #[serde(default)]
    distribution: Option<Distribution>,
    #[serde(default)]
    remarks: Vec<String>,
}

fn check_text(field: &str, value: &str) -> ApiResult<()> {
    if value.len() > MAX_FIELD_BYTES || value.chars().any(|c| c.is_control() && c != '\n') {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            format!("{field}: at most {MAX_FIELD_BYTES} bytes, no control characters"),
        ));
    }
    Ok(())
}

fn build_entity(caller: &Caller, id: EntityId, input: DesignationInput) -> ApiResult<Entity> {
    let invalid = |m: String| ApiError::new(ErrorCode::InvalidBody, m);
    let schema = Schema::parse(&input.schema)
        .ok_or_else(|| invalid(format!("schema: unknown schema {:?}", input.schema)))?;
    if input.names.iter().all(|n| n.trim().is_empty()) {
        return Err(invalid("names: give at least one name".into()));
    }
    if input.names.len() > 100 || input.remarks.len() > 100 {
        return Err(invalid("names, remarks: at most 100 each".into()));
    }
    for (field, value) in input
        .names
        .iter()
        .map(|n| ("names", n))
        .chain(input.remarks.iter().map(|r| ("remarks", r)))
        .chain([
            ("legal_basis", &input.legal_basis),
            ("reference", &input.reference),
        ])
        .chain(input.regime.iter().map(|r| ("regime", r)))
    {
        check_text(field, value)?;
    }
    let listed_on =
        PartialDate::parse_iso(&input.listed_on).map_err(|e| invalid(format!("listed_on: {e}")))?;
    let distribution = input.distribution.unwrap_or(Distribution::AllMembers);
    if let Distribution::States(states) = &distribution {
        if states.is_empty()
            || states
                .iter()
                .any(|s| vigil_model::member_state_of(s).as_deref() != Some(s.as_str()))
        {
            return Err(invalid(
                "distribution.states: give member states' ISO codes (RU, KZ…)".into(),
            ));
        }
    }
    let mut entity = Entity::new(id, schema);
    for (i, name) in input.names.iter().enumerate() {
        let kind = if i == 0 {
            NameKind::Primary
        } else {
            NameKind::Alias
        };
        entity.push_name(Name::new(name, kind));
    }
    entity.designations.push(Designation {
        authority: caller.authority.clone(),
        regime: input.regime.unwrap_or_else(|| {
            format!(
                "National list of {}",
                caller.member_state.as_deref().unwrap_or("")
            )
        }),
        kind: input.kind.unwrap_or(match schema {
            Schema::Person => DesignationKind::WantedPerson,
            _ => DesignationKind::OrganizationBan,
        }),
        listed_on: Some(listed_on),
        legal_basis: Some(input.legal_basis),
        reference: Some(input.reference),
        status: DesignationStatus::Listed,
        amended_on: Vec::new(),
        delisted_on: None,
        remarks: input.remarks,
    });
    entity.distribution = distribution;
    Ok(entity)
}

/// The caller's own national list, or 403.
fn own_list(caller: &Caller) -> ApiResult<(ListName, String)> {
    require(
        caller.role.may_designate(),
        "only analysts and admins designate",
    )?;
    let state = caller.member_state.clone().ok_or_else(|| {
        ApiError::forbidden("only a member state's authorities keep national lists")
    })?;
    let list = list_name(&state.to_lowercase())?;
    Ok((list, state))
}

fn store_write_error(e: vigil_store::StoreError) -> ApiError {
    ApiError::from(e)
}

async fn write_designation(
    state: &AppState,
    caller: &Caller,
    action: &str,
    list: &ListName,
    member_state: &str,
    change: DesignationChange,
    id: &EntityId,
) -> ApiResult<vigil_store::ImportReport> {
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Success)
        .records(vec![id.to_string()]);
    // What a notification (exchange policy `auto_notify`) would be about: the new version, or
    // for a withdrawal the version withdrawn.
    let notice = match &change {
        DesignationChange::Add(e) => Some(("added", e.clone())),
        DesignationChange::Amend(e) => Some(("amended", e.clone())),
        DesignationChange::Withdraw(id) => state
            .store
            .entity(id, None)
            .await
            .ok()
            .flatten()
            .map(|r| ("withdrawn", r.entity)),
    };
    match state
        .store
        .change_designation(list, member_state, change, &entry)
        .await
    {
        Ok(report) => {
            state.register_changed().await;
            if let Some((what, entity)) = notice {
                crate::exchange::auto_notify(state, caller, what, &entity, report.revision).await;
            }
            Ok(report)
        }
        Err(e) => {
            let error = store_write_error(e);
            let failed =
                NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Failed)
                    .records(vec![id.to_string()])
                    .detail(error.code.code());
            if let Err(e) = state.audit(&failed).await {
                tracing::error!(error = %e, "cannot audit a failed write");
            }
            Err(error)
        }
    }
}

pub async fn add_designation(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(input): ApiJson<DesignationInput>,
) -> ApiResult<Response> {
    let (list, member_state) = match own_list(&caller) {
        Ok(v) => v,
        Err(e) => {
            audit_denied(&state, &caller, "designation.add", "", &e.detail).await;
            return Err(e);
        }
    };
    let source_id = input
        .id
        .clone()
        .ok_or_else(|| ApiError::new(ErrorCode::InvalidBody, "id: required"))?;
    let id = EntityId::new(&list, &source_id)
        .map_err(|e| ApiError::new(ErrorCode::InvalidBody, format!("id: {e}")))?;
    let entity = build_entity(&caller, id.clone(), input)?;
    let report = write_designation(
        &state,
        &caller,
        "designation.add",
        &list,
        &member_state,
        DesignationChange::Add(entity),
        &id,
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(json!({"id": id, "list": list, "revision": report.revision})),
    )
        .into_response())
}

/// Checks that `id` is on the caller's own list; another state's record is 403 when the
/// caller may see it and 404 when not, and the attempt is audited either way.
async fn own_record(
    state: &AppState,
    caller: &Caller,
    action: &str,
    raw_id: &str,
) -> ApiResult<(ListName, String, EntityId)> {
    let id = parse_id(raw_id)?;
    let (list, member_state) = match own_list(caller) {
        Ok(v) => v,
        Err(e) => {
            audit_denied(state, caller, action, id.as_str(), &e.detail).await;
            return Err(e);
        }
    };
    if id.list() != list.as_str() {
        let origins = origins(state).await?;
        let seen = state
            .store
            .entity(&id, None)
            .await?
            .is_some_and(|r| visible(caller, &r.entity, &origins));
        audit_denied(
            state,
            caller,
            action,
            id.as_str(),
            "not the caller's own list",
        )
        .await;
        return Err(if seen {
            ApiError::forbidden("you may only change your own member state's designations")
        } else {
            ApiError::not_found()
        });
    }
    Ok((list, member_state, id))
}

pub async fn amend_designation(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(raw_id): ApiPath<String>,
    ApiJson(input): ApiJson<DesignationInput>,
) -> ApiResult<Json<serde_json::Value>> {
    let (list, member_state, id) =
        own_record(&state, &caller, "designation.amend", &raw_id).await?;
    if input
        .id
        .as_deref()
        .is_some_and(|given| given != id.source_id())
    {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "id: the body's id differs from the path's",
        ));
    }
    let entity = build_entity(&caller, id.clone(), input)?;
    let report = write_designation(
        &state,
        &caller,
        "designation.amend",
        &list,
        &member_state,
        DesignationChange::Amend(entity),
        &id,
    )
    .await?;
    Ok(Json(
        json!({"id": id, "list": list, "revision": report.revision}),
    ))
}

pub async fn withdraw_designation(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(raw_id): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    let (list, member_state, id) =
        own_record(&state, &caller, "designation.withdraw", &raw_id).await?;
    let report = write_designation(
        &state,
        &caller,
        "designation.withdraw",
        &list,
        &member_state,
        DesignationChange::Withdraw(id.clone()),
        &id,
    )
    .await?;
    Ok(Json(
        json!({"id": id, "list": list, "revision": report.revision}),
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportQuery {
    format: Option<String>,
    list: Option<String>,
    /// The uploaded file's name, kept as its provenance.
    name: Option<String>,
}

/// A file name without any path: no separators, no `..`, no control characters.
fn safe_file_name(name: &str) -> ApiResult<String> {
    let ok = !name.is_empty()
        && name.len() <= 255
        && !name.contains(['/', '\\', ':'])
        && !name.starts_with('.')
        && !name.contains("..")
        && !name.chars().any(char::is_control);
    if ok {
        Ok(name.to_string())
    } else {
        Err(ApiError::new(
            ErrorCode::InvalidFileName,
            "name: a plain file name without path separators or `..`",
        ))
    }
}

/// The uploaded files: one raw body named by `?name=`, or the file parts of a
/// `multipart/form-data` body (each part's file name kept), at most `limit` bytes in all.
async fn uploaded_files(
    state: &AppState,
    query: &ImportQuery,
    request: axum::extract::Request,
) -> ApiResult<Vec<(String, axum::body::Bytes)>> {
    let limit = state.config.upload_limit;
    let is_multipart = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("multipart/form-data"));
    if !is_multipart {
        let name = safe_file_name(query.name.as_deref().unwrap_or("upload"))?;
        let bytes = read_body(request.into_body(), limit).await?;
        if bytes.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidListFile,
                "the body is empty",
            ));
        }
        return Ok(vec![(name, bytes)]);
    }
    if query.name.is_some() {
        return Err(ApiError::invalid(
            "name: a multipart upload names each file in its part, not with ?name=",
        ));
    }
    let malformed = |e: axum::extract::multipart::MultipartError| {
        ApiError::new(
            ErrorCode::InvalidListFile,
            format!("multipart body: {}", e.body_text()),
        )
    };
    let mut multipart =
        <axum::extract::Multipart as axum::extract::FromRequest<()>>::from_request(request, &())
            .await
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidListFile,
                    format!("multipart body: {}", e.body_text()),
                )
            })?;
    let mut files = Vec::new();
    let mut total = 0usize;
    let mut part_number = 0usize;
    while let Some(mut part) = multipart.next_field().await.map_err(malformed)? {
        part_number += 1;
        let Some(file_name) = part.file_name().map(str::to_string) else {
            return Err(ApiError::new(
                ErrorCode::InvalidListFile,
                format!("multipart part {part_number}: has no filename; send each list file as a file part"),
            ));
        };
        let name = safe_file_name(&file_name)?;
        let mut bytes = Vec::new();
        while let Some(chunk) = part.chunk().await.map_err(malformed)? {
            total += chunk.len();
            if total > limit {
                return Err(ApiError::new(
                    ErrorCode::PayloadTooLarge,
                    format!("the files are larger than {limit} bytes in all"),
                ));
            }
            bytes.extend_from_slice(&chunk);
        }
        if bytes.is_empty() {
            return Err(ApiError::new(
                ErrorCode::InvalidListFile,
                format!("{name}: the file is empty"),
            ));
        }
        if files
            .iter()
            .any(|(n, _): &(String, axum::body::Bytes)| *n == name)
        {
            return Err(ApiError::new(
                ErrorCode::InvalidListFile,
                format!("{name}: given twice in one upload; name each file once"),
            ));
        }
        files.push((name, axum::body::Bytes::from(bytes)));
    }
    if files.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidListFile,
            "the multipart body holds no file",
        ));
    }
    Ok(files)
}

/// `POST /imports`: one list file as the body, or several (`multipart/form-data`) that are
/// grouped by list (an OFAC set by its four file names) and imported in one transaction.
pub async fn import_upload(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(query): ApiQuery<ImportQuery>,
    request: axum::extract::Request,
) -> ApiResult<Json<serde_json::Value>> {
    if !caller.role.may_import() {
        audit_denied(&state, &caller, "import", "", "not an admin").await;
        return Err(ApiError::forbidden("only admins import list files"));
    }
    let format = query
        .format
        .as_deref()
        .map(|f| {
            vigil_formats::Format::parse(f)
                .ok_or_else(|| ApiError::invalid(format!("format: unknown format {f:?}")))
        })
        .transpose()?;
    let list = query.list.as_deref().map(list_name).transpose()?;
    let files = uploaded_files(&state, &query, request).await?;
    // The readers take paths: the uploads go to a private temporary folder under their
    // sanitized names, which is what the revision records as the files.
    let parsed = tokio::task::spawn_blocking(move || {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let mut paths = Vec::with_capacity(files.len());
        for (name, bytes) in &files {
            let path = dir.path().join(name);
            std::fs::write(&path, bytes).map_err(|e| e.to_string())?;
            paths.push(path);
        }
        let options = vigil_formats::ReadOptions {
            list,
            progress: None,
        };
        // Messages name the file as uploaded, not the temporary folder.
        let folder = format!("{}/", dir.path().display());
        vigil_formats::read_all(&paths, format, &options)
            .map_err(|e| e.problems().join("; ").replace(&folder, ""))
    })
    .await
    .map_err(|_| ApiError::new(ErrorCode::Internal, "the reader stopped"))?;
    let parsed = match parsed {
        Ok(p) => p,
        Err(problems) => {
            let failed =
                NewAuditEntry::new(&caller.user, &caller.authority, "import", Outcome::Failed)
                    .detail("unreadable list file");
            state.audit(&failed).await?;
            return Err(ApiError::new(ErrorCode::InvalidListFile, problems));
        }
    };
    // A member state's admin imports only its own state's lists; the executive committee any.
    if caller.authority != vigil_model::EXECUTIVE_COMMITTEE {
        for content in parsed.iter().flat_map(|p| &p.lists) {
            let own = caller.member_state.is_some()
                && vigil_model::member_state_of(&content.authority) == caller.member_state;
            if !own {
                audit_denied(
                    &state,
                    &caller,
                    "import",
                    content.list.as_str(),
                    "another authority's list",
                )
                .await;
                return Err(ApiError::forbidden(
                    "you may only import your own member state's lists",
                ));
            }
        }
    }
    let batches: Vec<_> = parsed
        .iter()
        .flat_map(vigil_update::import_batches)
        .collect();
    let lists: Vec<String> = batches.iter().map(|b| b.list.to_string()).collect();
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, "import", Outcome::Success)
        .records(lists.clone());
    let reports = match state.store.import_audited(batches, &entry).await {
        Ok(r) => {
            state.register_changed().await;
            r
        }
        Err(e) => {
            let error = ApiError::from(e);
            let failed =
                NewAuditEntry::new(&caller.user, &caller.authority, "import", Outcome::Failed)
                    .records(lists)
                    .detail(error.detail.clone());
            state.audit(&failed).await?;
            return Err(error);
        }
    };
    let reports = vigil_update::reports_json(&parsed, &reports);
    Ok(Json(json!({
        "format": parsed.first().map(|p| p.format.as_str()),
        "warnings": parsed.iter().map(|p| p.warnings.len()).sum::<usize>(),
        "reports": reports,
    })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditQuery {
    authority: Option<String>,
    user: Option<String>,
    record: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
    after: Option<i64>,
    limit: Option<i64>,
}

pub async fn audit_log(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<AuditQuery>,
) -> ApiResult<Json<serde_json::Value>> {
    if !caller.role.may_read_audit() {
        audit_denied(&state, &caller, "audit.read", "", "not an auditor").await;
        return Err(ApiError::forbidden(
            "only auditors and admins read the audit log",
        ));
    }
    let filter = AuditFilter {
        authority: q.authority,
        user: q.user,
        record: q.record,
        action: q.action,
        from: q.from,
        to: q.to,
        after: q.after,
        limit: q.limit,
    };
    let entries = state.store.audit_log(&filter).await?;
    // A member state's auditors see their own state's entries: others' could name restricted
    // records. The executive committee's see everything.
    let entries: Vec<_> = if caller.authority == vigil_model::EXECUTIVE_COMMITTEE {
        entries
    } else {
        entries
            .into_iter()
            .filter(|e| {
                e.authority == caller.authority
                    || (caller.member_state.is_some()
                        && vigil_model::member_state_of(&e.authority) == caller.member_state)
            })
            .collect()
    };
    Ok(Json(json!({ "entries": entries })))
}

/// `GET /api/v1/references/{reference}`: the record behind a restricted-hit reference, for
/// the authorities of the record's originating member state (or the originator itself) only;
/// anyone else gets 404, as for a record they may not see.
pub async fn resolve_reference(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(reference): ApiPath<String>,
) -> ApiResult<Json<serde_json::Value>> {
    if reference.len() > 100 {
        return Err(ApiError::not_found());
    }
    let issued = state.store.resolve_reference(&reference).await?;
    let Some(issued) = issued.filter(|r| {
        caller.authority == r.originator
            || (caller.member_state.is_some()
                && vigil_model::member_state_of(&r.originator) == caller.member_state)
    }) else {
        audit_denied(
            &state,
            &caller,
            "reference.resolve",
            "",
            "not the originator",
        )
        .await;
        return Err(ApiError::not_found());
    };
    let entry = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "reference.resolve",
        Outcome::Success,
    )
    .records(vec![
        issued.entity_id.clone(),
        format!("ref:{}", issued.reference),
    ]);
    state.audit(&entry).await?;
    Ok(Json(json!(issued)))
}

pub async fn healthz() -> Json<serde_json::Value> {
    Json(json!({"status": "ok"}))
}

pub async fn readyz(State(state): State<AppState>) -> ApiResult<Json<serde_json::Value>> {
    state.store.ping().await?;
    Ok(Json(json!({"status": "ready"})))
}

pub async fn openapi_document() -> Json<serde_json::Value> {
    Json(crate::openapi())
}
