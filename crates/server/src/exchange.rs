//! The exchange between competent authorities over HTTP: messages (send, inbox, show, reply,
//! forward, attachments), the follow-up of a restricted hit as a request to its originator,
//! the automatic alert policy, and the STIX 2.1 export and import.
//!
//! A message is visible to its sending authority and to the authorities it addresses; to
//! anyone else it does not exist (404). Every action is audited, refusals included.

use std::collections::{BTreeMap, HashMap};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use vigil_exchange::stix;
use vigil_exchange::{
    addressed_as, addresses, check_forward, check_message, may_read, may_send, resolve_recipient,
    Classification, Context, Encounter, Handling, Kind, Markings, Message, MessageInput,
    NewMessage, Priority, Recipient, Tlp,
};
use vigil_model::{AuthorityKind, Caller, EntityId};
use vigil_store::{MessageStatus, NewAuditEntry, Outcome};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{read_body, ApiJson, ApiPath, ApiQuery, Auth};
use crate::screening::{Found, Snapshot};
use crate::AppState;

async fn audit(
    state: &AppState,
    caller: &Caller,
    action: &str,
    outcome: Outcome,
    records: Vec<String>,
    detail: &str,
) {
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, outcome)
        .records(records)
        .detail(detail);
    if let Err(e) = state.audit(&entry).await {
        tracing::error!(error = %e, "cannot audit an exchange action");
    }
}

/// Refuses (and audits) a caller whose role may not use the exchange this way.
async fn require(
    state: &AppState,
    caller: &Caller,
    action: &str,
    ok: bool,
    why: &str,
) -> ApiResult<()> {
    if ok {
        return Ok(());
    }
    audit(state, caller, action, Outcome::Denied, Vec::new(), why).await;
    Err(ApiError::forbidden(why.to_string()))
}

/// Audits a refusal of bad input and passes the error on.
async fn failed(
    state: &AppState,
    caller: &Caller,
    action: &str,
    records: Vec<String>,
    e: ApiError,
) -> ApiError {
    let outcome = if e.code.status() == StatusCode::FORBIDDEN {
        Outcome::Denied
    } else {
        Outcome::Failed
    };
    audit(
        state,
        caller,
        action,
        outcome,
        records,
        &format!("{}: {}", e.code.code(), e.detail),
    )
    .await;
    e
}

async fn known_authorities(state: &AppState) -> ApiResult<Vec<(String, AuthorityKind)>> {
    Ok(state
        .store
        .authorities()
        .await?
        .into_iter()
        .map(|a| (a.code, a.kind))
        .collect())
}

/// Whether the caller may see `message`: its sending authority or an addressee.
fn may_view(caller: &Caller, message: &Message) -> bool {
    message.sender_authority == caller.authority || received(caller, message)
}

fn received(caller: &Caller, message: &Message) -> bool {
    message.sender_authority != caller.authority && addresses(&message.recipients, caller)
}

/// Checks that every subject is an entity the sender may see or a reference the store issued,
/// and that a record's id goes only to recipients who may see the record, unless the sender is
/// its originator (who decides what to release): a reference keeps it opaque otherwise.
/// Whether the caller may cite a restricted-hit reference: its authority was handed it by a
/// screening (the audit log says so), or it originated the record the reference stands for.
async fn may_cite(state: &AppState, caller: &Caller, reference: &str) -> ApiResult<bool> {
    let Some(issued) = state.store.resolve_reference(reference).await? else {
        return Ok(false);
    };
    if vigil_exchange::same_origin(caller, &issued.originator) {
        return Ok(true);
    }
    let entries = state
        .store
        .audit_log(&vigil_store::AuditFilter {
            authority: Some(caller.authority.clone()),
            record: Some(format!("ref:{reference}")),
            ..Default::default()
        })
        .await?;
    Ok(entries.iter().any(|e| {
        e.outcome == "success" && matches!(e.action.as_str(), "screen" | "screen.batch" | "match")
    }))
}

/// `fresh`: the subjects are the caller's own (a new message or reply), so each reference
/// must be one the caller may cite; a forward passes on what it received.
async fn check_subjects(
    state: &AppState,
    caller: &Caller,
    subjects: &[String],
    recipients: &[Recipient],
    fresh: bool,
) -> ApiResult<()> {
    let snapshot = state.screening.refresh_if_changed(&state.store).await?;
    let known = known_authorities(state).await?;
    let readers = vigil_exchange::recipient_callers(recipients, &known);
    for (i, s) in subjects.iter().enumerate() {
        if let Some(reference) = s.strip_prefix("ref:") {
            let ok = if fresh {
                may_cite(state, caller, reference).await?
            } else {
                state.store.resolve_reference(reference).await?.is_some()
            };
            if ok {
                continue;
            }
        } else if let Some(record) = snapshot.record(s).filter(|r| snapshot.visible(caller, r)) {
            let originator = snapshot.originator(record.entity.id.list());
            let hidden = readers.iter().find(|reader| {
                !vigil_model::may_see(reader, &record.entity.distribution, originator)
            });
            match hidden {
                Some(reader) if !vigil_exchange::same_origin(caller, originator) => {
                    return Err(ApiError::new(
                        ErrorCode::HandlingForbids,
                        format!(
                            "subjects[{i}]: {s} is not distributed to {}; only its originator may send it there",
                            reader.authority
                        ),
                    ))
                }
                _ => continue,
            }
        }
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            format!("subjects[{i}]: no entity or reference {s:?} that you may see"),
        ));
    }
    Ok(())
}

