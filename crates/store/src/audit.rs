//! The audit log: an append-only hash chain of who did what.
//!
//! Entry `n` stores the hash of entry `n - 1` and its own hash, SHA-256 over that previous hash
//! and the entry's fields in a fixed JSON array. Changing, removing or reordering any entry
//! breaks the chain at that entry, which [`Store::verify_audit`] names. Appends are serialized
//! (an advisory lock on PostgreSQL, the single connection on SQLite) so the chain stays linear.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::AssertSqlSafe;
use tokio::sync::{mpsc, oneshot};

use crate::{get, get_json, Backend, Result, Store, StoreError};

/// The previous hash of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Key of the PostgreSQL advisory lock that serializes appends.
const AUDIT_LOCK: i64 = 7_411_124;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    /// Refused by authentication or access control.
    Denied,
    /// Refused as bad input, or failed in the store.
    Failed,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Denied => "denied",
            Outcome::Failed => "failed",
        }
    }
}

/// An entry to append.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAuditEntry {
    pub user: String,
    pub authority: String,
    /// What was done: `login`, `designation.add`, `import`, `entity.read`...
    pub action: String,
    /// Ids of the records concerned.
    pub records: Vec<String>,
    pub outcome: Outcome,
    pub detail: String,
}

impl NewAuditEntry {
    pub fn new(user: &str, authority: &str, action: &str, outcome: Outcome) -> Self {
        Self {
            user: user.to_string(),
            authority: authority.to_string(),
            action: action.to_string(),
            records: Vec::new(),
            outcome,
            detail: String::new(),
        }
    }
    pub fn records(mut self, records: Vec<String>) -> Self {
        self.records = records;
        self
    }
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub user: String,
    pub authority: String,
    pub action: String,
    pub records: Vec<String>,
    pub outcome: String,
    pub detail: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Which entries to read; every filter is optional and they combine with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFilter {
    pub authority: Option<String>,
    pub user: Option<String>,
    /// An entity id (or any record id) the entry concerns.
    pub record: Option<String>,
    pub action: Option<String>,
    /// Entries at or after this time (RFC 3339 or a date).
    pub from: Option<String>,
    /// Entries before this time (a date counts whole).
    pub to: Option<String>,
    /// Entries with a sequence number greater than this (paging).
    pub after: Option<i64>,
    pub limit: Option<i64>,
}

/// The result of walking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChainReport {
    pub entries: i64,
    pub first_bad: Option<BadEntry>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadEntry {
    pub seq: i64,
    pub reason: String,
}

impl std::fmt::Display for BadEntry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "audit entry {}: {}", self.seq, self.reason)
    }
}

/// The fields that are hashed, as they are stored (records as its JSON text).
struct Fields<'a> {
    seq: i64,
    at: &'a str,
    user: &'a str,
    authority: &'a str,
    action: &'a str,
    records: &'a str,
    outcome: &'a str,
    detail: &'a str,
}

fn entry_hash(prev_hash: &str, f: &Fields) -> String {
    // A JSON array fixes the order and escapes separators, so no two entries share a preimage.
    let canonical = serde_json::json!([
        f.seq,
        f.at,
        f.user,
        f.authority,
        f.action,
        f.records,
        f.outcome,
        f.detail
    ])
    .to_string();
    let mut hasher = Sha256::new();
    hasher.update(prev_hash.as_bytes());
    hasher.update(b"\n");
    hasher.update(canonical.as_bytes());
    hasher
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

const COLUMNS: &str =
    "seq, at, user_name, authority, action, records, outcome, detail, prev_hash, hash";

fn entry(row: &AnyRow) -> Result<AuditEntry> {
    Ok(AuditEntry {
        seq: get(row, "seq")?,
        at: get(row, "at")?,
        user: get(row, "user_name")?,
        authority: get(row, "authority")?,
        action: get(row, "action")?,
        records: get_json(row, "records", "audit_log.records")?,
        outcome: get(row, "outcome")?,
        detail: get(row, "detail")?,
        prev_hash: get(row, "prev_hash")?,
        hash: get(row, "hash")?,
    })
}

/// Appends `new` inside `tx`, so that a write and its audit entry commit or fail together.
pub(crate) async fn append_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    new: &NewAuditEntry,
) -> Result<AuditEntry> {
    let mut entries = append_many_in(tx, backend, std::slice::from_ref(new)).await?;
    entries.pop().ok_or_else(|| StoreError::Corrupt {
        what: "audit_log".into(),
        detail: "an append returned no entry".into(),
    })
}

