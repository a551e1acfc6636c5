#![allow(dead_code)]
//! The list readers take paths: each fuzz input is written to a file in one private folder per
//! process, overwritten on every run.

use std::path::PathBuf;
use std::sync::OnceLock;

pub fn folder() -> &'static tempfile::TempDir {
    static FOLDER: OnceLock<tempfile::TempDir> = OnceLock::new();
    FOLDER.get_or_init(|| tempfile::tempdir().expect("a temporary folder for fuzz inputs"))
}

pub fn write(name: &str, bytes: &[u8]) -> PathBuf {
    let path = folder().path().join(name);
    std::fs::write(&path, bytes).expect("the fuzz input is written");
    path
}

/// Reads `path` as `format`: any outcome but a panic is fine.
pub fn read(paths: &[PathBuf], format: Option<vigil_formats::Format>) {
    let options = vigil_formats::ReadOptions::default();
    let _ = vigil_formats::read(paths, format, &options);
}
