//! The exchange's messages: stored with their recipients and attachments in one transaction
//! together with their audit entry; their events (delivered, read) appended as they happen;
//! each authority's exchange policy. Who may read what is decided by the caller (the server,
//! the command line) with `vigil_exchange`'s rules; these reads return what they are asked.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::Digest;
use sqlx::any::AnyRow;
use vigil_exchange::{AttachmentInfo, Message, NewMessage, Recipient};

use crate::audit::{append_in, NewAuditEntry};
use crate::register::import_batch;
use crate::{
    get, get_json, AuditEntry, Backend, ImportBatch, ImportReport, Result, Store, StoreError,
};

/// Something that happened to a message at an authority.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageEvent {
    pub message_id: i64,
    pub authority: String,
    pub user: String,
    /// `delivered` or `read`.
    pub event: String,
    pub at: String,
}

/// What the sender sees of a message: its events and the ids of its replies.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageStatus {
    pub events: Vec<MessageEvent>,
    pub replies: Vec<i64>,
}

const MESSAGE_COLUMNS: &str =
    "id, kind, thread_id, in_reply_to, forwarded_from, sender_authority, \
     sender_user, created, recipients, subjects, title, body, classification, handling, tlp, \
     priority, due, context";

fn parse<T: std::str::FromStr>(row: &AnyRow, column: &str) -> Result<T> {
    let text: String = get(row, column)?;
    text.parse().map_err(|_| StoreError::Corrupt {
        what: format!("messages.{column}"),
        detail: text,
    })
}

fn message_row(row: &AnyRow) -> Result<Message> {
    let id: i64 = get(row, "id")?;
    let thread: Option<i64> = get(row, "thread_id")?;
    Ok(Message {
        id,
        kind: parse(row, "kind")?,
        thread: thread.unwrap_or(id),
        in_reply_to: get(row, "in_reply_to")?,
        forwarded_from: get(row, "forwarded_from")?,
        sender_authority: get(row, "sender_authority")?,
        sender_user: get(row, "sender_user")?,
        created: get(row, "created")?,
        recipients: get_json(row, "recipients", "messages.recipients")?,
        subjects: get_json(row, "subjects", "messages.subjects")?,
        title: get(row, "title")?,
        body: get(row, "body")?,
        markings: vigil_exchange::Markings {
            classification: parse(row, "classification")?,
            handling: parse(row, "handling")?,
            tlp: parse(row, "tlp")?,
        },
        priority: parse(row, "priority")?,
        due: get(row, "due")?,
        context: get_json(row, "context", "messages.context")?,
        attachments: Vec::new(),
    })
}