/// Appends `news` in order inside `tx`, reading the chain's head once: the lock (or the single
/// SQLite connection) keeps other appends out until `tx` ends, so the chain stays linear.
pub(crate) async fn append_many_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    news: &[NewAuditEntry],
) -> Result<Vec<AuditEntry>> {
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(AUDIT_LOCK)
            .execute(&mut **tx)
            .await?;
    }
    let last = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (mut seq, mut prev_hash) = match last {
        Some(row) => (get::<i64>(&row, "seq")? + 1, get::<String>(&row, "hash")?),
        None => (1, GENESIS_HASH.to_string()),
    };
    let mut out = Vec::with_capacity(news.len());
    for new in news {
        let records = serde_json::to_string(&new.records).map_err(|e| StoreError::Corrupt {
            what: "audit records".into(),
            detail: e.to_string(),
        })?;
        let at = vigil_model::utc_now_rfc3339();
        let hash = entry_hash(
            &prev_hash,
            &Fields {
                seq,
                at: &at,
                user: &new.user,
                authority: &new.authority,
                action: &new.action,
                records: &records,
                outcome: new.outcome.as_str(),
                detail: &new.detail,
            },
        );
        out.push((
            records,
            AuditEntry {
                seq,
                at,
                user: new.user.clone(),
                authority: new.authority.clone(),
                action: new.action.clone(),
                records: new.records.clone(),
                outcome: new.outcome.as_str().to_string(),
                detail: new.detail.clone(),
                prev_hash: std::mem::replace(&mut prev_hash, hash.clone()),
                hash,
            },
        ));
        seq += 1;
    }
    // Multi-row inserts: under load a group commit holds hundreds of entries, and one round
    // trip per row would dominate on PostgreSQL. SQLite gets plain `?` placeholders (see
    // register.rs for why).
    const ROWS_PER_INSERT: usize = MAX_BATCH;
    const COLUMNS: usize = 10;
    for chunk in out.chunks(ROWS_PER_INSERT) {
        let mut sql = String::from(
            "INSERT INTO audit_log (seq, at, user_name, authority, action, records, outcome, detail,
                 prev_hash, hash) VALUES ",
        );
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            let placeholders: Vec<String> = (1..=COLUMNS)
                .map(|c| match backend {
                    Backend::Sqlite => "?".to_string(),
                    Backend::Postgres => format!("${}", i * COLUMNS + c),
                })
                .collect();
            sql.push_str(&format!("({})", placeholders.join(", ")));
        }
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for (records, e) in chunk {
            query = query
                .bind(e.seq)
                .bind(e.at.clone())
                .bind(e.user.clone())
                .bind(e.authority.clone())
                .bind(e.action.clone())
                .bind(records.clone())
                .bind(e.outcome.clone())
                .bind(e.detail.clone())
                .bind(e.prev_hash.clone())
                .bind(e.hash.clone());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(out.into_iter().map(|(_, e)| e).collect())
}

type Pending = (NewAuditEntry, oneshot::Sender<Result<AuditEntry>>);

/// Group commit for the audit log: callers hand entries to one writer task, which appends
/// whatever has queued up in a single transaction and answers each caller once that
/// transaction has committed. Under load this turns thousands of commits a second into a few
/// hundred, while every caller still waits for its own entry to be durable.
#[derive(Clone)]
pub struct AuditQueue {
    tx: mpsc::Sender<Pending>,
}

