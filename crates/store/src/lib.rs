//! The register's stores: SQLite (one file, the embedded default) and PostgreSQL (production).
//!
//! Both run the same SQL through sqlx's `Any` driver (placeholders are `$1`, which SQLite
//! accepts too); only the migrations differ, in `migrations/sqlite` and `migrations/postgres`.
//! The register is append-only: an import adds one revision per list and one entity version
//! per entity that was added, changed, delisted or relisted; nothing is ever updated or
//! deleted, which triggers enforce. Every read of the past ("what did the register say on
//! 2025-06-01") is a query over those rows.

mod audit;
mod auth;
mod backup;
mod checkpoint;
pub mod council;
mod exchange;
mod federation;
mod lookups;
mod migrate;
mod notices;
mod references;
mod register;
mod watch;
mod writes;

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::AnyPool;

pub use audit::{parse_anchors, AnchorParseError, AnchorProblem, AuditAnchor};
pub use audit::{
    AuditEntry, AuditFilter, AuditQueue, BadEntry, ChainReport, NewAuditEntry, Outcome,
    GENESIS_HASH,
};
pub use auth::{Authenticated, NewToken, Refusal, TokenInfo, User};
pub use backup::{check_sqlite_snapshot, restore_sqlite, SnapshotSummary, SQLITE_MAGIC};
pub use checkpoint::{BackgroundCheckpoints, CheckpointCounts};
pub use exchange::{MessageEvent, MessageStatus};
pub use federation::{
    ExportVersion, FederatedChange, FederationKey, InboxState, OutboxRow, OutboxState,
};
pub use lookups::ListOrigin;
pub use notices::{NoticeCounts, NoticeEvent, StoredNotice};
pub use references::IssuedReference;
pub use register::{
    ChangeKind, DiffEntry, EntityRecord, EntityVersion, FileRef, ImportBatch, ImportReport,
    ListSummary, RevisionInfo,
};
pub use watch::{Encounter, NewEncounter, WatchRule};
pub use writes::DesignationChange;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot open the store {location}: {source}")]
    Open {
        location: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("store holds data Vigil cannot read ({what}): {detail}")]
    Corrupt { what: String, detail: String },
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: &'static str,
        #[source]
        source: sqlx::Error,
    },
    #[error("unknown authority {0:?}: known authorities are listed by `vigil authorities`")]
    UnknownAuthority(String),
    #[error("list {list:?} belongs to authority {existing}; this import says {given}")]
    AuthorityMismatch {
        list: String,
        existing: String,
        given: String,
    },
    #[error(
        "list {list:?}: this file is dated {given}, older than revision {revision} dated {latest}; \
         import list versions oldest first"
    )]
    OlderThanLatest {
        list: String,
        given: String,
        revision: i64,
        latest: String,
    },
    #[error("entity {id} appears twice in the import of list {list:?}")]
    DuplicateEntity { list: String, id: String },
    #[error("entity {id} does not belong to list {list:?} (its id must start with `{list}:`)")]
    ForeignEntity { list: String, id: String },
    #[error("list {0:?} has no revision {1}")]
    NoSuchRevision(String, i64),
    #[error("no list named {0:?}")]
    NoSuchList(String),
    #[error("user name {0:?} is invalid: use 1-64 ASCII letters, digits, `.`, `-`, `_` or `@`")]
    BadUserName(String),
    #[error("user {0:?} exists already")]
    UserExists(String),
    #[error("no user named {0:?}")]
    UnknownUser(String),
    #[error("cannot draw random bytes for a token: {0}")]
    Random(String),
    #[error("entity {0} is on its list already")]
    EntityExists(String),
    #[error("no listed entity {0}")]
    NoSuchEntity(String),
    #[error("{0}")]
    CouncilRule(vigil_council::RuleError),
    #[error("{0}")]
    CouncilConflict(vigil_council::RuleError),
    #[error("no {0}")]
    NoSuchCouncilRecord(String),
    #[error("no message {0}")]
    NoSuchMessage(i64),
    #[error("{0}")]
    NoticeRule(vigil_notices::NoticeError),
    #[error("no search notice {0}")]
    NoSuchNotice(i64),
    #[error("another key is pinned for authority {0}; a pinned key is never replaced")]
    KeyPinned(String),
    #[error("envelope {got} from node {origin} is out of order: expected {expected}")]
    OutOfOrder {
        origin: String,
        expected: i64,
        got: i64,
    },
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn as_str(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

/// An open register store.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// The connection URL, for connections outside the pool (the WAL checkpointer).
    url: Arc<str>,
    /// Set while a background checkpointer copies SQLite's WAL into the database file, so
    /// that the pool's connection (which may be reopened) leaves checkpoints to it.
    background_checkpoints: Arc<AtomicBool>,
}

