//! Writes that carry their audit entry: a national designation added, amended or withdrawn
//! through the API, and an import by upload. The write and its entry commit together.

use vigil_model::{Entity, EntityId, ListName};

use crate::audit::{append_in, NewAuditEntry};
use crate::register::{import_batch, latest_versions_sql, version_row};
use crate::{Backend, FileRef, ImportBatch, ImportReport, Result, Store, StoreError};

/// Key of the PostgreSQL advisory lock that serializes designation changes: each is computed
/// from the list's current state, so two at once would lose one.
const DESIGNATION_LOCK: i64 = 7_411_125;

#[derive(Debug, Clone)]
pub enum DesignationChange {
    /// A new entity on the list; refused if the id is listed already.
    Add(Entity),
    /// A listed entity replaced by this version.
    Amend(Entity),
    /// A listed entity withdrawn: the new revision marks it delisted; nothing is deleted.
    Withdraw(EntityId),
}

impl DesignationChange {
    fn id(&self) -> &EntityId {
        match self {
            DesignationChange::Add(e) | DesignationChange::Amend(e) => &e.id,
            DesignationChange::Withdraw(id) => id,
        }
    }
}

impl Store {
    /// Applies one change to `list` (created for `authority` if new) as a new revision, and
    /// appends `audit` in the same transaction.
    pub async fn change_designation(
        &self,
        list: &ListName,
        authority: &str,
        change: DesignationChange,
        audit: &NewAuditEntry,
    ) -> Result<ImportReport> {
        let mut tx = self.pool.begin().await?;
        let report = change_designation_in(&mut tx, self.backend, list, authority, change).await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(report)
    }

    /// [`Store::import`] with its audit entry in the same transaction.
    pub async fn import_audited(
        &self,
        batches: Vec<ImportBatch>,
        audit: &NewAuditEntry,
    ) -> Result<Vec<ImportReport>> {
        let mut tx = self.pool.begin().await?;
        let mut reports = Vec::new();
        for batch in batches {
            reports.push(import_batch(&mut tx, self.backend, batch, &mut |_| {}).await?);
        }
        let mut entry = audit.clone();
        if entry.detail.is_empty() {
            entry.detail = reports
                .iter()
                .map(|r| {
                    format!(
                        "{} revision {}: {} added, {} changed, {} delisted, {} relisted",
                        r.list, r.revision, r.added, r.changed, r.delisted, r.relisted
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
        }
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        Ok(reports)
    }
}

/// [`Store::change_designation`] inside a caller's transaction (a search notice's step writes
/// its designation and its own rows together); the caller appends the audit entry and commits.
pub(crate) async fn change_designation_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    list: &ListName,
    authority: &str,
    change: DesignationChange,
) -> Result<ImportReport> {
    let id = change.id().clone();
    if id.list() != list.as_str() {
        return Err(StoreError::ForeignEntity {
            list: list.to_string(),
            id: id.to_string(),
        });
    }
    if backend == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(DESIGNATION_LOCK)
            .execute(&mut **tx)
            .await?;
    }
    let existing_authority: Option<String> =
        sqlx::query_scalar("SELECT authority FROM lists WHERE name = $1")
            .bind(list.as_str())
            .fetch_optional(&mut **tx)
            .await?;
    let mut entities = listed_entities_in(tx, list).await?;
    let position = entities.iter().position(|e| e.id == id);
    let detail;
    match (change, position) {
        (DesignationChange::Add(entity), None) => {
            detail = "added";
            entities.push(entity);
        }
        (DesignationChange::Add(_), Some(_)) => {
            return Err(StoreError::EntityExists(id.to_string()))
        }
        (DesignationChange::Amend(entity), Some(i)) => {
            detail = "amended";
            entities[i] = entity;
        }
        (DesignationChange::Withdraw(_), Some(i)) => {
            detail = "withdrawn";
            entities.remove(i);
        }
        (_, None) => return Err(StoreError::NoSuchEntity(id.to_string())),
    }
    // A unique file digest per change: the import treats identical files as a re-import.
    let stamp = format!("{}:{}:{detail}", vigil_model::utc_now_rfc3339(), id);
    let digest = {
        use sha2::Digest;
        sha2::Sha256::digest(stamp.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    };
    let batch = ImportBatch {
        list: list.clone(),
        authority: existing_authority.unwrap_or_else(|| authority.to_string()),
        title: format!("National list of {}", authority),
        format: "api".into(),
        published: None,
        files: vec![FileRef {
            path: "api".into(),
            sha256: digest,
            bytes: 0,
        }],
        entities,
    };
    import_batch(tx, backend, batch, &mut |_| {}).await
}

/// The entities listed now on `list`, read inside `tx`, ordered by id.
pub(crate) async fn listed_entities_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    list: &ListName,
) -> Result<Vec<Entity>> {
    let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
        "SELECT v.id, v.entity_id, v.change, v.content_hash, v.listed, v.data, r.number
         FROM entity_versions v JOIN revisions r ON r.id = v.revision_id
         JOIN ({latest}) last ON v.id = last.id WHERE v.change <> 'delisted' ORDER BY v.entity_id",
        latest = latest_versions_sql("$1", None)
    )))
    .bind(list.as_str())
    .fetch_all(&mut **tx)
    .await?;
    let mut entities = Vec::with_capacity(rows.len() + 1);
    for row in &rows {
        entities.push(version_row(row)?.record()?.entity);
    }
    Ok(entities)
}