fn placeholders(from: usize, n: usize) -> String {
    (from..from + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn to_json<T: Serialize>(value: &T) -> Result<String> {
    serde_json::to_string(value).map_err(|e| StoreError::Corrupt {
        what: "message".into(),
        detail: e.to_string(),
    })
}

impl Store {
    /// Stores `message` from `sender_authority`/`sender_user` with its recipients and
    /// attachments, and appends `audit` (its records gain `message:<id>` first) in the same
    /// transaction: either all of it is stored or nothing.
    pub async fn send_message(
        &self,
        message: &NewMessage,
        sender_authority: &str,
        sender_user: &str,
        audit: &NewAuditEntry,
    ) -> Result<(Message, AuditEntry)> {
        let mut tx = self.pool.begin().await?;
        let sent = send_in(
            &mut tx,
            self.backend,
            message,
            sender_authority,
            sender_user,
            audit,
        )
        .await?;
        tx.commit().await?;
        Ok(sent)
    }

    /// Imports `batches` (with `audit`) and sends `messages` (each with its audit entry) from
    /// `sender_authority`/`sender_user`, all in one transaction: all of it or nothing.
    pub async fn import_and_send(
        &self,
        batches: Vec<ImportBatch>,
        audit: &NewAuditEntry,
        messages: &[(NewMessage, NewAuditEntry)],
        sender_authority: &str,
        sender_user: &str,
    ) -> Result<(Vec<ImportReport>, Vec<Message>)> {
        let mut tx = self.pool.begin().await?;
        let mut reports = Vec::new();
        for batch in batches {
            reports.push(import_batch(&mut tx, self.backend, batch, &mut |_| {}).await?);
        }
        if !reports.is_empty() {
            append_in(&mut tx, self.backend, audit).await?;
        }
        let mut sent = Vec::new();
        for (message, entry) in messages {
            let (m, _) = send_in(
                &mut tx,
                self.backend,
                message,
                sender_authority,
                sender_user,
                entry,
            )
            .await?;
            sent.push(m);
        }
        tx.commit().await?;
        Ok((reports, sent))
    }

    /// One message with its attachments' descriptions, whoever it addresses.
    pub async fn message(&self, id: i64) -> Result<Option<Message>> {
        let row = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE id = $1"
        )))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let mut message = message_row(&row)?;
        message.attachments = self.attachments_of(id).await?;
        Ok(Some(message))
    }

    async fn attachments_of(&self, id: i64) -> Result<Vec<AttachmentInfo>> {
        let rows = sqlx::query(
            "SELECT idx, name, media_type, size, sha256 FROM message_attachments
             WHERE message_id = $1 ORDER BY idx",
        )
        .bind(id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(AttachmentInfo {
                    index: get(r, "idx")?,
                    name: get(r, "name")?,
                    media_type: get(r, "media_type")?,
                    size: get(r, "size")?,
                    sha256: get(r, "sha256")?,
                })
            })
            .collect()
    }

    /// An attachment's description and bytes.
    pub async fn attachment(
        &self,
        message_id: i64,
        index: i64,
    ) -> Result<Option<(AttachmentInfo, Vec<u8>)>> {
        let row = sqlx::query(
            "SELECT idx, name, media_type, size, sha256, content FROM message_attachments
             WHERE message_id = $1 AND idx = $2",
        )
        .bind(message_id)
        .bind(index)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok((
                AttachmentInfo {
                    index: get(&r, "idx")?,
                    name: get(&r, "name")?,
                    media_type: get(&r, "media_type")?,
                    size: get(&r, "size")?,
                    sha256: get(&r, "sha256")?,
                },
                get(&r, "content")?,
            ))
        })
        .transpose()
    }

    /// The messages `authority` sent or that address one of `addressed` (the canonical
    /// recipients of a caller, see `vigil_exchange::addressed_as`), oldest first.
    pub async fn messages_for(
        &self,
        authority: &str,
        addressed: &[Recipient],
    ) -> Result<Vec<Message>> {
        let sql = format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE sender_authority = $1
             OR id IN (SELECT message_id FROM message_recipients WHERE recipient IN ({}))
             ORDER BY id",
            if addressed.is_empty() {
                "NULL".to_string()
            } else {
                placeholders(2, addressed.len())
            }
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(authority);
        for r in addressed {
            query = query.bind(r.to_string());
        }
        let rows = query.fetch_all(&self.pool).await?;
        let mut messages: Vec<Message> = rows.iter().map(message_row).collect::<Result<_>>()?;
        let attachments = self.attachments_by_message().await?;
        for m in &mut messages {
            if let Some(a) = attachments.get(&m.id) {
                m.attachments = a.clone();
            }
        }
        Ok(messages)
    }

    async fn attachments_by_message(&self) -> Result<BTreeMap<i64, Vec<AttachmentInfo>>> {
        let rows = sqlx::query(
            "SELECT message_id, idx, name, media_type, size, sha256 FROM message_attachments
             ORDER BY message_id, idx",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut out: BTreeMap<i64, Vec<AttachmentInfo>> = BTreeMap::new();
        for r in &rows {
            out.entry(get(r, "message_id")?)
                .or_default()
                .push(AttachmentInfo {
                    index: get(r, "idx")?,
                    name: get(r, "name")?,
                    media_type: get(r, "media_type")?,
                    size: get(r, "size")?,
                    sha256: get(r, "sha256")?,
                });
        }
        Ok(out)
    }

    /// Every message, oldest first (the local operator's view).
    pub async fn all_messages(&self) -> Result<Vec<Message>> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages ORDER BY id"
        )))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(message_row).collect()
    }

    /// Records `event` (`delivered` or `read`) of each message at `authority`, once per
    /// message and authority; returns the ids newly recorded. Reading implies delivery.
    pub async fn record_event(
        &self,
        ids: &[i64],
        authority: &str,
        user: &str,
        event: &str,
    ) -> Result<Vec<i64>> {
        let events: &[&str] = match event {
            "read" => &["delivered", "read"],
            "delivered" => &["delivered"],
            other => {
                return Err(StoreError::Corrupt {
                    what: "message event".into(),
                    detail: other.to_string(),
                })
            }
        };
        let now = vigil_model::utc_now_rfc3339();
        let mut fresh = Vec::new();
        let mut tx = self.pool.begin().await?;
        for &id in ids {
            for &e in events {
                let done = sqlx::query(
                    "INSERT INTO message_events (message_id, authority, user_name, event, at)
                     VALUES ($1, $2, $3, $4, $5)
                     ON CONFLICT (message_id, authority, event) DO NOTHING",
                )
                .bind(id)
                .bind(authority)
                .bind(user)
                .bind(e)
                .bind(&now)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() > 0 && e == event {
                    fresh.push(id);
                }
            }
        }
        tx.commit().await?;
        Ok(fresh)
    }

    /// Events and replies of each message in `ids`.
    pub async fn message_status(&self, ids: &[i64]) -> Result<BTreeMap<i64, MessageStatus>> {
        let mut out: BTreeMap<i64, MessageStatus> = ids
            .iter()
            .map(|&id| (id, MessageStatus::default()))
            .collect();
        if ids.is_empty() {
            return Ok(out);
        }
        let wanted: BTreeSet<i64> = ids.iter().copied().collect();
        // All events and replies: the tables are small per deployment, and a fixed query
        // keeps the SQL the same on both backends.
        let rows = sqlx::query(
            "SELECT message_id, authority, user_name, event, at FROM message_events ORDER BY seq",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: i64 = get(r, "message_id")?;
            if !wanted.contains(&id) {
                continue;
            }
            if let Some(s) = out.get_mut(&id) {
                s.events.push(MessageEvent {
                    message_id: id,
                    authority: get(r, "authority")?,
                    user: get(r, "user_name")?,
                    event: get(r, "event")?,
                    at: get(r, "at")?,
                });
            }
        }
        let replies = sqlx::query(
            "SELECT id, in_reply_to FROM messages WHERE in_reply_to IS NOT NULL ORDER BY id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &replies {
            let parent: i64 = get(r, "in_reply_to")?;
            if let Some(s) = out.get_mut(&parent) {
                s.replies.push(get(r, "id")?);
            }
        }
        Ok(out)
    }

    /// Statistics of the messages created from `from` (inclusive) to `to` (exclusive), both
    /// RFC 3339 dates or times: counts by kind and by priority, how many are answered, and how
    /// many are overdue at `now` (past their due time and unanswered, or unread for
    /// alerts and notifications; events and replies of any time count).
    pub async fn exchange_stats(
        &self,
        from: &str,
        to: &str,
        now: &str,
    ) -> Result<vigil_council::report::ExchangeStats> {
        let rows = sqlx::query(sqlx::AssertSqlSafe(format!(
            "SELECT {MESSAGE_COLUMNS} FROM messages WHERE created >= $1 AND created < $2 \
             ORDER BY id"
        )))
        .bind(from)
        .bind(to)
        .fetch_all(&self.pool)
        .await?;
        let messages = rows.iter().map(message_row).collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = messages.iter().map(|m| m.id).collect();
        let status = self.message_status(&ids).await?;
        let mut by_kind: BTreeMap<vigil_exchange::Kind, i64> = BTreeMap::new();
        let mut by_priority: BTreeMap<vigil_exchange::Priority, i64> = BTreeMap::new();
        let (mut answered, mut overdue) = (0, 0);
        for m in &messages {
            *by_kind.entry(m.kind).or_default() += 1;
            *by_priority.entry(m.priority).or_default() += 1;
            let s = status.get(&m.id);
            let others = |event: &str| {
                s.is_some_and(|s| {
                    s.events
                        .iter()
                        .any(|e| e.event == event && e.authority != m.sender_authority)
                })
            };
            let replied = s.is_some_and(|s| !s.replies.is_empty());
            if replied {
                answered += 1;
            }
            let state = vigil_exchange::state(
                m.kind,
                others("delivered"),
                others("read"),
                replied,
                &m.due,
                now,
            );
            if state == vigil_exchange::State::Overdue {
                overdue += 1;
            }
        }
        Ok(vigil_council::report::ExchangeStats {
            messages: messages.len() as i64,
            by_kind: vigil_exchange::Kind::ALL
                .iter()
                .map(|k| (k.as_str().to_string(), by_kind.get(k).copied().unwrap_or(0)))
                .collect(),
            by_priority: vigil_exchange::Priority::ALL
                .iter()
                .map(|p| {
                    (
                        p.as_str().to_string(),
                        by_priority.get(p).copied().unwrap_or(0),
                    )
                })
                .collect(),
            answered,
            overdue,
        })
    }

    /// Whether screening by `authority` raises alerts to the states whose designations it
    /// hits (off unless set).
    pub async fn auto_alert(&self, authority: &str) -> Result<bool> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT auto_alert FROM exchange_policies WHERE authority = $1")
                .bind(authority)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v == Some(1))
    }

    /// Whether `authority`'s own national designations, changed through the API, raise
    /// notifications (off unless set).
    pub async fn auto_notify(&self, authority: &str) -> Result<bool> {
        let v: Option<i64> =
            sqlx::query_scalar("SELECT auto_notify FROM exchange_policies WHERE authority = $1")
                .bind(authority)
                .fetch_optional(&self.pool)
                .await?;
        Ok(v == Some(1))
    }

    /// Sets `authority`'s policy — each of `auto_alert`, `auto_notify` given, the other kept —
    /// and appends `audit` in the same transaction.
    pub async fn set_exchange_policy(
        &self,
        authority: &str,
        auto_alert: Option<bool>,
        auto_notify: Option<bool>,
        user: &str,
        audit: &NewAuditEntry,
    ) -> Result<(bool, bool)> {
        let mut tx = self.pool.begin().await?;
        let row = sqlx::query(
            "SELECT auto_alert, auto_notify FROM exchange_policies WHERE authority = $1",
        )
        .bind(authority)
        .fetch_optional(&mut *tx)
        .await?;
        let (old_alert, old_notify) = match &row {
            Some(r) => {
                let a: i64 = get(r, "auto_alert")?;
                let n: i64 = get(r, "auto_notify")?;
                (a == 1, n == 1)
            }
            None => (false, false),
        };
        let alert = auto_alert.unwrap_or(old_alert);
        let notify = auto_notify.unwrap_or(old_notify);
        sqlx::query(
            "INSERT INTO exchange_policies (authority, auto_alert, auto_notify, updated, updated_by)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (authority) DO UPDATE
             SET auto_alert = $2, auto_notify = $3, updated = $4, updated_by = $5",
        )
        .bind(authority)
        .bind(i64::from(alert))
        .bind(i64::from(notify))
        .bind(vigil_model::utc_now_rfc3339())
        .bind(user)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok((alert, notify))
    }

    /// Sets `authority`'s policy and appends `audit` in the same transaction.
    pub async fn set_auto_alert(
        &self,
        authority: &str,
        auto_alert: bool,
        user: &str,
        audit: &NewAuditEntry,
    ) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO exchange_policies (authority, auto_alert, updated, updated_by)
             VALUES ($1, $2, $3, $4)
             ON CONFLICT (authority) DO UPDATE SET auto_alert = $2, updated = $3, updated_by = $4",
        )
        .bind(authority)
        .bind(i64::from(auto_alert))
        .bind(vigil_model::utc_now_rfc3339())
        .bind(user)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// Stores a message, its recipients, attachments and audit entry inside `tx`.
