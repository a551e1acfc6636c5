//! Lists, revisions and entity versions: import, current and past state, history, diff.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::AssertSqlSafe;
use vigil_model::{
    seed_authorities as seeds, Authority, AuthorityKind, DesignationStatus, Entity, EntityId,
    ListName, PartialDate,
};

use crate::{get, get_json, Backend, Result, Store, StoreError};

/// A file an import was read from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRef {
    pub path: String,
    pub sha256: String,
    pub bytes: u64,
}

/// The complete content of one list version, to be stored as a new revision.
#[derive(Debug, Clone)]
pub struct ImportBatch {
    pub list: ListName,
    pub authority: String,
    pub title: String,
    pub format: String,
    /// The publication date the file states (RFC 3339 or ISO date), if any.
    pub published: Option<String>,
    pub files: Vec<FileRef>,
    pub entities: Vec<Entity>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Added,
    Changed,
    Delisted,
    Relisted,
}

impl ChangeKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChangeKind::Added => "added",
            ChangeKind::Changed => "changed",
            ChangeKind::Delisted => "delisted",
            ChangeKind::Relisted => "relisted",
        }
    }
    pub(crate) fn parse(s: &str) -> Result<Self> {
        match s {
            "added" => Ok(ChangeKind::Added),
            "changed" => Ok(ChangeKind::Changed),
            "delisted" => Ok(ChangeKind::Delisted),
            "relisted" => Ok(ChangeKind::Relisted),
            other => Err(StoreError::Corrupt {
                what: "entity_versions.change".into(),
                detail: other.to_string(),
            }),
        }
    }
}

/// What one import did to one list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub list: String,
    /// The new revision's number, or the existing one when the files were already imported.
    pub revision: i64,
    /// True when these exact files were the list's latest revision already: nothing was stored.
    pub already_imported: bool,
    pub entities: u64,
    pub added: u64,
    pub changed: u64,
    pub delisted: u64,
    pub relisted: u64,
    pub unchanged: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionInfo {
    pub list: String,
    pub number: i64,
    pub imported_at: String,
    pub published: Option<String>,
    /// The date the revision speaks for: its publication date, else its import date.
    pub effective: String,
    pub format: String,
    pub files: Vec<FileRef>,
    pub entities: i64,
    pub added: i64,
    pub changed: i64,
    pub delisted: i64,
    pub unchanged: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ListSummary {
    pub name: String,
    pub authority: String,
    pub title: String,
    pub format: String,
    pub revisions: i64,
    /// Entities listed now (not delisted).
    pub listed: i64,
    pub delisted: i64,
    pub latest: Option<RevisionInfo>,
}

/// One entity as the register holds it at some point in time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityRecord {
    pub entity: Entity,
    /// The revision (of its list) the shown version came from.
    pub revision: i64,
    pub change: ChangeKind,
    pub listed: bool,
}

/// One step in an entity's history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EntityVersion {
    pub revision: i64,
    pub effective: String,
    pub imported_at: String,
    pub change: ChangeKind,
    /// Top-level fields that differ from the previous version (empty for the first).
    pub fields: Vec<String>,
    pub entity: Entity,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DiffEntry {
    pub id: String,
    pub caption: String,
    pub change: ChangeKind,
    pub fields: Vec<String>,
}

const VERSION_COLUMNS: &str =
    "v.id, v.entity_id, v.change, v.content_hash, v.listed, v.data, r.number";

pub(crate) struct VersionRow {
    entity_id: String,
    change: ChangeKind,
    content_hash: String,
    listed: bool,
    data: String,
    revision: i64,
}

pub(crate) fn version_row(row: &AnyRow) -> Result<VersionRow> {
    Ok(VersionRow {
        entity_id: get(row, "entity_id")?,
        change: ChangeKind::parse(&get::<String>(row, "change")?)?,
        content_hash: get(row, "content_hash")?,
        listed: get::<i64>(row, "listed")? == 1,
        data: get(row, "data")?,
        revision: get(row, "number")?,
    })
}

fn decode_entity(id: &str, data: &str) -> Result<Entity> {
    serde_json::from_str(data).map_err(|e| StoreError::Corrupt {
        what: format!("entity version of {id}"),
        detail: e.to_string(),
    })
}

