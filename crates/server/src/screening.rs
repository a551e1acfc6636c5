//! The screening snapshot and its endpoints: `POST /api/v1/screen`, `POST /api/v1/screen/batch`
//! and the yente-compatible `POST /match/{dataset}` (in `yente.rs`).
//!
//! The snapshot (the register's current records and an [`Index`] over the listed ones) is
//! immutable and shared through an `Arc`; a rebuild makes a new one and swaps the pointer, so
//! requests in flight finish on the snapshot they started with and none waits for a rebuild.
//!
//! A match on a record the caller may not see becomes a **restricted hit**: the originating
//! authority, an opaque reference (HMAC-SHA256 of the record id under a key only the store
//! holds, so it reveals nothing and cannot be reversed by a client) and the score.

use std::collections::HashMap;
use std::convert::Infallible;
use std::sync::{Arc, RwLock};

use axum::body::{Body, Bytes};
use axum::extract::State;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use vigil_model::{may_see, Caller};
use vigil_screen::{Index, Match, DEFAULT_THRESHOLD};
use vigil_store::{EntityRecord, ListOrigin, NewAuditEntry, Outcome, Store};

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{read_body, ApiQuery, Auth};
use crate::queries::{json_lines, parse_json_line, parse_object, Item};
use crate::{AppState, TokenUse};

/// Most queries in one batch.
pub const MAX_BATCH_QUERIES: usize = 10_000;
/// Most alerts per query a client may ask for.
const MAX_LIMIT: usize = 100;

/// The register as screening and search see it, at one moment.
pub struct Snapshot {
    /// Listed and delisted records; the index covers the listed ones.
    pub records: Vec<EntityRecord>,
    by_id: HashMap<String, usize>,
    /// List name → authority (the originator of its records).
    pub origins: HashMap<String, String>,
    /// What the snapshot was built from: compared with the store to notice outside imports.
    fingerprint: Vec<ListOrigin>,
    pub index: Index,
}

impl Snapshot {
    pub fn record(&self, id: &str) -> Option<&EntityRecord> {
        self.by_id.get(id).and_then(|&i| self.records.get(i))
    }
    pub fn originator(&self, list: &str) -> &str {
        self.origins.get(list).map(String::as_str).unwrap_or("")
    }
    pub fn visible(&self, caller: &Caller, record: &EntityRecord) -> bool {
        may_see(
            caller,
            &record.entity.distribution,
            self.originator(record.entity.id.list()),
        )
    }
}

/// The current snapshot, the lock that serializes rebuilds, and the reference key.
#[derive(Default)]
pub struct Screening {
    current: RwLock<Option<Arc<Snapshot>>>,
    rebuild: tokio::sync::Mutex<()>,
    secret: tokio::sync::OnceCell<Vec<u8>>,
}

impl Screening {
    /// The current snapshot, built on first use.
    pub async fn snapshot(&self, store: &Store) -> ApiResult<Arc<Snapshot>> {
        if let Some(s) = self.peek() {
            return Ok(s);
        }
        self.refresh(store).await
    }

    /// The current snapshot if one has been built.
    pub fn peek(&self) -> Option<Arc<Snapshot>> {
        self.current.read().ok().and_then(|c| c.clone())
    }

    /// Rebuilds the snapshot from the store and swaps it in. Rebuilds run one at a time, each
    /// reading the store after taking the lock, so the last one always reflects the last write.
    pub async fn refresh(&self, store: &Store) -> ApiResult<Arc<Snapshot>> {
        let _guard = self.rebuild.lock().await;
        let fingerprint = store.list_origins().await?;
        let records = store.entities(None, None, true).await?;
        let snapshot = tokio::task::spawn_blocking(move || {
            let listed: Vec<_> = records
                .iter()
                .filter(|r| r.listed)
                .map(|r| r.entity.clone())
                .collect();
            let index = Index::build(&listed);
            let by_id = records
                .iter()
                .enumerate()
                .map(|(i, r)| (r.entity.id.to_string(), i))
                .collect();
            let origins = fingerprint
                .iter()
                .map(|o| (o.name.clone(), o.authority.clone()))
                .collect();
            Snapshot {
                records,
                by_id,
                origins,
                fingerprint,
                index,
            }
        })
        .await
        .map_err(|_| ApiError::new(ErrorCode::Internal, "the index build stopped"))?;
        let snapshot = Arc::new(snapshot);
        if let Ok(mut current) = self.current.write() {
            *current = Some(snapshot.clone());
        }
        let (entities, names) = snapshot.index.len();
        tracing::info!(entities, names, "screening index swapped");
        Ok(snapshot)
    }