/// Most entries in one transaction: bounds the time a batch holds the chain's lock.
const MAX_BATCH: usize = 512;

impl AuditQueue {
    /// Starts the writer task on the current tokio runtime. It ends when every clone of the
    /// queue has been dropped.
    pub fn start(store: Store) -> AuditQueue {
        let (tx, mut rx) = mpsc::channel::<Pending>(8192);
        tokio::spawn(async move {
            let mut batch: Vec<Pending> = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
                let entries: Vec<NewAuditEntry> = batch.iter().map(|(e, _)| e.clone()).collect();
                match store.audit_batch(&entries).await {
                    Ok(written) => {
                        for ((_, reply), entry) in batch.drain(..).zip(written) {
                            let _ = reply.send(Ok(entry));
                        }
                    }
                    Err(_) => {
                        // One bad entry must not fail its neighbours: retry one by one, so
                        // each caller gets its own entry's outcome.
                        for (entry, reply) in batch.drain(..) {
                            let _ = reply.send(store.audit_direct(&entry).await);
                        }
                    }
                }
            }
        });
        AuditQueue { tx }
    }

    /// Appends `entry` and returns once it has committed.
    pub async fn append(&self, entry: NewAuditEntry) -> Result<AuditEntry> {
        let (reply, answer) = oneshot::channel();
        let stopped = || StoreError::Corrupt {
            what: "audit writer".into(),
            detail: "the audit writer task has stopped".into(),
        };
        self.tx.send((entry, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// `LIKE` pattern matching `text` literally inside a JSON array of strings.
fn record_pattern(record: &str) -> String {
    let quoted = serde_json::Value::String(record.to_string()).to_string();
    let mut out = String::from("%");
    for c in quoted.chars() {
        if matches!(c, '%' | '_' | '!') {
            out.push('!');
        }
        out.push(c);
    }
    out.push('%');
    out
}

impl Store {
    /// Appends one entry to the audit log in its own transaction.
    pub async fn audit(&self, new: &NewAuditEntry) -> Result<AuditEntry> {
        self.audit_direct(new).await
    }

    async fn audit_direct(&self, new: &NewAuditEntry) -> Result<AuditEntry> {
        let mut tx = self.pool.begin().await?;
        let entry = append_in(&mut tx, self.backend, new).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// Appends entries in order in one transaction: all commit or none.
    pub async fn audit_batch(&self, news: &[NewAuditEntry]) -> Result<Vec<AuditEntry>> {
        if news.is_empty() {
            return Ok(Vec::new());
        }
        let mut tx = self.pool.begin().await?;
        let entries = append_many_in(&mut tx, self.backend, news).await?;
        tx.commit().await?;
        Ok(entries)
    }

    /// Entries matching `filter`, oldest first.
    pub async fn audit_log(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
        let mut conditions = Vec::new();
        let mut binds: Vec<String> = Vec::new();
        let mut add = |condition: &str, value: String| {
            binds.push(value);
            conditions.push(condition.replace('?', &format!("${}", binds.len())));
        };
        if let Some(a) = &filter.authority {
            add("authority = ?", a.clone());
        }
        if let Some(u) = &filter.user {
            add("user_name = ?", u.clone());
        }
        if let Some(a) = &filter.action {
            add("action = ?", a.clone());
        }
        if let Some(r) = &filter.record {
            add("records LIKE ? ESCAPE '!'", record_pattern(r));
        }
        if let Some(from) = &filter.from {
            add("at >= ?", from.clone());
        }
        if let Some(to) = &filter.to {
            // A bare date includes that whole day.
            let bound = if to.len() == 10 {
                format!("{to}\u{10FFFF}")
            } else {
                to.clone()
            };
            add("at < ?", bound);
        }
        let after = filter.after.unwrap_or(0);
        let limit = filter.limit.unwrap_or(1000).clamp(1, 10_000);
        let where_sql = if conditions.is_empty() {
            String::new()
        } else {
            format!("AND {}", conditions.join(" AND "))
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM audit_log WHERE seq > {after} {where_sql} ORDER BY seq LIMIT {limit}"
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for b in binds {
            query = query.bind(b);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(entry).collect()
    }

    /// Walks the whole chain and names the first entry that was changed, removed or moved.
    pub async fn verify_audit(&self) -> Result<ChainReport> {
        const PAGE: i64 = 1000;
        let mut expected_seq = 1i64;
        let mut prev_hash = GENESIS_HASH.to_string();
        let mut entries = 0i64;
        loop {
            let rows = sqlx::query(AssertSqlSafe(format!(
                "SELECT {COLUMNS} FROM audit_log WHERE seq >= $1 ORDER BY seq LIMIT {PAGE}"
            )))
            .bind(expected_seq)
            .fetch_all(&self.pool)
            .await?;
            let last_page = (rows.len() as i64) < PAGE;
            for row in &rows {
                let seq: i64 = get(row, "seq")?;
                let bad = |reason: String| {
                    Ok(ChainReport {
                        entries,
                        first_bad: Some(BadEntry {
                            seq: expected_seq.min(seq),
                            reason,
                        }),
                    })
                };
                if seq != expected_seq {
                    return bad(format!(
                        "missing: the entry after {} is numbered {seq} (removed or renumbered)",
                        expected_seq - 1
                    ));
                }
                let stored_prev: String = get(row, "prev_hash")?;
                let stored_hash: String = get(row, "hash")?;
                let at: String = get(row, "at")?;
                let user: String = get(row, "user_name")?;
                let authority: String = get(row, "authority")?;
                let action: String = get(row, "action")?;
                let records: String = get(row, "records")?;
                let outcome: String = get(row, "outcome")?;
                let detail: String = get(row, "detail")?;
                if stored_prev != prev_hash {
                    return bad(
                        "does not follow the previous entry (an entry before it was removed, \
                         changed or moved)"
                            .into(),
                    );
                }
                let computed = entry_hash(
                    &prev_hash,
                    &Fields {
                        seq,
                        at: &at,
                        user: &user,
                        authority: &authority,
                        action: &action,
                        records: &records,
                        outcome: &outcome,
                        detail: &detail,
                    },
                );
                if computed != stored_hash {
                    return bad("its content does not match its hash (changed or moved)".into());
                }
                prev_hash = stored_hash;
                expected_seq += 1;
                entries += 1;
            }
            if last_page {
                break;
            }
        }
        Ok(ChainReport {
            entries,
            first_bad: None,
        })
    }
}

/// The chain's head at a moment, for the operator to keep outside the store: the hash chain
/// cannot show that its newest entries were removed (a shorter chain is still a valid chain),
/// but an anchor kept elsewhere names an entry that must still be there with that hash.
/// One JSON line: `{"seq":N,"hash":"…","time":"…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditAnchor {
    pub seq: i64,
    pub hash: String,
    /// When the anchor was taken (UTC, RFC 3339).
    pub time: String,
}

impl AuditAnchor {
    pub fn to_json_line(&self) -> String {
        // Written out to keep the documented key order (seq, hash, time).
        format!(
            "{{\"seq\":{},\"hash\":{},\"time\":{}}}",
            self.seq,
            serde_json::Value::String(self.hash.clone()),
            serde_json::Value::String(self.time.clone())
        )
    }
}

/// A line of an anchor file that is not an anchor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("anchor line {line}: {detail}")]
pub struct AnchorParseError {
    pub line: usize,
    pub detail: String,
}

/// Reads anchors, one JSON line each (a single line is a file of one); blank lines are skipped.
/// Every line must be a complete anchor: a sequence number from 1, a 64-digit lowercase hex
/// hash and a time; anything else is refused naming its line. A file without any anchor is
/// refused too (line 0), since checking nothing would look like a pass.
pub fn parse_anchors(text: &str) -> std::result::Result<Vec<AuditAnchor>, AnchorParseError> {
    let mut anchors = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let bad = |detail: String| AnchorParseError { line, detail };
        let raw = raw.trim();
        if raw.is_empty() {
            continue;
        }
        let anchor: AuditAnchor = serde_json::from_str(raw).map_err(|e| {
            bad(format!(
                "expected {{\"seq\":N,\"hash\":\"…\",\"time\":\"…\"}}: {e}"
            ))
        })?;
        if anchor.seq < 1 {
            return Err(bad(format!("seq {}: must be 1 or more", anchor.seq)));
        }
        if anchor.hash.len() != 64
            || !anchor
                .hash
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(bad("hash: 64 lowercase hexadecimal digits".into()));
        }
        if anchor.time.trim().is_empty() || anchor.time.len() > 64 {
            return Err(bad("time: an RFC 3339 time".into()));
        }
        anchors.push(anchor);
    }
    if anchors.is_empty() {
        return Err(AnchorParseError {
            line: 0,
            detail: "no anchor in the file".into(),
        });
    }
    Ok(anchors)
}

/// An anchor the log no longer agrees with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum AnchorProblem {
    /// The anchored entry is gone: the log was cut after `ends_at` (0: the log is empty).
    Truncated { ends_at: i64, anchor: AuditAnchor },
    /// The anchored entry exists with another hash: the log from there on was rebuilt, or the
    /// anchor is not genuine.
    HashMismatch { stored: String, anchor: AuditAnchor },
}

impl std::fmt::Display for AnchorProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AnchorProblem::Truncated { ends_at, anchor } => write!(
                f,
                "truncated: the log ends at seq {ends_at} but an anchor from {} names seq {}",
                anchor.time, anchor.seq
            ),
            AnchorProblem::HashMismatch { stored, anchor } => write!(
                f,
                "entry {} has hash {stored} but an anchor from {} recorded {} (the log was \
                 rewritten from there, or the anchor is forged)",
                anchor.seq, anchor.time, anchor.hash
            ),
        }
    }
}

