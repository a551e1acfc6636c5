//! `vigil screen`, `vigil compare` and `vigil bench screen`: the screening engine
//! (vigil-screen) against the register in the store.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use anyhow::{bail, Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use serde_json::{json, Value};
use vigil_screen::{compare_with, parse_schema, Index, Params, Query, DEFAULT_THRESHOLD};
use vigil_server::queries::{csv_queries, field, jsonl_queries, Item};
use vigil_store::Store;

#[derive(Args)]
pub struct ScreenArgs {
    /// Queries to screen: JSON Lines `{"id","schema","name","birth_date","nationality"}` or CSV
    /// with those column names (by .csv extension or a first line that is not JSON).
    #[arg(long, conflicts_with = "name", requires = "output")]
    input: Option<PathBuf>,
    /// Where to write one JSON line per input line, in input order.
    #[arg(long)]
    output: Option<PathBuf>,
    /// One name to screen (human-readable output).
    #[arg(long)]
    name: Option<String>,
    #[arg(long)]
    birth_date: Option<String>,
    #[arg(long)]
    nationality: Option<String>,
    /// Passport or identity number of the --name query (decisive when it is on the register).
    #[arg(long)]
    document: Vec<String>,
    /// Person, Organization, LegalEntity, Vessel or Aircraft (default: any).
    #[arg(long)]
    schema: Option<String>,
    /// Alert threshold (default: the engine's, chosen on the benchmark's DEV half).
    #[arg(long)]
    threshold: Option<f32>,
    /// Most alerts per query.
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Score every name of the register instead of retrieved candidates (slow; for measuring
    /// retrieval).
    #[arg(long)]
    exhaustive: bool,
    /// Scorer parameters as JSON (for tuning; see vigil_screen::Params).
    #[arg(long, hide = true)]
    params: Option<String>,
    /// PAXLST files (advance passenger and crew lists): every traveller screened with name,
    /// birth date, nationality and documents; written to --output or standard output.
    #[arg(long, num_args = 1.., conflicts_with_all = ["name", "input"])]
    paxlst: Vec<PathBuf>,
    /// PNRGOV files (reservation pushes), as --paxlst.
    #[arg(long, num_args = 1.., conflicts_with_all = ["name", "input"])]
    pnrgov: Vec<PathBuf>,
    /// Output of --paxlst/--pnrgov: JSON Lines (one record per line) or CSV (one row per match).
    #[arg(long, value_enum, default_value = "jsonl")]
    format: crate::manifest::OutputFormat,
    /// With --paxlst/--pnrgov: wrong segment counts and unknown segments are errors.
    #[arg(long)]
    strict: bool,
}

#[derive(Args)]
pub struct CompareArgs {
    /// The two names (or use --input).
    names: Vec<String>,
    #[arg(long)]
    schema: Option<String>,
    /// Pairs to score: JSON Lines `{"id","schema","name1","name2"}`.
    #[arg(long, requires = "output")]
    input: Option<PathBuf>,
    /// Where to write `{"id","score"}` lines.
    #[arg(long)]
    output: Option<PathBuf>,
    #[arg(long, hide = true)]
    params: Option<String>,
}

#[derive(Args)]
pub struct BenchScreenArgs {
    /// Queries, as for `vigil screen --input`.
    #[arg(long)]
    input: PathBuf,
    #[arg(long)]
    threshold: Option<f32>,
    #[arg(long, default_value_t = 5)]
    limit: usize,
    /// Also screen the first N queries exhaustively and report the share of exhaustive alerts
    /// that retrieval found.
    #[arg(long)]
    recall_sample: Option<usize>,
    /// With --recall-sample: write each alert retrieval missed here, as JSON lines.
    #[arg(long, requires = "recall_sample")]
    misses: Option<PathBuf>,
    #[arg(long, hide = true)]
    params: Option<String>,
}

fn params(text: Option<&str>) -> Result<Params> {
    match text {
        Some(t) => serde_json::from_str(t).context("--params: not a JSON object of Params"),
        None => Ok(Params::default()),
    }
}

pub(crate) fn bar(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

pub(crate) async fn load_index(db: &str, p: Params) -> Result<(Index, f64, f64)> {
    let started = Instant::now();
    let store = Store::open(db).await?;
    let records = store.entities(None, None, false).await?;
    let load_s = started.elapsed().as_secs_f64();
    if records.is_empty() {
        bail!("the register in {db} is empty: import lists first (vigil import)");
    }
    let entities: Vec<_> = records.into_iter().map(|r| r.entity).collect();
    let built = Instant::now();
    let index = Index::build_with(&entities, p);
    Ok((index, load_s, built.elapsed().as_secs_f64()))
}

fn is_csv(path: &Path, bytes: &[u8]) -> bool {
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"))
    {
        return true;
    }
    let first = bytes.iter().find(|b| !b.is_ascii_whitespace());
    !matches!(first, Some(b'{') | None)
}

fn read_queries(path: &Path) -> Result<Vec<Item>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    if is_csv(path, &bytes) {
        return csv_queries(&bytes).map_err(|e| anyhow::anyhow!("{}: {e}", path.display()));
    }
    Ok(jsonl_queries(&bytes))
}

fn threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Runs `f` over the items on every core, keeping input order.
pub(crate) fn parallel<T: Sync, R: Send>(
    items: &[T],
    progress: &ProgressBar,
    f: impl Fn(&T) -> R + Sync,
) -> Vec<R> {
    const CHUNK: usize = 256;
    let chunks: Vec<&[T]> = items.chunks(CHUNK).collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<R>)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads().min(chunks.len()).max(1))
            .map(|_| {
                scope.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let c = next.fetch_add(1, Ordering::Relaxed);
                        let Some(chunk) = chunks.get(c) else { break };
                        out.push((c, chunk.iter().map(&f).collect::<Vec<R>>()));
                        progress.inc(chunk.len() as u64);
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    done.sort_by_key(|(c, _)| *c);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

fn result_line(
    index: &Index,
    item: &Item,
    threshold: f32,
    limit: usize,
    exhaustive: bool,
) -> String {
    match item {
        Item::Error(v) => v.to_string(),
        Item::Query { id, query } => {
            let matches = if exhaustive {
                index.screen_exhaustive(query, threshold, limit)
            } else {
                index.screen(query, threshold, limit)
            };
            json!({"query_id": id, "matches": matches}).to_string()
        }
    }
}

pub async fn screen(db: &str, a: ScreenArgs) -> Result<()> {
    let p = params(a.params.as_deref())?;
    let threshold = a.threshold.unwrap_or(DEFAULT_THRESHOLD);
    if !(0.0..=1.0).contains(&threshold) {
        bail!("--threshold {threshold}: expected a number from 0 to 1");
    }
    if !a.paxlst.is_empty() || !a.pnrgov.is_empty() {
        let files = a
            .paxlst
            .iter()
            .map(|p| (p.clone(), vigil_manifest::MessageKind::Paxlst))
            .chain(
                a.pnrgov
                    .iter()
                    .map(|p| (p.clone(), vigil_manifest::MessageKind::Pnrgov)),
            )
            .collect();
        return crate::manifest::screen(
            db,
            crate::manifest::ManifestJob {
                files,
                output: a.output.as_deref(),
                format: a.format,
                strict: a.strict,
                threshold,
                limit: a.limit,
            },
        )
        .await;
    }
    match (&a.input, &a.name) {
        (Some(input), _) => {
            let items = read_queries(input)?;
            let (index, _, _) = load_index(db, p).await?;
            let output = a
                .output
                .as_deref()
                .context("--output is required with --input")?;
            let progress = bar(
                items.len() as u64,
                "screening {bar:40} {pos}/{len} queries {elapsed}",
            );
            let lines = parallel(&items, &progress, |item| {
                result_line(&index, item, threshold, a.limit, a.exhaustive)
            });
            progress.finish_and_clear();
            let file = std::fs::File::create(output)
                .with_context(|| format!("cannot write {}", output.display()))?;
            let mut w = BufWriter::new(file);
            for l in &lines {
                writeln!(w, "{l}")?;
            }
            w.flush()?;
            let errors = items.iter().filter(|i| matches!(i, Item::Error(_))).count();
            if errors > 0 {
                eprintln!("warning: {errors} of {} input lines were not screened (error records in the output)", items.len());
            }
            Ok(())
        }
        (None, Some(name)) => {
            let schema = parse_schema(a.schema.as_deref().unwrap_or(""))?;
            let (index, _, _) = load_index(db, p).await?;
            let query = Query {
                schema,
                name: name.clone(),
                birth_date: a.birth_date.clone(),
                nationality: a.nationality.clone(),
                documents: a.document.clone(),
            };
            let matches = if a.exhaustive {
                index.screen_exhaustive(&query, threshold, a.limit)
            } else {
                index.screen(&query, threshold, a.limit)
            };
            if matches.is_empty() {
                println!("no match at or above {threshold}");
            }
            for m in &matches {
                println!("{:.3}  {}  {}", m.score, m.id, m.name);
                print_explanation(&m.explanation);
            }
            Ok(())
        }
        (None, None) => {
            bail!("give --input FILE --output FILE, --name NAME, or --paxlst/--pnrgov FILES")
        }
    }
}

fn print_explanation(x: &vigil_screen::Explanation) {
    println!("       name score {:.3}", x.name_score);
    for p in &x.pairs {
        println!(
            "       {:<20} ~ {:<20} {:.3} {:?}",
            p.query, p.candidate, p.similarity, p.method
        );
    }
    if !x.unmatched_query.is_empty() {
        println!("       only in the query: {}", x.unmatched_query.join(" "));
    }
    if !x.unmatched_candidate.is_empty() {
        println!(
            "       only in the listed name: {}",
            x.unmatched_candidate.join(" ")
        );
    }
    for a in &x.adjustments {
        println!("       {:+.3} {:?}: {}", a.delta, a.factor, a.evidence);
    }
}

pub fn compare(a: CompareArgs) -> Result<()> {
    let p = params(a.params.as_deref())?;
    if let Some(input) = &a.input {
        if !a.names.is_empty() {
            bail!("give either two names or --input, not both");
        }
        let output = a
            .output
            .as_deref()
            .context("--output is required with --input")?;
        let bytes =
            std::fs::read(input).with_context(|| format!("cannot read {}", input.display()))?;
        let mut lines: Vec<&[u8]> = bytes.split(|b| *b == b'\n').collect();
        if lines.last().is_some_and(|l| l.is_empty()) {
            lines.pop();
        }
        let progress = bar(
            lines.len() as u64,
            "comparing {bar:40} {pos}/{len} pairs {elapsed}",
        );
        let indexed: Vec<(usize, &[u8])> = lines.iter().copied().enumerate().collect();
        let out = parallel(&indexed, &progress, |(i, l)| compare_line(*i + 1, l, &p));
        progress.finish_and_clear();
        let file = std::fs::File::create(output)
            .with_context(|| format!("cannot write {}", output.display()))?;
        let mut w = BufWriter::new(file);
        for l in &out {
            writeln!(w, "{l}")?;
        }
        w.flush()?;
        return Ok(());
    }
    let [n1, n2] = a.names.as_slice() else {
        bail!("give two names (vigil compare \"name one\" \"name two\") or --input FILE --output FILE");
    };
    let schema = parse_schema(a.schema.as_deref().unwrap_or(""))?;
    let s = compare_with(n1, n2, schema, &p);
    println!("{:.3}", s.score);
    print_explanation(&s.explanation);
    Ok(())
}

fn compare_line(line: usize, bytes: &[u8], p: &Params) -> String {
    let err = |id: Option<&str>, e: String| json!({"id": id, "line": line, "error": e}).to_string();
    let Ok(text) = std::str::from_utf8(bytes.strip_suffix(b"\r").unwrap_or(bytes)) else {
        return err(None, "invalid UTF-8".into());
    };
    let obj = match serde_json::from_str::<Value>(text) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return err(None, "expected a JSON object".into()),
        Err(e) => return err(None, format!("malformed JSON: {e}")),
    };
    let id = match obj.get("id") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let Some(id) = id else {
        return err(None, "missing \"id\"".into());
    };
    let (Ok(Some(n1)), Ok(Some(n2)), Ok(schema)) = (
        field(&obj, "name1"),
        field(&obj, "name2"),
        field(&obj, "schema"),
    ) else {
        return err(Some(&id), "name1 and name2 must be strings".into());
    };
    let schema = match parse_schema(schema.unwrap_or("")) {
        Ok(s) => s,
        Err(e) => return err(Some(&id), e.to_string()),
    };
    let s = compare_with(n1, n2, schema, p);
    json!({"id": id, "score": s.score}).to_string()
}

/// CPU seconds this process has used (user + system, 10 ms resolution): the per-core figure
/// divides by this, so other processes sharing the machine do not skew it.
pub fn cpu_seconds() -> Option<f64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let after = stat.rsplit(')').next()?;
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok());
    Some((ticks(11)? + ticks(12)?) / 100.0)
}

