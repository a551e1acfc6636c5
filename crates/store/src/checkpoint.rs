//! SQLite's WAL checkpoints, moved off the writer's path.
//!
//! In WAL mode with `synchronous = NORMAL` a commit appends to the WAL without waiting for the
//! disk; once the WAL holds 1,000 pages, SQLite's automatic checkpoint copies it back into the
//! database file and syncs that file, inside whichever commit crossed the mark. A server commits
//! audit groups hundreds of times a second, so every few seconds one commit, and every request
//! waiting for its audit entry in that group, stalled for the checkpoint: the latency tail.
//! The server instead runs PASSIVE checkpoints on a connection of its own, which never take
//! the write lock, so the writer never waits for the copy or the sync.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::{AnyConnection, Connection};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::{get, Backend, Result, Store, StoreError};

/// SQLite's default, restored when the background checkpoints stop.
const AUTOCHECKPOINT_PAGES: i64 = 1000;

const AUTOCHECKPOINT_OFF: &str = "PRAGMA wal_autocheckpoint = 0";

/// Turns off automatic checkpoints on `conn`: the background task does them.
pub(crate) async fn leave_checkpoints_to_background(
    conn: &mut AnyConnection,
) -> std::result::Result<(), sqlx::Error> {
    sqlx::query(AUTOCHECKPOINT_OFF)
        .execute(conn)
        .await
        .map(|_| ())
}

/// What the background checkpoints have done so far.
#[derive(Debug, Default)]
pub struct CheckpointCounts {
    /// Checkpoints run.
    pub runs: AtomicU64,
    /// Frames in the WAL at the last checkpoint.
    pub last_wal_frames: AtomicU64,
    /// Of those, the frames in the database file after it (all of them unless a reader held
    /// some back).
    pub last_checkpointed_frames: AtomicU64,
    /// Checkpoints that failed; the next interval tries again.
    pub failures: AtomicU64,
}

/// Runs background checkpoints until dropped; then restores automatic checkpoints on the pool.
pub struct BackgroundCheckpoints {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    counts: Arc<CheckpointCounts>,
}

impl BackgroundCheckpoints {
    pub fn counts(&self) -> &CheckpointCounts {
        &self.counts
    }

    /// Stops the task after one last checkpoint and waits for it.
    pub async fn stop(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for BackgroundCheckpoints {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

impl Store {
    /// On SQLite, checkpoints the WAL every `interval` on a connection outside the pool and
    /// turns the pool's automatic checkpoints off until the returned guard is dropped or
    /// stopped. On PostgreSQL there is nothing to do: `None`.
    pub async fn start_background_checkpoints(
        &self,
        interval: Duration,
    ) -> Result<Option<BackgroundCheckpoints>> {
        if self.backend != Backend::Sqlite {
            return Ok(None);
        }
        let mut conn =
            AnyConnection::connect(&self.url)
                .await
                .map_err(|source| StoreError::Open {
                    location: self.url.to_string(),
                    source,
                })?;
        self.background_checkpoints.store(true, Ordering::Relaxed);
        sqlx::query(AUTOCHECKPOINT_OFF).execute(&self.pool).await?;
        let counts = Arc::new(CheckpointCounts::default());
        let (stop, mut stopped) = oneshot::channel();
        let store = self.clone();
        let task_counts = counts.clone();
        let task = tokio::spawn(async move {
            let mut ticks = tokio::time::interval(interval);
            ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                let last = tokio::select! {
                    _ = ticks.tick() => false,
                    _ = &mut stopped => true,
                };
                match passive_checkpoint(&mut conn).await {
                    Ok((wal, checkpointed)) => {
                        task_counts.runs.fetch_add(1, Ordering::Relaxed);
                        task_counts.last_wal_frames.store(wal, Ordering::Relaxed);
                        task_counts
                            .last_checkpointed_frames
                            .store(checkpointed, Ordering::Relaxed);
                    }
                    Err(_) => {
                        task_counts.failures.fetch_add(1, Ordering::Relaxed);
                    }
                }
                if last {
                    break;
                }
            }
            store.background_checkpoints.store(false, Ordering::Relaxed);
            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                "PRAGMA wal_autocheckpoint = {AUTOCHECKPOINT_PAGES}"
            )))
            .execute(&store.pool)
            .await;
            let _ = conn.close().await;
        });
        Ok(Some(BackgroundCheckpoints {
            stop: Some(stop),
            task: Some(task),
            counts,
        }))
    }
}

/// One PASSIVE checkpoint: copies what it can without waiting for readers or the writer.
/// Returns the frames in the WAL and how many of them are now in the database file.
async fn passive_checkpoint(conn: &mut AnyConnection) -> Result<(u64, u64)> {
    let row = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
        .fetch_one(&mut *conn)
        .await?;
    // Columns: busy, log (frames in the WAL), checkpointed (frames copied); -1 when the
    // database is not in WAL mode.
    let frames =
        |column| -> Result<u64> { Ok(u64::try_from(get::<i64>(&row, column)?).unwrap_or(0)) };
    Ok((frames("log")?, frames("checkpointed")?))
}
