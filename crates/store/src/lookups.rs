//! Small reads the server needs on every request, without the counts `Store::lists` computes.

use crate::{get, Result, Store};

/// A list's authority and when its latest revision was imported.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListOrigin {
    pub name: String,
    pub authority: String,
    pub latest_import: Option<String>,
}

impl Store {
    pub async fn list_origins(&self) -> Result<Vec<ListOrigin>> {
        let rows = sqlx::query(
            "SELECT l.name AS name, l.authority AS authority, MAX(r.imported_at) AS latest
             FROM lists l LEFT JOIN revisions r ON r.list = l.name
             GROUP BY l.name, l.authority ORDER BY l.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| {
                Ok(ListOrigin {
                    name: get(row, "name")?,
                    authority: get(row, "authority")?,
                    latest_import: get(row, "latest")?,
                })
            })
            .collect()
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}