impl Store {
    /// The chain's current head as an anchor taken now; `None` while the log is empty.
    pub async fn audit_anchor(&self) -> Result<Option<AuditAnchor>> {
        let row = sqlx::query("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?;
        row.map(|row| {
            Ok(AuditAnchor {
                seq: get(&row, "seq")?,
                hash: get(&row, "hash")?,
                time: vigil_model::utc_now_rfc3339(),
            })
        })
        .transpose()
    }

    /// Checks that every anchored entry is still in the log with the anchored hash; returns
    /// the anchors that fail, in the order given (empty: all hold). Together with
    /// [`Store::verify_audit`] this shows the log was neither changed nor cut short since the
    /// anchors were taken.
    pub async fn check_anchors(&self, anchors: &[AuditAnchor]) -> Result<Vec<AnchorProblem>> {
        let ends_at: i64 = match sqlx::query("SELECT seq FROM audit_log ORDER BY seq DESC LIMIT 1")
            .fetch_optional(&self.pool)
            .await?
        {
            Some(row) => get(&row, "seq")?,
            None => 0,
        };
        let mut problems = Vec::new();
        for anchor in anchors {
            let stored = sqlx::query("SELECT hash FROM audit_log WHERE seq = $1")
                .bind(anchor.seq)
                .fetch_optional(&self.pool)
                .await?;
            match stored {
                None => problems.push(AnchorProblem::Truncated {
                    ends_at,
                    anchor: anchor.clone(),
                }),
                Some(row) => {
                    let stored: String = get(&row, "hash")?;
                    if stored != anchor.hash {
                        problems.push(AnchorProblem::HashMismatch {
                            stored,
                            anchor: anchor.clone(),
                        });
                    }
                }
            }
        }
        Ok(problems)
    }
}
