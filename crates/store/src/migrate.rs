//! Embedded migrations, applied in order at open, each in its own transaction.
//!
//! A small runner instead of `sqlx::migrate!`: it keeps sqlx's macro crates out of the build,
//! and one table of (version, name, SQL) per backend is all Vigil needs.

use crate::{Backend, Result, Store, StoreError};

struct Migration {
    version: i64,
    name: &'static str,
    sqlite: &'static str,
    postgres: &'static str,
}

const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "register",
        sqlite: include_str!("../migrations/sqlite/0001_register.sql"),
        postgres: include_str!("../migrations/postgres/0001_register.sql"),
    },
    Migration {
        version: 2,
        name: "access_audit",
        sqlite: include_str!("../migrations/sqlite/0002_access_audit.sql"),
        postgres: include_str!("../migrations/postgres/0002_access_audit.sql"),
    },
    Migration {
        version: 3,
        name: "screening",
        sqlite: include_str!("../migrations/sqlite/0003_screening.sql"),
        postgres: include_str!("../migrations/postgres/0003_screening.sql"),
    },
    Migration {
        version: 4,
        name: "exchange",
        sqlite: include_str!("../migrations/sqlite/0004_exchange.sql"),
        postgres: include_str!("../migrations/postgres/0004_exchange.sql"),
    },
    Migration {
        version: 5,
        name: "council",
        sqlite: include_str!("../migrations/sqlite/0005_council.sql"),
        postgres: include_str!("../migrations/postgres/0005_council.sql"),
    },
    Migration {
        version: 6,
        name: "gaps",
        sqlite: include_str!("../migrations/sqlite/0006_gaps.sql"),
        postgres: include_str!("../migrations/postgres/0006_gaps.sql"),
    },
    Migration {
        version: 9,
        name: "federation",
        sqlite: include_str!("../migrations/sqlite/0009_federation.sql"),
        postgres: include_str!("../migrations/postgres/0009_federation.sql"),
    },
    Migration {
        version: 10,
        name: "notices",
        sqlite: include_str!("../migrations/sqlite/0010_notices.sql"),
        postgres: include_str!("../migrations/postgres/0010_notices.sql"),
    },
    Migration {
        version: 12,
        name: "watch",
        sqlite: include_str!("../migrations/sqlite/0012_watch.sql"),
        postgres: include_str!("../migrations/postgres/0012_watch.sql"),
    },
];

pub(crate) async fn run(store: &Store) -> Result<()> {
    let pool = store.pool();
    // Under the same lock as the migrations: two processes opening a new PostgreSQL database
    // at once race even on CREATE TABLE IF NOT EXISTS (a duplicate key in pg_type).
    let mut tx = pool.begin().await?;
    if store.backend() == Backend::Postgres {
        sqlx::query("SELECT pg_advisory_xact_lock(7411123)")
            .execute(&mut *tx)
            .await?;
    }
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS vigil_migrations (
            version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)",
    )
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    for migration in MIGRATIONS {
        let mut tx = pool.begin().await?;
        if store.backend() == Backend::Postgres {
            // Two processes opening a new database at once must not both migrate it.
            sqlx::query("SELECT pg_advisory_xact_lock(7411123)")
                .execute(&mut *tx)
                .await?;
        }
        let applied: Option<i64> =
            sqlx::query_scalar("SELECT version FROM vigil_migrations WHERE version = $1")
                .bind(migration.version)
                .fetch_optional(&mut *tx)
                .await?;
        if applied.is_some() {
            continue;
        }
        let sql = match store.backend() {
            Backend::Sqlite => migration.sqlite,
            Backend::Postgres => migration.postgres,
        };
        let fail = |source| StoreError::Migration {
            version: migration.version,
            name: migration.name,
            source,
        };
        sqlx::raw_sql(sql).execute(&mut *tx).await.map_err(fail)?;
        sqlx::query("INSERT INTO vigil_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
            .bind(migration.version)
            .bind(migration.name)
            .bind(vigil_model::utc_now_rfc3339())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
        tx.commit().await?;
    }
    Ok(())
}
