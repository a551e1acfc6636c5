//! `vigil bench soak`: mixed traffic against a running `vigil serve` at a fixed rate — screening
//! (officer), exchange requests and list reads (analyst), and re-uploads of a list (admin) — while
//! the server's memory is sampled. Prints one JSON line: requests and statuses per kind,
//! latency percentiles, the server's resident memory over time, and this load tool's own CPU
//! share (it runs on the same machine as the server).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{bail, Context, Result};
use clap::Args;
use serde_json::json;

#[derive(Args, Debug, Clone)]
pub struct SoakArgs {
    /// The server, e.g. http://127.0.0.1:8080.
    #[arg(long)]
    url: String,
    /// An officer's token (screening).
    #[arg(long)]
    officer_token: String,
    /// An analyst's token (exchange requests to --recipient).
    #[arg(long)]
    analyst_token: String,
    /// An admin's token (list uploads of --list-file).
    #[arg(long)]
    admin_token: String,
    /// The authority the analyst's requests go to…
    #[arg(long, default_value = "RU")]
    recipient: String,
    /// …about this register entity.
    #[arg(long, default_value = "ru:1")]
    subject: String,
    /// A national list file re-uploaded now and then (already imported: a no-op revision check).
    #[arg(long)]
    list_file: PathBuf,
    #[arg(long, default_value_t = 60.0)]
    seconds: f64,
    /// Requests per second in all, spread over the workers.
    #[arg(long, default_value_t = 100.0)]
    rate: f64,
    #[arg(long, default_value_t = 8)]
    workers: usize,
    /// The server's process id, to sample its resident memory (Linux /proc).
    #[arg(long)]
    server_pid: Option<u32>,
}

/// What each request is, by share of the traffic (per mille).
const MIX: [(Kind, u32); 4] = [
    (Kind::Screen, 850),
    (Kind::Message, 100),
    (Kind::Read, 45),
    (Kind::Upload, 5),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Screen,
    Message,
    Read,
    Upload,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Screen => "screen",
            Kind::Message => "message",
            Kind::Read => "read",
            Kind::Upload => "upload",
        }
    }
    /// The kind of the `n`-th request: the mix laid out deterministically over 1,000 requests.
    fn of(n: u64) -> Kind {
        let slot = ((n.wrapping_mul(7919)) % 1000) as u32;
        let mut acc = 0;
        for (kind, share) in MIX {
            acc += share;
            if slot < acc {
                return kind;
            }
        }
        Kind::Screen
    }
}

const NAMES: [&str; 12] = [
    "Abu Bakr al-Baghdadi",
    "Абу Бакр аль-Багдади",
    "Usama bin Ladin",
    "أسامة بن لادن",
    "Hizb ut-Tahrir",
    "Хизб ут-Тахрир",
    "Ivan Petrovich Sidorov",
    "Aiman al-Zawahiri",
    "Jamaat Ansarullah",
    "Lashkar-e-Tayyiba",
    "Mohammed Omar",
    "Islamic Movement of Uzbekistan",
];

#[derive(Default)]
struct Tally {
    statuses: BTreeMap<(Kind, u16), u64>,
    /// Transport errors (no HTTP answer at all), by kind.
    failures: BTreeMap<Kind, u64>,
    latencies_us: BTreeMap<Kind, Vec<u64>>,
}

