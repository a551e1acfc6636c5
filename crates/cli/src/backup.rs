//! `vigil backup FILE` and `vigil restore FILE`: a consistent online snapshot of the store, and
//! putting one back after checking that it opens and its audit chain verifies.
//!
//! SQLite is copied by SQLite itself (`VACUUM INTO`, safe while `vigil serve` runs). PostgreSQL
//! is dumped and restored with its own tools, `pg_dump --format=custom` and
//! `pg_restore --single-transaction`, which must be on PATH.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{bail, Context, Result};
use vigil_store::{connection_url, Backend, Store};

/// The first bytes of a `pg_dump --format=custom` archive.
const PG_DUMP_MAGIC: &[u8; 5] = b"PGDMP";

fn file_head(file: &Path) -> Result<Vec<u8>> {
    use std::io::Read;
    let mut head = Vec::with_capacity(16);
    std::fs::File::open(file)
        .with_context(|| format!("{}: cannot open the backup", file.display()))?
        .take(16)
        .read_to_end(&mut head)
        .with_context(|| format!("{}: cannot read the backup", file.display()))?;
    Ok(head)
}

/// The SQLite file a `--db` value names (`vigil.db`, `sqlite://vigil.db?mode=rwc`).
fn sqlite_path(db: &str) -> PathBuf {
    let (_, url) = connection_url(db);
    let path = url
        .trim_start_matches("sqlite://")
        .trim_start_matches("sqlite:");
    PathBuf::from(path.split('?').next().unwrap_or(path))
}

fn run_tool(tool: &str, args: &[&str]) -> Result<()> {
    let output = Command::new(tool).args(args).output().with_context(|| {
        format!("cannot run {tool}: a PostgreSQL store is backed up with PostgreSQL's own tools; install them (Debian: postgresql-client)")
    })?;
    if !output.status.success() {
        bail!(
            "{tool} failed ({}): {}",
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    }
    Ok(())
}

pub async fn backup(db: &str, file: &Path) -> Result<()> {
    if file.exists() {
        bail!(
            "{}: exists already; a backup never overwrites a file",
            file.display()
        );
    }
    let store = Store::open(db).await?;
    let summary = match store.backend() {
        Backend::Sqlite => {
            let summary = store.backup_sqlite(file).await?;
            serde_json::to_value(&summary)?
        }
        Backend::Postgres => {
            let partial = file.with_extension("partial");
            let target = partial.display().to_string();
            run_tool(
                "pg_dump",
                &["--format=custom", "--no-owner", "--file", &target, db],
            )?;
            // The archive's table of contents must read back before it counts as a backup.
            if let Err(e) = run_tool("pg_restore", &["--list", &target]) {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
            std::fs::rename(&partial, file)
                .with_context(|| format!("{}: cannot write the backup", file.display()))?;
            let chain = store.verify_audit().await?;
            serde_json::json!({
                "file": file.display().to_string(),
                "bytes": std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
                "lists": store.lists().await?.len(),
                "audit_entries": chain.entries,
                "audit_verified": chain.first_bad.is_none(),
            })
        }
    };
    crate::admin::audit_cli(
        &store,
        "backup",
        vec![],
        format!("backup written to {}", file.display()),
    )
    .await?;
    println!("{}", serde_json::json!({"backup": summary}));
    Ok(())
}

pub async fn restore(db: &str, file: &Path, force: bool) -> Result<()> {
    let head = file_head(file)?;
    let (backend, _) = connection_url(db);
    let summary = match backend {
        Backend::Sqlite => {
            if head.starts_with(PG_DUMP_MAGIC) {
                bail!(
                    "{}: is a PostgreSQL dump; restore it into a postgres:// store",
                    file.display()
                );
            }
            let summary = vigil_store::restore_sqlite(file, &sqlite_path(db), force).await?;
            serde_json::to_value(&summary)?
        }
        Backend::Postgres => {
            if !head.starts_with(PG_DUMP_MAGIC) {
                bail!(
                    "{}: is not a pg_dump archive (custom format, first bytes `PGDMP`); an SQLite backup is restored into an SQLite store",
                    file.display()
                );
            }
            let target = Store::open(db).await?;
            let holds_data =
                !target.lists().await?.is_empty() || target.verify_audit().await?.entries > 0;
            target.close().await;
            if holds_data && !force {
                bail!("{db}: holds a store already; stop the server, and give --force to replace it with the backup");
            }
            // The empty schema `Store::open` just made is dropped first; all in one transaction.
            let path = file.display().to_string();
            run_tool(
                "pg_restore",
                &[
                    "--single-transaction",
                    "--exit-on-error",
                    "--clean",
                    "--if-exists",
                    "--no-owner",
                    "--dbname",
                    db,
                    &path,
                ],
            )
            .with_context(|| format!("{path}: not restored, the store is as it was"))?;
            let store = Store::open(db).await?;
            let chain = store.verify_audit().await?;
            if let Some(bad) = chain.first_bad {
                bail!(
                    "{db}: restored, but its audit chain breaks at entry {}: {}",
                    bad.seq,
                    bad.reason
                );
            }
            serde_json::json!({
                "file": db,
                "bytes": std::fs::metadata(file).map(|m| m.len()).unwrap_or(0),
                "lists": store.lists().await?.len(),
                "audit_entries": chain.entries,
                "audit_verified": true,
            })
        }
    };
    let store = Store::open(db).await?;
    crate::admin::audit_cli(
        &store,
        "restore",
        vec![],
        format!("store restored from {}", file.display()),
    )
    .await?;
    println!("{}", serde_json::json!({"restored": summary}));
    Ok(())
}
