//! `vigil backup` and `vigil restore` on both stores: the restored store holds what the backup
//! held and its audit chain verifies; a file that is not a whole backup is refused and the store
//! is left as it was.

use vigil_testkit::{store_test, Backend, TestDb};

use crate::{example, list_counts, path, vigil};

async fn another(db: &TestDb) -> TestDb {
    match db.backend {
        Backend::Sqlite => TestDb::sqlite(),
        Backend::Postgres => TestDb::postgres("backup_restore_target")
            .await
            .expect("PostgreSQL answered for the first database"),
    }
}

store_test!(a_backup_restores_to_what_it_held, |db| {
    let live = db.location.as_str();
    vigil(
        live,
        &["import", &example("national_banned_organizations.csv")],
    )
    .ok();
    let held = list_counts(live);
    let dir = tempfile::tempdir().unwrap();
    let file = path(&dir.path().join("vigil.backup"));
    let written = vigil(live, &["backup", &file]).ok();
    let line: serde_json::Value = serde_json::from_str(written.stdout.trim()).unwrap();
    assert_eq!(line["backup"]["audit_verified"], true, "{}", written.stdout);
    assert!(line["backup"]["bytes"].as_u64().unwrap() > 0);
    // A backup never overwrites a file.
    let again = vigil(live, &["backup", &file]).failed();
    assert!(again.stderr.contains("exists already"), "{}", again.stderr);

    // The live store moves on; restoring into it needs --force and brings back what was held.
    vigil(
        live,
        &["import", &example("national_banned_organizations_kz.csv")],
    )
    .ok();
    assert_ne!(list_counts(live), held);
    let refused = vigil(live, &["restore", &file]).failed();
    assert!(refused.stderr.contains("--force"), "{}", refused.stderr);
    assert_eq!(
        list_counts(live).len(),
        2,
        "a refused restore changed the store"
    );
    vigil(live, &["restore", "--force", &file]).ok();
    assert_eq!(list_counts(live), held);
    let verified = vigil(live, &["audit", "verify"]).ok();
    assert!(verified.stdout.contains("entries"), "{}", verified.stdout);

    // Into an empty store of the same kind, no --force is needed.
    let fresh = another(&db).await;
    let restored = vigil(&fresh.location, &["restore", &file]).ok();
    assert!(
        restored.stdout.contains("\"audit_verified\":true"),
        "{}",
        restored.stdout
    );
    assert_eq!(list_counts(&fresh.location), held);
    vigil(&fresh.location, &["audit", "verify"]).ok();

    // Files that are not whole backups are refused, naming the file; nothing changes.
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, b"not a backup at all\n").unwrap();
    let whole = std::fs::read(dir.path().join("vigil.backup")).unwrap();
    let cut = dir.path().join("cut.backup");
    std::fs::write(&cut, &whole[..whole.len().min(4096)]).unwrap();
    let empty = dir.path().join("empty.backup");
    std::fs::write(&empty, b"").unwrap();
    for bad in [&text, &cut, &empty] {
        let run = vigil(live, &["restore", "--force", &path(bad)]).failed();
        let name = bad.file_name().unwrap().to_string_lossy().into_owned();
        assert!(run.stderr.contains(&name), "{name}: {}", run.stderr);
        assert_eq!(list_counts(live), held, "{name} changed the store");
    }
    vigil(live, &["audit", "verify"]).ok();
});