    /// Rebuilds when the store's lists changed since the snapshot (an import from the command
    /// line while the server runs); one cheap query otherwise.
    pub async fn refresh_if_changed(&self, store: &Store) -> ApiResult<Arc<Snapshot>> {
        let origins = store.list_origins().await?;
        match self.peek() {
            Some(s) if s.fingerprint == origins => Ok(s),
            _ => self.refresh(store).await,
        }
    }

    pub(crate) async fn secret_bytes(&self, store: &Store) -> ApiResult<Vec<u8>> {
        self.secret(store).await.map(<[u8]>::to_vec)
    }

    async fn secret(&self, store: &Store) -> ApiResult<&[u8]> {
        let secret = self
            .secret
            .get_or_try_init(|| async { store.reference_secret().await })
            .await?;
        Ok(secret.as_slice())
    }
}

/// HMAC-SHA256 (RFC 2104), written out because it is ten lines over `sha2`.
fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    const BLOCK: usize = 64;
    let mut k = [0u8; BLOCK];
    if key.len() > BLOCK {
        k[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        k[..key.len()].copy_from_slice(key);
    }
    let pad = |byte: u8| k.map(|b| b ^ byte);
    let inner = Sha256::new()
        .chain_update(pad(0x36))
        .chain_update(message)
        .finalize();
    Sha256::new()
        .chain_update(pad(0x5c))
        .chain_update(inner)
        .finalize()
        .into()
}

