//! `POST /match/{dataset}`, shaped like yente's matching API so that OpenSanctions clients work
//! against Vigil unchanged: the same request, response and parameters. Every `algorithm` name
//! is accepted and scored by Vigil's own engine (docs/API.md lists the gaps).

use std::collections::{BTreeMap, HashMap};

use axum::extract::State;
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use vigil_model::Caller;
use vigil_screen::{parse_schema, Match, Query, DEFAULT_THRESHOLD};
use vigil_store::Outcome;

use crate::error::{ApiError, ApiResult, ErrorCode};
use crate::extract::{ApiJson, ApiPath, ApiQuery, Auth};
use crate::queries::MAX_NAME_CHARS;
use crate::screening::{audit_screening, reference, Found, Snapshot};
use crate::AppState;

/// Most queries in one request, as in yente.
const MAX_QUERIES: usize = 100;
/// Most results per query, as in yente.
const MAX_LIMIT: usize = 500;
/// Most names of one query that are screened.
const MAX_NAMES: usize = 20;

/// yente's algorithm names; all are served by Vigil's scorer.
const ALGORITHMS: &[&str] = &[
    "best",
    "logic-v1",
    "logic-v2",
    "name-based",
    "name-qualified",
    "regression-v1",
    "regression-v2",
    "regression-v3",
];

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchParams {
    threshold: Option<f32>,
    cutoff: Option<f32>,
    limit: Option<usize>,
    algorithm: Option<String>,
    // Accepted so that yente clients' requests are not refused; see docs/API.md.
    #[allow(dead_code)]
    topics: Option<String>,
    #[allow(dead_code)]
    changed_since: Option<String>,
    #[allow(dead_code)]
    exclude_schema: Option<String>,
    #[allow(dead_code)]
    exclude_dataset: Option<String>,
    #[allow(dead_code)]
    include_dataset: Option<String>,
}

/// yente's `EntityMatchQuery`; `weights` and `config` tune yente's scorers and are ignored.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MatchRequest {
    queries: BTreeMap<String, QueryEntity>,
    #[serde(default)]
    #[allow(dead_code)]
    weights: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    config: Option<Value>,
}

#[derive(Deserialize)]
pub struct QueryEntity {
    #[serde(default)]
    id: Option<String>,
    schema: String,
    #[serde(default)]
    properties: Map<String, Value>,
}

/// A property's values: yente takes a list of strings, or a single string.
fn values(props: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match props.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(String::from)
                    .ok_or_else(|| format!("properties.{key}: a list of strings"))
            })
            .collect(),
        Some(_) => Err(format!("properties.{key}: a list of strings")),
    }
}

fn queries_of(key: &str, q: &QueryEntity) -> ApiResult<Vec<Query>> {
    let bad = |m: String| ApiError::new(ErrorCode::InvalidBody, format!("queries.{key}: {m}"));
    let schema = parse_schema(&q.schema).map_err(|e| bad(e.to_string()))?;
    let get = |k: &str| values(&q.properties, k).map_err(bad);
    let names: Vec<String> = get("name")?
        .into_iter()
        .chain(get("alias")?)
        .filter(|n| !n.trim().is_empty())
        .collect();
    if names.is_empty() {
        return Err(bad("properties.name: give at least one name".into()));
    }
    if names.len() > MAX_NAMES || names.iter().any(|n| n.chars().count() > MAX_NAME_CHARS) {
        return Err(bad(format!(
            "at most {MAX_NAMES} names of at most {MAX_NAME_CHARS} characters"
        )));
    }
    let birth_date = get("birthDate")?.into_iter().next();
    let nationality = get("nationality")?
        .into_iter()
        .chain(get("citizenship")?)
        .chain(get("country")?)
        .next();
    let documents: Vec<String> = get("idNumber")?
        .into_iter()
        .chain(get("passportNumber")?)
        .chain(get("registrationNumber")?)
        .chain(get("imoNumber")?)
        .take(20)
        .collect();
    Ok(names
        .into_iter()
        .map(|name| Query {
            schema,
            name,
            birth_date: birth_date.clone(),
            nationality: nationality.clone(),
            documents: documents.clone(),
        })
        .collect())
}

/// Features in yente's style: named contributions to the score.
fn features(m: &Match) -> Value {
    let mut f = Map::new();
    f.insert("name_score".into(), json!(m.explanation.name_score));
    for a in &m.explanation.adjustments {
        if let Ok(Value::String(factor)) = serde_json::to_value(a.factor) {
            f.insert(factor, json!(a.delta));
        }
    }
    Value::Object(f)
}

