//! Federation's tables (migration 0009): this node's signing keys and the peers' pinned keys,
//! the outbox of signed envelopes per destination node, the inbox's next expected sequence
//! number per origin node, and the exporter's watermark over `entity_versions`.
//!
//! The store knows nothing of signatures or NATS (`vigil-federation` does); it keeps the rows
//! and applies what arrives in one transaction with its audit entries and the inbox's new
//! sequence number, so that an envelope is applied exactly once and in order.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::Digest;
use sqlx::any::AnyRow;
use vigil_model::{Entity, ListName};

use crate::audit::{append_in, NewAuditEntry};
use crate::register::import_batch;
use crate::writes::listed_entities_in;
use crate::{get, Backend, ChangeKind, FileRef, ImportBatch, Result, Store, StoreError};

/// Key of the PostgreSQL advisory lock shared with designation changes: an apply rewrites a
/// list from its current state, as `change_designation` does.
const DESIGNATION_LOCK: i64 = 7_411_125;

/// A signing key of one authority: this node's own (with its secret) or a peer's pinned one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FederationKey {
    pub authority: String,
    /// The node (member state) the authority belongs to.
    pub node: String,
    /// Base64 of the 32-byte ed25519 public key.
    pub public_key: String,
    /// Base64 of the 32-byte secret key, for this node's own authorities only.
    #[serde(skip_serializing)]
    pub secret_key: Option<String>,
    pub pinned_at: String,
}

/// One entity version of the register, as the exporter reads it.
#[derive(Debug, Clone)]
pub struct ExportVersion {
    pub id: i64,
    pub list: String,
    pub authority: String,
    pub change: ChangeKind,
    pub entity: Entity,
}

/// One signed envelope waiting in (or already sent from) the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub dest: String,
    pub seq: i64,
    pub kind: String,
    pub wire: String,
}

/// Per destination: the last sequence number enqueued and how many are not yet published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutboxState {
    pub dest: String,
    pub last_seq: i64,
    pub pending: i64,
}

/// Per origin: the next sequence number expected, and counts of applied and refused envelopes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxState {
    pub origin: String,
    pub next_seq: i64,
    pub applied: i64,
    pub refused: i64,
    pub last_applied_at: Option<String>,
}

/// A designation change that arrived from another node, to apply to this node's copy of the
/// originator's list.
#[derive(Debug, Clone)]
pub struct FederatedChange {
    pub list: ListName,
    pub authority: String,
    pub change: ChangeKind,
    pub entity: Entity,
}

/// One list's changes in a run: the list, its authority, the changes in order.
type ListChanges = (ListName, String, Vec<(ChangeKind, Entity)>);

fn key_row(row: &AnyRow) -> Result<FederationKey> {
    Ok(FederationKey {
        authority: get(row, "authority")?,
        node: get(row, "node")?,
        public_key: get(row, "public_key")?,
        secret_key: get(row, "secret_key")?,
        pinned_at: get(row, "pinned_at")?,
    })
}

