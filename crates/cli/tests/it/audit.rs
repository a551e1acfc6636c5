//! `vigil audit anchor` and `vigil audit verify --anchor FILE`, and the anchors `vigil serve
//! --audit-anchor-file` writes.

use vigil_testkit::store_test;

use crate::{path, vigil};

store_test!(anchors_prove_the_log_was_not_cut_short, |db| {
    let db = db.location.as_str();
    // Nothing to anchor in an empty log.
    let empty = vigil(db, &["audit", "anchor"]).failed();
    assert!(empty.stderr.contains("empty"), "{}", empty.stderr);
    vigil(
        db,
        &[
            "user",
            "add",
            "ana",
            "--authority",
            "KZ",
            "--role",
            "analyst",
        ],
    )
    .ok();
    let anchor = vigil(db, &["audit", "anchor"]).ok();
    let line: serde_json::Value = serde_json::from_str(anchor.stdout.trim()).unwrap();
    assert_eq!(line["seq"], 1, "{}", anchor.stdout);
    assert_eq!(line["hash"].as_str().unwrap().len(), 64);
    assert!(line["time"].as_str().unwrap().starts_with("20"));

    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.jsonl");
    std::fs::write(&file, &anchor.stdout).unwrap();
    let file_arg = path(&file);
    vigil(db, &["token", "create", "ana"]).ok();
    let ok = vigil(db, &["audit", "verify", "--anchor", &file_arg]).ok();
    assert!(
        ok.stdout.contains("2 entries; 1 anchors hold"),
        "{}",
        ok.stdout
    );

    // An anchor past the log's end: the log was cut short after it was taken.
    let beyond = format!(
        "{}\n{}\n",
        anchor.stdout.trim(),
        anchor.stdout.trim().replace("\"seq\":1", "\"seq\":7")
    );
    std::fs::write(&file, beyond).unwrap();
    let cut = vigil(db, &["audit", "verify", "--anchor", &file_arg]).failed();
    assert!(
        cut.stderr
            .contains("the log ends at seq 2 but an anchor from"),
        "{}",
        cut.stderr
    );
    assert!(cut.stderr.contains("names seq 7"), "{}", cut.stderr);

    // A forged hash.
    let forged = anchor
        .stdout
        .trim()
        .replace(line["hash"].as_str().unwrap(), &"0".repeat(64));
    std::fs::write(&file, forged).unwrap();
    let bad = vigil(db, &["audit", "verify", "--anchor", &file_arg]).failed();
    assert!(bad.stderr.contains("forged"), "{}", bad.stderr);

    // A malformed file is refused with its line, before anything is verified.
    std::fs::write(&file, format!("{}\n{{\"seq\": 1}}\n", anchor.stdout.trim())).unwrap();
    let malformed = vigil(db, &["audit", "verify", "--anchor", &file_arg]).failed();
    assert!(
        malformed.stderr.contains("anchor line 2"),
        "{}",
        malformed.stderr
    );
    assert!(!malformed.stdout.contains("intact"), "{}", malformed.stdout);
    let missing = vigil(db, &["audit", "verify", "--anchor", "/nonexistent/anchors"]).failed();
    assert!(
        missing.stderr.contains("/nonexistent/anchors"),
        "{}",
        missing.stderr
    );
});

store_test!(serve_appends_anchors_to_its_file, |db| {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("anchors.jsonl");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vigil"))
        .args(["--db", &db.location, "serve", "--listen", "127.0.0.1:0"])
        .args([
            "--audit-anchor-file",
            &path(&file),
            "--audit-anchor-minutes",
            "0.01",
        ])
        .env_remove("VIGIL_DB")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The start anchors the first admin's creation at once.
    let mut text = String::new();
    for _ in 0..300 {
        text = std::fs::read_to_string(&file).unwrap_or_default();
        if !text.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    // A new entry is anchored within the interval (0.6 s).
    vigil(
        &db.location,
        &[
            "user",
            "add",
            "ana",
            "--authority",
            "KZ",
            "--role",
            "analyst",
        ],
    )
    .ok();
    for _ in 0..100 {
        text = std::fs::read_to_string(&file).unwrap_or_default();
        if text.lines().count() >= 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let anchors = vigil_store::parse_anchors(&text).unwrap();
    assert!(anchors.len() >= 2, "{text}");
    assert_eq!(anchors[0].seq, 1, "{text}");
    assert_eq!(anchors[1].seq, 2, "{text}");
    let ok = vigil(&db.location, &["audit", "verify", "--anchor", &path(&file)]).ok();
    assert!(ok.stdout.contains("anchors hold"), "{}", ok.stdout);
    // An unwritable anchor file stops the start.
    let refused = vigil(
        &db.location,
        &[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--audit-anchor-file",
            "/nonexistent/dir/a.jsonl",
        ],
    )
    .failed();
    assert!(
        refused.stderr.contains("--audit-anchor-file"),
        "{}",
        refused.stderr
    );
});
