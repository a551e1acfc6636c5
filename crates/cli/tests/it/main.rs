//! End-to-end tests of the `vigil` binary: each store test runs on SQLite and PostgreSQL.

mod audit;
mod backup;
mod bad_input;
mod council;
mod crash;
mod message;
mod multi_import;
mod notice;
mod real_lists;
mod register;
mod screen;
mod soak;

use std::path::Path;
use std::process::Output;

pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    #[track_caller]
    pub fn ok(self) -> Self {
        assert_eq!(
            self.status, 0,
            "vigil failed:\n{}\n{}",
            self.stdout, self.stderr
        );
        self
    }
    #[track_caller]
    pub fn failed(self) -> Self {
        assert_ne!(self.status, 0, "vigil should have failed:\n{}", self.stdout);
        self
    }
    pub fn json_lines(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }
}

/// Runs `vigil --db DB ARGS…`.
pub fn vigil(db: &str, args: &[&str]) -> Run {
    let mut all = vec!["--db", db];
    all.extend_from_slice(args);
    run_raw(&all)
}

pub fn run_raw(args: &[&str]) -> Run {
    let out: Output = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(args)
        .env_remove("VIGIL_DB")
        .output()
        .expect("the vigil binary runs");
    Run {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn example(name: &str) -> String {
    vigil_testkit::repo_root()
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

pub fn path(p: &Path) -> String {
    p.display().to_string()
}

/// `vigil lists --json` as (name, listed, delisted, revisions).
pub fn list_counts(db: &str) -> Vec<(String, i64, i64, i64)> {
    vigil(db, &["lists", "--json"])
        .ok()
        .json_lines()
        .iter()
        .map(|l| {
            (
                l["name"].as_str().unwrap_or_default().to_string(),
                l["listed"].as_i64().unwrap_or(-1),
                l["delisted"].as_i64().unwrap_or(-1),
                l["revisions"].as_i64().unwrap_or(-1),
            )
        })
        .collect()
}
