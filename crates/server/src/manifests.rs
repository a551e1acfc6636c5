//! Traveller manifests: `POST /api/v1/manifests` screens every traveller of an uploaded PAXLST
//! or PNRGOV message against the register with the caller's visibility, applies the caller's
//! authority's watch rule (encounters, alerts to the listing authority) and answers with the
//! records as JSON Lines or CSV; `GET|PUT /api/v1/watch-rule` and `GET /api/v1/encounters`.
//!
//! The line and row shapes are shared with `vigil screen --paxlst/--pnrgov`, so a file screened
//! at the command line and through the API reads the same.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde::Deserialize;
use serde_json::{json, Value};
use vigil_exchange::{
    Classification, Context, Encounter, Handling, Kind, Markings, NewMessage, Priority, Recipient,
    Tlp,
};
use vigil_manifest::{ManifestReader, MessageKind, Options, Record, Traveller};
use vigil_model::{Caller, Role, Schema};
use vigil_screen::{Query, DEFAULT_THRESHOLD};
use vigil_store::{NewAuditEntry, NewEncounter, Outcome};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, ApiQuery, Auth};
use crate::screening::{audit_screening, present, reference, Found, Snapshot};
use crate::{AppState, TokenUse};

/// The screening query for one traveller: a person, with the birth date, the nationality (or
/// the passport's issuing state when none is given) and every document number.
pub fn query_of(t: &Traveller) -> Query {
    Query {
        schema: Some(Schema::Person),
        name: t.name.clone(),
        birth_date: t.birth_date.clone(),
        nationality: t
            .nationality
            .clone()
            .or_else(|| t.documents.iter().find_map(|d| d.issuer.clone())),
        documents: t
            .documents
            .iter()
            .map(|d| d.number.clone())
            .filter(|n| !n.is_empty())
            .collect(),
    }
}

/// `QQ877 MIA-IAD 2008-07-10T15:00`: the first flight of a traveller, for people to read.
pub fn flight_label(t: &Traveller) -> String {
    let Some(leg) = t.flights.first() else {
        return String::new();
    };
    let mut s = leg.flight.clone();
    if let (Some(from), Some(to)) = (&leg.from, &leg.to) {
        s.push_str(&format!(" {from}-{to}"));
    }
    if let Some(d) = &leg.departure {
        s.push(' ');
        s.push_str(d);
    }
    s
}

/// One JSON line for a record; a traveller's carries its matches (`None`: not screened, for
/// placeholders).
pub fn record_line(file: Option<&str>, record: &Record, matches: Option<&[Value]>) -> Value {
    match record {
        Record::Traveller(t) => {
            let mut line = json!({
                "record": "traveller",
                "flight": flight_label(t),
                "traveller": t,
                "screened": matches.is_some(),
                "matches": matches.unwrap_or(&[]),
            });
            if let Some(f) = file {
                line["file"] = json!(f);
            }
            line
        }
        other => {
            let mut line = serde_json::to_value(other).unwrap_or(Value::Null);
            if let Some(f) = file {
                line["file"] = json!(f);
            }
            line
        }
    }
}

/// The CSV columns of [`csv_rows`].
pub const CSV_HEADER: [&str; 21] = [
    "file",
    "record",
    "message",
    "segment",
    "line",
    "flight",
    "role",
    "surname",
    "given_names",
    "birth_date",
    "nationality",
    "documents",
    "reservation",
    "screened",
    "match_id",
    "match_name",
    "score",
    "restricted",
    "originator",
    "reference",
    "error",
];

