//! Integration tests of the list readers: one binary (faster to link), one module per format.

mod ftm;
mod national;
mod ofac;
mod un;

use std::path::PathBuf;

/// A file under `../shared/data/`, or `None` after printing a loud SKIPPED line: a user's fresh
/// clone has no `../shared`; CI always has it.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data");
    let path = root.join(relative);
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
