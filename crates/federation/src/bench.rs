//! `vigil bench federation`: three nodes (RU → IN, KZ) in this process on the NATS server
//! given, each on its own SQLite store in a temporary folder. Measures the propagation latency
//! of single designations (commit on RU → applied on both IN and KZ) and the throughput of a
//! bulk sync (one import of N designations on RU → all applied on both).

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use serde::Serialize;
use vigil_model::{
    Designation, DesignationKind, DesignationStatus, Distribution, Entity, ListName, Name,
    NameKind, Schema,
};
use vigil_store::{DesignationChange, FileRef, ImportBatch, NewAuditEntry, Outcome, Store};

use crate::{generate_key, FederationError, Node, NodeConfig};

#[derive(Debug, Clone, Serialize)]
pub struct BenchReport {
    pub bench: &'static str,
    pub backend: &'static str,
    pub latency_samples: usize,
    pub latency_p50_ms: f64,
    pub latency_p99_ms: f64,
    pub latency_max_ms: f64,
    pub poll_ms: f64,
    pub bulk_designations: usize,
    /// From the import's commit on RU until both IN and KZ applied every designation.
    pub bulk_seconds: f64,
    pub bulk_designations_per_s: f64,
    /// The import itself on RU (not part of `bulk_seconds`).
    pub bulk_import_seconds: f64,
}

fn org(list: &str, i: usize) -> Result<Entity, FederationError> {
    let id = format!("{list}:{i}")
        .parse()
        .map_err(|e| FederationError::Config(format!("{list}:{i}: {e}")))?;
    let mut e = Entity::new(id, Schema::Organization);
    e.push_name(Name::new(
        &format!("Benchmark Group Number {i}"),
        NameKind::Primary,
    ));
    e.distribution = Distribution::AllMembers;
    e.designations.push(Designation {
        authority: "RU-FSB".into(),
        regime: "national ban".into(),
        kind: DesignationKind::OrganizationBan,
        listed_on: None,
        legal_basis: None,
        reference: None,
        status: DesignationStatus::Listed,
        amended_on: vec![],
        delisted_on: None,
        remarks: vec![],
    });
    Ok(e)
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

async fn wait_applied(nodes: &[&Node], target: u64, timeout: Duration) -> bool {
    let start = Instant::now();
    while start.elapsed() < timeout {
        if nodes
            .iter()
            .all(|n| n.counters().applied.load(Ordering::Relaxed) >= target)
        {
            return true;
        }
        tokio::time::sleep(Duration::from_micros(200)).await;
    }
    false
}

struct TempDir(PathBuf);
impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub async fn run(
    nats_url: &str,
    samples: usize,
    bulk: usize,
) -> Result<BenchReport, FederationError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let prefix = format!("vbench_{}_{}", std::process::id(), nanos % 1_000_000_000);
    let dir = TempDir(std::env::temp_dir().join(&prefix));
    std::fs::create_dir_all(&dir.0)
        .map_err(|e| FederationError::Config(format!("{}: {e}", dir.0.display())))?;
    let path = |n: &str| dir.0.join(format!("{n}.db")).display().to_string();
    let (ru, inn, kz) = (
        Store::open(&path("ru")).await?,
        Store::open(&path("in")).await?,
        Store::open(&path("kz")).await?,
    );
    let audit = |a: &str| NewAuditEntry::new("bench", "local", a, Outcome::Success);
    let mut all = Vec::new();
    for (store, authority) in [(&ru, "RU-FSB"), (&inn, "IN"), (&kz, "KZ")] {
        let k = generate_key(authority)?;
        store.pin_federation_key(&k, &audit("node.keygen")).await?;
        all.push((authority, k));
    }
    for (store, own) in [(&ru, "RU-FSB"), (&inn, "IN"), (&kz, "KZ")] {
        for (authority, k) in &all {
            if *authority != own {
                let mut public = k.clone();
                public.secret_key = None;
                store
                    .pin_federation_key(&public, &audit("node.trust"))
                    .await?;
            }
        }
    }
    let config = |n: &str| {
        let mut c = NodeConfig::new(n, nats_url);
        c.prefix = prefix.clone();
        c
    };
    let poll_ms = config("RU").poll.as_secs_f64() * 1000.0;
    let ru_node = Node::start(ru.clone(), config("RU")).await?;
    let in_node = Node::start(inn.clone(), config("IN")).await?;
    let kz_node = Node::start(kz.clone(), config("KZ")).await?;
    let list = ListName::new("ru").map_err(|e| FederationError::Config(e.to_string()))?;

    // Latency: one designation at a time, the exporter left to its own polling (as in
    // `vigil serve`), timed from RU's commit to the apply's commit on both IN and KZ.
    let mut latencies = Vec::with_capacity(samples);
    for i in 0..samples {
        ru.change_designation(
            &list,
            "RU-FSB",
            DesignationChange::Add(org("ru", i)?),
            &audit("designation.add"),
        )
        .await?;
        let t = Instant::now();
        if !wait_applied(
            &[&in_node, &kz_node],
            (i + 1) as u64,
            Duration::from_secs(30),
        )
        .await
        {
            return Err(FederationError::Config(format!(
                "designation {i} did not arrive within 30 s: {:?}",
                ru_node.last_error()
            )));
        }
        latencies.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    latencies.sort_by(|a, b| a.total_cmp(b));

    // Bulk: one import of `bulk` designations on another RU list.
    let bulk_list = ListName::new("ru-bulk").map_err(|e| FederationError::Config(e.to_string()))?;
    let entities = (0..bulk)
        .map(|i| org("ru-bulk", i))
        .collect::<Result<Vec<Entity>, _>>()?;
    let started = Instant::now();
    ru.import(
        vec![ImportBatch {
            list: bulk_list,
            authority: "RU-FSB".into(),
            title: "bulk".into(),
            format: "bench".into(),
            published: None,
            files: vec![FileRef {
                path: "bench".into(),
                sha256: format!("{prefix}-bulk"),
                bytes: 0,
            }],
            entities,
        }],
        &|_| {},
    )
    .await?;
    let bulk_import_seconds = started.elapsed().as_secs_f64();
    let t = Instant::now();
    let target = (samples + bulk) as u64;
    if !wait_applied(&[&in_node, &kz_node], target, Duration::from_secs(600)).await {
        return Err(FederationError::Config(format!(
            "bulk sync incomplete after 600 s: {:?} {:?}",
            in_node.last_error(),
            ru_node.last_error()
        )));
    }
    let bulk_seconds = t.elapsed().as_secs_f64();

    ru_node.stop().await;
    in_node.stop().await;
    kz_node.stop().await;
    if let Ok(client) = async_nats::connect(nats_url).await {
        let js = async_nats::jetstream::new(client);
        for n in ["RU", "IN", "KZ"] {
            let _ = js.delete_stream(format!("{prefix}_{n}")).await;
        }
    }
    Ok(BenchReport {
        bench: "federation",
        backend: "sqlite",
        latency_samples: samples,
        latency_p50_ms: percentile(&latencies, 0.50),
        latency_p99_ms: percentile(&latencies, 0.99),
        latency_max_ms: latencies.last().copied().unwrap_or(0.0),
        poll_ms,
        bulk_designations: bulk,
        bulk_seconds,
        bulk_designations_per_s: bulk as f64 / bulk_seconds.max(1e-9),
        bulk_import_seconds,
    })
}
