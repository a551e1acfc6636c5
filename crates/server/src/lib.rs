//! Vigil's HTTP API (`vigil serve`): the register under `/api/v1`, bearer-token authentication,
//! per-state access control on every read path, and an audit entry for every write, every read
//! of restricted data and every token use. The only crate that knows HTTP.
//!
//! Errors are RFC 9457 problem documents; [`ErrorCode`] lists them all.

mod config;
pub mod council;
pub mod council_demo;
mod error;
pub mod exchange;
mod extract;
pub mod manifests;
mod metrics;
pub mod notices;
mod openapi;
pub mod queries;
mod routes;
mod screening;
mod taxii;
mod tls;
mod yente;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::extract::{MatchedPath, OriginalUri, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::Router;
use sha2::{Digest, Sha256};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use vigil_store::{
    AuditEntry, AuditQueue, Authenticated, NewAuditEntry, Outcome, Refusal, Store, StoreError,
};

pub use config::{ConfigError, FederationSettings, ServeSettings};
pub use error::{ApiError, ErrorCode};
pub use openapi::{openapi, ROUTES};
pub use screening::reference;
pub use tls::{server_config as tls_config, TlsError, TlsListener};

/// Limits and rates; the defaults suit a server shared by a few dozen authorities.
#[derive(Debug, Clone)]
pub struct Config {
    /// Largest list file accepted by `POST /api/v1/imports`.
    pub upload_limit: usize,
    pub request_timeout: Duration,
    /// Requests per second a token may make on average…
    pub rate_per_sec: f64,
    /// …and in a burst.
    pub burst: f64,
    /// Largest body of `POST /api/v1/screen/batch`.
    pub batch_body_limit: usize,
    /// How long a verified token is trusted without asking the store again. A token revoked
    /// (or expiring) meanwhile keeps working that long at most; zero asks every time.
    pub auth_cache: Duration,
    /// Requests handled at once; more are shed with a 503 (`overloaded`) rather than queued,
    /// so that an overload shows as refusals, not as latency for everyone and memory growth.
    pub max_in_flight: usize,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            upload_limit: 64 * 1024 * 1024,
            request_timeout: Duration::from_secs(30),
            rate_per_sec: 50.0,
            burst: 200.0,
            batch_body_limit: 16 * 1024 * 1024,
            auth_cache: Duration::from_secs(1),
            max_in_flight: 256,
        }
    }
}

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub config: Arc<Config>,
    buckets: Arc<Mutex<HashMap<i64, Bucket>>>,
    pub metrics: Arc<metrics::Metrics>,
    pub screening: Arc<screening::Screening>,
    audit_queue: Arc<std::sync::OnceLock<AuditQueue>>,
    /// SHA-256 of a token → when it was verified, and for whom.
    auth_cache: Arc<Mutex<AuthCache>>,
    /// One permit per request being handled (see [`Config::max_in_flight`]).
    in_flight: Arc<tokio::sync::Semaphore>,
}

type AuthCache = HashMap<[u8; 32], (Instant, Authenticated)>;

