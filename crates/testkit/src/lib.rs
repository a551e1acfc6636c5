//! Test support: where the real lists are, and a fresh database for each store test.
//!
//! Store tests run on SQLite always and on PostgreSQL whenever it answers at
//! `VIGIL_TEST_POSTGRES` (default `postgres://postgres@127.0.0.1:5432/test`). Where it does not,
//! they print a loud SKIPPED line, unless `VIGIL_REQUIRE_POSTGRES=1` (set by CI), which turns
//! the skip into a failure.

use std::path::PathBuf;
use std::sync::atomic::{AtomicU32, Ordering};

use sqlx::Connection;

/// A file or folder under `../shared/data/`, or `None` after printing a loud SKIPPED line: a
/// user's fresh clone has no `../shared`; CI always has it.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "SKIPPED: {} is absent (../shared is not beside the repository); this test needs the real list",
            path.display()
        );
        None
    }
}

/// The repository's root folder.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A database that exists for one test: an SQLite file in a temporary folder, or a new
/// PostgreSQL database dropped when this value goes away.
pub struct TestDb {
    /// What to pass as `--db` / to `Store::open`.
    pub location: String,
    pub backend: Backend,
    _dir: Option<tempfile::TempDir>,
    pg_drop: Option<(String, String)>,
}

fn admin_url() -> String {
    std::env::var("VIGIL_TEST_POSTGRES")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_string())
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = tempfile::tempdir().expect("a temporary folder for the test database");
        TestDb {
            location: dir.path().join("vigil.db").display().to_string(),
            backend: Backend::Sqlite,
            _dir: Some(dir),
            pg_drop: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (after a SKIPPED line) when PostgreSQL is not
    /// reachable and not required.
    pub async fn postgres(test: &str) -> Option<TestDb> {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let admin = admin_url();
        let mut conn = match sqlx::PgConnection::connect(&admin).await {
            Ok(c) => c,
            Err(e) => {
                if std::env::var("VIGIL_REQUIRE_POSTGRES").as_deref() == Ok("1") {
                    panic!("PostgreSQL is required (VIGIL_REQUIRE_POSTGRES=1) but {admin} is unreachable: {e}");
                }
                eprintln!("SKIPPED: {test} on PostgreSQL: {admin} is unreachable ({e})");
                return None;
            }
        };
        let name = format!(
            "vigil_test_{}_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed),
            test.chars()
                .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
                .take(30)
                .collect::<String>()
                .to_lowercase()
        );
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("CREATE DATABASE for the test");
        let _ = conn.close().await;
        let location = match admin.rsplit_once('/') {
            Some((base, _)) => format!("{base}/{name}"),
            None => panic!("VIGIL_TEST_POSTGRES {admin} has no database part"),
        };
        Some(TestDb {
            location,
            backend: Backend::Postgres,
            _dir: None,
            pg_drop: Some((admin, name)),
        })
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_drop.take() {
            // Drop runs outside any runtime the test may still be shutting down: use a thread.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async {
                        if let Ok(mut conn) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&mut conn)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// Defines one test per backend: `NAME_sqlite` and `NAME_postgres`, each given a fresh
/// [`TestDb`] (`$db`).
#[macro_export]
macro_rules! store_test {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $db = $crate::TestDb::sqlite();
                $body
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let Some($db) = $crate::TestDb::postgres(stringify!($name)).await else {
                    return;
                };
                $body
            }
        }
    };
}
