//! `vigil bench`: measured figures for docs/PERFORMANCE.md, printed as JSON lines.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Result;
use clap::Subcommand;
use vigil_store::Store;

#[derive(Subcommand)]
pub enum BenchJob {
    /// Import list files into the store given by --db (use an empty one) and report wall time
    /// of reading and of storing, and this process's peak resident memory.
    Import {
        #[arg(required = true)]
        files: Vec<PathBuf>,
        #[arg(long)]
        list: Option<String>,
    },
    /// Screen a query file against the register in --db: index build time, queries per
    /// second (all cores and per core), peak memory, optionally retrieval recall.
    Screen(crate::screen::BenchScreenArgs),
    /// Parse manifest files alone (MB/s, travellers/s, one thread) and then parse and screen
    /// them on every core against the register in --db (travellers per minute, recall of the
    /// listed travellers named in FILE.truth.jsonl, peak memory).
    Manifest(crate::manifest::BenchManifestArgs),
    /// Mixed traffic (screening, exchange requests, reads, list uploads) at a fixed rate
    /// against a running `vigil serve`: statuses, latency percentiles, the server's memory
    /// over time and this tool's CPU share, as one JSON line.
    Soak(crate::soak::SoakArgs),
    /// Federation over the NATS server given: propagation latency (p50/p99) of single
    /// designations from RU to IN and KZ, and bulk sync throughput (three nodes in this
    /// process, each on a temporary SQLite store; --db is not used).
    Federation {
        #[arg(long, default_value = "nats://127.0.0.1:4222")]
        nats: String,
        #[arg(long, default_value_t = 200)]
        samples: usize,
        #[arg(long, default_value_t = 10_000)]
        designations: usize,
    },
}

/// Peak resident set size of this process in MiB (Linux `VmHWM`), if known.
pub fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

pub async fn run(db: &str, job: BenchJob) -> Result<()> {
    match job {
        BenchJob::Import { files, list } => {
            let store = Store::open(db).await?;
            let started = Instant::now();
            let (parsed, batches) =
                crate::import::read_batches(&files, list.as_deref(), None, None)?;
            let read_s = started.elapsed().as_secs_f64();
            let entities: usize = batches.iter().map(|b| b.entities.len()).sum();
            let stored = Instant::now();
            let reports = store.import(batches, &|_| {}).await?;
            let store_s = stored.elapsed().as_secs_f64();
            let line = serde_json::json!({
                "bench": "import",
                "backend": store.backend().as_str(),
                "formats": parsed.iter().map(|p| p.format.as_str()).collect::<Vec<_>>(),
                "files": files.iter().map(|f| f.display().to_string()).collect::<Vec<_>>(),
                "entities": entities,
                "versions_written": reports.iter().map(|r| r.added + r.changed + r.delisted + r.relisted).sum::<u64>(),
                "read_seconds": read_s,
                "store_seconds": store_s,
                "total_seconds": started.elapsed().as_secs_f64(),
                "peak_rss_mib": peak_rss_mib(),
            });
            println!("{line}");
            Ok(())
        }
        BenchJob::Screen(args) => crate::screen::bench(db, args).await,
        BenchJob::Manifest(args) => crate::manifest::bench(db, args).await,
        BenchJob::Soak(args) => tokio::task::spawn_blocking(move || crate::soak::run(args)).await?,
        BenchJob::Federation {
            nats,
            samples,
            designations,
        } => {
            let report = vigil_federation::bench::run(&nats, samples, designations).await?;
            let mut line = serde_json::to_value(&report)?;
            line["peak_rss_mib"] = serde_json::json!(peak_rss_mib());
            println!("{line}");
            Ok(())
        }
    }
}
