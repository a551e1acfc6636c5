//! `vigil serve`'s settings: a TOML file, then `VIGIL_*` environment variables, then flags,
//! each overriding the one before. Unknown keys are errors, so a misspelt setting is not
//! silently ignored.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::Config;

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {detail}")]
    Read { path: String, detail: String },
    #[error("configuration file {path}: {detail}")]
    Invalid { path: String, detail: String },
    #[error("environment variable {name}: {detail}")]
    Env { name: String, detail: String },
}

/// Everything `vigil serve` can be told; `None` means "not given here".
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ServeSettings {
    /// Address to listen on, `127.0.0.1:8080` by default.
    pub listen: Option<String>,
    /// PEM certificate chain and private key: both given, the server speaks HTTPS only.
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
    /// Largest list file accepted by `POST /api/v1/imports`, in bytes.
    pub upload_limit_bytes: Option<usize>,
    /// Largest body of `POST /api/v1/screen/batch`, in bytes.
    pub batch_limit_bytes: Option<usize>,
    pub request_timeout_seconds: Option<u64>,
    /// Per-token rate limit: requests per second on average, and burst.
    pub rate_per_sec: Option<f64>,
    pub burst: Option<f64>,
    /// Requests handled at once; beyond, the server answers 503 `overloaded` at once instead
    /// of queueing (default 256).
    pub max_in_flight: Option<usize>,
    /// How long a verified token is trusted before the store is asked again (default 1; 0:
    /// every request). A revoked token keeps working at most this long.
    pub auth_cache_seconds: Option<f64>,
    /// Run `vigil lists update` every this many hours (absent or 0: never).
    pub update_interval_hours: Option<f64>,
    /// The update's own TOML (sources and addresses), as for `vigil lists update --config`.
    pub update_config: Option<PathBuf>,
    /// Append the audit log's head (`vigil audit anchor`'s JSON line) to this file at start,
    /// every `audit_anchor_minutes` (default 60) and every `audit_anchor_entries` new entries
    /// (default: by time only), and at shutdown; keep it off the store's machine.
    pub audit_anchor_file: Option<PathBuf>,
    pub audit_anchor_minutes: Option<f64>,
    pub audit_anchor_entries: Option<u64>,
    /// The `[federation]` section: run this server as a federation node (docs/FEDERATION.md).
    pub federation: Option<FederationSettings>,
}

/// `[federation]`: `node_id` (this member state, `IN`), `url` (`nats://127.0.0.1:4222`) and
/// `prefix` of subjects and streams (`vigil`); `VIGIL_NODE_ID`, `VIGIL_FEDERATION` and the
/// flags `--node-id`, `--federation` override them.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederationSettings {
    pub node_id: Option<String>,
    pub url: Option<String>,
    pub prefix: Option<String>,
}

impl FederationSettings {
    fn overridden_by(self, over: FederationSettings) -> FederationSettings {
        FederationSettings {
            node_id: over.node_id.or(self.node_id),
            url: over.url.or(self.url),
            prefix: over.prefix.or(self.prefix),
        }
    }
}