/// Beyond this many cached tokens the cache starts over, bounding its memory.
const AUTH_CACHE_MAX: usize = 10_000;

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl AppState {
    pub fn new(store: Store, config: Config) -> Self {
        Self {
            store,
            buckets: Arc::new(Mutex::new(HashMap::new())),
            metrics: Arc::new(metrics::Metrics::default()),
            screening: Arc::new(screening::Screening::default()),
            audit_queue: Arc::new(std::sync::OnceLock::new()),
            auth_cache: Arc::new(Mutex::new(HashMap::new())),
            in_flight: Arc::new(tokio::sync::Semaphore::new(config.max_in_flight)),
            config: Arc::new(config),
        }
    }

    /// Appends an audit entry through the group-commit writer and waits for its commit. The
    /// writer starts on first use, inside the runtime that serves requests.
    pub async fn audit(&self, entry: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        self.audit_queue
            .get_or_init(|| AuditQueue::start(self.store.clone()))
            .append(entry.clone())
            .await
    }

    /// Builds the screening snapshot now rather than on the first request.
    pub async fn prepare(&self) -> Result<(), ApiError> {
        self.screening.refresh(&self.store).await.map(|_| ())
    }

    /// Rebuilds the screening snapshot after a change to the register. The write has committed
    /// already, so a failed rebuild is logged, not reported to the writer; the old snapshot
    /// keeps serving.
    pub async fn register_changed(&self) {
        if let Err(e) = self.screening.refresh(&self.store).await {
            tracing::error!(error = %e.detail, "cannot rebuild the screening index");
        }
    }

    /// The token's verdict: from the cache while fresh, else from the store. Only successes
    /// are cached, so a refused token is looked up (and audited) every time.
    async fn authenticate_token(
        &self,
        token: &str,
    ) -> Result<Result<Authenticated, Refusal>, StoreError> {
        let ttl = self.config.auth_cache;
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        if !ttl.is_zero() {
            if let Ok(cache) = self.auth_cache.lock() {
                if let Some((at, auth)) = cache.get(&key) {
                    if at.elapsed() < ttl {
                        return Ok(Ok(auth.clone()));
                    }
                }
            }
        }
        let verdict = self.store.authenticate(token).await?;
        if let (Ok(auth), false) = (&verdict, ttl.is_zero()) {
            if let Ok(mut cache) = self.auth_cache.lock() {
                if cache.len() >= AUTH_CACHE_MAX {
                    cache.clear();
                }
                cache.insert(key, (Instant::now(), auth.clone()));
            }
        }
        Ok(verdict)
    }

    /// Takes one token from the token's bucket; false when it is empty.
    fn allow(&self, token_id: i64) -> bool {
        let Ok(mut buckets) = self.buckets.lock() else {
            // A poisoned lock means a panic elsewhere; do not lock every client out for it.
            return true;
        };
        let now = Instant::now();
        let (rate, burst) = (self.config.rate_per_sec, self.config.burst);
        let bucket = buckets.entry(token_id).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let refill = now.duration_since(bucket.at).as_secs_f64() * rate;
        bucket.tokens = (bucket.tokens + refill).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The whole application: API routes behind authentication, open health and metrics routes.
pub fn app(store: Store, config: Config) -> Router {
    router(AppState::new(store, config))
}

/// The application on a given state (which the caller keeps to refresh the index, say).
pub fn router(state: AppState) -> Router {
    let timeout = state.config.request_timeout;
    let api = Router::new()
        .route("/entities", get(routes::search_entities))
        .route("/entities/{id}", get(routes::show_entity))
        .route("/entities/{id}/history", get(routes::entity_history))
        .route("/lists", get(routes::lists))
        .route("/lists/{name}/revisions", get(routes::revisions))
        .route("/lists/{name}/diff", get(routes::diff))
        .route("/designations", post(routes::add_designation))
        .route(
            "/designations/{id}",
            put(routes::amend_designation).delete(routes::withdraw_designation),
        )
        .route("/imports", post(routes::import_upload))
        .route("/notices", post(notices::declare).get(notices::list))
        .route("/notices/import", post(notices::import))
        .route("/notices/{id}", get(notices::show))
        .route("/notices/{id}/steps", post(notices::step))
        .route("/notices/{id}/export", get(notices::export))
        .route("/audit", get(routes::audit_log))
        .route("/screen", post(screening::screen_one))
        .route("/screen/batch", post(screening::screen_batch))
        .route("/references/{reference}", get(routes::resolve_reference))
        .merge(council_routes())
        // The exchange (issue 5).
        .route("/messages", post(exchange::send).get(exchange::list))
        .route("/messages/{id}", get(exchange::show))
        .route("/messages/{id}/reply", post(exchange::reply))
        .route("/messages/{id}/forward", post(exchange::forward))
        .route(
            "/messages/{id}/attachments/{index}",
            get(exchange::attachment),
        )
        .route("/references/{reference}/request", post(exchange::follow_up))
        .route(
            "/exchange/policy",
            get(exchange::get_policy).put(exchange::put_policy),
        )
        .route(
            "/exchange/stix",
            get(exchange::export_stix).post(exchange::import_stix),
        )
        // Traveller manifests (issue 12).
        .route("/manifests", post(manifests::upload))
        .route(
            "/watch-rule",
            get(manifests::get_watch_rule).put(manifests::put_watch_rule),
        )
        .route("/encounters", get(manifests::encounters))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));
    let taxii = Router::new()
        .route("/taxii2/", get(taxii::discovery))
        .route("/taxii2/api/", get(taxii::api_root))
        .route("/taxii2/api/collections/", get(taxii::collections))
        .route(
            "/taxii2/api/collections/{id}/",
            get(taxii::collection_resource),
        )
        .route("/taxii2/api/collections/{id}/objects/", get(taxii::objects))
        .route(
            "/taxii2/api/collections/{id}/manifest/",
            get(taxii::manifest),
        )
        .route(
            "/taxii2/api/collections/{id}/objects/{object_id}/",
            get(taxii::object),
        )
        .route(
            "/taxii2/api/collections/{id}/objects/{object_id}/versions/",
            get(taxii::versions),
        )
        .layer(middleware::from_fn_with_state(state.clone(), authenticate))
        .layer(middleware::from_fn(taxii::taxii_errors));
    let yente = Router::new()
        .route("/match/{dataset}", post(yente::match_dataset))
        .layer(middleware::from_fn_with_state(state.clone(), authenticate));
    Router::new()
        .nest("/api/v1", api)
        .merge(taxii)
        .merge(yente)
        .route("/healthz", get(routes::healthz))
        .route("/readyz", get(routes::readyz))
        .route("/metrics", get(metrics::render))
        .route("/api/openapi.json", get(routes::openapi_document))
        .fallback(|| async {
            ApiError::new(
                ErrorCode::RouteNotFound,
                "see /api/openapi.json for the endpoints",
            )
        })
        .method_not_allowed_fallback(|| async {
            ApiError::new(ErrorCode::MethodNotAllowed, "see /api/openapi.json")
        })
        .layer(middleware::from_fn_with_state(state.clone(), shed_load))
        .layer(middleware::from_fn_with_state(state.clone(), measure))
        .layer(TimeoutLayer::with_status_code(
            StatusCode::REQUEST_TIMEOUT,
            timeout,
        ))
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// The council's business, under `/api/v1/council` (see `council.rs`).
fn council_routes() -> Router<AppState> {
    use council as c;
    Router::new()
        .route("/council/members", get(c::members).post(c::add_member))
        .route("/council/representatives", post(c::add_representative))
        .route("/council/chair", get(c::chair))
        .route("/council/chair/rotation", put(c::set_rotation))
        .route("/council/chair/terms", post(c::record_term))
        .route(
            "/council/meetings",
            get(c::meetings).post(c::create_meeting),
        )
        .route("/council/meetings/{id}", get(c::meeting))
        .route("/council/meetings/{id}/ics", get(c::meeting_ics))
        .route("/council/meetings/{id}/minutes", put(c::set_minutes))
        .route("/council/meetings/{id}/delegates", post(c::add_delegate))
        .route("/council/meetings/{id}/documents", post(c::add_document))
        .route(
            "/council/decisions",
            get(c::decisions).post(c::create_decision),
        )
        .route("/council/decisions/{id}", get(c::decision))
        .route(
            "/council/decisions/{id}/positions",
            post(c::record_position),
        )
        .route("/council/decisions/{id}/adopt", post(c::adopt))
        .route("/council/decisions/{id}/tasks", post(c::add_task))
        .route("/council/tasks", get(c::tasks))
        .route("/council/tasks/{id}/reports", post(c::report_task))
        .route("/council/budgets/{year}", get(c::budget).put(c::set_budget))
        .route("/council/budgets/{year}/payments", post(c::record_payment))
        .route("/council/plans", get(c::plans).post(c::create_plan))
        .route("/council/plans/{id}/actions", post(c::add_action))
        .route("/council/actions/{id}", put(c::set_action_status))
        .route("/council/report", get(c::report))
        // gaps of issues 5 and 6
        .route("/council/bodies", get(c::bodies).post(c::add_body))
        .route("/council/plans/{id}/evaluation", put(c::set_evaluation))
}

/// Checks the bearer token, audits its use (as a `login` entry, or within the screening
/// handler's own entry), applies the token's rate limit, and hands the caller to the handlers.
async fn authenticate(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let token = req
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .map(str::to_string);
    let Some(token) = token else {
        return ApiError::new(
            ErrorCode::MissingToken,
            "send `Authorization: Bearer TOKEN`",
        )
        .into_response();
    };
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map(|u| u.0.path().to_string())
        .unwrap_or_else(|| req.uri().path().to_string());
    let verdict = match state.authenticate_token(&token).await {
        Ok(v) => v,
        Err(e) => return ApiError::from(e).into_response(),
    };
    let auth = match verdict {
        Ok(auth) => auth,
        Err(refusal) => {
            let entry = NewAuditEntry::new("-", "-", "login", Outcome::Denied).detail(format!(
                "{} on {} {path}",
                refusal.as_str(),
                req.method()
            ));
            if let Err(e) = state.audit(&entry).await {
                return ApiError::from(e).into_response();
            }
            return ApiError::new(
                ErrorCode::InvalidToken,
                "the token is unknown, expired or revoked",
            )
            .into_response();
        }
    };
    let caller = auth.caller;
    let allowed = state.allow(auth.token_id);
    if allowed && folds_token_use(req.method(), &path) {
        // The handler's own entry records the token use; should it answer without one (bad
        // input refused before screening), the login entry is appended here before the answer.
        let token_use = TokenUse::new(auth.token_id);
        req.extensions_mut().insert(caller.clone());
        req.extensions_mut().insert(token_use.clone());
        let method = req.method().clone();
        let response = next.run(req).await;
        if token_use.recorded() {
            return response;
        }
        let entry = NewAuditEntry::new(&caller.user, &caller.authority, "login", Outcome::Success)
            .detail(format!("token {} on {method} {path}", auth.token_id));
        return match state.audit(&entry).await {
            Ok(_) => response,
            Err(e) => ApiError::from(e).into_response(),
        };
    }
    let entry = NewAuditEntry::new(
        &caller.user,
        &caller.authority,
        "login",
        if allowed {
            Outcome::Success
        } else {
            Outcome::Denied
        },
    )
    .detail(format!(
        "token {} on {} {path}{}",
        auth.token_id,
        req.method(),
        if allowed { "" } else { " (rate limited)" }
    ));
    if let Err(e) = state.audit(&entry).await {
        return ApiError::from(e).into_response();
    }
    if !allowed {
        return ApiError::new(ErrorCode::RateLimited, "slow down; retry in a second")
            .into_response();
    }
    req.extensions_mut().insert(caller);
    next.run(req).await
}

/// Routes whose handler always appends an audit entry naming the token (the screening
/// endpoints): for them the token use is recorded in that entry rather than in a `login` entry
/// of its own, one append per request instead of two.
fn folds_token_use(method: &axum::http::Method, path: &str) -> bool {
    method == axum::http::Method::POST
        && (path == "/api/v1/screen"
            || path == "/api/v1/screen/batch"
            || path.starts_with("/match/"))
}

/// A token's use by the request in flight, for a handler to record in its own audit entry
/// (see [`folds_token_use`]). Marked once that entry has committed.
#[derive(Clone, Debug)]
pub(crate) struct TokenUse {
    pub token_id: i64,
    recorded: Arc<std::sync::atomic::AtomicBool>,
}

impl TokenUse {
    fn new(token_id: i64) -> Self {
        Self {
            token_id,
            recorded: Arc::new(std::sync::atomic::AtomicBool::new(false)),
        }
    }
    /// The entry that carries this token use has committed.
    pub(crate) fn mark_recorded(&self) {
        self.recorded
            .store(true, std::sync::atomic::Ordering::Release);
    }
    fn recorded(&self) -> bool {
        self.recorded.load(std::sync::atomic::Ordering::Acquire)
    }
}

/// Sheds load: a request beyond [`Config::max_in_flight`] is answered 503 at once. Health and
/// metrics stay answered, so that an overloaded server is seen as alive and busy.
async fn shed_load(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if matches!(path, "/healthz" | "/readyz" | "/metrics") {
        return next.run(req).await;
    }
    match state.in_flight.clone().try_acquire_owned() {
        Ok(_permit) => next.run(req).await,
        // Counted by `measure` (outside this layer) as 503s of the route.
        Err(_) => ApiError::new(
            ErrorCode::Overloaded,
            format!(
                "more than {} requests in flight; retry after a second",
                state.config.max_in_flight
            ),
        )
        .into_response(),
    }
}

/// Counts requests and their latency by route template (never by concrete path, which could
/// carry a record id) and status.
async fn measure(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string())
        .unwrap_or_else(|| "unmatched".to_string());
    let method = req.method().to_string();
    let start = Instant::now();
    let response = next.run(req).await;
    state
        .metrics
        .observe(&method, &route, response.status().as_u16(), start.elapsed());
    response
}