impl VersionRow {
    pub(crate) fn record(&self) -> Result<EntityRecord> {
        Ok(EntityRecord {
            entity: decode_entity(&self.entity_id, &self.data)?,
            revision: self.revision,
            change: self.change,
            listed: self.listed,
        })
    }
}

fn authority_kind_str(kind: AuthorityKind) -> String {
    serde_json::to_value(kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

pub(crate) async fn seed_authorities(store: &Store) -> Result<()> {
    let mut tx = store.pool.begin().await?;
    for a in seeds() {
        sqlx::query(
            "INSERT INTO authorities (code, name, kind, country, parent) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (code) DO NOTHING",
        )
        .bind(a.code)
        .bind(a.name)
        .bind(authority_kind_str(a.kind))
        .bind(a.country)
        .bind(a.parent)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The date part of an RFC 3339 timestamp or ISO date.
fn date_part(s: &str) -> String {
    s.get(..10).unwrap_or(s).to_string()
}

/// Names of the top-level fields whose values differ between two entities.
fn changed_fields(before: &Entity, after: &Entity) -> Vec<String> {
    let (Ok(serde_json::Value::Object(a)), Ok(serde_json::Value::Object(b))) =
        (serde_json::to_value(before), serde_json::to_value(after))
    else {
        return Vec::new();
    };
    let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
    keys.into_iter()
        .filter(|k| k.as_str() != "sources" && a.get(*k) != b.get(*k))
        .cloned()
        .collect()
}

/// The entity as delisted in `revision`: its designations marked delisted on `on`.
fn delisted_copy(mut entity: Entity, on: Option<PartialDate>) -> Entity {
    for d in &mut entity.designations {
        if d.status != DesignationStatus::Delisted {
            d.status = DesignationStatus::Delisted;
            d.delisted_on = on;
        }
    }
    entity
}

impl Store {
    pub async fn authorities(&self) -> Result<Vec<Authority>> {
        let rows =
            sqlx::query("SELECT code, name, kind, country, parent FROM authorities ORDER BY code")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|row| {
                let kind: String = get(row, "kind")?;
                Ok(Authority {
                    code: get(row, "code")?,
                    name: get(row, "name")?,
                    kind: serde_json::from_value(serde_json::Value::String(kind.clone())).map_err(
                        |_| StoreError::Corrupt {
                            what: "authorities.kind".into(),
                            detail: kind,
                        },
                    )?,
                    country: get(row, "country")?,
                    parent: get(row, "parent")?,
                })
            })
            .collect()
    }

    /// Stores each batch as a new revision of its list, all in one transaction: if any batch
    /// fails, nothing of any batch is stored. `progress` is called with entities written.
    pub async fn import(
        &self,
        batches: Vec<ImportBatch>,
        progress: &(dyn Fn(u64) + Sync),
    ) -> Result<Vec<ImportReport>> {
        let mut tx = self.pool.begin().await?;
        let mut reports = Vec::new();
        let mut written = 0u64;
        for batch in batches {
            let report = import_batch(&mut tx, self.backend, batch, &mut |n| {
                written += n;
                progress(written)
            })
            .await?;
            reports.push(report);
        }
        tx.commit().await?;
        Ok(reports)
    }

    pub async fn lists(&self) -> Result<Vec<ListSummary>> {
        let rows = sqlx::query("SELECT name, authority, title, format FROM lists ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        let mut out = Vec::new();
        for row in rows {
            let name: String = get(&row, "name")?;
            let revisions = self.revisions(&name).await?;
            let counts = sqlx::query(AssertSqlSafe(format!(
                "SELECT v.listed AS listed, COUNT(*) AS n FROM entity_versions v
                 JOIN ({latest}) last ON v.id = last.id GROUP BY v.listed",
                latest = latest_versions_sql("$1", None)
            )))
            .bind(&name)
            .fetch_all(&self.pool)
            .await?;
            let (mut listed, mut delisted) = (0, 0);
            for c in counts {
                let n: i64 = get(&c, "n")?;
                if get::<i64>(&c, "listed")? == 1 {
                    listed += n;
                } else {
                    delisted += n;
                }
            }
            out.push(ListSummary {
                authority: get(&row, "authority")?,
                title: get(&row, "title")?,
                format: get(&row, "format")?,
                revisions: revisions.len() as i64,
                listed,
                delisted,
                latest: revisions.into_iter().last(),
                name,
            });
        }
        Ok(out)
    }

    /// A list's revisions, oldest first.
    pub async fn revisions(&self, list: &str) -> Result<Vec<RevisionInfo>> {
        let rows = sqlx::query(
            "SELECT list, number, imported_at, published, effective, format, files, entity_count,
                    added, changed, delisted, unchanged
             FROM revisions WHERE list = $1 ORDER BY number",
        )
        .bind(list)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(revision_info).collect()
    }

    /// The entity as the register holds it now, or as it stood on `as_of` (the latest
    /// version from a revision effective on or before that date). Delisted entities are
    /// returned too, marked as such.
    pub async fn entity(
        &self,
        id: &EntityId,
        as_of: Option<PartialDate>,
    ) -> Result<Option<EntityRecord>> {
        let cutoff = as_of.map(|d| d.to_string());
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM entity_versions v JOIN revisions r ON r.id = v.revision_id
             WHERE v.entity_id = $1 {filter} ORDER BY v.id DESC LIMIT 1",
            filter = if cutoff.is_some() { "AND r.effective <= $2" } else { "" }
        );
        let mut query = sqlx::query(AssertSqlSafe(sql)).bind(id.as_str());
        if let Some(c) = cutoff {
            query = query.bind(as_of_bound(&c));
        }
        match query.fetch_optional(&self.pool).await? {
            Some(row) => Ok(Some(version_row(&row)?.record()?)),
            None => Ok(None),
        }
    }

    /// Every entity of `list` (or of all lists) as it stands now or on `as_of`; delisted
    /// ones only when asked. Ordered by id.
    pub async fn entities(
        &self,
        list: Option<&str>,
        as_of: Option<PartialDate>,
        include_delisted: bool,
    ) -> Result<Vec<EntityRecord>> {
        let cutoff = as_of.map(|d| as_of_bound(&d.to_string()));
        let mut n = 0;
        let mut next = || {
            n += 1;
            format!("${n}")
        };
        let list_param = list.map(|_| next());
        let cutoff_param = cutoff.as_ref().map(|_| next());
        let sql = format!(
            "SELECT {VERSION_COLUMNS} FROM entity_versions v JOIN revisions r ON r.id = v.revision_id
             JOIN ({latest}) last ON v.id = last.id {delisted} ORDER BY v.entity_id",
            latest = latest_versions_sql(
                list_param.as_deref().unwrap_or(""),
                cutoff_param.as_deref()
            ),
            delisted = if include_delisted { "" } else { "WHERE v.listed = 1" },
        );
        let mut query = sqlx::query(AssertSqlSafe(sql));
        if let Some(l) = list {
            query = query.bind(l);
        }
        if let Some(c) = cutoff {
            query = query.bind(c);
        }
        let rows = query.fetch_all(&self.pool).await?;
        rows.iter().map(|r| version_row(r)?.record()).collect()
    }

    /// Every version of one entity, oldest first, with the fields each change touched.
    pub async fn history(&self, id: &EntityId) -> Result<Vec<EntityVersion>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS}, r.effective, r.imported_at FROM entity_versions v
             JOIN revisions r ON r.id = v.revision_id WHERE v.entity_id = $1 ORDER BY v.id"
        )))
        .bind(id.as_str())
        .fetch_all(&self.pool)
        .await?;
        let mut out: Vec<EntityVersion> = Vec::new();
        for row in &rows {
            let v = version_row(row)?;
            let entity = decode_entity(&v.entity_id, &v.data)?;
            let fields = out
                .last()
                .map(|prev| changed_fields(&prev.entity, &entity))
                .unwrap_or_default();
            out.push(EntityVersion {
                revision: v.revision,
                effective: get(row, "effective")?,
                imported_at: get(row, "imported_at")?,
                change: v.change,
                fields,
                entity,
            });
        }
        Ok(out)
    }

    /// What changed in `list` between two of its revisions (`from` < `to`, or the reverse to
    /// see it backwards): entities added, changed, delisted and relisted.
    pub async fn diff(&self, list: &str, from: i64, to: i64) -> Result<Vec<DiffEntry>> {
        let revisions = self.revisions(list).await?;
        if revisions.is_empty()
            && sqlx::query("SELECT name FROM lists WHERE name = $1")
                .bind(list)
                .fetch_optional(&self.pool)
                .await?
                .is_none()
        {
            return Err(StoreError::NoSuchList(list.to_string()));
        }
        for rev in [from, to] {
            if rev != 0 && !revisions.iter().any(|r| r.number == rev) {
                return Err(StoreError::NoSuchRevision(list.to_string(), rev));
            }
        }
        let before = self.state_at(list, from).await?;
        let after = self.state_at(list, to).await?;
        let ids: std::collections::BTreeSet<&String> = before.keys().chain(after.keys()).collect();
        let mut out = Vec::new();
        for id in ids {
            let b = before.get(id).filter(|r| r.listed);
            let a = after.get(id).filter(|r| r.listed);
            let (change, fields, caption) = match (b, a) {
                (None, Some(a)) => {
                    let relisted = before.contains_key(id);
                    let kind = if relisted {
                        ChangeKind::Relisted
                    } else {
                        ChangeKind::Added
                    };
                    (kind, Vec::new(), a.entity.caption().to_string())
                }
                (Some(b), None) => (
                    ChangeKind::Delisted,
                    Vec::new(),
                    b.entity.caption().to_string(),
                ),
                (Some(b), Some(a)) => {
                    let fields = changed_fields(&b.entity, &a.entity);
                    if fields.is_empty() {
                        continue;
                    }
                    (ChangeKind::Changed, fields, a.entity.caption().to_string())
                }
                (None, None) => continue,
            };
            out.push(DiffEntry {
                id: id.clone(),
                caption,
                change,
                fields,
            });
        }
        Ok(out)
    }

    /// The list's entities as of revision `number` (0: before the first revision).
    async fn state_at(&self, list: &str, number: i64) -> Result<BTreeMap<String, EntityRecord>> {
        let rows = sqlx::query(AssertSqlSafe(format!(
            "SELECT {VERSION_COLUMNS} FROM entity_versions v JOIN revisions r ON r.id = v.revision_id
             JOIN (SELECT MAX(v2.id) AS id FROM entity_versions v2
                   JOIN revisions r2 ON r2.id = v2.revision_id
                   WHERE v2.list = $1 AND r2.number <= $2 GROUP BY v2.entity_id) last
             ON v.id = last.id"
        )))
        .bind(list)
        .bind(number)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                let v = version_row(r)?;
                Ok((v.entity_id.clone(), v.record()?))
            })
            .collect()
    }
}