impl ServeSettings {
    /// Reads a TOML file; errors name the file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError::Read {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        let settings: ServeSettings = toml::from_str(&text).map_err(|e| ConfigError::Invalid {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        settings.check().map_err(|detail| ConfigError::Invalid {
            path: path.display().to_string(),
            detail,
        })?;
        Ok(settings)
    }

    /// Settings from `VIGIL_LISTEN`, `VIGIL_TLS_CERT`… (the keys in upper case); `var` is
    /// `std::env::var` outside tests.
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Result<Self, ConfigError> {
        fn parse<T: std::str::FromStr>(
            var: &impl Fn(&str) -> Option<String>,
            name: &str,
        ) -> Result<Option<T>, ConfigError> {
            var(name)
                .map(|v| {
                    v.trim().parse().map_err(|_| ConfigError::Env {
                        name: name.to_string(),
                        detail: format!("{v:?} is not a valid value"),
                    })
                })
                .transpose()
        }
        let settings = ServeSettings {
            listen: var("VIGIL_LISTEN"),
            tls_cert: var("VIGIL_TLS_CERT").map(PathBuf::from),
            tls_key: var("VIGIL_TLS_KEY").map(PathBuf::from),
            upload_limit_bytes: parse(&var, "VIGIL_UPLOAD_LIMIT_BYTES")?,
            batch_limit_bytes: parse(&var, "VIGIL_BATCH_LIMIT_BYTES")?,
            request_timeout_seconds: parse(&var, "VIGIL_REQUEST_TIMEOUT_SECONDS")?,
            rate_per_sec: parse(&var, "VIGIL_RATE_PER_SEC")?,
            burst: parse(&var, "VIGIL_BURST")?,
            max_in_flight: parse(&var, "VIGIL_MAX_IN_FLIGHT")?,
            auth_cache_seconds: parse(&var, "VIGIL_AUTH_CACHE_SECONDS")?,
            update_interval_hours: parse(&var, "VIGIL_UPDATE_INTERVAL_HOURS")?,
            update_config: var("VIGIL_UPDATE_CONFIG").map(PathBuf::from),
            audit_anchor_file: var("VIGIL_AUDIT_ANCHOR_FILE").map(PathBuf::from),
            audit_anchor_minutes: parse(&var, "VIGIL_AUDIT_ANCHOR_MINUTES")?,
            audit_anchor_entries: parse(&var, "VIGIL_AUDIT_ANCHOR_ENTRIES")?,
            federation: match (var("VIGIL_NODE_ID"), var("VIGIL_FEDERATION")) {
                (None, None) => None,
                (node_id, url) => Some(FederationSettings {
                    node_id,
                    url,
                    prefix: None,
                }),
            },
        };
        settings.check().map_err(|detail| ConfigError::Env {
            name: "VIGIL_*".into(),
            detail,
        })?;
        Ok(settings)
    }

    fn check(&self) -> Result<(), String> {
        if self.tls_cert.is_some() != self.tls_key.is_some() {
            return Err("tls_cert and tls_key go together".into());
        }
        let positive = |name: &str, v: Option<f64>| match v {
            Some(x) if !(x.is_finite() && x > 0.0) => Err(format!("{name}: a positive number")),
            _ => Ok(()),
        };
        positive("rate_per_sec", self.rate_per_sec)?;
        positive("burst", self.burst)?;
        if self.max_in_flight == Some(0) {
            return Err("max_in_flight: a positive number of requests".into());
        }
        if let Some(h) = self.update_interval_hours {
            if !(h.is_finite() && h >= 0.0) {
                return Err("update_interval_hours: 0 (never) or a positive number".into());
            }
        }
        if let Some(s) = self.auth_cache_seconds {
            if !(s.is_finite() && (0.0..=3600.0).contains(&s)) {
                return Err("auth_cache_seconds: from 0 to 3600".into());
            }
        }
        if let Some(m) = self.audit_anchor_minutes {
            if !(m.is_finite() && m > 0.0 && m <= 1_000_000.0) {
                return Err("audit_anchor_minutes: a positive number up to 1000000".into());
            }
        }
        if self.audit_anchor_entries == Some(0) {
            return Err("audit_anchor_entries: at least 1".into());
        }
        if self.request_timeout_seconds == Some(0) {
            return Err("request_timeout_seconds: at least 1".into());
        }
        Ok(())
    }

    /// `self` with every setting `over` gives replaced.
    pub fn overridden_by(self, over: ServeSettings) -> ServeSettings {
        ServeSettings {
            listen: over.listen.or(self.listen),
            tls_cert: over.tls_cert.or(self.tls_cert),
            tls_key: over.tls_key.or(self.tls_key),
            upload_limit_bytes: over.upload_limit_bytes.or(self.upload_limit_bytes),
            batch_limit_bytes: over.batch_limit_bytes.or(self.batch_limit_bytes),
            request_timeout_seconds: over
                .request_timeout_seconds
                .or(self.request_timeout_seconds),
            rate_per_sec: over.rate_per_sec.or(self.rate_per_sec),
            burst: over.burst.or(self.burst),
            max_in_flight: over.max_in_flight.or(self.max_in_flight),
            auth_cache_seconds: over.auth_cache_seconds.or(self.auth_cache_seconds),
            update_interval_hours: over.update_interval_hours.or(self.update_interval_hours),
            update_config: over.update_config.or(self.update_config),
            audit_anchor_file: over.audit_anchor_file.or(self.audit_anchor_file),
            audit_anchor_minutes: over.audit_anchor_minutes.or(self.audit_anchor_minutes),
            audit_anchor_entries: over.audit_anchor_entries.or(self.audit_anchor_entries),
            federation: match (self.federation, over.federation) {
                (Some(a), Some(b)) => Some(a.overridden_by(b)),
                (a, b) => b.or(a),
            },
        }
    }

    pub fn listen(&self) -> &str {
        self.listen.as_deref().unwrap_or("127.0.0.1:8080")
    }

    /// The update interval, when updates are scheduled.
    pub fn update_interval(&self) -> Option<Duration> {
        self.update_interval_hours
            .filter(|h| *h > 0.0)
            .map(|h| Duration::from_secs_f64(h * 3600.0))
    }

    /// Where and how often to anchor the audit log: (file, interval, every this many entries).
    pub fn audit_anchor(&self) -> Option<(PathBuf, Duration, Option<u64>)> {
        self.audit_anchor_file.clone().map(|file| {
            let minutes = self.audit_anchor_minutes.unwrap_or(60.0);
            (
                file,
                Duration::from_secs_f64(minutes * 60.0),
                self.audit_anchor_entries,
            )
        })
    }

    /// The server's limits and rates.
    pub fn server_config(&self) -> Config {
        let d = Config::default();
        Config {
            upload_limit: self.upload_limit_bytes.unwrap_or(d.upload_limit),
            request_timeout: self
                .request_timeout_seconds
                .map(Duration::from_secs)
                .unwrap_or(d.request_timeout),
            rate_per_sec: self.rate_per_sec.unwrap_or(d.rate_per_sec),
            burst: self.burst.unwrap_or(d.burst),
            max_in_flight: self.max_in_flight.unwrap_or(d.max_in_flight),
            batch_body_limit: self.batch_limit_bytes.unwrap_or(d.batch_body_limit),
            auth_cache: self
                .auth_cache_seconds
                .map(Duration::from_secs_f64)
                .unwrap_or(d.auth_cache),
        }
    }
}
