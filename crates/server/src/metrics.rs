//! Prometheus text exposition, written by hand: request counts and a latency histogram by
//! route template and status, and the age of each list's latest import.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;

use crate::AppState;

/// Histogram bucket bounds in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Default)]
struct Series {
    count: u64,
    sum: f64,
    buckets: [u64; BUCKETS.len()],
}

#[derive(Default)]
pub struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
    screened: AtomicU64,
    /// Figures another part of the process renders itself (the federation node's), appended
    /// as they are.
    extra: Mutex<String>,
}

impl Metrics {
    /// Replaces the appended figures (Prometheus text).
    pub fn set_extra(&self, text: String) {
        if let Ok(mut extra) = self.extra.lock() {
            *extra = text;
        }
    }

    pub fn count_screened(&self, queries: usize) {
        self.screened.fetch_add(queries as u64, Ordering::Relaxed);
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let secs = elapsed.as_secs_f64();
        if let Ok(mut series) = self.series.lock() {
            let s = series
                .entry((method.to_string(), route.to_string(), status))
                .or_default();
            s.count += 1;
            s.sum += secs;
            for (i, bound) in BUCKETS.iter().enumerate() {
                if secs <= *bound {
                    s.buckets[i] += 1;
                }
            }
        }
    }

    fn render_requests(&self, out: &mut String) {
        let Ok(series) = self.series.lock() else {
            return;
        };
        out.push_str("# HELP vigil_http_requests_total HTTP requests by route and status.\n");
        out.push_str("# TYPE vigil_http_requests_total counter\n");
        for ((method, route, status), s) in series.iter() {
            let _ = writeln!(
                out,
                "vigil_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}",
                escape(route),
                s.count
            );
        }
        out.push_str(
            "# HELP vigil_http_request_duration_seconds HTTP request latency by route and status.\n",
        );
        out.push_str("# TYPE vigil_http_request_duration_seconds histogram\n");
        for ((method, route, status), s) in series.iter() {
            let labels = format!(
                "method=\"{method}\",route=\"{}\",status=\"{status}\"",
                escape(route)
            );
            for (bound, n) in BUCKETS.iter().zip(s.buckets) {
                let _ = writeln!(
                    out,
                    "vigil_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {n}"
                );
            }
            let _ = writeln!(
                out,
                "vigil_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}",
                s.count
            );
            let _ = writeln!(
                out,
                "vigil_http_request_duration_seconds_sum{{{labels}}} {}",
                s.sum
            );
            let _ = writeln!(
                out,
                "vigil_http_request_duration_seconds_count{{{labels}}} {}",
                s.count
            );
        }
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

/// Seconds since the Unix epoch of an RFC 3339 UTC timestamp as the store writes it.
pub(crate) fn unix_seconds(ts: &str) -> Option<i64> {
    let num = |range: std::ops::Range<usize>| ts.get(range)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (
        num(11..13).unwrap_or(0),
        num(14..16).unwrap_or(0),
        num(17..19).unwrap_or(0),
    );
    // Howard Hinnant's days-from-civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * 86_400 + hh * 3600 + mm * 60 + ss)
}

/// `GET /metrics`. List names are labels; they name lists, never records.
pub async fn render(State(state): State<AppState>) -> impl IntoResponse {
    let mut out = String::new();
    state.metrics.render_requests(&mut out);
    out.push_str("# HELP vigil_screened_queries_total Queries screened.\n");
    out.push_str("# TYPE vigil_screened_queries_total counter\n");
    let _ = writeln!(
        out,
        "vigil_screened_queries_total {}",
        state.metrics.screened.load(Ordering::Relaxed)
    );
    if let Some(snapshot) = state.screening.peek() {
        let (entities, names) = snapshot.index.len();
        out.push_str("# HELP vigil_index_entities Listed entities in the screening index.\n");
        out.push_str("# TYPE vigil_index_entities gauge\n");
        let _ = writeln!(out, "vigil_index_entities {entities}");
        out.push_str("# HELP vigil_index_names Names in the screening index.\n");
        out.push_str("# TYPE vigil_index_names gauge\n");
        let _ = writeln!(out, "vigil_index_names {names}");
    }
    if let Ok(origins) = state.store.list_origins().await {
        let now = unix_seconds(&vigil_model::utc_now_rfc3339()).unwrap_or(0);
        out.push_str("# HELP vigil_list_age_seconds Seconds since each list's latest import.\n");
        out.push_str("# TYPE vigil_list_age_seconds gauge\n");
        for o in origins {
            if let Some(at) = o.latest_import.as_deref().and_then(unix_seconds) {
                let _ = writeln!(
                    out,
                    "vigil_list_age_seconds{{list=\"{}\"}} {}",
                    escape(&o.name),
                    now - at
                );
            }
        }
    }
    if let Ok(extra) = state.metrics.extra.lock() {
        out.push_str(&extra);
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn timestamps() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00.000000Z"), Some(0));
        assert_eq!(unix_seconds("2024-01-01T00:00:01Z"), Some(1_704_067_201));
        assert_eq!(unix_seconds("garbage"), None);
    }
}
