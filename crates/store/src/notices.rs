//! The search register's store: notices, their append-only steps, and the register entity each
//! notice keeps in the requesting state's list while its person is sought.
//!
//! Every write is one transaction: the notice row or its new step, the designation change that
//! puts the person in (or takes it out of) the screening index, and the audit entry.

use serde::Serialize;
use sqlx::any::AnyRow;
use vigil_model::{member_state_of, EntityId, ListName};
use vigil_notices::{
    check_notice, next_status, person_key, register_entity, NoticeError, NoticeInput, Status, Step,
    StepContext,
};

use crate::audit::append_in;
use crate::writes::change_designation_in;
use crate::{get, Result, Store, StoreError};

/// One step of a notice's life as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeEvent {
    pub step: String,
    pub status: String,
    pub authority: String,
    pub member_state: String,
    pub user: String,
    pub recorded: String,
    pub detail: serde_json::Value,
}

/// A notice with its history; `status`, `located_by` and `last_reviewed` are derived from it.
#[derive(Debug, Clone, Serialize)]
pub struct StoredNotice {
    pub id: i64,
    pub requesting_authority: String,
    pub requesting_state: String,
    pub entity_id: EntityId,
    pub created: String,
    pub created_by: String,
    pub notice: NoticeInput,
    pub status: Status,
    /// The member state that reported the latest location.
    pub located_by: Option<String>,
    /// When the requesting state last confirmed the search (its declaration, or a review).
    pub last_reviewed: String,
    pub history: Vec<NoticeEvent>,
}

/// Notices counted for the council's yearly report: steps recorded in the year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct NoticeCounts {
    pub declared: i64,
    pub located: i64,
    pub detained: i64,
    pub withdrawn: i64,
}

fn rule(e: NoticeError) -> StoreError {
    StoreError::NoticeRule(e)
}

fn corrupt(detail: impl Into<String>) -> StoreError {
    StoreError::Corrupt {
        what: "search notice".into(),
        detail: detail.into(),
    }
}

fn event_row(row: &AnyRow) -> Result<NoticeEvent> {
    let detail: String = get(row, "detail")?;
    Ok(NoticeEvent {
        step: get(row, "step")?,
        status: get(row, "status")?,
        authority: get(row, "authority")?,
        member_state: get(row, "member_state")?,
        user: get(row, "user_name")?,
        recorded: get(row, "recorded")?,
        detail: serde_json::from_str(&detail).map_err(|e| corrupt(e.to_string()))?,
    })
}

async fn load_in<'c, E>(executor: E, row: AnyRow) -> Result<StoredNotice>
where
    E: sqlx::Executor<'c, Database = sqlx::Any>,
{
    let id: i64 = get(&row, "id")?;
    let text: String = get(&row, "notice")?;
    let notice: NoticeInput = serde_json::from_str(&text).map_err(|e| corrupt(e.to_string()))?;
    let entity_text: String = get(&row, "entity_id")?;
    let entity_id = entity_text
        .parse::<EntityId>()
        .map_err(|e| corrupt(e.to_string()))?;
    let events = sqlx::query(
        "SELECT step, status, authority, member_state, user_name, recorded, detail
         FROM search_notice_events WHERE notice_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(executor)
    .await?;
    let history = events.iter().map(event_row).collect::<Result<Vec<_>>>()?;
    let status = history
        .last()
        .and_then(|e| Status::parse(&e.status))
        .ok_or_else(|| corrupt(format!("notice {id} has no readable step")))?;
    let located_by = history
        .iter()
        .rev()
        .find(|e| e.step == "locate")
        .map(|e| e.member_state.clone());
    let created: String = get(&row, "created")?;
    let last_reviewed = history
        .iter()
        .rev()
        .find(|e| e.step == "review" || e.step == "declare")
        .map(|e| e.recorded.clone())
        .unwrap_or_else(|| created.clone());
    Ok(StoredNotice {
        id,
        requesting_authority: get(&row, "requesting_authority")?,
        requesting_state: get(&row, "requesting_state")?,
        entity_id,
        created,
        created_by: get(&row, "created_by")?,
        notice,
        status,
        located_by,
        last_reviewed,
        history,
    })
}

const NOTICE_COLUMNS: &str =
    "id, requesting_authority, requesting_state, entity_id, created, created_by, notice";

/// Who takes a step: the user, its authority and that authority's member state.
struct Actor<'a> {
    user: &'a str,
    authority: &'a str,
    member_state: &'a str,
}

