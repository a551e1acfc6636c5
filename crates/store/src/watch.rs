//! Watch rules and encounters (migration 0012): what an authority wants done when a traveller
//! on a manifest it screens matches the register, and the append-only record of each such
//! match. Every write commits with its audit entry.

use serde::Serialize;
use sqlx::any::AnyRow;

use crate::audit::append_in;
use crate::{get, NewAuditEntry, Result, Store, StoreError};

/// An authority's watch rule: travellers scoring at or above `threshold` are encounters; with
/// `alert`, each encounter also raises an alert to the authority that listed the person.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WatchRule {
    pub authority: String,
    pub threshold: f64,
    pub alert: bool,
    pub updated: String,
    pub updated_by: String,
}

/// An encounter to record.
#[derive(Debug, Clone)]
pub struct NewEncounter {
    pub authority: String,
    pub user: String,
    /// `paxlst` or `pnrgov`.
    pub source: String,
    pub message_ref: String,
    pub flight: String,
    pub traveller_name: String,
    /// The traveller as read from the manifest (JSON).
    pub traveller: serde_json::Value,
    /// The visible entity id, or `ref:<reference>` for a restricted hit.
    pub subject: String,
    /// The authority that listed the person.
    pub originator: String,
    pub score: f64,
    /// The alert raised for it, if any.
    pub alert_message_id: Option<i64>,
}

/// An encounter as recorded.
#[derive(Debug, Clone, Serialize)]
pub struct Encounter {
    pub id: i64,
    pub authority: String,
    pub user: String,
    pub recorded: String,
    pub source: String,
    pub message_ref: String,
    pub flight: String,
    pub traveller_name: String,
    pub traveller: serde_json::Value,
    pub subject: String,
    pub originator: String,
    pub score: f64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alert_message_id: Option<i64>,
}

fn encounter_row(row: &AnyRow) -> Result<Encounter> {
    let traveller: String = get(row, "traveller")?;
    Ok(Encounter {
        id: get(row, "id")?,
        authority: get(row, "authority")?,
        user: get(row, "user_name")?,
        recorded: get(row, "recorded")?,
        source: get(row, "source")?,
        message_ref: get(row, "message_ref")?,
        flight: get(row, "flight")?,
        traveller_name: get(row, "traveller_name")?,
        traveller: serde_json::from_str(&traveller).map_err(|e| StoreError::Corrupt {
            what: "encounter".into(),
            detail: e.to_string(),
        })?,
        subject: get(row, "subject")?,
        originator: get(row, "originator")?,
        score: get(row, "score")?,
        alert_message_id: get(row, "alert_message_id")?,
    })
}

impl Store {
    /// `authority`'s watch rule, if it has set one.
    pub async fn watch_rule(&self, authority: &str) -> Result<Option<WatchRule>> {
        let row = sqlx::query(
            "SELECT authority, threshold, alert, updated, updated_by FROM watch_rules
             WHERE authority = $1",
        )
        .bind(authority)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| -> Result<WatchRule> {
            let alert: i64 = get(&row, "alert")?;
            Ok(WatchRule {
                authority: get(&row, "authority")?,
                threshold: get(&row, "threshold")?,
                alert: alert == 1,
                updated: get(&row, "updated")?,
                updated_by: get(&row, "updated_by")?,
            })
        })
        .transpose()
    }

    /// Sets `authority`'s watch rule and appends `audit`, in one transaction.
    pub async fn set_watch_rule(
        &self,
        authority: &str,
        threshold: f64,
        alert: bool,
        user: &str,
        audit: &NewAuditEntry,
    ) -> Result<WatchRule> {
        let updated = vigil_model::utc_now_rfc3339();
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO watch_rules (authority, threshold, alert, updated, updated_by)
             VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (authority) DO UPDATE
             SET threshold = $2, alert = $3, updated = $4, updated_by = $5",
        )
        .bind(authority)
        .bind(threshold)
        .bind(i64::from(alert))
        .bind(&updated)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(WatchRule {
            authority: authority.to_string(),
            threshold,
            alert,
            updated,
            updated_by: user.to_string(),
        })
    }

    /// Records `encounters` and appends `audit`, in one transaction; returns their ids.
    pub async fn record_encounters(
        &self,
        encounters: &[NewEncounter],
        audit: &NewAuditEntry,
    ) -> Result<Vec<i64>> {
        let recorded = vigil_model::utc_now_rfc3339();
        let mut tx = self.pool.begin().await?;
        let mut ids = Vec::with_capacity(encounters.len());
        for e in encounters {
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO encounters (authority, user_name, recorded, source, message_ref,
                     flight, traveller_name, traveller, subject, originator, score,
                     alert_message_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            )
            .bind(&e.authority)
            .bind(&e.user)
            .bind(&recorded)
            .bind(&e.source)
            .bind(&e.message_ref)
            .bind(&e.flight)
            .bind(&e.traveller_name)
            .bind(e.traveller.to_string())
            .bind(&e.subject)
            .bind(&e.originator)
            .bind(e.score)
            .bind(e.alert_message_id)
            .fetch_one(&mut *tx)
            .await?;
            ids.push(id);
        }
        append_in(&mut tx, self.backend, audit).await?;
        tx.commit().await?;
        Ok(ids)
    }

    /// `authority`'s encounters, newest first, at most `limit`.
    pub async fn encounters(&self, authority: &str, limit: i64) -> Result<Vec<Encounter>> {
        let rows = sqlx::query(
            "SELECT id, authority, user_name, recorded, source, message_ref, flight,
                    traveller_name, traveller, subject, originator, score, alert_message_id
             FROM encounters WHERE authority = $1 ORDER BY id DESC LIMIT $2",
        )
        .bind(authority)
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(encounter_row).collect()
    }
}