impl Store {
    /// Every key: this node's own and the pinned peers', by authority.
    pub async fn federation_keys(&self) -> Result<Vec<FederationKey>> {
        let rows = sqlx::query(
            "SELECT authority, node, public_key, secret_key, pinned_at FROM federation_keys \
             ORDER BY authority",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(key_row).collect()
    }

    /// Stores a key with its audit entry. A key pinned for an authority is never replaced by
    /// another one: re-pinning the same key changes nothing, a different key is refused.
    pub async fn pin_federation_key(
        &self,
        key: &FederationKey,
        audit: &NewAuditEntry,
    ) -> Result<bool> {
        let mut tx = self.pool.begin().await?;
        let existing: Option<String> =
            sqlx::query_scalar("SELECT public_key FROM federation_keys WHERE authority = $1")
                .bind(&key.authority)
                .fetch_optional(&mut *tx)
                .await?;
        match existing {
            Some(k) if k == key.public_key => return Ok(false),
            Some(_) => return Err(StoreError::KeyPinned(key.authority.clone())),
            None => {}
        }
        sqlx::query(
            "INSERT INTO federation_keys (authority, node, public_key, secret_key, pinned_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(&key.authority)
        .bind(&key.node)
        .bind(&key.public_key)
        .bind(key.secret_key.clone())
        .bind(&key.pinned_at)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// A named counter of the federation (the exporter's watermark); 0 when never set.
    pub async fn federation_counter(&self, name: &str) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT value FROM federation_state WHERE name = $1")
                .bind(name)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.unwrap_or(0))
    }

    /// Entity versions after `after` (by id), oldest first, at most `limit`.
    pub async fn versions_after(&self, after: i64, limit: i64) -> Result<Vec<ExportVersion>> {
        let rows = sqlx::query(
            "SELECT v.id, v.list, l.authority, v.change, v.entity_id, v.data \
             FROM entity_versions v JOIN lists l ON l.name = v.list \
             WHERE v.id > $1 ORDER BY v.id LIMIT $2",
        )
        .bind(after)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in &rows {
            let entity_id: String = get(row, "entity_id")?;
            let data: String = get(row, "data")?;
            let entity: Entity = serde_json::from_str(&data).map_err(|e| StoreError::Corrupt {
                what: format!("entity_versions.data of {entity_id}"),
                detail: e.to_string(),
            })?;
            let change: String = get(row, "change")?;
            out.push(ExportVersion {
                id: get(row, "id")?,
                list: get(row, "list")?,
                authority: get(row, "authority")?,
                change: ChangeKind::parse(&change)?,
                entity,
            });
        }
        Ok(out)
    }

    /// The last sequence number enqueued per destination and how many wait to be published.
    pub async fn outbox_states(&self) -> Result<Vec<OutboxState>> {
        let rows = sqlx::query(
            "SELECT dest, MAX(seq) AS last_seq, \
             SUM(CASE WHEN published_at IS NULL THEN 1 ELSE 0 END) AS pending \
             FROM federation_outbox GROUP BY dest ORDER BY dest",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxState {
                    dest: get(r, "dest")?,
                    last_seq: get(r, "last_seq")?,
                    pending: get(r, "pending")?,
                })
            })
            .collect()
    }

    /// Enqueues `rows` and moves the exporter's watermark from `from` to `to`, in one
    /// transaction; refused (nothing stored) if the watermark is no longer `from`.
    pub async fn enqueue_outbox(&self, from: i64, to: i64, rows: &[OutboxRow]) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let current: Option<i64> = sqlx::query_scalar(
            "SELECT value FROM federation_state WHERE name = 'export_watermark'",
        )
        .fetch_optional(&mut *tx)
        .await?;
        if current.unwrap_or(0) != from {
            return Err(StoreError::Corrupt {
                what: "federation_state.export_watermark".into(),
                detail: format!("expected {from}, found {}", current.unwrap_or(0)),
            });
        }
        let now = vigil_model::utc_now_rfc3339();
        for row in rows {
            sqlx::query(
                "INSERT INTO federation_outbox (dest, seq, kind, wire, created_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&row.dest)
            .bind(row.seq)
            .bind(&row.kind)
            .bind(&row.wire)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        if current.is_some() {
            sqlx::query("UPDATE federation_state SET value = $1 WHERE name = 'export_watermark'")
                .bind(to)
                .execute(&mut *tx)
                .await?;
        } else {
            sqlx::query(
                "INSERT INTO federation_state (name, value) VALUES ('export_watermark', $1)",
            )
            .bind(to)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Envelopes not yet published, per destination in sequence order, at most `limit`.
    pub async fn pending_outbox(&self, limit: i64) -> Result<Vec<OutboxRow>> {
        let rows = sqlx::query(
            "SELECT dest, seq, kind, wire FROM federation_outbox WHERE published_at IS NULL \
             ORDER BY dest, seq LIMIT $1",
        )
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(OutboxRow {
                    dest: get(r, "dest")?,
                    seq: get(r, "seq")?,
                    kind: get(r, "kind")?,
                    wire: get(r, "wire")?,
                })
            })
            .collect()
    }

    /// Marks the envelopes `dest`, `from..=to` as published (acknowledged by JetStream).
    pub async fn mark_published(&self, dest: &str, from: i64, to: i64) -> Result<()> {
        sqlx::query(
            "UPDATE federation_outbox SET published_at = $1 \
             WHERE dest = $2 AND seq >= $3 AND seq <= $4 AND published_at IS NULL",
        )
        .bind(vigil_model::utc_now_rfc3339())
        .bind(dest)
        .bind(from)
        .bind(to)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Queues the envelopes to `dest` from `from_seq` on to be published again (a gap the
    /// destination reported); returns how many.
    pub async fn requeue_outbox(&self, dest: &str, from_seq: i64) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE federation_outbox SET published_at = NULL WHERE dest = $1 AND seq >= $2",
        )
        .bind(dest)
        .bind(from_seq)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The inbox's state per origin node.
    pub async fn inbox_states(&self) -> Result<Vec<InboxState>> {
        let rows = sqlx::query(
            "SELECT origin, next_seq, applied, refused, last_applied_at FROM federation_inbox \
             ORDER BY origin",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(InboxState {
                    origin: get(r, "origin")?,
                    next_seq: get(r, "next_seq")?,
                    applied: get(r, "applied")?,
                    refused: get(r, "refused")?,
                    last_applied_at: get(r, "last_applied_at")?,
                })
            })
            .collect()
    }

    /// The next sequence number expected from `origin` (1 before anything arrived).
    pub async fn inbox_next(&self, origin: &str) -> Result<i64> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT next_seq FROM federation_inbox WHERE origin = $1")
                .bind(origin)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v.unwrap_or(1))
    }

    /// Records a refused envelope from `origin` with its audit entry.
    pub async fn inbox_refused(&self, origin: &str, audit: &NewAuditEntry) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        let done =
            sqlx::query("UPDATE federation_inbox SET refused = refused + 1 WHERE origin = $1")
                .bind(origin)
                .execute(&mut *tx)
                .await?;
        if done.rows_affected() == 0 {
            sqlx::query(
                "INSERT INTO federation_inbox (origin, next_seq, applied, refused) VALUES ($1, 1, 0, 1)",
            )
            .bind(origin)
            .execute(&mut *tx)
            .await?;
        }
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Applies the envelopes `first_seq..=last_seq` from `origin` — their designation
    /// `changes`, in order — with `audits`, and moves the inbox to `last_seq + 1`, in one
    /// transaction. Refused with [`StoreError::OutOfOrder`] (nothing applied) unless the
    /// inbox expects `first_seq`. An add of a listed entity replaces it and a withdrawal of an
    /// absent one changes nothing, so the result does not depend on what was there.
    pub async fn apply_federated(
        &self,
        origin: &str,
        first_seq: i64,
        last_seq: i64,
        changes: Vec<FederatedChange>,
        audits: &[NewAuditEntry],
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        if self.backend == Backend::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(DESIGNATION_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let next: Option<i64> =
            sqlx::query_scalar("SELECT next_seq FROM federation_inbox WHERE origin = $1")
                .bind(origin)
                .fetch_optional(&mut *tx)
                .await?;
        let expected = next.unwrap_or(1);
        if expected != first_seq {
            return Err(StoreError::OutOfOrder {
                origin: origin.to_string(),
                expected,
                got: first_seq,
            });
        }
        // Changes grouped per list, each list's changes in arrival order.
        let mut per_list: BTreeMap<String, ListChanges> = BTreeMap::new();
        let count = last_seq - first_seq + 1;
        for c in changes {
            per_list
                .entry(c.list.as_str().to_string())
                .or_insert_with(|| (c.list.clone(), c.authority.clone(), Vec::new()))
                .2
                .push((c.change, c.entity));
        }
        for (name, (list, authority, list_changes)) in per_list {
            let mut entities = listed_entities_in(&mut tx, &list).await?;
            let mut index: BTreeMap<String, usize> = entities
                .iter()
                .enumerate()
                .map(|(i, e)| (e.id.to_string(), i))
                .collect();
            let mut removed = vec![false; entities.len()];
            for (change, entity) in list_changes {
                if entity.id.list() != name {
                    return Err(StoreError::ForeignEntity {
                        list: name.clone(),
                        id: entity.id.to_string(),
                    });
                }
                let key = entity.id.to_string();
                match (change, index.get(&key).copied()) {
                    (ChangeKind::Delisted, Some(i)) => removed[i] = true,
                    (ChangeKind::Delisted, None) => {}
                    (_, Some(i)) => {
                        entities[i] = entity;
                        removed[i] = false;
                    }
                    (_, None) => {
                        index.insert(key, entities.len());
                        entities.push(entity);
                        removed.push(false);
                    }
                }
            }
            let entities: Vec<Entity> = entities
                .into_iter()
                .zip(removed)
                .filter(|(_, r)| !r)
                .map(|(e, _)| e)
                .collect();
            let stamp = format!(
                "{}:federation:{origin}:{first_seq}-{last_seq}:{name}",
                vigil_model::utc_now_rfc3339()
            );
            let digest = sha2::Sha256::digest(stamp.as_bytes())
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect::<String>();
            let batch = ImportBatch {
                list,
                authority: authority.clone(),
                title: format!("National list of {authority}"),
                format: "federation".into(),
                published: None,
                files: vec![FileRef {
                    path: format!("federation:{origin}:{first_seq}-{last_seq}"),
                    sha256: digest,
                    bytes: 0,
                }],
                entities,
            };
            import_batch(&mut tx, self.backend, batch, &mut |_| {}).await?;
        }
        for audit in audits {
            append_in(&mut tx, self.backend, audit).await?;
        }
        let now = vigil_model::utc_now_rfc3339();
        if next.is_some() {
            sqlx::query(
                "UPDATE federation_inbox SET next_seq = $1, applied = applied + $2, \
                 last_applied_at = $3 WHERE origin = $4",
            )
            .bind(last_seq + 1)
            .bind(count)
            .bind(&now)
            .bind(origin)
            .execute(&mut *tx)
            .await?;
        } else {
            sqlx::query(
                "INSERT INTO federation_inbox (origin, next_seq, applied, refused, last_applied_at) \
                 VALUES ($1, $2, $3, 0, $4)",
            )
            .bind(origin)
            .bind(last_seq + 1)
            .bind(count)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}
