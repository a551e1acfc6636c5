//! `vigil import`: read list files, then store them as new revisions in one transaction.

use std::path::{Path, PathBuf};

use anyhow::Result;
use indicatif::{ProgressBar, ProgressStyle};
use vigil_formats::{Format, ParsedList, ReadOptions};
use vigil_model::ListName;
use vigil_store::{ImportBatch, ImportReport, Store};

/// How many warnings are printed one by one before the rest are only counted.
const WARNINGS_SHOWN: usize = 20;

fn total_bytes(paths: &[PathBuf]) -> u64 {
    fn size(path: &Path) -> u64 {
        match std::fs::metadata(path) {
            Ok(m) if m.is_dir() => std::fs::read_dir(path)
                .map(|entries| entries.flatten().map(|e| size(&e.path())).sum())
                .unwrap_or(0),
            Ok(m) => m.len(),
            Err(_) => 0,
        }
    }
    paths.iter().map(|p| size(p)).sum()
}

/// Reads the files, grouped by list, into the batches a store import takes; the error names
/// file and line. Each parsed list comes with the number of batches it gave, in order.
pub fn read_batches(
    paths: &[PathBuf],
    list: Option<&str>,
    format: Option<Format>,
    progress: Option<&(dyn Fn(u64) + Sync)>,
) -> Result<(Vec<ParsedList>, Vec<ImportBatch>)> {
    let list = list.map(ListName::new).transpose()?;
    let options = ReadOptions { list, progress };
    let parsed = vigil_formats::read_all(paths, format, &options)?;
    let batches = parsed
        .iter()
        .flat_map(vigil_update::import_batches)
        .collect();
    Ok((parsed, batches))
}

fn bar(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar
}

pub async fn run(
    store: &Store,
    paths: &[PathBuf],
    list: Option<&str>,
    format: Option<Format>,
    json: bool,
) -> Result<()> {
    let reading = bar(
        total_bytes(paths),
        "reading  {bar:40} {bytes}/{total_bytes} {elapsed}",
    );
    let on_read = |n: u64| reading.set_position(n);
    let (parsed, batches) = read_batches(paths, list, format, Some(&on_read))?;
    reading.finish_and_clear();

    let warnings: Vec<_> = parsed.iter().flat_map(|p| &p.warnings).collect();
    for warning in warnings.iter().take(WARNINGS_SHOWN) {
        eprintln!("warning: {warning}");
    }
    if warnings.len() > WARNINGS_SHOWN {
        eprintln!(
            "warning: … and {} more warnings ({} in all)",
            warnings.len() - WARNINGS_SHOWN,
            warnings.len()
        );
    }
    let entities: usize = batches.iter().map(|b| b.entities.len()).sum();
    let storing = bar(
        entities as u64,
        "storing  {bar:40} {pos}/{len} versions {elapsed}",
    );
    let on_store = |n: u64| storing.set_position(n);
    let reports = store.import(batches, &on_store).await?;
    storing.finish_and_clear();
    crate::admin::audit_cli(
        store,
        "import",
        reports.iter().map(|r| r.list.clone()).collect(),
        reports.iter().map(describe).collect::<Vec<_>>().join("; "),
    )
    .await?;

    if json {
        for line in vigil_update::reports_json(&parsed, &reports) {
            println!("{line}");
        }
    } else {
        for report in &reports {
            println!("{}", describe(report));
        }
    }
    Ok(())
}

fn describe(r: &ImportReport) -> String {
    if r.already_imported {
        return format!(
            "{}: these files are already revision {} ({} entities); nothing changed",
            r.list, r.revision, r.entities
        );
    }
    format!(
        "{}: revision {}, {} entities: {} added, {} changed, {} delisted, {} relisted, {} unchanged",
        r.list, r.revision, r.entities, r.added, r.changed, r.delisted, r.relisted, r.unchanged
    )
}
