//! The council's business over HTTP, under `/api/v1/council`: members, the chair, meetings
//! (with an iCalendar export), decisions and positions, tasks, the budget, plans and the report
//! to the Council of Heads of State (JSON, Markdown or PDF).
//!
//! Access: the council's records are seen by every user of a member state or of the Executive
//! Committee (officers excepted, who only screen); the `secretariat` role edits; a member
//! state's own users (analysts and admins) record that state's positions. Every write is
//! audited with its outcome; every read as `council.read`.

use std::future::Future;

use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use vigil_council::consensus::{Position, Procedure};
use vigil_council::money::{parse_amount, parse_share, share_text};
use vigil_council::report::{Report, ReportBudget, ReportDecision, ReportTask};
use vigil_council::{ChairTerm, Date, Rotation};
use vigil_model::{Caller, Role};
use vigil_store::council::{
    CouncilBody, CouncilMember, NewAction, NewDecision, NewDelegate, NewDocument, NewMeeting,
    NewPlan, NewTask, Payment, Representative,
};
use vigil_store::{NewAuditEntry, Outcome, Store, StoreError};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::AppState;

/// The current UTC time as the council keeps it (`YYYY-MM-DDTHH:MM:SSZ`).
pub fn now() -> String {
    let t = vigil_model::utc_now_rfc3339();
    format!("{}Z", t.get(..19).unwrap_or(&t))
}

/// Whether `caller` sees the council's records.
pub fn may_read(caller: &Caller) -> bool {
    caller.is_member() && caller.role != Role::Officer
}

/// Whether `caller` edits the council's records.
pub fn may_edit(caller: &Caller) -> bool {
    caller.role == Role::Secretariat
}

/// Whether `caller` records `state`'s position: a user of that member state, analyst or admin.
pub fn may_record_position(caller: &Caller, state: &str) -> bool {
    caller.member_state.as_deref() == Some(state)
        && matches!(caller.role, Role::Analyst | Role::Admin)
}

fn entry(caller: &Caller, action: &str, outcome: Outcome) -> NewAuditEntry {
    NewAuditEntry::new(&caller.user, &caller.authority, action, outcome)
}

async fn read(state: &AppState, caller: &Caller, what: &str) -> ApiResult<()> {
    if !may_read(caller) {
        let e = entry(caller, "council.read", Outcome::Denied).detail(what.to_string());
        state.audit(&e).await?;
        return Err(ApiError::forbidden(
            "the council's records are for member states and the Executive Committee",
        ));
    }
    state
        .audit(&entry(caller, "council.read", Outcome::Success).detail(what.to_string()))
        .await?;
    Ok(())
}

/// Runs a write as `caller` when `allowed`; a refusal or failure is audited as such.
async fn write<T, F, Fut>(
    state: &AppState,
    caller: &Caller,
    action: &str,
    allowed: bool,
    why: &str,
    f: F,
) -> ApiResult<T>
where
    F: FnOnce(NewAuditEntry) -> Fut,
    Fut: Future<Output = Result<T, StoreError>>,
{
    if !allowed {
        state
            .audit(&entry(caller, action, Outcome::Denied).detail(why.to_string()))
            .await?;
        return Err(ApiError::forbidden(why.to_string()));
    }
    match f(entry(caller, action, Outcome::Success)).await {
        Ok(v) => Ok(v),
        Err(e) => {
            let failed = entry(caller, action, Outcome::Failed).detail(e.to_string());
            if let Err(audit_error) = state.audit(&failed).await {
                tracing::error!(error = %audit_error, "cannot audit a failed council write");
            }
            Err(ApiError::from(e))
        }
    }
}

const SECRETARIAT: &str = "only the secretariat edits the council's records";

fn bad(field: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::InvalidBody, format!("{field}: {e}"))
}

fn parse_date(field: &str, text: &str) -> ApiResult<Date> {
    Date::parse(field, text).map_err(|e| ApiError::new(ErrorCode::InvalidBody, e.to_string()))
}

fn parse_id(text: &str) -> ApiResult<i64> {
    text.parse::<i64>()
        .map_err(|_| ApiError::invalid(format!("{text:?} is not a numeric id")))
}

// ---- members and chair ----