/// An as-of date compares with a revision's effective date (a date or a timestamp): every
/// revision effective during that day counts.
fn as_of_bound(date: &str) -> String {
    format!("{date}\u{10FFFF}")
}

/// SQL selecting the id of the latest version of each entity, optionally of one list
/// (`list_param`, e.g. `$1`, empty for all) and up to a cutoff (`cutoff_param`).
pub(crate) fn latest_versions_sql(list_param: &str, cutoff_param: Option<&str>) -> String {
    let mut conditions = Vec::new();
    if !list_param.is_empty() {
        conditions.push(format!("v2.list = {list_param}"));
    }
    if let Some(c) = cutoff_param {
        conditions.push(format!("r2.effective <= {c}"));
    }
    let filter = if conditions.is_empty() {
        String::new()
    } else {
        format!("WHERE {}", conditions.join(" AND "))
    };
    format!(
        "SELECT MAX(v2.id) AS id FROM entity_versions v2 JOIN revisions r2 ON r2.id = v2.revision_id
         {filter} GROUP BY v2.entity_id"
    )
}

fn revision_info(row: &AnyRow) -> Result<RevisionInfo> {
    Ok(RevisionInfo {
        list: get(row, "list")?,
        number: get(row, "number")?,
        imported_at: get(row, "imported_at")?,
        published: get(row, "published")?,
        effective: get(row, "effective")?,
        format: get(row, "format")?,
        files: get_json(row, "files", "revisions.files")?,
        entities: get(row, "entity_count")?,
        added: get(row, "added")?,
        changed: get(row, "changed")?,
        delisted: get(row, "delisted")?,
        unchanged: get(row, "unchanged")?,
    })
}