/// Turns what a user passes as `--db` into a connection URL: `postgres://…` and `sqlite:…`
/// are kept, anything else is a path to an SQLite file, created if missing.
pub fn connection_url(location: &str) -> (Backend, String) {
    if location.starts_with("postgres://") || location.starts_with("postgresql://") {
        (Backend::Postgres, location.to_string())
    } else if location.starts_with("sqlite:") {
        (Backend::Sqlite, location.to_string())
    } else {
        (Backend::Sqlite, format!("sqlite://{location}?mode=rwc"))
    }
}

impl Store {
    /// Opens (creating if needed) the store and applies any pending migrations.
    pub async fn open(location: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let (backend, url) = connection_url(location);
        let open_err = |source| StoreError::Open {
            location: location.to_string(),
            source,
        };
        let options = sqlx::any::AnyConnectOptions::from_str(&url).map_err(open_err)?;
        let background_checkpoints = Arc::new(AtomicBool::new(false));
        let checkpointing = background_checkpoints.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 1 } else { 8 })
            .after_connect(move |conn, _| {
                let checkpointing = checkpointing.load(Ordering::Relaxed);
                Box::pin(async move {
                    if backend == Backend::Sqlite {
                        // WAL lets readers (the server) go on while an import writes; the
                        // busy timeout makes a second writer wait instead of failing.
                        sqlx::raw_sql(
                            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                             PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;",
                        )
                        .execute(&mut *conn)
                        .await?;
                        if checkpointing {
                            checkpoint::leave_checkpoints_to_background(conn).await?;
                        }
                    }
                    Ok(())
                })
            })
            .connect_with(options)
            .await
            .map_err(open_err)?;
        let store = Self {
            pool,
            backend,
            url: url.into(),
            background_checkpoints,
        };
        migrate::run(&store).await?;
        register::seed_authorities(&store).await?;
        Ok(store)
    }

    /// Opens an SQLite snapshot (`sqlite://FILE?mode=ro`) as it is: no migration, no pragma
    /// that writes, so checking a backup never changes it.
    pub(crate) async fn open_snapshot(url: &str) -> Result<Self> {
        sqlx::any::install_default_drivers();
        let open_err = |source| StoreError::Open {
            location: url.to_string(),
            source,
        };
        let options = sqlx::any::AnyConnectOptions::from_str(url).map_err(open_err)?;
        let pool = AnyPoolOptions::new()
            .max_connections(1)
            .connect_with(options)
            .await
            .map_err(open_err)?;
        Ok(Self {
            pool,
            backend: Backend::Sqlite,
            url: url.into(),
            background_checkpoints: Arc::new(AtomicBool::new(false)),
        })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    pub async fn close(self) {
        self.pool.close().await;
    }
}

pub(crate) fn get<T>(row: &AnyRow, column: &str) -> Result<T>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(column)?)
}

/// A column holding JSON text, decoded; text Vigil cannot read is reported as corrupt data.
pub(crate) fn get_json<T: serde::de::DeserializeOwned>(
    row: &AnyRow,
    column: &str,
    what: &str,
) -> Result<T> {
    let text: String = get(row, column)?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt {
        what: what.to_string(),
        detail: e.to_string(),
    })
}