pub(crate) async fn store_message(
    state: &AppState,
    caller: &Caller,
    action: &str,
    message: &NewMessage,
    extra_records: Vec<String>,
) -> ApiResult<Message> {
    let mut records = message.subjects.clone();
    records.extend(extra_records);
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Success)
        .records(records.clone())
        .detail(format!(
            "{} to {}; {} / {} / TLP:{}",
            message.kind,
            message
                .recipients
                .iter()
                .map(Recipient::to_string)
                .collect::<Vec<_>>()
                .join(", "),
            message.markings.classification,
            message.markings.handling,
            message.markings.tlp
        ));
    match state
        .store
        .send_message(message, &caller.authority, &caller.user, &entry)
        .await
    {
        Ok((m, _)) => Ok(m),
        Err(e) => Err(failed(state, caller, action, records, ApiError::from(e)).await),
    }
}

/// A message as the caller sees it: for its sender, the state and receipts; for a recipient,
/// whether its authority has read it; for the originator of a followed-up reference, the
/// record it stands for.
async fn view(
    state: &AppState,
    caller: &Caller,
    m: &Message,
    status: Option<&MessageStatus>,
) -> ApiResult<Value> {
    let mut v =
        serde_json::to_value(m).map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    let now = vigil_model::utc_now_rfc3339();
    let empty = MessageStatus::default();
    let status = status.unwrap_or(&empty);
    let others = |event: &str| {
        status
            .events
            .iter()
            .any(|e| e.event == event && e.authority != m.sender_authority)
    };
    let answered = !status.replies.is_empty();
    v["state"] = json!(vigil_exchange::state(
        m.kind,
        others("delivered"),
        others("read"),
        answered,
        &m.due,
        &now
    ));
    v["replies"] = json!(status.replies);
    if m.sender_authority == caller.authority {
        // Which authority received and read it, and when; not who there.
        let receipts: Vec<Value> = status
            .events
            .iter()
            .map(|e| json!({"authority": e.authority, "event": e.event, "at": e.at}))
            .collect();
        v["receipts"] = json!(receipts);
    } else {
        v["read"] = json!(status
            .events
            .iter()
            .any(|e| e.event == "read" && e.authority == caller.authority));
    }
    if let Some(reference) = &m.context.reference {
        if let Some(issued) = state.store.resolve_reference(reference).await? {
            let originator = caller.authority == issued.originator
                || (caller.member_state.is_some()
                    && vigil_model::member_state_of(&issued.originator) == caller.member_state);
            if originator {
                v["resolved"] =
                    json!({"entity_id": issued.entity_id, "originator": issued.originator});
            }
        }
    }
    Ok(v)
}