fn percentile(sorted: &[u64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[at.min(sorted.len() - 1)] as f64 / 1000.0
}

fn rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn send(agent: &ureq::Agent, a: &SoakArgs, kind: Kind, n: u64, list: &[u8]) -> Result<u16> {
    let bearer = |t: &str| format!("Bearer {t}");
    let response = match kind {
        Kind::Screen => agent
            .post(&format!("{}/api/v1/screen", a.url))
            .header("Authorization", &bearer(&a.officer_token))
            .header("Content-Type", "application/json")
            .send(json!({"name": NAMES[(n as usize) % NAMES.len()]}).to_string()),
        Kind::Message => agent
            .post(&format!("{}/api/v1/messages", a.url))
            .header("Authorization", &bearer(&a.analyst_token))
            .header("Content-Type", "application/json")
            .send(
                json!({
                    "kind": "request",
                    "recipients": [a.recipient],
                    "subjects": [a.subject],
                    "title": format!("Soak request {n}"),
                    "body": "Please share what you hold.",
                    "markings": {"classification": "restricted", "handling": "free", "tlp": "AMBER"},
                })
                .to_string(),
            ),
        Kind::Read => agent
            .get(&format!("{}/api/v1/lists", a.url))
            .header("Authorization", &bearer(&a.analyst_token))
            .call(),
        Kind::Upload => agent
            .post(&format!("{}/api/v1/imports?name=soak.csv", a.url))
            .header("Authorization", &bearer(&a.admin_token))
            .send(list),
    };
    let mut response = response?;
    // Read the body so the connection is reused.
    let _ = response.body_mut().read_to_vec();
    Ok(response.status().as_u16())
}

pub fn run(a: SoakArgs) -> Result<()> {
    if !(a.rate.is_finite() && a.rate > 0.0) || a.workers == 0 {
        bail!("--rate must be positive and --workers at least 1");
    }
    let list = std::fs::read(&a.list_file)
        .with_context(|| format!("cannot read {}", a.list_file.display()))?;
    let tally = Arc::new(Mutex::new(Tally::default()));
    let stop = Arc::new(AtomicBool::new(false));
    let started = Instant::now();
    let cpu_before = crate::screen::cpu_seconds();
    let duration = Duration::from_secs_f64(a.seconds);
    let interval = Duration::from_secs_f64(a.workers as f64 / a.rate);
    let progress = indicatif::ProgressBar::new(a.seconds.ceil() as u64);
    let workers: Vec<_> = (0..a.workers)
        .map(|w| {
            let (a, tally, list, stop) = (a.clone(), tally.clone(), list.clone(), stop.clone());
            std::thread::spawn(move || {
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .timeout_global(Some(Duration::from_secs(30)))
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut k = 0u64;
                // Open loop: the k-th request of this worker is due at start + k·interval,
                // whatever the answers' latency, so an overload shows as refusals or latency.
                while !stop.load(Ordering::Relaxed) {
                    let due = started + interval.mul_f64(k as f64 + w as f64 / a.workers as f64);
                    if due > started + duration {
                        break;
                    }
                    if let Some(wait) = due.checked_duration_since(Instant::now()) {
                        std::thread::sleep(wait);
                    }
                    let n = k * a.workers as u64 + w as u64;
                    let kind = Kind::of(n);
                    let sent = Instant::now();
                    let outcome = send(&agent, &a, kind, n, &list);
                    let micros = sent.elapsed().as_micros() as u64;
                    if let Ok(mut t) = tally.lock() {
                        match outcome {
                            Ok(status) => {
                                *t.statuses.entry((kind, status)).or_default() += 1;
                                t.latencies_us.entry(kind).or_default().push(micros);
                            }
                            Err(_) => *t.failures.entry(kind).or_default() += 1,
                        }
                    }
                    k += 1;
                }
            })
        })
        .collect();
    let mut rss = Vec::new();
    while started.elapsed() < duration {
        if let Some(pid) = a.server_pid {
            if let Some(m) = rss_mib(pid) {
                rss.push((started.elapsed().as_secs_f64(), m));
            }
        }
        progress.set_position(started.elapsed().as_secs());
        std::thread::sleep(Duration::from_secs(1).min(duration.saturating_sub(started.elapsed())));
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        let _ = w.join();
    }
    progress.finish_and_clear();
    let wall = started.elapsed().as_secs_f64();
    let cpu = match (cpu_before, crate::screen::cpu_seconds()) {
        (Some(b), Some(e)) => Some(e - b),
        _ => None,
    };
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get()) as f64;
    let mut t = tally
        .lock()
        .map_err(|_| anyhow::anyhow!("a worker panicked"))?;
    let mut kinds = serde_json::Map::new();
    let all: u64 = t.statuses.values().sum();
    let statuses = t.statuses.clone();
    let failures = t.failures.clone();
    for (kind, latencies) in t.latencies_us.iter_mut() {
        latencies.sort_unstable();
        let by_status: BTreeMap<String, u64> = statuses
            .iter()
            .filter(|((k, _), _)| k == kind)
            .map(|((_, s), n)| (s.to_string(), *n))
            .collect();
        kinds.insert(
            kind.as_str().into(),
            json!({
                "requests": latencies.len(),
                "statuses": by_status,
                "transport_errors": failures.get(kind).copied().unwrap_or(0),
                "p50_ms": percentile(latencies, 0.50),
                "p90_ms": percentile(latencies, 0.90),
                "p99_ms": percentile(latencies, 0.99),
                "max_ms": percentile(latencies, 1.0),
            }),
        );
    }
    let mut every: Vec<u64> = t.latencies_us.values().flatten().copied().collect();
    every.sort_unstable();
    let rss_values: Vec<f64> = rss.iter().map(|(_, m)| *m).collect();
    // Memory after the warm-up (the first tenth of the run) against the end: flat or growing.
    let warm = rss
        .iter()
        .find(|(s, _)| *s >= a.seconds * 0.1)
        .map(|(_, m)| *m);
    let line = json!({
        "bench": "soak",
        "seconds": wall,
        "target_rate": a.rate,
        "requests": all,
        "achieved_rate": all as f64 / wall,
        "transport_errors": failures.values().sum::<u64>(),
        "p50_ms": percentile(&every, 0.50),
        "p99_ms": percentile(&every, 0.99),
        "kinds": kinds,
        "server_rss_mib": {
            "after_warmup": warm,
            "end": rss_values.last(),
            "max": rss_values.iter().copied().fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v)))),
            "samples": rss.len(),
        },
        "load_tool_cpu_seconds": cpu,
        "load_tool_cpu_share": cpu.map(|c| c / (wall * cores)),
    });
    println!("{line}");
    Ok(())
}