async fn insert_event(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    notice_id: i64,
    step: &str,
    status: Status,
    actor: &Actor<'_>,
    detail: &serde_json::Value,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO search_notice_events
         (notice_id, step, status, authority, member_state, user_name, recorded, detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(notice_id)
    .bind(step)
    .bind(status.as_str())
    .bind(actor.authority)
    .bind(actor.member_state)
    .bind(actor.user)
    .bind(vigil_model::utc_now_rfc3339())
    .bind(detail.to_string())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Declares a search notice for `authority` (a member state's authority), puts its person
    /// in the screening index, and appends `audit`; refused whole (nothing written) when the
    /// notice is incomplete or a notice for the same person by the same state is still open.
    pub async fn declare_notice(
        &self,
        user: &str,
        authority: &str,
        input: NoticeInput,
        audit: &crate::NewAuditEntry,
    ) -> Result<StoredNotice> {
        let state = member_state_of(authority).ok_or_else(|| {
            rule(NoticeError {
                field: "authority".into(),
                message: format!("{authority} is not a member state's authority: only member states declare searches"),
                forbidden: true,
            })
        })?;
        check_notice(&input, &state).map_err(rule)?;
        let key = person_key(&input.person);
        let mut tx = self.pool.begin().await?;
        if self.backend == crate::Backend::Postgres {
            // Serializes declarations, so that two at once cannot both pass the duplicate check.
            sqlx::query("SELECT pg_advisory_xact_lock($1)")
                .bind(NOTICE_LOCK)
                .execute(&mut *tx)
                .await?;
        }
        let same: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM search_notices WHERE requesting_state = $1 AND person_key = $2",
        )
        .bind(&state)
        .bind(&key)
        .fetch_all(&mut *tx)
        .await?;
        for other in same {
            let status: Option<String> = sqlx::query_scalar(
                "SELECT status FROM search_notice_events WHERE notice_id = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(other)
            .fetch_optional(&mut *tx)
            .await?;
            if status
                .as_deref()
                .and_then(Status::parse)
                .is_some_and(|s| !s.is_final())
            {
                return Err(rule(NoticeError {
                    field: "person".into(),
                    message: format!(
                        "{state} has an open notice for this person already (notice {other})"
                    ),
                    forbidden: false,
                }));
            }
        }
        let created = vigil_model::utc_now_rfc3339();
        let list = ListName::new(&state.to_lowercase()).map_err(|e| corrupt(e.to_string()))?;
        let digest = {
            use sha2::Digest;
            let d = sha2::Sha256::digest(format!("{key}|{created}|{user}").as_bytes());
            d.iter()
                .take(6)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        };
        let entity_id = EntityId::new(&list, &format!("notice-{digest}"))
            .map_err(|e| corrupt(e.to_string()))?;
        let text = serde_json::to_string(&input).map_err(|e| corrupt(e.to_string()))?;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO search_notices
             (requesting_authority, requesting_state, person_key, entity_id, declared_on, created, created_by, notice)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(authority)
        .bind(&state)
        .bind(&key)
        .bind(entity_id.as_str())
        .bind(input.declared_on.trim())
        .bind(&created)
        .bind(user)
        .bind(&text)
        .fetch_one(&mut *tx)
        .await?;
        insert_event(
            &mut tx,
            id,
            "declare",
            Status::Declared,
            &Actor {
                user,
                authority,
                member_state: &state,
            },
            &serde_json::json!({"scope": input.scope}),
        )
        .await?;
        let entity = register_entity(entity_id.clone(), &input, authority).map_err(rule)?;
        change_designation_in(
            &mut tx,
            self.backend,
            &list,
            authority,
            crate::DesignationChange::Add(entity),
        )
        .await?;
        let mut entry = audit.clone();
        entry.records = vec![format!("notice:{id}"), entity_id.to_string()];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        self.notice(id)
            .await?
            .ok_or_else(|| corrupt(format!("notice {id} vanished")))
    }

    /// Records one step of notice `id` by `authority`; a step that ends the search (detention,
    /// hand-over, extradition, withdrawal) takes the person out of the screening index in the
    /// same transaction. Refused whole when the step is not the authority's to take.
    pub async fn notice_step(
        &self,
        id: i64,
        user: &str,
        authority: &str,
        step: Step,
        audit: &crate::NewAuditEntry,
    ) -> Result<StoredNotice> {
        let actor_state = member_state_of(authority).ok_or_else(|| {
            rule(NoticeError {
                field: "authority".into(),
                message: format!("{authority} is not a member state's authority"),
                forbidden: true,
            })
        })?;
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM search_notices WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NoSuchNotice(id))?;
        let notice = load_in(&mut *tx, row).await?;
        let next = next_status(
            &step,
            &StepContext {
                status: notice.status,
                requesting_state: &notice.requesting_state,
                located_by: notice.located_by.as_deref(),
                actor_state: &actor_state,
            },
        )
        .map_err(rule)?;
        let detail = serde_json::to_value(&step).map_err(|e| corrupt(e.to_string()))?;
        insert_event(
            &mut tx,
            id,
            step.name(),
            next,
            &Actor {
                user,
                authority,
                member_state: &actor_state,
            },
            &detail,
        )
        .await?;
        if notice.status.is_active() && !next.is_active() {
            let list =
                ListName::new(notice.entity_id.list()).map_err(|e| corrupt(e.to_string()))?;
            change_designation_in(
                &mut tx,
                self.backend,
                &list,
                &notice.requesting_authority,
                crate::DesignationChange::Withdraw(notice.entity_id.clone()),
            )
            .await?;
        }
        let mut entry = audit.clone();
        entry.records = vec![format!("notice:{id}"), notice.entity_id.to_string()];
        append_in(&mut tx, self.backend, &entry).await?;
        tx.commit().await?;
        self.notice(id)
            .await?
            .ok_or_else(|| corrupt(format!("notice {id} vanished")))
    }

    pub async fn notice(&self, id: i64) -> Result<Option<StoredNotice>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM search_notices WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(load_in(&self.pool, row).await?)),
            None => Ok(None),
        }
    }

    /// The notice whose person is register entity `entity_id`.
    pub async fn notice_of_entity(&self, entity_id: &str) -> Result<Option<StoredNotice>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM search_notices WHERE entity_id = $1"
        )))
        .bind(entity_id)
        .fetch_optional(&self.pool)
        .await?;
        match row {
            Some(row) => Ok(Some(load_in(&self.pool, row).await?)),
            None => Ok(None),
        }
    }

    /// Every notice, oldest first (callers filter by who may see each).
    pub async fn notices(&self) -> Result<Vec<StoredNotice>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {NOTICE_COLUMNS} FROM search_notices ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            out.push(load_in(&self.pool, row).await?);
        }
        Ok(out)
    }

    /// Steps recorded from `from` (inclusive) to `to` (exclusive), dates or RFC 3339 times in
    /// UTC, for the council's report.
    pub async fn notice_counts(&self, from: &str, to: &str) -> Result<NoticeCounts> {
        let rows = sqlx::query(
            "SELECT step, COUNT(*) AS n FROM search_notice_events
             WHERE recorded >= $1 AND recorded < $2 GROUP BY step",
        )
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let mut counts = NoticeCounts::default();
        for row in rows {
            let step: String = get(&row, "step")?;
            let n: i64 = get(&row, "n")?;
            match step.as_str() {
                "declare" => counts.declared += n,
                "locate" => counts.located += n,
                "detain" => counts.detained += n,
                "withdraw" => counts.withdrawn += n,
                _ => {}
            }
        }
        Ok(counts)
    }
}

/// The advisory lock that serializes notice declarations on PostgreSQL.
const NOTICE_LOCK: i64 = 0x5649_474e_4f54_4943;