pub async fn members(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Value>> {
    read(&s, &c, "members").await?;
    Ok(Json(json!({
        "members": s.store.council_members().await?,
        "bodies": s.store.council_bodies().await?,
        "representatives": s.store.representatives().await?,
        "partners": s.store.council_partners().await?.into_iter()
            .map(|(code, name)| json!({"code": code, "name": name})).collect::<Vec<_>>(),
    })))
}

pub async fn add_member(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(m): ApiJson<CouncilMember>,
) -> ApiResult<Json<Value>> {
    write(
        &s,
        &c,
        "council.member.add",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.add_council_member(&m, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"ok": true})))
}

pub async fn add_representative(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(r): ApiJson<Representative>,
) -> ApiResult<Json<Value>> {
    let id = write(
        &s,
        &c,
        "council.representative.add",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.add_representative(&r, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"id": id})))
}

pub async fn bodies(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Value>> {
    read(&s, &c, "bodies").await?;
    Ok(Json(json!({"bodies": s.store.council_bodies().await?})))
}

pub async fn add_body(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(b): ApiJson<CouncilBody>,
) -> ApiResult<Json<Value>> {
    let id = write(&s, &c, "council.body.add", may_edit(&c), SECRETARIAT, |a| {
        let store = s.store.clone();
        async move { store.add_council_body(&b, &a).await }
    })
    .await?;
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OnQuery {
    on: Option<String>,
}

pub async fn chair(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiQuery(q): ApiQuery<OnQuery>,
) -> ApiResult<Json<Value>> {
    read(&s, &c, "chair").await?;
    let on = match q.on {
        Some(text) => Date::parse("on", &text).map_err(|e| ApiError::invalid(e.to_string()))?,
        None => Date::parse("now", &now()[..10]).map_err(|e| ApiError::invalid(e.to_string()))?,
    };
    let term =
        s.store.chair_on(on).await?.ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, "no chair rotation is recorded yet")
        })?;
    Ok(Json(json!({"on": on, "chair": term})))
}

pub async fn set_rotation(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(r): ApiJson<Rotation>,
) -> ApiResult<Json<Value>> {
    write(
        &s,
        &c,
        "council.chair.rotation",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.set_chair_rotation(&r, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"ok": true})))
}

pub async fn record_term(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(mut t): ApiJson<ChairTerm>,
) -> ApiResult<Json<Value>> {
    t.overridden = true;
    write(
        &s,
        &c,
        "council.chair.term",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            let t = t.clone();
            async move { store.record_chair_term(&t, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"term": t})))
}

// ---- meetings ----

pub async fn meetings(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Value>> {
    read(&s, &c, "meetings").await?;
    Ok(Json(json!({"meetings": s.store.meetings().await?})))
}

pub async fn create_meeting(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(m): ApiJson<NewMeeting>,
) -> ApiResult<Json<Value>> {
    let id = write(
        &s,
        &c,
        "council.meeting.create",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.create_meeting(&m, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"id": id})))
}

pub async fn meeting(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    read(&s, &c, &format!("meeting {id}")).await?;
    Ok(Json(
        serde_json::to_value(s.store.meeting(id).await?)
            .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
    ))
}

/// A meeting and its side events as an iCalendar file.
pub async fn meeting_calendar(store: &Store, id: i64) -> Result<String, StoreError> {
    let record = store.meeting(id).await?;
    let mut meetings = vec![record.meeting];
    meetings.extend(record.side_events);
    let descriptions: Vec<String> = meetings
        .iter()
        .map(|m| {
            m.agenda
                .iter()
                .enumerate()
                .map(|(i, item)| format!("{}. {item}", i + 1))
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let locations: Vec<String> = meetings
        .iter()
        .map(|m| format!("{}, {}", m.venue, m.host_state))
        .collect();
    let events: Vec<vigil_council::ics::Event> = meetings
        .iter()
        .enumerate()
        .map(|(i, m)| vigil_council::ics::Event {
            uid: format!("council-meeting-{}@vigil", m.id),
            summary: &m.title,
            location: &locations[i],
            description: &descriptions[i],
            starts: m.starts,
            ends: m.ends,
            categories: &m.kind,
        })
        .collect();
    let stamp = now().replace(['-', ':'], "");
    Ok(vigil_council::ics::calendar(&events, &stamp))
}

pub async fn meeting_ics(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Response> {
    let id = parse_id(&id)?;
    read(&s, &c, &format!("meeting {id} ics")).await?;
    let ics = meeting_calendar(&s.store, id).await?;
    let mut response = ics.into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/calendar; charset=utf-8"),
    );
    Ok(response)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MinutesInput {
    minutes: String,
}

pub async fn set_minutes(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(m): ApiJson<MinutesInput>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    write(
        &s,
        &c,
        "council.meeting.minutes",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.set_minutes(id, &m.minutes, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"ok": true})))
}

pub async fn add_delegate(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(d): ApiJson<NewDelegate>,
) -> ApiResult<Json<Value>> {
    let meeting = parse_id(&id)?;
    let id = write(
        &s,
        &c,
        "council.delegate.add",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.add_delegate(meeting, &d, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"id": id})))
}

