//! `vigil notice` on both stores: declare, step, list, show, export as named users, with the
//! API's rules (another state may not withdraw; a national notice is invisible abroad).

use vigil_testkit::store_test;

use crate::{path, vigil};

const NOTICE: &str = r#"{
  "person": {"names": ["Timur Rashidovich Karimov"], "birth_dates": ["1991-02-03"], "nationalities": ["UZ"]},
  "offence": "membership of a banned organization",
  "criminal_code_article": "Article 244-2 of the Criminal Code of Uzbekistan",
  "warrant": {"number": "1-77/2026", "date": "2026-01-10", "court": "Tashkent City Criminal Court"},
  "declared_on": "2026-01-12",
  "scope": {"kind": "national"},
  "contact_point": "SGB duty officer"
}"#;

store_test!(notices_from_the_command_line, |db| {
    let db = db.location.as_str();
    for (user, authority, role) in [
        ("uz_analyst", "UZ", "analyst"),
        ("kz_analyst", "KZ", "analyst"),
    ] {
        vigil(
            db,
            &[
                "user",
                "add",
                user,
                "--authority",
                authority,
                "--role",
                role,
            ],
        )
        .ok();
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("notice.json");
    std::fs::write(&file, NOTICE).unwrap();
    let declared = vigil(
        db,
        &["notice", "declare", "--as", "uz_analyst", &path(&file)],
    )
    .ok();
    let n: serde_json::Value = serde_json::from_str(declared.stdout.trim()).unwrap();
    assert_eq!(n["status"], "declared");
    let id = n["id"].to_string();

    // National scope: Kazakhstan does not see it, and may not act on it.
    let listed = vigil(db, &["notice", "list", "--as", "kz_analyst"]).ok();
    assert!(listed.stdout.trim().is_empty(), "{}", listed.stdout);
    let refused = vigil(
        db,
        &[
            "notice",
            "step",
            &id,
            "--as",
            "kz_analyst",
            r#"{"step": "withdraw", "reason": "x", "decision": "y"}"#,
        ],
    )
    .failed();
    assert!(
        refused.stderr.contains("no search notice"),
        "{}",
        refused.stderr
    );

    let withdrawn = vigil(
        db,
        &[
            "notice",
            "step",
            &id,
            "--as",
            "uz_analyst",
            r#"{"step": "withdraw", "reason": "acquitted", "decision": "Court ruling 5/2026"}"#,
        ],
    )
    .ok();
    assert!(
        withdrawn.stdout.contains("\"status\":\"withdrawn\""),
        "{}",
        withdrawn.stdout
    );
    let again = vigil(
        db,
        &[
            "notice",
            "step",
            &id,
            "--as",
            "uz_analyst",
            r#"{"step": "review"}"#,
        ],
    )
    .failed();
    assert!(again.stderr.contains("withdrawn"), "{}", again.stderr);
    let red = vigil(db, &["notice", "export", &id, "--format", "interpol"]).ok();
    assert!(red.stdout.contains("\"KARIMOV\""), "{}", red.stdout);
    let bad = vigil(db, &["notice", "export", &id, "--format", "pdf"]).failed();
    assert!(bad.stderr.contains("format"), "{}", bad.stderr);
    let mut broken = NOTICE.replace("\"1-77/2026\"", "\"\"");
    broken = broken.replace("Timur", "Other");
    std::fs::write(&file, broken).unwrap();
    let refused = vigil(
        db,
        &["notice", "declare", "--as", "uz_analyst", &path(&file)],
    )
    .failed();
    assert!(
        refused.stderr.contains("warrant.number"),
        "{}",
        refused.stderr
    );
    assert_eq!(
        vigil(db, &["notice", "list"]).ok().stdout.lines().count(),
        1
    );
    vigil(db, &["audit", "verify"]).ok();
});