/// A record's CSV rows: one per match of a traveller (one with empty match columns when it has
/// none), one per error; summaries have none.
pub fn csv_rows(file: &str, record: &Record, matches: Option<&[Value]>) -> Vec<Vec<String>> {
    let s = |v: &Value, k: &str| match &v[k] {
        Value::String(x) => x.clone(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    };
    let traveller_columns = |t: &Traveller| {
        vec![
            flight_label(t),
            serde_json::to_value(t.role)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default(),
            t.surname.clone(),
            t.given_names.clone(),
            t.birth_date.clone().unwrap_or_default(),
            t.nationality.clone().unwrap_or_default(),
            t.documents
                .iter()
                .map(|d| d.number.as_str())
                .collect::<Vec<_>>()
                .join(";"),
            t.reservation.clone().unwrap_or_default(),
        ]
    };
    match record {
        Record::Traveller(t) => {
            let head = vec![
                file.to_string(),
                "traveller".into(),
                t.message.clone(),
                t.position.segment.to_string(),
                t.position.line.to_string(),
            ];
            let mut base = head;
            base.extend(traveller_columns(t));
            base.push(matches.is_some().to_string());
            let matches = matches.unwrap_or(&[]);
            if matches.is_empty() {
                let mut row = base;
                row.extend(std::iter::repeat_n(String::new(), 7));
                return vec![row];
            }
            matches
                .iter()
                .map(|m| {
                    let mut row = base.clone();
                    row.push(s(m, "id"));
                    row.push(s(m, "name"));
                    row.push(s(m, "score"));
                    row.push(m["restricted"].as_bool().unwrap_or(false).to_string());
                    row.push(s(m, "originator"));
                    row.push(s(m, "reference"));
                    row.push(String::new());
                    row
                })
                .collect()
        }
        Record::Error(e) => {
            let mut row = vec![
                file.to_string(),
                "error".into(),
                e.message.clone().unwrap_or_default(),
                e.position.segment.to_string(),
                e.position.line.to_string(),
            ];
            match &e.traveller {
                Some(t) => row.extend(traveller_columns(t)),
                None => row.extend(std::iter::repeat_n(String::new(), 8)),
            }
            row.push("false".into());
            row.extend(std::iter::repeat_n(String::new(), 6));
            row.push(e.to_string());
            vec![row]
        }
        _ => Vec::new(),
    }
}

/// Writes rows as CSV text.
pub fn csv_text(rows: &[Vec<String>], header: bool) -> String {
    let mut w = csv::WriterBuilder::new().from_writer(Vec::new());
    if header {
        let _ = w.write_record(CSV_HEADER);
    }
    for r in rows {
        let _ = w.write_record(r);
    }
    w.into_inner()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
        .unwrap_or_default()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ManifestParams {
    threshold: Option<f32>,
    limit: Option<usize>,
    explain: Option<bool>,
    /// Wrong counts and unknown segments are errors, not warnings.
    strict: Option<bool>,
    /// `jsonl` (default) or `csv`.
    format: Option<String>,
}

/// A traveller's match at or above the watch rule's threshold.
struct Watched {
    line: usize,
    subject: String,
    originator: String,
    score: f32,
}

/// `POST /api/v1/manifests`: the body is one PAXLST or PNRGOV file.
pub(crate) async fn upload(
    State(state): State<AppState>,
    Auth(caller): Auth,
    token: Option<Extension<TokenUse>>,
    ApiQuery(params): ApiQuery<ManifestParams>,
    body: Body,
) -> ApiResult<Response> {
    if caller.role == Role::Auditor {
        return Err(ApiError::forbidden(
            "auditors read the audit log; they do not screen",
        ));
    }
    let threshold = params.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        return Err(ApiError::invalid("threshold: a number from 0 to 1"));
    }
    let limit = params.limit.unwrap_or(5);
    if !(1..=100).contains(&limit) {
        return Err(ApiError::invalid("limit: from 1 to 100"));
    }
    let csv = match params.format.as_deref() {
        None | Some("jsonl") => false,
        Some("csv") => true,
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "format: jsonl or csv, not {other:?}"
            )))
        }
    };
    let explain = params.explain.unwrap_or(true);
    let limit_bytes = state.config.batch_body_limit;
    let bytes = axum::body::to_bytes(body, limit_bytes).await.map_err(|_| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("a manifest upload holds at most {limit_bytes} bytes"),
        )
    })?;
    let options = Options {
        strict: params.strict.unwrap_or(false),
        current_year: None,
    };
    let token = token.as_ref().map(|Extension(t)| t);
    let reader = match ManifestReader::new(std::io::Cursor::new(bytes), options) {
        Ok(r) => r,
        Err(e) => {
            let entry = NewAuditEntry::new(
                &caller.user,
                &caller.authority,
                "manifest.screen",
                Outcome::Failed,
            )
            .detail(format!("refused: {e}"));
            crate::screening::audit_with_token(&state, token, entry).await?;
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                format!("manifest: {e}"),
            ));
        }
    };
    let rule = state.store.watch_rule(&caller.authority).await?;
    let watch_threshold = rule
        .as_ref()
        .map_or(f64::from(DEFAULT_THRESHOLD), |r| r.threshold) as f32;
    let snapshot = state.screening.snapshot(&state.store).await?;
    let secret = state.screening.secret_bytes(&state.store).await?;
    let worker_caller = caller.clone();
    let worker_snapshot = snapshot.clone();
    // Screening is CPU work: off the async workers.
    let screened = tokio::task::spawn_blocking(move || {
        screen_records(
            reader,
            &worker_snapshot,
            &worker_caller,
            &secret,
            (threshold.min(watch_threshold), limit, explain),
            threshold,
            watch_threshold,
        )
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
    let Screened {
        mut lines,
        records,
        found,
        watched,
        travellers,
        errors,
    } = screened;
    audit_screening(
        &state,
        token,
        &caller,
        "manifest.screen",
        travellers,
        &found,
        if errors == 0 {
            Outcome::Success
        } else {
            Outcome::Failed
        },
    )
    .await?;
    if !watched.is_empty() {
        let encounters = record_encounters(
            &state,
            &caller,
            rule.as_ref().is_some_and(|r| r.alert),
            &records,
            &watched,
        )
        .await?;
        for (line, encounter) in encounters {
            if let Some(l) = lines.get_mut(line) {
                l["encounters"]
                    .as_array_mut()
                    .map(|a| a.push(encounter.clone()))
                    .unwrap_or_else(|| l["encounters"] = json!([encounter]));
            }
        }
    }
    let (content_type, text) = if csv {
        let rows: Vec<Vec<String>> = records
            .iter()
            .zip(&lines)
            .flat_map(|(r, l)| {
                let m = l["matches"].as_array().map(Vec::as_slice);
                csv_rows("upload", r, m.filter(|_| l["screened"] == json!(true)))
            })
            .collect();
        ("text/csv", csv_text(&rows, true))
    } else {
        let mut t = String::new();
        for l in &lines {
            t.push_str(&l.to_string());
            t.push('\n');
        }
        ("application/jsonl", t)
    };
    let mut response = Body::from(text).into_response();
    response
        .headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    Ok(response)
}

struct Screened {
    lines: Vec<Value>,
    records: Vec<Record>,
    found: Found,
    watched: Vec<Watched>,
    travellers: usize,
    errors: usize,
}

fn screen_records<R: std::io::Read>(
    reader: ManifestReader<R>,
    snapshot: &Snapshot,
    caller: &Caller,
    secret: &[u8],
    (retrieve_threshold, limit, explain): (f32, usize, bool),
    answer_threshold: f32,
    watch_threshold: f32,
) -> Screened {
    let mut out = Screened {
        lines: Vec::new(),
        records: Vec::new(),
        found: Found::default(),
        watched: Vec::new(),
        travellers: 0,
        errors: 0,
    };
    for record in reader {
        let line = out.lines.len();
        let matches = match &record {
            Record::Traveller(t) if t.screenable() => {
                out.travellers += 1;
                let all = snapshot
                    .index
                    .screen(&query_of(t), retrieve_threshold, limit);
                for m in all.iter().filter(|m| m.score >= watch_threshold) {
                    let Some(r) = snapshot.record(&m.id) else {
                        continue;
                    };
                    let originator = snapshot.originator(r.entity.id.list()).to_string();
                    let subject = if snapshot.visible(caller, r) {
                        m.id.clone()
                    } else {
                        format!("ref:{}", reference(secret, &m.id))
                    };
                    out.watched.push(Watched {
                        line,
                        subject,
                        originator,
                        score: m.score,
                    });
                }
                let shown: Vec<_> = all
                    .into_iter()
                    .filter(|m| m.score >= answer_threshold)
                    .collect();
                Some(present(
                    snapshot,
                    caller,
                    secret,
                    shown,
                    explain,
                    &mut out.found,
                ))
            }
            Record::Traveller(_) => None,
            Record::Error(_) => {
                out.errors += 1;
                None
            }
            _ => None,
        };
        out.lines
            .push(record_line(None, &record, matches.as_deref()));
        out.records.push(record);
    }
    out
}

/// Records the encounters and, when the rule says so, raises one alert per traveller to each
/// member state that listed a person it matched (not to the caller's own state). Returns the
/// encounter views by output line.
async fn record_encounters(
    state: &AppState,
    caller: &Caller,
    alert: bool,
    records: &[Record],
    watched: &[Watched],
) -> ApiResult<Vec<(usize, Value)>> {
    let mut alerts: BTreeMap<(usize, String), Option<i64>> = BTreeMap::new();
    if alert {
        let mut by_target: BTreeMap<(usize, String), Vec<String>> = BTreeMap::new();
        for w in watched {
            let Some(s) = vigil_model::member_state_of(&w.originator) else {
                continue;
            };
            if caller.member_state.as_deref() == Some(s.as_str()) {
                continue;
            }
            by_target
                .entry((w.line, s))
                .or_default()
                .push(w.subject.clone());
        }
        for ((line, member_state), mut subjects) in by_target {
            let Some(Record::Traveller(t)) = records.get(line) else {
                continue;
            };
            subjects.sort();
            subjects.dedup();
            let message = alert_message(caller, t, &member_state, subjects);
            match crate::exchange::store_message(state, caller, "watch.alert", &message, Vec::new())
                .await
            {
                Ok(m) => {
                    alerts.insert((line, member_state), Some(m.id));
                }
                Err(e) => {
                    tracing::error!(error = %e.detail, "cannot raise a watch-rule alert");
                    alerts.insert((line, member_state), None);
                }
            }
        }
    }
    let mut news = Vec::new();
    let mut lines = Vec::new();
    for w in watched {
        let Some(Record::Traveller(t)) = records.get(w.line) else {
            continue;
        };
        let alert_id = vigil_model::member_state_of(&w.originator)
            .and_then(|s| alerts.get(&(w.line, s)).copied().flatten());
        news.push(NewEncounter {
            authority: caller.authority.clone(),
            user: caller.user.clone(),
            source: match t.kind {
                MessageKind::Paxlst => "paxlst".into(),
                MessageKind::Pnrgov => "pnrgov".into(),
            },
            message_ref: t.message.clone(),
            flight: flight_label(t),
            traveller_name: t.name.clone(),
            traveller: serde_json::to_value(t.as_ref()).unwrap_or(Value::Null),
            subject: w.subject.clone(),
            originator: w.originator.clone(),
            score: f64::from(w.score),
            alert_message_id: alert_id,
        });
        lines.push(w.line);
    }
    let records_audited: Vec<String> = {
        let mut r: Vec<String> = news.iter().map(|n| n.subject.clone()).collect();
        r.sort();
        r.dedup();
        r
    };
    let entry = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "watch.encounter",
        Outcome::Success,
    )
    .records(records_audited)
    .detail(format!(
        "{} encounters, {} alerts",
        news.len(),
        alerts.values().filter(|a| a.is_some()).count()
    ));
    let ids = state.store.record_encounters(&news, &entry).await?;
    Ok(lines
        .into_iter()
        .zip(ids)
        .zip(&news)
        .map(|((line, id), n)| {
            (
                line,
                json!({"id": id, "subject": n.subject, "originator": n.originator,
                       "score": n.score, "alert_message_id": n.alert_message_id}),
            )
        })
        .collect())
}