pub async fn add_document(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(d): ApiJson<NewDocument>,
) -> ApiResult<Json<Value>> {
    let meeting = parse_id(&id)?;
    let version = write(
        &s,
        &c,
        "council.document.add",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.add_document(Some(meeting), &d, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"version": version})))
}

// ---- decisions and tasks ----

pub async fn decisions(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Value>> {
    read(&s, &c, "decisions").await?;
    Ok(Json(json!({"decisions": s.store.decisions(&now()).await?})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecisionInput {
    number: String,
    title: String,
    text: String,
    #[serde(default)]
    meeting_id: Option<i64>,
    /// Absent: put to a meeting. Given: a silence procedure ending then (UTC).
    #[serde(default)]
    silence_deadline: Option<String>,
}

pub async fn create_decision(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(d): ApiJson<DecisionInput>,
) -> ApiResult<Json<Value>> {
    let decision = NewDecision {
        number: d.number,
        title: d.title,
        text: d.text,
        meeting_id: d.meeting_id,
        procedure: match d.silence_deadline {
            Some(deadline) => Procedure::Silence { deadline },
            None => Procedure::Meeting,
        },
    };
    let id = write(
        &s,
        &c,
        "council.decision.create",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.create_decision(&decision, &now(), &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"id": id})))
}

pub async fn decision(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    read(&s, &c, &format!("decision {id}")).await?;
    Ok(Json(json!(s.store.decision(id, &now()).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PositionInput {
    state: String,
    position: String,
    #[serde(default)]
    in_writing: bool,
    #[serde(default)]
    note: String,
}

pub async fn record_position(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(p): ApiJson<PositionInput>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    let position =
        Position::parse("position", &p.position).map_err(|e| bad("position", e.message))?;
    let allowed = may_record_position(&c, &p.state);
    let decision = write(
        &s,
        &c,
        "council.position",
        allowed,
        "only a member state's own analysts and admins record its position",
        |a| {
            let store = s.store.clone();
            async move {
                store
                    .record_position(id, &p.state, position, p.in_writing, &p.note, &now(), &a)
                    .await
            }
        },
    )
    .await?;
    Ok(Json(json!(decision)))
}

pub async fn adopt(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    let decision = write(
        &s,
        &c,
        "council.decision.adopt",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.adopt_decision(id, &now(), &a).await }
        },
    )
    .await?;
    Ok(Json(json!(decision)))
}

pub async fn add_task(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(t): ApiJson<NewTask>,
) -> ApiResult<Json<Value>> {
    let decision = parse_id(&id)?;
    let id = write(&s, &c, "council.task.add", may_edit(&c), SECRETARIAT, |a| {
        let store = s.store.clone();
        async move { store.add_task(decision, &t, &a).await }
    })
    .await?;
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TasksQuery {
    #[serde(default)]
    open: bool,
}

pub async fn tasks(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiQuery(q): ApiQuery<TasksQuery>,
) -> ApiResult<Json<Value>> {
    read(&s, &c, "tasks").await?;
    let tasks: Vec<_> = s
        .store
        .tasks()
        .await?
        .into_iter()
        .filter(|t| !q.open || t.status != "done")
        .collect();
    Ok(Json(json!({"tasks": tasks})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TaskReportInput {
    status: String,
    note: String,
}

pub async fn report_task(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(r): ApiJson<TaskReportInput>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    write(
        &s,
        &c,
        "council.task.report",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.report_task(id, &r.status, &r.note, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"ok": true})))
}

// ---- budget ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetInput {
    /// A decimal amount, e.g. `"4000000.00"` (text, so that no float rounds it).
    total: String,
    currency: String,
    /// State → percent as text, e.g. `{"CN": "17.6"}`.
    shares: std::collections::BTreeMap<String, String>,
}

fn parse_year(text: &str) -> ApiResult<i64> {
    text.parse::<i64>()
        .ok()
        .filter(|y| (2000..=2200).contains(y))
        .ok_or_else(|| ApiError::invalid(format!("{text:?} is not a year")))
}

pub async fn set_budget(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(year): ApiPath<String>,
    ApiJson(b): ApiJson<BudgetInput>,
) -> ApiResult<Json<Value>> {
    let year = parse_year(&year)?;
    let total = parse_amount("total", &b.total).map_err(|e| bad("total", e.message))?;
    let mut shares = Vec::with_capacity(b.shares.len());
    for (state, text) in &b.shares {
        let field = format!("shares.{state}");
        shares.push((
            state.clone(),
            parse_share(&field, text).map_err(|e| bad(&field, e.message))?,
        ));
    }
    let budget = write(
        &s,
        &c,
        "council.budget.set",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move {
                store
                    .set_budget(year, total, &b.currency, &shares, &a)
                    .await
            }
        },
    )
    .await?;
    Ok(Json(json!(budget)))
}

pub async fn budget(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(year): ApiPath<String>,
) -> ApiResult<Json<Value>> {
    let year = parse_year(&year)?;
    read(&s, &c, &format!("budget {year}")).await?;
    Ok(Json(json!(s.store.budget(year).await?)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PaymentInput {
    state: String,
    amount: String,
    currency: String,
    received_on: String,
}

pub async fn record_payment(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(year): ApiPath<String>,
    ApiJson(p): ApiJson<PaymentInput>,
) -> ApiResult<Json<Value>> {
    let year = parse_year(&year)?;
    let payment = Payment {
        state: p.state,
        amount: parse_amount("amount", &p.amount).map_err(|e| bad("amount", e.message))?,
        currency: p.currency,
        received_on: parse_date("received_on", &p.received_on)?,
    };
    let budget = write(&s, &c, "council.payment", may_edit(&c), SECRETARIAT, |a| {
        let store = s.store.clone();
        async move { store.record_payment(year, &payment, &a).await }
    })
    .await?;
    Ok(Json(json!(budget)))
}

// ---- plans ----

pub async fn plans(State(s): State<AppState>, Auth(c): Auth) -> ApiResult<Json<Value>> {
    read(&s, &c, "plans").await?;
    Ok(Json(json!({"plans": s.store.plans().await?})))
}

pub async fn create_plan(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiJson(p): ApiJson<NewPlan>,
) -> ApiResult<Json<Value>> {
    let id = write(
        &s,
        &c,
        "council.plan.create",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.create_plan(&p, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"id": id})))
}

pub async fn add_action(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(action): ApiJson<NewAction>,
) -> ApiResult<Json<Value>> {
    let plan = parse_id(&id)?;
    let id = write(
        &s,
        &c,
        "council.action.add",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.add_action(plan, &action, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"id": id})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ActionStatusInput {
    status: String,
}

pub async fn set_action_status(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<ActionStatusInput>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    write(
        &s,
        &c,
        "council.action.status",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move { store.set_action_status(id, &input.status, &a).await }
        },
    )
    .await?;
    Ok(Json(json!({"ok": true})))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EvaluationInput {
    evaluation: String,
}

/// `PUT /council/plans/{id}/evaluation`: an exercise's evaluation, once made.
pub async fn set_evaluation(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiPath(id): ApiPath<String>,
    ApiJson(input): ApiJson<EvaluationInput>,
) -> ApiResult<Json<Value>> {
    let id = parse_id(&id)?;
    write(
        &s,
        &c,
        "council.exercise.evaluate",
        may_edit(&c),
        SECRETARIAT,
        |a| {
            let store = s.store.clone();
            async move {
                store
                    .set_exercise_evaluation(id, &input.evaluation, &a)
                    .await
            }
        },
    )
    .await?;
    Ok(Json(json!({"ok": true})))
}

// ---- the report ----

/// The report of `year` (1 January to 31 December) as the store holds it at `now`.
pub async fn assemble_report(store: &Store, year: i64, now: &str) -> Result<Report, StoreError> {
    let bad_year = || {
        StoreError::CouncilRule(vigil_council::RuleError::new(
            "year",
            format!("{year} is out of range"),
        ))
    };
    let from = Date::new(year, 1, 1).ok_or_else(bad_year)?;
    let to = Date::new(year, 12, 31).ok_or_else(bad_year)?;
    let mut chairs = Vec::new();
    let mut on = from;
    while on <= to {
        let Some(term) = store.chair_on(on).await? else {
            break;
        };
        chairs.push((
            term.state.clone(),
            term.starts.to_string(),
            term.ends.add_days(-1).to_string(),
        ));
        if term.ends <= on {
            break;
        }
        on = term.ends;
    }
    let meetings: Vec<String> = store
        .meetings()
        .await?
        .into_iter()
        .filter(|m| m.starts <= to && m.ends >= from)
        .map(|m| {
            format!(
                "{} ({}), {}, {} to {}",
                m.title, m.kind, m.venue, m.starts, m.ends
            )
        })
        .collect();
    let in_year = |t: &str| t.get(..4).and_then(|y| y.parse::<i64>().ok()) == Some(year);
    let decisions: Vec<_> = store
        .decisions(now)
        .await?
        .into_iter()
        .filter(|d| d.decided_at.as_deref().is_some_and(in_year) || (d.decided_at.is_none()))
        .collect();
    let tasks = decisions
        .iter()
        .flat_map(|d| d.tasks.iter())
        .map(|t| ReportTask {
            decision: t.decision_number.clone(),
            description: t.description.clone(),
            authority: t.authority.clone(),
            due: t.due.to_string(),
            status: t.status.clone(),
        })
        .collect();
    let decisions = decisions
        .into_iter()
        .map(|d| ReportDecision {
            number: d.number,
            title: d.title,
            status: d.status.as_str().to_string(),
            adopted_on: d
                .decided_at
                .filter(|_| d.status == vigil_council::Status::Adopted)
                .map(|t| t.get(..10).unwrap_or(&t).to_string()),
            procedure: match d.procedure {
                Procedure::Meeting => "meeting".into(),
                Procedure::Silence { .. } => "silence".into(),
            },
        })
        .collect();
    let screenings = store.screening_count(from, to.add_days(1)).await?;
    let notices = store
        .notice_counts(&from.to_string(), &to.add_days(1).to_string())
        .await?;
    let exchanges = store
        .exchange_stats(&from.to_string(), &to.add_days(1).to_string(), now)
        .await?;
    let budget = match store.budget(year).await {
        Ok(b) => Some(ReportBudget {
            total: b.total.to_string(),
            currency: b.currency,
            lines: b
                .contributions
                .iter()
                .map(|c| {
                    (
                        format!("{} ({}%)", c.state, share_text(c.share)),
                        c.due.to_string(),
                        c.paid.to_string(),
                        c.arrears.to_string(),
                    )
                })
                .chain(std::iter::once((
                    "Total".to_string(),
                    b.total_due.to_string(),
                    b.total_paid.to_string(),
                    b.total_arrears.to_string(),
                )))
                .collect(),
        }),
        Err(StoreError::NoSuchCouncilRecord(_)) => None,
        Err(e) => return Err(e),
    };
    Ok(Report {
        year,
        period_from: from.to_string(),
        period_to: to.to_string(),
        chairs,
        meetings,
        decisions,
        tasks,
        screenings,
        exchanges,
        budget,
        search_notices: vigil_council::report::SearchNoticeStats {
            declared: notices.declared,
            located: notices.located,
            detained: notices.detained,
            withdrawn: notices.withdrawn,
        },
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReportQuery {
    year: i64,
    format: Option<String>,
}

pub async fn report(
    State(s): State<AppState>,
    Auth(c): Auth,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<Response> {
    let format = q.format.as_deref().unwrap_or("json");
    if !["json", "markdown", "pdf"].contains(&format) {
        return Err(ApiError::invalid(format!(
            "format: {format:?}; use json, markdown or pdf"
        )));
    }
    if !(2000..=2200).contains(&q.year) {
        return Err(ApiError::invalid(format!(
            "year: {} is out of range",
            q.year
        )));
    }
    read(&s, &c, &format!("report {}", q.year)).await?;
    let report = assemble_report(&s.store, q.year, &now()).await?;
    let (body, media) = match format {
        "markdown" => (
            vigil_council::report::markdown(&report).into_bytes(),
            "text/markdown; charset=utf-8",
        ),
        "pdf" => (
            vigil_council::report::pdf(&vigil_council::report::markdown(&report)),
            "application/pdf",
        ),
        _ => (
            serde_json::to_vec(&report)
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?,
            "application/json",
        ),
    };
    let mut response = body.into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(media));
    Ok(response)
}