pub async fn bench(db: &str, a: BenchScreenArgs) -> Result<()> {
    let p = params(a.params.as_deref())?;
    let threshold = a.threshold.unwrap_or(DEFAULT_THRESHOLD);
    let items = read_queries(&a.input)?;
    let (index, load_s, build_s) = load_index(db, p).await?;
    let hidden = ProgressBar::hidden();
    let started = Instant::now();
    let cpu_before = cpu_seconds();
    let lines = parallel(&items, &hidden, |item| {
        result_line(&index, item, threshold, a.limit, false)
    });
    let seconds = started.elapsed().as_secs_f64();
    let cpu = cpu_seconds().zip(cpu_before).map(|(b, a)| b - a);
    let n = lines.len();
    let cores = threads().min(n.div_ceil(256)).max(1);
    let (entities, names) = index.len();
    let mut line = json!({
        "bench": "screen",
        "entities": entities,
        "names": names,
        "register_load_seconds": load_s,
        "index_build_seconds": build_s,
        "queries": n,
        "threshold": threshold,
        "seconds": seconds,
        "queries_per_second": n as f64 / seconds,
        "threads": cores,
        "queries_per_second_per_core": n as f64 / seconds / cores as f64,
        "cpu_seconds": cpu,
        "queries_per_cpu_second": cpu.filter(|c| *c > 0.0).map(|c| n as f64 / c),
        "peak_rss_mib": crate::bench::peak_rss_mib(),
    });
    if let Some(k) = a.recall_sample {
        let sample: Vec<&Item> = items.iter().take(k).collect();
        let pairs = parallel(&sample, &hidden, |item| match item {
            Item::Query { query, .. } => {
                let ex = index.screen_exhaustive(query, threshold, usize::MAX);
                let got = index.screen(query, threshold, usize::MAX);
                let missed: Vec<String> = ex
                    .iter()
                    .filter(|m| !got.iter().any(|g| g.id == m.id))
                    .map(|m| {
                        json!({"query": query.name, "schema": query.schema.map(|s| s.as_str()),
                            "id": m.id, "name": m.name, "score": m.score})
                        .to_string()
                    })
                    .collect();
                (ex.len(), ex.len() - missed.len(), missed)
            }
            Item::Error(_) => (0, 0, Vec::new()),
        });
        let total: usize = pairs.iter().map(|p| p.0).sum();
        let found: usize = pairs.iter().map(|p| p.1).sum();
        if let Some(path) = &a.misses {
            let mut text = String::new();
            for line in pairs.iter().flat_map(|p| &p.2) {
                text.push_str(line);
                text.push('\n');
            }
            std::fs::write(path, text)
                .with_context(|| format!("cannot write {}", path.display()))?;
        }
        if let Some(obj) = line.as_object_mut() {
            obj.insert("recall_sample_queries".into(), sample.len().into());
            obj.insert("exhaustive_alerts".into(), total.into());
            obj.insert("retrieved_alerts".into(), found.into());
            obj.insert(
                "retrieval_recall".into(),
                (if total == 0 {
                    1.0
                } else {
                    found as f64 / total as f64
                })
                .into(),
            );
        }
    }
    println!("{line}");
    Ok(())
}