async fn send_in(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    backend: Backend,
    message: &NewMessage,
    sender_authority: &str,
    sender_user: &str,
    audit: &NewAuditEntry,
) -> Result<(Message, AuditEntry)> {
    let created = vigil_model::utc_now_rfc3339();
    let due = vigil_model::utc_rfc3339_from_now(message.priority.due_in_secs());
    let parent = message.in_reply_to;
    let thread: Option<i64> = match parent {
        Some(p) => {
            let row: Option<(i64, Option<i64>)> =
                sqlx::query_as("SELECT id, thread_id FROM messages WHERE id = $1")
                    .bind(p)
                    .fetch_optional(&mut **tx)
                    .await?;
            let (id, thread) = row.ok_or(StoreError::NoSuchMessage(p))?;
            Some(thread.unwrap_or(id))
        }
        None => None,
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO messages (kind, thread_id, in_reply_to, forwarded_from, sender_authority,
            sender_user, created, recipients, subjects, title, body, classification, handling,
            tlp, priority, due, context)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
         RETURNING id",
    )
    .bind(message.kind.as_str())
    .bind(thread)
    .bind(parent)
    .bind(message.forwarded_from)
    .bind(sender_authority)
    .bind(sender_user)
    .bind(&created)
    .bind(to_json(&message.recipients)?)
    .bind(to_json(&message.subjects)?)
    .bind(&message.title)
    .bind(&message.body)
    .bind(message.markings.classification.as_str())
    .bind(message.markings.handling.as_str())
    .bind(message.markings.tlp.as_str())
    .bind(message.priority.as_str())
    .bind(&due)
    .bind(to_json(&message.context)?)
    .fetch_one(&mut **tx)
    .await?;
    for r in &message.recipients {
        sqlx::query("INSERT INTO message_recipients (message_id, recipient) VALUES ($1, $2)")
            .bind(id)
            .bind(r.to_string())
            .execute(&mut **tx)
            .await?;
    }
    let mut attachments = Vec::new();
    for (i, a) in message.attachments.iter().enumerate() {
        let sha256: String = sha2::Sha256::digest(&a.bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let size = i64::try_from(a.bytes.len()).unwrap_or(i64::MAX);
        sqlx::query(
            "INSERT INTO message_attachments (message_id, idx, name, media_type, size, sha256, content)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(i as i64)
        .bind(&a.name)
        .bind(&a.media_type)
        .bind(size)
        .bind(&sha256)
        .bind(a.bytes.clone())
        .execute(&mut **tx)
        .await?;
        attachments.push(AttachmentInfo {
            index: i as i64,
            name: a.name.clone(),
            media_type: a.media_type.clone(),
            size,
            sha256,
        });
    }
    let mut entry = audit.clone();
    entry.records.insert(0, format!("message:{id}"));
    let audited = append_in(tx, backend, &entry).await?;
    Ok((
        Message {
            id,
            kind: message.kind,
            thread: thread.unwrap_or(id),
            in_reply_to: parent,
            forwarded_from: message.forwarded_from,
            sender_authority: sender_authority.to_string(),
            sender_user: sender_user.to_string(),
            created,
            recipients: message.recipients.clone(),
            subjects: message.subjects.clone(),
            title: message.title.clone(),
            body: message.body.clone(),
            markings: message.markings,
            priority: message.priority,
            due,
            context: message.context.clone(),
            attachments,
        },
        audited,
    ))
}