/// The opaque reference of a record: stable for a store, unguessable without its key.
pub fn reference(secret: &[u8], id: &str) -> String {
    let mac = hmac_sha256(secret, id.as_bytes());
    let hex: String = mac[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("vr1-{hex}")
}

/// What one screened query found, split by what the caller may see.
#[derive(Default)]
pub struct Found {
    /// Ids of visible hits.
    pub hits: Vec<String>,
    /// (reference, id, originator) of restricted hits.
    pub restricted: Vec<(String, String, String)>,
}

impl Found {
    fn absorb(&mut self, other: Found) {
        self.hits.extend(other.hits);
        self.restricted.extend(other.restricted);
    }
    /// The audit entry's records: visible ids, and restricted hits by reference only.
    fn audit_records(&self) -> Vec<String> {
        let mut records = self.hits.clone();
        records.extend(self.restricted.iter().map(|(r, _, _)| format!("ref:{r}")));
        records.sort();
        records.dedup();
        records
    }
}

/// A restricted hit: that there is one, who holds it, a reference to ask them by, the score.
pub fn restricted_hit(originator: &str, reference: &str, score: f32) -> Value {
    json!({"restricted": true, "originator": originator, "reference": reference, "score": score})
}

/// Splits matches into what the caller may see (as `vigil screen` prints them, or without the
/// explanation when `explain` is false) and restricted hits.
pub fn present(
    snapshot: &Snapshot,
    caller: &Caller,
    secret: &[u8],
    matches: Vec<Match>,
    explain: bool,
    found: &mut Found,
) -> Vec<Value> {
    matches
        .into_iter()
        .filter_map(|m| {
            let record = snapshot.record(&m.id)?;
            if snapshot.visible(caller, record) {
                found.hits.push(m.id.clone());
                let mut hit = if explain {
                    serde_json::to_value(&m).ok()?
                } else {
                    json!({"id": m.id, "score": m.score, "name": m.name})
                };
                // A hit on a search notice says what the officer does now.
                if let Some(wanted) = crate::notices::hit_instructions(&record.entity) {
                    hit["wanted_person"] = wanted;
                }
                Some(hit)
            } else {
                let originator = snapshot.originator(record.entity.id.list()).to_string();
                let reference = reference(secret, &m.id);
                let hit = restricted_hit(&originator, &reference, m.score);
                found.restricted.push((reference, m.id, originator));
                Some(hit)
            }
        })
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScreenParams {
    threshold: Option<f32>,
    limit: Option<usize>,
    /// False: matches without their explanation (id, score, name).
    explain: Option<bool>,
}

impl ScreenParams {
    fn resolve(&self) -> ApiResult<(f32, usize)> {
        let threshold = self.threshold.unwrap_or(DEFAULT_THRESHOLD);
        if !(0.0..=1.0).contains(&threshold) {
            return Err(ApiError::invalid("threshold: a number from 0 to 1"));
        }
        let limit = self.limit.unwrap_or(5);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(ApiError::invalid(format!("limit: from 1 to {MAX_LIMIT}")));
        }
        Ok((threshold, limit))
    }
}

/// Appends `entry`, naming the request's token use in it when there is one (so that the
/// token use needs no `login` entry of its own), and marks the use recorded once committed.
pub(crate) async fn audit_with_token(
    state: &AppState,
    token: Option<&TokenUse>,
    mut entry: NewAuditEntry,
) -> ApiResult<()> {
    if let Some(t) = token {
        entry.detail = format!("token {}: {}", t.token_id, entry.detail);
    }
    state.audit(&entry).await?;
    if let Some(t) = token {
        t.mark_recorded();
    }
    Ok(())
}

/// Appends the screening request's audit entry (which also records the token's use, when
/// `token` is given) and records the references it handed out; the answer goes out only after
/// both have committed.
pub(crate) async fn audit_screening(
    state: &AppState,
    token: Option<&TokenUse>,
    caller: &Caller,
    action: &str,
    queries: usize,
    found: &Found,
    outcome: Outcome,
) -> ApiResult<()> {
    state.store.issue_references(&found.restricted).await?;
    let entry = NewAuditEntry::new(&caller.user, &caller.authority, action, outcome)
        .records(found.audit_records())
        .detail(format!(
            "{queries} queries, {} hits, {} restricted",
            found.hits.len(),
            found.restricted.len()
        ));
    audit_with_token(state, token, entry).await?;
    state.metrics.count_screened(queries);
    Ok(())
}

/// `POST /api/v1/screen`: one query, the shape of one `vigil screen --input` line (`id`
/// optional, and `"explain": false` as `?explain=false`), answered like one output line.
pub async fn screen_one(
    State(state): State<AppState>,
    Auth(caller): Auth,
    token: Option<Extension<TokenUse>>,
    ApiQuery(params): ApiQuery<ScreenParams>,
    body: Body,
) -> ApiResult<Json<Value>> {
    let (threshold, limit) = params.resolve()?;
    let bytes = read_body(body, crate::extract::JSON_LIMIT).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::new(ErrorCode::MalformedJson, "the body is not valid UTF-8"))?;
    let value: Value = serde_json::from_str(text)
        .map_err(|e| ApiError::new(ErrorCode::MalformedJson, e.to_string()))?;
    let Value::Object(mut obj) = value else {
        return Err(ApiError::new(
            ErrorCode::InvalidBody,
            "expected a JSON object",
        ));
    };
    let explain = match obj.remove("explain") {
        None => params.explain.unwrap_or(true),
        Some(Value::Bool(b)) => b,
        Some(_) => {
            return Err(ApiError::new(
                ErrorCode::InvalidBody,
                "field \"explain\" must be true or false",
            ))
        }
    };
    obj.entry("id").or_insert_with(|| Value::String("1".into()));
    let (id, query) = match parse_object(1, &obj) {
        Item::Query { id, query } => (id, query),
        Item::Error(e) => {
            let detail = e["error"].as_str().unwrap_or("invalid query").to_string();
            return Err(ApiError::new(ErrorCode::InvalidBody, detail));
        }
    };
    let snapshot = state.screening.snapshot(&state.store).await?;
    let secret = state.screening.secret(&state.store).await?;
    let mut found = Found::default();
    let matches = snapshot.index.screen(&query, threshold, limit);
    let matches = present(&snapshot, &caller, secret, matches, explain, &mut found);
    let token = token.as_ref().map(|Extension(t)| t);
    audit_screening(
        &state,
        token,
        &caller,
        "screen",
        1,
        &found,
        Outcome::Success,
    )
    .await?;
    crate::exchange::auto_alerts(&state, &caller, &snapshot, &found).await;
    Ok(Json(json!({"query_id": id, "matches": matches})))
}