struct NewVersion {
    entity_id: String,
    change: ChangeKind,
    schema: String,
    caption: String,
    content_hash: String,
    listed: bool,
    data: String,
}

pub(crate) async fn import_batch(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    batch: ImportBatch,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<ImportReport> {
    let list = batch.list.as_str().to_string();
    ensure_list(tx, &batch).await?;

    let latest = sqlx::query(
        "SELECT list, number, imported_at, published, effective, format, files, entity_count,
                added, changed, delisted, unchanged
         FROM revisions WHERE list = $1 ORDER BY number DESC LIMIT 1",
    )
    .bind(&list)
    .fetch_optional(&mut **tx)
    .await?
    .map(|row| revision_info(&row))
    .transpose()?;

    if let Some(latest) = &latest {
        let same_files = {
            let mut a: Vec<&str> = latest.files.iter().map(|f| f.sha256.as_str()).collect();
            let mut b: Vec<&str> = batch.files.iter().map(|f| f.sha256.as_str()).collect();
            a.sort_unstable();
            b.sort_unstable();
            !a.is_empty() && a == b
        };
        if same_files {
            return Ok(ImportReport {
                list,
                revision: latest.number,
                already_imported: true,
                entities: latest.entities as u64,
                added: 0,
                changed: 0,
                delisted: 0,
                relisted: 0,
                unchanged: latest.entities as u64,
            });
        }
        if let (Some(given), Some(prev)) = (&batch.published, &latest.published) {
            if given < prev {
                return Err(StoreError::OlderThanLatest {
                    list,
                    given: given.clone(),
                    revision: latest.number,
                    latest: prev.clone(),
                });
            }
        }
    }

    // The list's current state: latest version of each entity it ever held.
    let rows = sqlx::query(AssertSqlSafe(format!(
        "SELECT {VERSION_COLUMNS} FROM entity_versions v JOIN revisions r ON r.id = v.revision_id
         JOIN ({latest}) last ON v.id = last.id",
        latest = latest_versions_sql("$1", None)
    )))
    .bind(&list)
    .fetch_all(&mut **tx)
    .await?;
    let mut current: HashMap<String, VersionRow> = HashMap::with_capacity(rows.len());
    for row in &rows {
        let v = version_row(row)?;
        current.insert(v.entity_id.clone(), v);
    }

    let imported_at = vigil_model::utc_now_rfc3339();
    let effective = date_part(batch.published.as_deref().unwrap_or(&imported_at));
    let delisted_on = PartialDate::parse_iso(&effective).ok();

    let mut seen: HashSet<String> = HashSet::with_capacity(batch.entities.len());
    let mut versions = Vec::new();
    let mut report = ImportReport {
        list: list.clone(),
        revision: 0,
        already_imported: false,
        entities: batch.entities.len() as u64,
        added: 0,
        changed: 0,
        delisted: 0,
        relisted: 0,
        unchanged: 0,
    };
    for entity in &batch.entities {
        let id = entity.id.as_str().to_string();
        if entity.id.list() != list {
            return Err(StoreError::ForeignEntity { list, id });
        }
        if !seen.insert(id.clone()) {
            return Err(StoreError::DuplicateEntity { list, id });
        }
        let hash = entity.content_hash();
        let change = match current.get(&id) {
            None => ChangeKind::Added,
            Some(prev) if prev.change == ChangeKind::Delisted => ChangeKind::Relisted,
            Some(prev) if prev.content_hash != hash => ChangeKind::Changed,
            Some(_) => {
                report.unchanged += 1;
                continue;
            }
        };
        match change {
            ChangeKind::Added => report.added += 1,
            ChangeKind::Relisted => report.relisted += 1,
            _ => report.changed += 1,
        }
        versions.push(NewVersion {
            entity_id: id,
            change,
            schema: entity.schema.as_str().to_string(),
            caption: entity.caption().to_string(),
            content_hash: hash,
            listed: entity.is_listed(),
            data: serde_json::to_string(entity).map_err(|e| StoreError::Corrupt {
                what: format!("entity {}", entity.id),
                detail: e.to_string(),
            })?,
        });
    }
    let mut gone: Vec<&VersionRow> = current
        .values()
        .filter(|v| v.change != ChangeKind::Delisted && !seen.contains(&v.entity_id))
        .collect();
    gone.sort_by(|a, b| a.entity_id.cmp(&b.entity_id));
    for prev in gone {
        let entity = delisted_copy(decode_entity(&prev.entity_id, &prev.data)?, delisted_on);
        report.delisted += 1;
        versions.push(NewVersion {
            entity_id: prev.entity_id.clone(),
            change: ChangeKind::Delisted,
            schema: entity.schema.as_str().to_string(),
            caption: entity.caption().to_string(),
            content_hash: entity.content_hash(),
            listed: false,
            data: serde_json::to_string(&entity).map_err(|e| StoreError::Corrupt {
                what: format!("entity {}", entity.id),
                detail: e.to_string(),
            })?,
        });
    }

    let number = latest.as_ref().map(|l| l.number).unwrap_or(0) + 1;
    let files = serde_json::to_string(&batch.files).map_err(|e| StoreError::Corrupt {
        what: "files".into(),
        detail: e.to_string(),
    })?;
    let revision_id: i64 = sqlx::query_scalar(
        "INSERT INTO revisions (list, number, imported_at, published, effective, format, files,
             entity_count, added, changed, delisted, unchanged)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
    )
    .bind(&list)
    .bind(number)
    .bind(&imported_at)
    .bind(batch.published.clone())
    .bind(&effective)
    .bind(&batch.format)
    .bind(files)
    .bind(batch.entities.len() as i64)
    .bind((report.added + report.relisted) as i64)
    .bind(report.changed as i64)
    .bind(report.delisted as i64)
    .bind(report.unchanged as i64)
    .fetch_one(&mut **tx)
    .await?;

    // Multi-row inserts: one round trip per chunk matters on PostgreSQL.
    // Multi-row inserts: one round trip per chunk matters on PostgreSQL. SQLite gets plain `?`
    // placeholders: it looks numbered ones up by name in a linear list, which made large
    // statements quadratic.
    const ROWS_PER_INSERT: usize = 200;
    const COLUMNS: usize = 9;
    let mut versions = versions.into_iter().peekable();
    while versions.peek().is_some() {
        let chunk: Vec<NewVersion> = versions.by_ref().take(ROWS_PER_INSERT).collect();
        let mut sql = String::from(
            "INSERT INTO entity_versions (entity_id, list, revision_id, change, schema, caption, content_hash, listed, data) VALUES ",
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
        let rows = chunk.len() as u64;
        let mut query = sqlx::query(AssertSqlSafe(sql));
        for v in chunk {
            query = query
                .bind(v.entity_id)
                .bind(list.clone())
                .bind(revision_id)
                .bind(v.change.as_str())
                .bind(v.schema)
                .bind(v.caption)
                .bind(v.content_hash)
                .bind(i64::from(v.listed))
                .bind(v.data);
        }
        query.execute(&mut **tx).await?;
        progress(rows);
    }
    report.revision = number;
    Ok(report)
}

async fn ensure_list(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    batch: &ImportBatch,
) -> Result<()> {
    let list = batch.list.as_str();
    let existing: Option<String> =
        sqlx::query_scalar("SELECT authority FROM lists WHERE name = $1")
            .bind(list)
            .fetch_optional(&mut **tx)
            .await?;
    if let Some(existing) = existing {
        if existing != batch.authority {
            return Err(StoreError::AuthorityMismatch {
                list: list.to_string(),
                existing,
                given: batch.authority.clone(),
            });
        }
        return Ok(());
    }
    let known: Option<String> = sqlx::query_scalar("SELECT code FROM authorities WHERE code = $1")
        .bind(&batch.authority)
        .fetch_optional(&mut **tx)
        .await?;
    if known.is_none() {
        register_competent_authority(tx, &batch.authority).await?;
    }
    sqlx::query("INSERT INTO lists (name, authority, title, format, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(list)
        .bind(&batch.authority)
        .bind(&batch.title)
        .bind(&batch.format)
        .bind(vigil_model::utc_now_rfc3339())
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// `RU-FSB` names a competent authority of member state `RU`: registered on first use. Any
/// other unknown code is refused, so a typo cannot create an authority.
pub(crate) async fn register_competent_authority(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    code: &str,
) -> Result<()> {
    let unknown = || StoreError::UnknownAuthority(code.to_string());
    let (state, body) = code.split_once('-').ok_or_else(unknown)?;
    let valid_body = !body.is_empty()
        && body.len() <= 32
        && body
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '-');
    let member: Option<String> = sqlx::query_scalar(
        "SELECT code FROM authorities WHERE code = $1 AND kind = 'member_state'",
    )
    .bind(state)
    .fetch_optional(&mut **tx)
    .await?;
    if member.is_none() || !valid_body {
        return Err(unknown());
    }
    sqlx::query(
        "INSERT INTO authorities (code, name, kind, country, parent) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(code)
    .bind(format!("{body} ({state})"))
    .bind(authority_kind_str(AuthorityKind::CompetentAuthority))
    .bind(state)
    .bind(state)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