/// Serves `app` on `listener` until ctrl-c or SIGTERM, letting requests in flight finish.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> std::io::Result<()> {
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown_signal())
    .await
}

/// Serves `app` over TLS on `listener` until ctrl-c or SIGTERM, letting requests in flight
/// finish.
pub async fn serve_tls(listener: TlsListener, app: Router) -> std::io::Result<()> {
    axum::serve(listener, app.into_make_service())
        .with_graceful_shutdown(shutdown_signal())
        .await
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
    tracing::info!("shutting down: finishing requests in flight");
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use tower::ServiceExt;

    async fn status_of(app: &Router, uri: &str) -> (u16, String) {
        let request = axum::http::Request::builder()
            .uri(uri)
            .body(Body::empty())
            .unwrap_or_default();
        let response = match app.clone().oneshot(request).await {
            Ok(r) => r,
            Err(never) => match never {},
        };
        let status = response.status().as_u16();
        let retry = response
            .headers()
            .get(axum::http::header::RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        (status, retry)
    }

    #[tokio::test]
    async fn requests_beyond_the_in_flight_limit_are_shed_health_is_not() {
        let db = vigil_testkit::TestDb::sqlite();
        let Ok(store) = Store::open(&db.location).await else {
            panic!("the test store opens");
        };
        let config = Config {
            max_in_flight: 2,
            ..Config::default()
        };
        let state = AppState::new(store, config);
        let app = router(state.clone());
        // Two requests are in flight (their permits held here): the third is refused at once.
        let Ok(held) = state.in_flight.clone().try_acquire_many_owned(2) else {
            panic!("two permits");
        };
        assert_eq!(status_of(&app, "/api/v1/lists").await, (503, "1".into()));
        assert_eq!(status_of(&app, "/healthz").await.0, 200);
        assert_eq!(status_of(&app, "/metrics").await.0, 200);
        drop(held);
        // With the permits back, the same request reaches authentication (no token: 401).
        assert_eq!(status_of(&app, "/api/v1/lists").await.0, 401);
    }
}
