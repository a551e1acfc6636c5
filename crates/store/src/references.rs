//! Restricted-hit references: the server's secret that keys them, and the table of references
//! issued, so that the originator of a record can later resolve a reference another authority
//! brings to it (the information exchange turns a restricted hit into a request).

use serde::{Deserialize, Serialize};

use crate::{get, Result, Store, StoreError};

/// A reference as issued: which record it stands for and who contributed that record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IssuedReference {
    pub reference: String,
    pub entity_id: String,
    pub originator: String,
    pub first_issued: String,
}

const REFERENCE_SECRET: &str = "restricted_reference_key";

impl Store {
    /// The secret keying restricted-hit references, created on first use. Kept in the store
    /// so that references stay stable across restarts and across servers sharing a database.
    pub async fn reference_secret(&self) -> Result<Vec<u8>> {
        let read = || async {
            sqlx::query_scalar::<_, String>("SELECT value FROM server_secrets WHERE name = $1")
                .bind(REFERENCE_SECRET)
                .fetch_optional(&self.pool)
                .await
        };
        if let Some(hex) = read().await? {
            return decode_hex(&hex);
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| StoreError::Random(e.to_string()))?;
        let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        // Two servers starting at once: whichever inserts first wins, both then read it.
        sqlx::query(
            "INSERT INTO server_secrets (name, value, created) VALUES ($1, $2, $3)
             ON CONFLICT (name) DO NOTHING",
        )
        .bind(REFERENCE_SECRET)
        .bind(&hex)
        .bind(vigil_model::utc_now_rfc3339())
        .execute(&self.pool)
        .await?;
        match read().await? {
            Some(hex) => decode_hex(&hex),
            None => Err(StoreError::Corrupt {
                what: "server_secrets".into(),
                detail: "the reference key vanished after being written".into(),
            }),
        }
    }

    /// Records references handed out: (reference, entity id, originator). Known ones are kept
    /// as first issued.
    pub async fn issue_references(&self, refs: &[(String, String, String)]) -> Result<()> {
        if refs.is_empty() {
            return Ok(());
        }
        let now = vigil_model::utc_now_rfc3339();
        let mut tx = self.pool.begin().await?;
        for (reference, entity_id, originator) in refs {
            sqlx::query(
                "INSERT INTO restricted_refs (reference, entity_id, originator, first_issued)
                 VALUES ($1, $2, $3, $4) ON CONFLICT (reference) DO NOTHING",
            )
            .bind(reference)
            .bind(entity_id)
            .bind(originator)
            .bind(&now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// The record behind a reference, if this store issued it.
    pub async fn resolve_reference(&self, reference: &str) -> Result<Option<IssuedReference>> {
        let row = sqlx::query(
            "SELECT reference, entity_id, originator, first_issued FROM restricted_refs
             WHERE reference = $1",
        )
        .bind(reference)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|row| {
            Ok(IssuedReference {
                reference: get(&row, "reference")?,
                entity_id: get(&row, "entity_id")?,
                originator: get(&row, "originator")?,
                first_issued: get(&row, "first_issued")?,
            })
        })
        .transpose()
    }
}

fn decode_hex(hex: &str) -> Result<Vec<u8>> {
    let corrupt = || StoreError::Corrupt {
        what: "server_secrets.value".into(),
        detail: "not hexadecimal".into(),
    };
    if !hex.len().is_multiple_of(2) || hex.is_empty() {
        return Err(corrupt());
    }
    (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(corrupt)
        })
        .collect()
}