fn alert_message(
    caller: &Caller,
    t: &Traveller,
    member_state: &str,
    subjects: Vec<String>,
) -> NewMessage {
    let documents = t
        .documents
        .iter()
        .map(|d| {
            format!(
                "{} {}{}",
                if d.kind.is_empty() {
                    "document"
                } else {
                    &d.kind
                },
                d.number,
                d.issuer
                    .as_deref()
                    .map(|i| format!(" ({i})"))
                    .unwrap_or_default()
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let body = format!(
        "Traveller {} (born {}, nationality {}; {}) on {} ({} message {}).",
        t.name,
        t.birth_date.as_deref().unwrap_or("unknown"),
        t.nationality.as_deref().unwrap_or("unknown"),
        if documents.is_empty() {
            "no document".to_string()
        } else {
            documents
        },
        flight_label(t),
        t.kind.as_str(),
        t.message
    );
    NewMessage {
        kind: Kind::Alert,
        recipients: vec![Recipient::State(member_state.to_string())],
        subjects,
        title: format!(
            "Traveller match on a manifest screened by {}",
            caller.authority
        ),
        body,
        markings: Markings {
            classification: Classification::Restricted,
            handling: Handling::IntelligenceOnly,
            tlp: Tlp::Amber,
        },
        priority: Priority::Urgent,
        context: Context {
            encounter: Some(Encounter {
                place: flight_label(t),
                at: vigil_model::utc_now_rfc3339(),
                by: format!("{} ({})", caller.user, caller.authority),
                action: "manifest screened; alert raised by the authority's watch rule".into(),
            }),
            ..Default::default()
        },
        attachments: Vec::new(),
        in_reply_to: None,
        forwarded_from: None,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WatchRuleInput {
    threshold: f64,
    alert: bool,
}

/// `GET /api/v1/watch-rule`: the caller's authority's rule (the default when none is set).
pub async fn get_watch_rule(
    State(state): State<AppState>,
    Auth(caller): Auth,
) -> ApiResult<Json<Value>> {
    let rule = state.store.watch_rule(&caller.authority).await?;
    Ok(Json(match rule {
        Some(r) => json!(r),
        None => json!({"authority": caller.authority, "threshold": DEFAULT_THRESHOLD,
                       "alert": false, "default": true}),
    }))
}

/// `PUT /api/v1/watch-rule` (admins, for their own authority).
pub async fn put_watch_rule(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiJson(input): ApiJson<WatchRuleInput>,
) -> ApiResult<Json<Value>> {
    if caller.role != Role::Admin {
        let entry = NewAuditEntry::new(
            &caller.user,
            &caller.authority,
            "watch.rule",
            Outcome::Denied,
        )
        .detail("only admins set their authority's watch rule");
        state.audit(&entry).await?;
        return Err(ApiError::forbidden(
            "only admins set their authority's watch rule",
        ));
    }
    if !(0.0..=1.0).contains(&input.threshold) || !input.threshold.is_finite() {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "threshold: a number from 0 to 1",
        ));
    }
    let entry = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "watch.rule",
        Outcome::Success,
    )
    .detail(format!(
        "threshold = {}, alert = {}",
        input.threshold, input.alert
    ));
    let rule = state
        .store
        .set_watch_rule(
            &caller.authority,
            input.threshold,
            input.alert,
            &caller.user,
            &entry,
        )
        .await?;
    Ok(Json(json!(rule)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EncounterParams {
    limit: Option<i64>,
}

/// `GET /api/v1/encounters`: the caller's authority's encounters, newest first.
pub async fn encounters(
    State(state): State<AppState>,
    Auth(caller): Auth,
    ApiQuery(params): ApiQuery<EncounterParams>,
) -> ApiResult<Json<Value>> {
    let limit = params.limit.unwrap_or(100);
    if !(1..=10_000).contains(&limit) {
        return Err(ApiError::invalid("limit: from 1 to 10000"));
    }
    let list = state.store.encounters(&caller.authority, limit).await?;
    Ok(Json(json!({"encounters": list})))
}