pub async fn send(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Response> {
    let v = send_message(&state, &caller, input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Checks and sends a new message (request, alert, notification) as `caller`.
pub async fn send_message(
    state: &AppState,
    caller: &Caller,
    input: MessageInput,
) -> ApiResult<Value> {
    let kind = input.kind.parse::<Kind>().ok();
    require(
        state,
        caller,
        "message.send",
        kind.is_none_or(|k| may_send(caller.role, k)),
        "your role may not send this kind of message",
    )
    .await?;
    let known = known_authorities(state).await?;
    let checked = match check_message(&input, &known, None) {
        Ok(m) => m,
        Err(e) => return Err(failed(state, caller, "message.send", Vec::new(), e.into()).await),
    };
    if checked.kind == Kind::Notification {
        let own = caller.member_state.as_deref().map(str::to_lowercase);
        if let Some((i, s)) = checked
            .subjects
            .iter()
            .enumerate()
            .find(|(_, s)| s.split(':').next() != own.as_deref())
        {
            let e = ApiError::new(
                ErrorCode::InvalidBody,
                format!("subjects[{i}]: {s} is not on your member state's list; notifications announce your own designations"),
            );
            return Err(failed(state, caller, "message.send", Vec::new(), e).await);
        }
    }
    if let Err(e) =
        check_subjects(state, caller, &checked.subjects, &checked.recipients, true).await
    {
        return Err(failed(state, caller, "message.send", Vec::new(), e).await);
    }
    let m = store_message(state, caller, "message.send", &checked, Vec::new()).await?;
    view(state, caller, &m, None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
#[derive(Default)]
pub struct ListQuery {
    /// `inbox` (received), `sent`, or `all` (default).
    pub r#box: Option<String>,
    #[serde(default)]
    pub unread: bool,
    #[serde(default)]
    pub overdue: bool,
    /// Messages about this entity id (or `ref:…`).
    pub entity: Option<String>,
    pub thread: Option<i64>,
    pub kind: Option<String>,
}

pub async fn list(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> ApiResult<Json<Value>> {
    let items = list_messages(&state, &caller, &q).await?;
    Ok(Json(json!({"messages": items})))
}

/// The caller's authority's messages, filtered; marks the inbox's messages delivered.
pub async fn list_messages(
    state: &AppState,
    caller: &Caller,
    q: &ListQuery,
) -> ApiResult<Vec<Value>> {
    require(
        state,
        caller,
        "message.list",
        may_read(caller.role),
        "auditors read the audit log, not messages",
    )
    .await?;
    let which = q.r#box.as_deref().unwrap_or("all");
    if !["inbox", "sent", "all"].contains(&which) {
        return Err(ApiError::invalid("box: inbox, sent or all"));
    }
    let kind = q
        .kind
        .as_deref()
        .map(|k| Kind::parse_field("kind", k).map_err(|e| ApiError::invalid(e.to_string())))
        .transpose()?;
    let messages = state
        .store
        .messages_for(&caller.authority, &addressed_as(caller))
        .await?;
    let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
    let statuses = state.store.message_status(&ids).await?;
    let now = vigil_model::utc_now_rfc3339();
    let mut out = Vec::new();
    let mut delivered = Vec::new();
    for m in &messages {
        let inbound = received(caller, m);
        let keep = match which {
            "inbox" => inbound,
            "sent" => m.sender_authority == caller.authority,
            _ => true,
        };
        let status = statuses.get(&m.id);
        let read_here = status.is_some_and(|s| {
            s.events
                .iter()
                .any(|e| e.event == "read" && e.authority == caller.authority)
        });
        let overdue = status.is_some_and(|s| {
            let any = |ev: &str| {
                s.events
                    .iter()
                    .any(|e| e.event == ev && e.authority != m.sender_authority)
            };
            vigil_exchange::state(
                m.kind,
                any("delivered"),
                any("read"),
                !s.replies.is_empty(),
                &m.due,
                &now,
            ) == vigil_exchange::State::Overdue
        });
        if !keep
            || (q.unread && (!inbound || read_here))
            || (q.overdue && !overdue)
            || q.entity.as_ref().is_some_and(|e| !m.subjects.contains(e))
            || q.thread.is_some_and(|t| m.thread != t)
            || kind.is_some_and(|k| m.kind != k)
        {
            continue;
        }
        if inbound {
            delivered.push(m.id);
        }
        out.push(m);
    }
    state
        .store
        .record_event(&delivered, &caller.authority, &caller.user, "delivered")
        .await?;
    // Views after the delivery, so that the sender's state would read "delivered".
    let statuses = state.store.message_status(&ids).await?;
    let mut items = Vec::new();
    for m in &out {
        items.push(view(state, caller, m, statuses.get(&m.id)).await?);
    }
    audit(
        state,
        caller,
        "message.list",
        Outcome::Success,
        out.iter().map(|m| format!("message:{}", m.id)).collect(),
        &format!("box {which}: {} messages", out.len()),
    )
    .await;
    Ok(items)
}

fn parse_message_id(raw: &str) -> ApiResult<i64> {
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
        .ok_or_else(|| ApiError::invalid(format!("id: {raw:?} is not a message id")))
}

/// The message if the caller may see it; else 404, audited.
async fn visible_message(
    state: &AppState,
    caller: &Caller,
    action: &str,
    raw: &str,
) -> ApiResult<Message> {
    let id = parse_message_id(raw)?;
    match state.store.message(id).await? {
        Some(m) if may_view(caller, &m) => Ok(m),
        _ => {
            audit(
                state,
                caller,
                action,
                Outcome::Denied,
                vec![format!("message:{id}")],
                "not addressed to the caller",
            )
            .await;
            Err(ApiError::not_found())
        }
    }
}

pub async fn show(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(raw): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    show_message(&state, &caller, &raw).await.map(Json)
}

/// One message the caller sent or received; marks it read when received.
pub async fn show_message(state: &AppState, caller: &Caller, raw: &str) -> ApiResult<Value> {
    let raw = raw.to_string();
    require(
        state,
        caller,
        "message.read",
        may_read(caller.role),
        "auditors read the audit log, not messages",
    )
    .await?;
    let m = visible_message(state, caller, "message.read", &raw).await?;
    if received(caller, &m) {
        state
            .store
            .record_event(&[m.id], &caller.authority, &caller.user, "read")
            .await?;
    }
    let statuses = state.store.message_status(&[m.id]).await?;
    let v = view(state, caller, &m, statuses.get(&m.id)).await?;
    let mut records = vec![format!("message:{}", m.id)];
    records.extend(m.subjects.iter().cloned());
    audit(state, caller, "message.read", Outcome::Success, records, "").await;
    Ok(v)
}

pub async fn attachment(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath((raw, index)): ApiPath<(String, String)>,
) -> ApiResult<Response> {
    let (info, bytes) = message_attachment(&state, &caller, &raw, &index).await?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&info.media_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    let safe: String = info
        .name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_'))
        .collect();
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{safe}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, v);
    }
    Ok(response)
}

/// Attachment `index` of message `raw` as `caller` may get it (the API's and the command
/// line's): its description and bytes; audited as `message.attachment`.
pub async fn message_attachment(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    index: &str,
) -> ApiResult<(vigil_exchange::AttachmentInfo, Vec<u8>)> {
    require(
        state,
        caller,
        "message.attachment",
        may_read(caller.role),
        "auditors read the audit log, not messages",
    )
    .await?;
    let m = visible_message(state, caller, "message.attachment", raw).await?;
    let index: i64 = index
        .parse()
        .map_err(|_| ApiError::invalid("index: a number (0, 1…)"))?;
    let (info, bytes) = state
        .store
        .attachment(m.id, index)
        .await?
        .ok_or_else(ApiError::not_found)?;
    audit(
        state,
        caller,
        "message.attachment",
        Outcome::Success,
        vec![format!("message:{}", m.id)],
        &format!("attachment {index} ({})", info.sha256),
    )
    .await;
    Ok((info, bytes))
}

pub async fn reply(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<MessageInput>,
) -> ApiResult<Response> {
    let v = reply_message(&state, &caller, &raw, input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Replies to a message the caller received; the reply goes to its sender.
pub async fn reply_message(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    input: MessageInput,
) -> ApiResult<Value> {
    let raw = raw.to_string();
    require(
        state,
        caller,
        "message.reply",
        may_send(caller.role, Kind::Reply),
        "your role may not send messages",
    )
    .await?;
    let parent = visible_message(state, caller, "message.reply", &raw).await?;
    if !received(caller, &parent) {
        let e = ApiError::forbidden(format!(
            "you never received message {}; reply to the messages addressed to you",
            parent.id
        ));
        return Err(failed(
            state,
            caller,
            "message.reply",
            vec![format!("message:{}", parent.id)],
            e,
        )
        .await);
    }
    let known = known_authorities(state).await?;
    let checked = match check_message(&input, &known, Some((parent.id, &parent.sender_authority))) {
        Ok(m) => m,
        Err(e) => {
            return Err(failed(
                state,
                caller,
                "message.reply",
                vec![format!("message:{}", parent.id)],
                e.into(),
            )
            .await)
        }
    };
    if let Err(e) =
        check_subjects(state, caller, &checked.subjects, &checked.recipients, true).await
    {
        return Err(failed(
            state,
            caller,
            "message.reply",
            vec![format!("message:{}", parent.id)],
            e,
        )
        .await);
    }
    let m = store_message(
        state,
        caller,
        "message.reply",
        &checked,
        vec![format!("message:{}", parent.id)],
    )
    .await?;
    view(state, caller, &m, None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForwardInput {
    pub recipients: Vec<String>,
    #[serde(default)]
    pub note: String,
}

pub async fn forward(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(raw): ApiPath<String>,
    ApiJson(input): ApiJson<ForwardInput>,
) -> ApiResult<Response> {
    let v = forward_message(&state, &caller, &raw, input).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// Forwards message `raw` as `caller` (the API's and the command line's): the checks of the
/// handling code and TLP label, a new message with the same markings and attachments;
/// returns it as its sender sees it.
pub async fn forward_message(
    state: &AppState,
    caller: &Caller,
    raw: &str,
    input: ForwardInput,
) -> ApiResult<Value> {
    let action = "message.forward";
    require(
        state,
        caller,
        action,
        may_send(caller.role, Kind::Request),
        "your role may not send messages",
    )
    .await?;
    let original = visible_message(state, caller, action, raw).await?;
    let records = vec![format!("message:{}", original.id)];
    let known = known_authorities(state).await?;
    let mut targets = Vec::new();
    for (i, r) in input.recipients.iter().enumerate() {
        match resolve_recipient(&format!("recipients[{i}]"), r, &known) {
            Ok(r) if !targets.contains(&r) => targets.push(r),
            Ok(_) => {}
            Err(e) => return Err(failed(state, caller, action, records, e.into()).await),
        }
    }
    if targets.is_empty() {
        let e = ApiError::new(
            ErrorCode::InvalidBody,
            "recipients: give at least one recipient",
        );
        return Err(failed(state, caller, action, records, e).await);
    }
    if let Err(e) = check_forward(
        &original.markings,
        &original.sender_authority,
        caller,
        &targets,
    ) {
        return Err(failed(state, caller, action, records, e.into()).await);
    }
    if let Err(e) = check_subjects(state, caller, &original.subjects, &targets, false).await {
        return Err(failed(state, caller, action, records, e).await);
    }
    if input.note.len() > vigil_exchange::message::MAX_BODY_BYTES {
        let e = ApiError::new(ErrorCode::InvalidBody, "note: at most 64 KiB");
        return Err(failed(state, caller, action, records, e).await);
    }
    let mut attachments = Vec::new();
    for a in &original.attachments {
        if let Some((info, bytes)) = state.store.attachment(original.id, a.index).await? {
            attachments.push(vigil_exchange::Attachment {
                name: info.name,
                media_type: info.media_type,
                bytes,
            });
        }
    }
    let body = if input.note.trim().is_empty() {
        original.body.clone()
    } else {
        format!(
            "{}\n--- forwarded message {} from {} ---\n{}",
            input.note, original.id, original.sender_authority, original.body
        )
    };
    let message = NewMessage {
        kind: if original.kind == Kind::Reply {
            Kind::Notification
        } else {
            original.kind
        },
        recipients: targets,
        subjects: original.subjects.clone(),
        title: format!("Fwd: {}", original.title)
            .chars()
            .take(500)
            .collect(),
        body,
        markings: original.markings,
        priority: original.priority,
        context: original.context.clone(),
        attachments,
        in_reply_to: None,
        forwarded_from: Some(original.id),
    };
    let m = store_message(state, caller, action, &message, records).await?;
    view(state, caller, &m, None).await
}

/// The follow-up of a restricted hit: what the requester screened and why.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FollowUpInput {
    /// The screening query, as sent to `/api/v1/screen`.
    query: Value,
    /// Where and why: the traveller at the border, the document shown…
    #[serde(default)]
    body: String,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    score: Option<f64>,
    #[serde(default)]
    priority: Option<String>,
    #[serde(default)]
    markings: Option<vigil_exchange::MarkingsInput>,
}

/// `POST /api/v1/references/{reference}/request`: turns a restricted hit into an urgent
/// request to the record's originating state, carrying the query and its context. Markings
/// default to restricted / intelligence_only / TLP:AMBER.
pub async fn follow_up(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiPath(reference): ApiPath<String>,
    ApiJson(input): ApiJson<FollowUpInput>,
) -> ApiResult<Response> {
    let action = "message.request";
    require(
        &state,
        &caller,
        action,
        may_send(caller.role, Kind::Request),
        "your role may not send messages",
    )
    .await?;
    let issued = if reference.len() <= 100 && may_cite(&state, &caller, &reference).await? {
        state.store.resolve_reference(&reference).await?
    } else {
        None
    };
    let Some(issued) = issued else {
        audit(
            &state,
            &caller,
            action,
            Outcome::Failed,
            Vec::new(),
            "unknown reference",
        )
        .await;
        return Err(ApiError::not_found());
    };
    let records = vec![format!("ref:{reference}")];
    if !input.query.is_object() {
        let e = ApiError::new(
            ErrorCode::InvalidBody,
            "query: the screening query, a JSON object",
        );
        return Err(failed(&state, &caller, action, records, e).await);
    }
    if input.query.to_string().len() > 16 * 1024 {
        let e = ApiError::new(ErrorCode::InvalidBody, "query: at most 16 KiB");
        return Err(failed(&state, &caller, action, records, e).await);
    }
    let originator_state = vigil_model::member_state_of(&issued.originator);
    let recipient = match &originator_state {
        Some(s) => s.clone(),
        None => issued.originator.clone(),
    };
    let markings = input.markings.unwrap_or(vigil_exchange::MarkingsInput {
        classification: Some(Classification::Restricted.as_str().into()),
        handling: Some(Handling::IntelligenceOnly.as_str().into()),
        tlp: Some(Tlp::Amber.as_str().into()),
    });
    let message_input = MessageInput {
        kind: Kind::Request.as_str().into(),
        recipients: vec![recipient],
        subjects: vec![format!("ref:{reference}")],
        title: input
            .title
            .unwrap_or_else(|| format!("Restricted hit {reference}: request for information")),
        body: input.body,
        markings,
        priority: Some(
            input
                .priority
                .unwrap_or_else(|| Priority::Urgent.as_str().into()),
        ),
        context: Context {
            about: Some("entity".into()),
            reference: Some(reference.clone()),
            query: Some(input.query),
            score: input.score,
            ..Default::default()
        },
        attachments: Vec::new(),
    };
    let known = known_authorities(&state).await?;
    let checked = match check_message(&message_input, &known, None) {
        Ok(m) => m,
        Err(e) => return Err(failed(&state, &caller, action, records, e.into()).await),
    };
    let m = store_message(&state, &caller, action, &checked, Vec::new()).await?;
    let v = view(&state, &caller, &m, None).await?;
    Ok((StatusCode::CREATED, Json(v)).into_response())
}

/// After a screening by a caller whose policy says so: one alert per hit on a designation of
/// another member state, to that state. Failures are logged: the screening has answered.
pub(crate) async fn auto_alerts(
    state: &AppState,
    caller: &Caller,
    snapshot: &Snapshot,
    found: &Found,
) {
    let policy = match state.store.auto_alert(&caller.authority).await {
        Ok(on) => on,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the exchange policy");
            false
        }
    };
    // A search notice's own rule: its requesting state wants an alert on every hit, whatever
    // the screening authority's policy.
    let mut notice_alerts: Vec<(String, String)> = Vec::new();
    let hit_ids = found.hits.iter().map(|id| (id, id.clone())).chain(
        found
            .restricted
            .iter()
            .map(|(r, id, _)| (id, format!("ref:{r}"))),
    );
    for (id, subject) in hit_ids {
        let is_notice = id
            .split_once(':')
            .is_some_and(|(_, source)| source.starts_with("notice-"));
        if !is_notice {
            continue;
        }
        match state.store.notice_of_entity(id).await {
            Ok(Some(n)) if n.notice.alert_on_hit && n.status.is_active() => {
                notice_alerts.push((n.requesting_state.clone(), subject));
            }
            Ok(_) => {}
            Err(e) => tracing::error!(error = %e, "cannot read a search notice"),
        }
    }
    if !policy && notice_alerts.is_empty() {
        return;
    }
    let mut by_state: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut add = |originator: &str, subject: String| {
        if let Some(s) = vigil_model::member_state_of(originator) {
            if caller.member_state.as_deref() != Some(s.as_str()) {
                by_state.entry(s).or_default().push(subject);
            }
        }
    };
    if policy {
        for id in &found.hits {
            if let Some(r) = snapshot.record(id) {
                add(snapshot.originator(r.entity.id.list()), id.clone());
            }
        }
        for (reference, _, originator) in &found.restricted {
            add(originator, format!("ref:{reference}"));
        }
    }
    for (requesting_state, subject) in notice_alerts {
        add(&requesting_state, subject);
    }
    for (member_state, mut subjects) in by_state {
        subjects.sort();
        subjects.dedup();
        let message = NewMessage {
            kind: Kind::Alert,
            recipients: vec![Recipient::State(member_state)],
            subjects,
            title: format!("Screening hit by {}", caller.authority),
            body: String::new(),
            markings: Markings {
                classification: Classification::Restricted,
                handling: Handling::IntelligenceOnly,
                tlp: Tlp::Amber,
            },
            priority: Priority::Urgent,
            context: Context {
                encounter: Some(Encounter {
                    place: "screening".into(),
                    at: vigil_model::utc_now_rfc3339(),
                    by: format!("{} ({})", caller.user, caller.authority),
                    action: "screened; alert raised automatically (the screening authority's policy or the search notice's rule)".into(),
                }),
                ..Default::default()
            },
            attachments: Vec::new(),
            in_reply_to: None,
            forwarded_from: None,
        };
        if let Err(e) = store_message(state, caller, "message.alert", &message, Vec::new()).await {
            tracing::error!(error = %e.detail, "cannot raise an automatic alert");
        }
    }
}

/// After a national designation of the caller's own member state was added, amended or
/// withdrawn through the API, when the caller's authority's policy says so: one
/// `notification` about it to those the record is distributed to (named states; all members;
/// all members and partners; for public records all members). A record kept for its
/// originator only raises none. Failures are logged and audited: the change stands.
pub(crate) async fn auto_notify(
    state: &AppState,
    caller: &Caller,
    what: &str,
    entity: &vigil_model::Entity,
    revision: i64,
) {
    match state.store.auto_notify(&caller.authority).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            tracing::error!(error = %e, "cannot read the exchange policy");
            return;
        }
    }
    let own = caller.member_state.clone().unwrap_or_default();
    let (recipients, tlp) = match &entity.distribution {
        vigil_model::Distribution::Originator => return,
        vigil_model::Distribution::States(states) => (
            states
                .iter()
                .filter(|s| **s != own)
                .map(|s| Recipient::State(s.clone()))
                .collect::<Vec<_>>(),
            Tlp::Amber,
        ),
        vigil_model::Distribution::AllMembers => (vec![Recipient::AllMembers], Tlp::Green),
        vigil_model::Distribution::MembersAndPartners => {
            (vec![Recipient::AllMembers, Recipient::Partners], Tlp::Green)
        }
        vigil_model::Distribution::Public => (vec![Recipient::AllMembers], Tlp::Clear),
    };
    if recipients.is_empty() {
        return;
    }
    let caption: String = entity.caption().chars().take(300).collect();
    let message = NewMessage {
        kind: Kind::Notification,
        recipients,
        subjects: vec![entity.id.to_string()],
        title: format!("Designation {what}: {caption}"),
        body: format!(
            "{} {what} the designation of {} ({caption}) on its national list, revision {revision}.",
            caller.authority, entity.id
        ),
        markings: Markings {
            classification: Classification::Restricted,
            handling: Handling::Free,
            tlp,
        },
        priority: Priority::Routine,
        context: Context::default(),
        attachments: Vec::new(),
        in_reply_to: None,
        forwarded_from: None,
    };
    if let Err(e) = store_message(state, caller, "message.notify", &message, Vec::new()).await {
        tracing::error!(error = %e.detail, "cannot raise an automatic notification");
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyInput {
    #[serde(default)]
    auto_alert: Option<bool>,
    #[serde(default)]
    auto_notify: Option<bool>,
}

pub async fn get_policy(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Value>> {
    let auto_alert = state.store.auto_alert(&caller.authority).await?;
    let auto_notify = state.store.auto_notify(&caller.authority).await?;
    Ok(Json(json!({
        "authority": caller.authority,
        "auto_alert": auto_alert,
        "auto_notify": auto_notify,
    })))
}

pub async fn put_policy(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(input): ApiJson<PolicyInput>,
) -> ApiResult<Json<Value>> {
    require(
        &state,
        &caller,
        "exchange.policy",
        caller.role == vigil_model::Role::Admin,
        "only admins set their authority's exchange policy",
    )
    .await?;
    if input.auto_alert.is_none() && input.auto_notify.is_none() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "auto_alert, auto_notify: give at least one",
        ));
    }
    let set = |name: &str, v: Option<bool>| v.map(|v| format!("{name} = {v}"));
    let detail = [
        set("auto_alert", input.auto_alert),
        set("auto_notify", input.auto_notify),
    ]
    .into_iter()
    .flatten()
    .collect::<Vec<_>>()
    .join(", ");
    let entry = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "exchange.policy",
        Outcome::Success,
    )
    .detail(detail);
    let (auto_alert, auto_notify) = state
        .store
        .set_exchange_policy(
            &caller.authority,
            input.auto_alert,
            input.auto_notify,
            &caller.user,
            &entry,
        )
        .await?;
    Ok(Json(json!({
        "authority": caller.authority,
        "auto_alert": auto_alert,
        "auto_notify": auto_notify,
    })))
}

/// Everything `caller` may see as STIX objects with the time each was added: the TLP
/// markings, the authorities, the listed entities the caller may see and their
/// designations, and the messages it sent or received. Returns the objects and the register's
/// restricted ids among them (for the audit).
pub(crate) async fn stix_objects(
    state: &AppState,
    caller: &Caller,
    register: bool,
    exchange: bool,
) -> ApiResult<(Vec<(String, Value)>, Vec<String>)> {
    let mut out: Vec<(String, Value)> = Vec::new();
    let epoch = "2020-01-01T00:00:00.000Z".to_string();
    out.extend(
        stix::tlp_marking_definitions()
            .into_iter()
            .map(|o| (epoch.clone(), o)),
    );
    out.extend(
        state
            .store
            .authorities()
            .await?
            .iter()
            .map(|a| (epoch.clone(), stix::authority_identity(a))),
    );
    let mut restricted = Vec::new();
    let mut present: BTreeMap<String, String> = BTreeMap::new();
    let snapshot = state.screening.refresh_if_changed(&state.store).await?;
    let imported = imported_at(state).await?;
    for r in snapshot
        .records
        .iter()
        .filter(|r| r.listed && snapshot.visible(caller, r))
    {
        present.insert(r.entity.id.to_string(), stix::entity_stix_id(&r.entity));
        if !register {
            continue;
        }
        if r.entity.distribution != vigil_model::Distribution::Public {
            restricted.push(r.entity.id.to_string());
        }
        let list = r.entity.id.list();
        let added = imported
            .get(&(list.to_string(), r.revision))
            .cloned()
            .unwrap_or_else(|| epoch.clone());
        for o in stix::entity_objects(&r.entity, snapshot.originator(list), r.listed, &added) {
            out.push((added.clone(), o));
        }
    }
    if exchange && vigil_exchange::may_read(caller.role) {
        for m in state
            .store
            .messages_for(&caller.authority, &addressed_as(caller))
            .await?
        {
            let subjects_present: BTreeMap<String, String> = m
                .subjects
                .iter()
                .filter_map(|s| present.get(s).map(|id| (s.clone(), id.clone())))
                .collect();
            for o in stix::message_objects(&m, &subjects_present) {
                out.push((stix::timestamp(&m.created), o));
            }
        }
    }
    Ok((out, restricted))
}

/// (list, revision number) → when the revision was imported.
async fn imported_at(state: &AppState) -> ApiResult<HashMap<(String, i64), String>> {
    let mut out = HashMap::new();
    for l in state.store.lists().await? {
        for r in state.store.revisions(&l.name).await? {
            out.insert((l.name.clone(), r.number), r.imported_at);
        }
    }
    Ok(out)
}

/// `GET /api/v1/exchange/stix`: one STIX 2.1 bundle of what the caller may see.
pub async fn export_stix(State(state): State<AppState>, Auth(caller): Auth) -> ApiResult<Response> {
    let bundle = stix_bundle(&state, &caller).await?;
    let mut response = Json(bundle).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(stix::STIX_MEDIA_TYPE),
    );
    Ok(response)
}

/// Everything `caller` may see of the register and the exchange as one STIX 2.1 bundle
/// (audited as `export.stix`).
pub async fn stix_bundle(state: &AppState, caller: &Caller) -> ApiResult<Value> {
    let register = caller.role.may_read_register();
    let (objects, restricted) = stix_objects(state, caller, register, true).await?;
    let bundle = stix::bundle(objects.into_iter().map(|(_, o)| o).collect());
    audit(
        state,
        caller,
        "export.stix",
        Outcome::Success,
        restricted,
        &format!(
            "{} objects",
            bundle["objects"].as_array().map_or(0, Vec::len)
        ),
    )
    .await;
    Ok(bundle)
}

/// `POST /api/v1/exchange/stix`: a STIX 2.1 bundle's designations (threat-actor,
/// intrusion-set, individual identity) added to the caller's member state's list as one
/// revision, and its sightings of register entities sent as alerts to the entities'
/// originating states. A malformed bundle changes nothing.
pub async fn import_stix(
    State(state): State<AppState>,
    Auth(caller): Auth,
    body: Body,
) -> ApiResult<Json<Value>> {
    let action = "import.stix";
    require(
        &state,
        &caller,
        action,
        caller.role.may_designate(),
        "only analysts and admins import STIX",
    )
    .await?;
    let member_state = match caller.member_state.clone() {
        Some(s) => s,
        None => {
            let e = ApiError::forbidden("only a member state's authorities keep national lists");
            return Err(failed(&state, &caller, action, Vec::new(), e).await);
        }
    };
    let bytes = read_body(body, crate::extract::JSON_LIMIT).await?;
    let text = match std::str::from_utf8(&bytes) {
        Ok(t) => t,
        Err(_) => {
            let e = ApiError::new(ErrorCode::InvalidStix, "malformed STIX: not UTF-8");
            return Err(failed(&state, &caller, action, Vec::new(), e).await);
        }
    };
    let imported = match stix::read_bundle(text) {
        Ok(i) => i,
        Err(e) => return Err(failed(&state, &caller, action, Vec::new(), e.into()).await),
    };
    let list = vigil_model::ListName::new(&member_state.to_lowercase())
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    // Sightings first: each must be of an entity the caller may see, else nothing is stored.
    let snapshot = state.screening.refresh_if_changed(&state.store).await?;
    let mut by_stix: HashMap<String, String> = HashMap::new();
    for r in snapshot
        .records
        .iter()
        .filter(|r| snapshot.visible(&caller, r))
    {
        by_stix.insert(stix::entity_stix_id(&r.entity), r.entity.id.to_string());
    }
    let mut alerts = Vec::new();
    for (i, s) in imported.sightings.iter().enumerate() {
        let vigil_id = by_stix.get(&s.sighting_of_ref).cloned().or_else(|| {
            imported
                .vigil_ids
                .get(&s.sighting_of_ref)
                .filter(|id| {
                    snapshot
                        .record(id)
                        .is_some_and(|r| snapshot.visible(&caller, r))
                })
                .cloned()
        });
        let Some(id) = vigil_id else {
            let e = ApiError::new(ErrorCode::InvalidStix, format!("malformed STIX: sighting {i} ({}): its sighting_of_ref is no register entity you may see", s.stix_id));
            return Err(failed(&state, &caller, action, Vec::new(), e).await);
        };
        alerts.push((id, s.clone()));
    }
    let mut entities = Vec::new();
    for d in &imported.designations {
        let Some((_, uuid)) = d.stix_id.split_once("--") else {
            continue;
        };
        let id = EntityId::new(&list, &format!("stix-{uuid}")).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidStix,
                format!("malformed STIX: {}: {e}", d.stix_id),
            )
        })?;
        let mut entity = vigil_model::Entity::new(id, d.schema);
        entity.push_name(vigil_model::Name::new(
            &d.name,
            vigil_model::NameKind::Primary,
        ));
        for a in &d.aliases {
            entity.push_name(vigil_model::Name::new(a, vigil_model::NameKind::Alias));
        }
        entity.remarks.extend(d.description.iter().cloned());
        entity.distribution = vigil_model::Distribution::AllMembers;
        entity.designations.push(vigil_model::Designation {
            authority: caller.authority.clone(),
            regime: format!("National list of {member_state}"),
            kind: match d.schema {
                vigil_model::Schema::Person => vigil_model::DesignationKind::WantedPerson,
                _ => vigil_model::DesignationKind::OrganizationBan,
            },
            listed_on: Some(vigil_model::today()),
            legal_basis: None,
            reference: Some(d.stix_id.clone()),
            status: vigil_model::DesignationStatus::Listed,
            amended_on: Vec::new(),
            delisted_on: None,
            remarks: Vec::new(),
        });
        entities.push(entity);
    }
    // The alerts, built before anything is stored.
    let mut messages = Vec::new();
    for (id, s) in alerts {
        let Some(record) = snapshot.record(&id) else {
            continue;
        };
        let originator = snapshot.originator(record.entity.id.list()).to_string();
        let recipient = match vigil_model::member_state_of(&originator) {
            Some(st) => Recipient::State(st),
            None => Recipient::Authority(originator.clone()),
        };
        let message = NewMessage {
            kind: Kind::Alert,
            recipients: vec![recipient],
            subjects: vec![id.clone()],
            title: format!("Sighting of {id} (STIX import)"),
            body: s.description.clone().unwrap_or_default(),
            markings: Markings {
                classification: Classification::Restricted,
                handling: Handling::IntelligenceOnly,
                tlp: Tlp::Amber,
            },
            priority: Priority::Urgent,
            context: Context {
                encounter: Some(Encounter {
                    place: "reported by STIX sighting".into(),
                    at: s
                        .first_seen
                        .clone()
                        .unwrap_or_else(vigil_model::utc_now_rfc3339),
                    by: caller.authority.clone(),
                    action: format!("sighted {} time(s)", s.count.unwrap_or(1)),
                }),
                ..Default::default()
            },
            attachments: Vec::new(),
            in_reply_to: None,
            forwarded_from: None,
        };
        let entry = NewAuditEntry::new(
            &caller.user,
            &caller.authority,
            "message.alert",
            Outcome::Success,
        )
        .records(vec![id.clone(), s.stix_id.clone()])
        .detail("alert from a STIX sighting");
        messages.push((message, entry));
    }
    let mut batches = Vec::new();
    let ids: Vec<String> = entities.iter().map(|e| e.id.to_string()).collect();
    if !entities.is_empty() {
        // The list's current entities plus the bundle's (replacing same ids): one revision.
        let mut current: Vec<vigil_model::Entity> = state
            .store
            .entities(Some(list.as_str()), None, false)
            .await?
            .into_iter()
            .map(|r| r.entity)
            .collect();
        for e in entities.iter().cloned() {
            match current.iter_mut().find(|c| c.id == e.id) {
                Some(c) => *c = e,
                None => current.push(e),
            }
        }
        let digest = {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        batches.push(vigil_store::ImportBatch {
            list: list.clone(),
            authority: member_state.clone(),
            title: format!("National list of {member_state}"),
            format: "stix".into(),
            published: None,
            files: vec![vigil_store::FileRef {
                path: "stix-bundle.json".into(),
                sha256: digest,
                bytes: bytes.len() as u64,
            }],
            entities: current,
        });
    }
    // The designations, the alerts and their audit entries: one transaction.
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, Outcome::Success)
        .records(ids.clone())
        .detail(format!(
            "{} designations, {} sightings",
            ids.len(),
            messages.len()
        ));
    let (reports, sent) = match state
        .store
        .import_and_send(batches, &entry, &messages, &caller.authority, &caller.user)
        .await
    {
        Ok(done) => done,
        Err(e) => return Err(failed(&state, &caller, action, ids, e.into()).await),
    };
    if !reports.is_empty() {
        state.register_changed().await;
    }
    Ok(Json(json!({
        "designations": imported.designations.len(),
        "revision": reports.first().map(|r| r.revision),
        "alerts": sent.iter().map(|m| m.id).collect::<Vec<_>>(),
        "skipped": imported.skipped,
    })))
}