fn result(
    snapshot: &Snapshot,
    caller: &Caller,
    secret: &[u8],
    m: &Match,
    threshold: f32,
    found: &mut Found,
) -> Option<Value> {
    let record = snapshot.record(&m.id)?;
    let is_match = m.score >= threshold;
    if !snapshot.visible(caller, record) {
        let originator = snapshot.originator(record.entity.id.list()).to_string();
        let reference = reference(secret, &m.id);
        found
            .restricted
            .push((reference.clone(), m.id.clone(), originator.clone()));
        // yente clients parse every result as an entity: the FtM root schema and a fixed
        // caption say nothing about the record.
        return Some(json!({
            "id": reference,
            "caption": "Restricted record",
            "schema": "Thing",
            "properties": {},
            "datasets": [],
            "referents": [],
            "target": true,
            "score": m.score,
            "match": is_match,
            "features": {},
            "restricted": true,
            "originator": originator,
            "reference": reference,
        }));
    }
    found.hits.push(m.id.clone());
    let ftm = vigil_formats::ftm::entity_to_ftm(&record.entity);
    let main = ftm.first().cloned().unwrap_or(Value::Null);
    Some(json!({
        "id": m.id,
        "caption": record.entity.caption(),
        "schema": main.get("schema").cloned().unwrap_or(Value::Null),
        "properties": main.get("properties").cloned().unwrap_or_else(|| json!({})),
        "datasets": [record.entity.id.list()],
        "referents": [],
        "target": record.listed,
        "score": m.score,
        "match": is_match,
        "features": features(m),
        "explanation": m.explanation,
    }))
}

pub async fn match_dataset(
    State(state): State<AppState>,
    Auth(caller): Auth,
    token: Option<axum::Extension<crate::TokenUse>>,
    ApiPath(dataset): ApiPath<String>,
    ApiQuery(params): ApiQuery<MatchParams>,
    ApiJson(request): ApiJson<MatchRequest>,
) -> ApiResult<Json<Value>> {
    let threshold = params.threshold.unwrap_or(DEFAULT_THRESHOLD);
    let cutoff = params.cutoff.unwrap_or(0.5).min(threshold);
    if !(0.0..=1.0).contains(&threshold) || !(0.0..=1.0).contains(&cutoff) {
        return Err(ApiError::invalid("threshold, cutoff: numbers from 0 to 1"));
    }
    let limit = params.limit.unwrap_or(5);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::invalid(format!("limit: from 1 to {MAX_LIMIT}")));
    }
    let algorithm = params.algorithm.unwrap_or_else(|| "logic-v2".into());
    if !ALGORITHMS.contains(&algorithm.as_str()) {
        return Err(ApiError::invalid(format!(
            "algorithm: one of {} (all are scored by Vigil's engine)",
            ALGORITHMS.join(", ")
        )));
    }
    if request.queries.len() > MAX_QUERIES {
        return Err(ApiError::new(
            ErrorCode::PayloadTooLarge,
            format!("at most {MAX_QUERIES} queries per request"),
        ));
    }
    let snapshot = state.screening.snapshot(&state.store).await?;
    let list = match dataset.as_str() {
        "default" => None,
        name if snapshot.origins.contains_key(name) => Some(name.to_string()),
        _ => {
            return Err(ApiError::new(
                ErrorCode::NotFound,
                "no such dataset: use `default` or a list name",
            ))
        }
    };
    let mut parsed = Vec::new();
    for (key, q) in &request.queries {
        parsed.push((key, q, queries_of(key, q)?));
    }
    let secret = state.screening.secret_bytes(&state.store).await?;
    let mut found = Found::default();
    let mut responses = Map::new();
    // Restricting to one list after retrieval could leave too few: ask for more then.
    let fetch = if list.is_some() { limit * 4 } else { limit };
    for (key, q, queries) in parsed {
        let mut best: HashMap<String, Match> = HashMap::new();
        for query in &queries {
            for m in snapshot.index.screen(query, cutoff, fetch) {
                if list
                    .as_deref()
                    .is_some_and(|l| !m.id.starts_with(&format!("{l}:")))
                {
                    continue;
                }
                match best.get(&m.id) {
                    Some(old) if old.score >= m.score => {}
                    _ => {
                        best.insert(m.id.clone(), m);
                    }
                }
            }
        }
        let mut matches: Vec<Match> = best.into_values().collect();
        matches.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        let total = matches.len();
        let results: Vec<Value> = matches
            .iter()
            .take(limit)
            .filter_map(|m| result(&snapshot, &caller, &secret, m, threshold, &mut found))
            .collect();
        responses.insert(
            key.clone(),
            json!({
                "status": 200,
                "results": results,
                "total": {"value": total, "relation": "eq"},
                "query": {"id": q.id, "schema": q.schema, "properties": q.properties},
            }),
        );
    }
    audit_screening(
        &state,
        token.as_ref().map(|axum::Extension(t)| t),
        &caller,
        "match",
        responses.len(),
        &found,
        Outcome::Success,
    )
    .await?;
    crate::exchange::auto_alerts(&state, &caller, &snapshot, &found).await;
    Ok(Json(json!({
        "responses": responses,
        "matcher": {"name": algorithm, "scorer": "vigil"},
        "limit": limit,
    })))
}
