//! Consistent online snapshots of an SQLite store, and the check that a snapshot is a store
//! Vigil can open whose audit chain holds.
//!
//! `VACUUM INTO` writes a transactionally consistent copy while the server goes on reading and
//! writing (WAL mode); the copy is written under a temporary name beside the destination and
//! renamed only once complete, so a crash leaves either no backup or a whole one. PostgreSQL is
//! backed up with its own tools (`pg_dump`), which the command line drives.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::{Backend, Result, Store, StoreError};

/// The first bytes of every SQLite database file.
pub const SQLITE_MAGIC: &[u8; 16] = b"SQLite format 3\0";

/// What a snapshot holds, as checked after it was written or before it is restored.
#[derive(Debug, Clone, Serialize)]
pub struct SnapshotSummary {
    pub file: String,
    pub bytes: u64,
    pub lists: usize,
    pub audit_entries: i64,
    pub audit_verified: bool,
}

fn corrupt(what: &Path, detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what: what.display().to_string(),
        detail: detail.into(),
    }
}

/// `dest` with a temporary name in the same folder, so that the final rename is atomic.
pub(crate) fn partial_path(dest: &Path) -> PathBuf {
    let name = dest
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "vigil-backup".to_string());
    dest.with_file_name(format!(".{name}.partial-{}", std::process::id()))
}

impl Store {
    /// Writes a consistent snapshot of this SQLite store to `dest` (which must not exist), then
    /// opens the snapshot and verifies its audit chain.
    pub async fn backup_sqlite(&self, dest: &Path) -> Result<SnapshotSummary> {
        if self.backend != Backend::Sqlite {
            return Err(corrupt(
                dest,
                "a PostgreSQL store is backed up with pg_dump (see `vigil backup --help`)",
            ));
        }
        if dest.exists() {
            return Err(corrupt(
                dest,
                "exists already; a backup never overwrites a file (remove it or choose another name)",
            ));
        }
        let partial = partial_path(dest);
        let _ = std::fs::remove_file(&partial);
        let target = partial.display().to_string();
        let written = sqlx::query("VACUUM INTO $1")
            .bind(&target)
            .execute(&self.pool)
            .await;
        if let Err(e) = written {
            let _ = std::fs::remove_file(&partial);
            return Err(e.into());
        }
        let summary = match check_sqlite_snapshot(&partial).await {
            Ok(s) => s,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(e);
            }
        };
        std::fs::rename(&partial, dest).map_err(|e| corrupt(dest, e.to_string()))?;
        Ok(SnapshotSummary {
            file: dest.display().to_string(),
            ..summary
        })
    }
}

/// Opens `file` as a Vigil SQLite store and verifies its audit chain: what a restore requires
/// before it replaces anything. A file that is not SQLite is refused without being opened.
pub async fn check_sqlite_snapshot(file: &Path) -> Result<SnapshotSummary> {
    let mut head = [0u8; 16];
    let read =
        std::fs::File::open(file).and_then(|mut f| std::io::Read::read_exact(&mut f, &mut head));
    if let Err(e) = read {
        return Err(corrupt(file, format!("cannot read it as a backup: {e}")));
    }
    if &head != SQLITE_MAGIC {
        return Err(corrupt(
            file,
            "is not an SQLite backup (its first bytes are not `SQLite format 3`)",
        ));
    }
    let bytes = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    // Opened through a URL that never creates the file and never writes to it.
    let location = format!("sqlite://{}?mode=ro", file.display());
    let unreadable = |e: StoreError| corrupt(file, format!("cannot be read as a Vigil store: {e}"));
    let store = Store::open_snapshot(&location).await.map_err(unreadable)?;
    let outcome = async {
        let lists = store.lists().await?.len();
        let chain = store.verify_audit().await?;
        Ok::<_, StoreError>((lists, chain))
    }
    .await;
    store.close().await;
    let (lists, chain) = outcome.map_err(unreadable)?;
    if let Some(bad) = &chain.first_bad {
        return Err(corrupt(
            file,
            format!(
                "its audit chain breaks at entry {}: {}",
                bad.seq, bad.reason
            ),
        ));
    }
    Ok(SnapshotSummary {
        file: file.display().to_string(),
        bytes,
        lists,
        audit_entries: chain.entries,
        audit_verified: true,
    })
}

/// Replaces the SQLite store at `target` with the snapshot `file`, after checking the snapshot.
/// The copy is written beside the target and renamed over it, so a crash leaves the old store
/// or the new one; the old store's WAL files go with it. Without `force`, an existing store with
/// data is refused.
pub async fn restore_sqlite(file: &Path, target: &Path, force: bool) -> Result<SnapshotSummary> {
    let summary = check_sqlite_snapshot(file).await?;
    let holds_data = std::fs::metadata(target)
        .map(|m| m.len() > 0)
        .unwrap_or(false);
    if holds_data && !force {
        return Err(corrupt(
            target,
            "holds a store already; stop the server, and give --force to replace it with the backup",
        ));
    }
    let partial = partial_path(target);
    std::fs::copy(file, &partial).map_err(|e| corrupt(&partial, e.to_string()))?;
    if let Err(e) = check_sqlite_snapshot(&partial).await {
        let _ = std::fs::remove_file(&partial);
        return Err(e);
    }
    for suffix in ["-wal", "-shm"] {
        let mut side = target.as_os_str().to_owned();
        side.push(suffix);
        let _ = std::fs::remove_file(PathBuf::from(side));
    }
    std::fs::rename(&partial, target).map_err(|e| corrupt(target, e.to_string()))?;
    Ok(SnapshotSummary {
        file: target.display().to_string(),
        ..summary
    })
}