fn screen_item(
    snapshot: &Snapshot,
    caller: &Caller,
    secret: &[u8],
    item: &Item,
    (threshold, limit, explain): (f32, usize, bool),
    found: &mut Found,
) -> String {
    match item {
        Item::Error(v) => v.to_string(),
        Item::Query { id, query } => {
            let matches = snapshot.index.screen(query, threshold, limit);
            let matches = present(snapshot, caller, secret, matches, explain, found);
            json!({"query_id": id, "matches": matches}).to_string()
        }
    }
}

/// `POST /api/v1/screen/batch`: JSON Lines in, JSON Lines out in input order, streamed as the
/// queries are screened. A line that cannot be screened is answered by an error record.
pub async fn screen_batch(
    State(state): State<AppState>,
    Auth(caller): Auth,
    token: Option<Extension<TokenUse>>,
    ApiQuery(params): ApiQuery<ScreenParams>,
    body: Body,
) -> ApiResult<Response> {
    let (threshold, limit) = params.resolve()?;
    let explain = params.explain.unwrap_or(true);
    let token = token.as_ref().map(|Extension(t)| t);
    let limit_bytes = state.config.batch_body_limit;
    let bytes = axum::body::to_bytes(body, limit_bytes).await.map_err(|_| {
        ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "a batch holds at most {MAX_BATCH_QUERIES} queries in at most {limit_bytes} bytes"
            ),
        )
    })?;
    let lines = json_lines(&bytes);
    if lines.len() > MAX_BATCH_QUERIES {
        let failed = NewAuditEntry::new(
            &caller.user,
            &caller.authority,
            "screen.batch",
            Outcome::Failed,
        )
        .detail(format!("{} queries, over the limit", lines.len()));
        audit_with_token(&state, token, failed).await?;
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!(
                "a batch holds at most {MAX_BATCH_QUERIES} queries; this one has {}",
                lines.len()
            ),
        ));
    }
    let items: Vec<Item> = lines
        .iter()
        .enumerate()
        .map(|(i, l)| parse_json_line(i + 1, l))
        .collect();
    drop(lines);
    let snapshot = state.screening.snapshot(&state.store).await?;
    let alert_snapshot = snapshot.clone();
    let secret = state.screening.secret(&state.store).await?.to_vec();
    let queries = items.len();
    // Audited before the first result leaves, so no screening goes unrecorded; the hits are
    // recorded in a second entry when the batch is done.
    let start = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "screen.batch",
        Outcome::Success,
    )
    .detail(format!("{queries} queries: started"));
    audit_with_token(&state, token, start).await?;

    let (tx, rx) = tokio::sync::mpsc::channel::<Bytes>(64);
    let worker_caller = caller.clone();
    let work = tokio::task::spawn_blocking(move || {
        let mut found = Found::default();
        for item in &items {
            let mut one = Found::default();
            let mut line = screen_item(
                &snapshot,
                &worker_caller,
                &secret,
                item,
                (threshold, limit, explain),
                &mut one,
            );
            found.absorb(one);
            line.push('\n');
            if tx.blocking_send(Bytes::from(line)).is_err() {
                // The client went away: stop screening for nobody.
                return (found, false);
            }
        }
        (found, true)
    });
    let finisher = state.clone();
    tokio::spawn(async move {
        let (found, complete) = work.await.unwrap_or_default();
        let outcome = if complete {
            Outcome::Success
        } else {
            Outcome::Failed
        };
        if let Err(e) = audit_screening(
            &finisher,
            None,
            &caller,
            "screen.batch",
            queries,
            &found,
            outcome,
        )
        .await
        {
            tracing::error!(error = %e.detail, "cannot audit a screening batch's hits");
        }
        crate::exchange::auto_alerts(&finisher, &caller, &alert_snapshot, &found).await;
    });
    let stream = futures_util::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|b| (Ok::<Bytes, Infallible>(b), rx))
    });
    let mut response = Body::from_stream(stream).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/jsonl"),
    );
    Ok(response)
}
