//! The register's commands on the shipped example (no ../shared needed).

use vigil_testkit::store_test;

use crate::{example, list_counts, run_raw, vigil};

const EXAMPLE: &str = "national_banned_organizations.csv";

store_test!(imports_the_example_and_shows_it, |db| {
    let db = db.location.as_str();
    let run = vigil(db, &["import", &example(EXAMPLE)]).ok();
    assert!(run.stdout.contains("ru: revision 1"), "{}", run.stdout);
    let counts = list_counts(db);
    assert_eq!(counts.len(), 1);
    let (name, listed, delisted, revisions) = &counts[0];
    // The example marks the Taliban ban as lifted (2025): filed, but not listed.
    assert_eq!((name.as_str(), *delisted, *revisions), ("ru", 1, 1));
    assert!(*listed >= 15, "the 2003 decision banned 15 organizations");

    let export = vigil(db, &["export", "--format", "ftm"]).ok();
    let lines = export.json_lines();
    let ids: Vec<&str> = lines.iter().filter_map(|l| l["id"].as_str()).collect();
    assert!(ids.iter().all(|id| id.starts_with("ru:")), "{ids:?}");
    let first = ids[0].to_string();
    let shown = vigil(db, &["show", &first, "--json"]).ok().json_lines();
    assert_eq!(shown[0]["entity"]["id"], first.as_str());
    assert_eq!(shown[0]["listed"], true);
    let text = vigil(db, &["show", &first]).ok();
    assert!(text.stdout.contains("designation  RU"), "{}", text.stdout);

    // The same file again is recognised; nothing new is stored.
    let again = vigil(db, &["import", &example(EXAMPLE)]).ok();
    assert!(
        again.stdout.contains("already revision 1"),
        "{}",
        again.stdout
    );
    assert_eq!(list_counts(db)[0].3, 1);

    let history = vigil(db, &["history", &first]).ok();
    assert_eq!(history.stdout.lines().count(), 1);
    assert!(history.stdout.contains("added"));

    // --db after the subcommand works as well as before it.
    let after = run_raw(&["lists", "--json", "--db", db]).ok();
    assert_eq!(after.json_lines().len(), 1);
    let authorities = vigil(db, &["authorities", "--json"]).ok().json_lines();
    assert!(authorities.iter().any(|a| a["code"] == "RATS-EC"));
});

store_test!(ftm_export_then_import_gives_back_the_same_entities, |db| {
    let db = db.location.as_str();
    vigil(db, &["import", &example(EXAMPLE)]).ok();
    let dir = tempfile::tempdir().unwrap();
    let exported = dir.path().join("register.ftm.jsonl");
    vigil(
        db,
        &[
            "export",
            "--format",
            "ftm",
            "--output",
            &crate::path(&exported),
        ],
    )
    .ok();

    let other = vigil_testkit::TestDb::sqlite();
    vigil(&other.location, &["import", &crate::path(&exported)]).ok();
    let a = vigil(db, &["export", "--format", "ftm"]).ok().stdout;
    let b = vigil(&other.location, &["export", "--format", "ftm"])
        .ok()
        .stdout;
    assert!(!a.is_empty());
    assert_eq!(a, b, "the round trip changed the register");
});

#[test]
fn unknown_entity_and_bad_arguments_fail_clearly() {
    let db = vigil_testkit::TestDb::sqlite();
    let run = vigil(&db.location, &["show", "un:NOPE.1"]).failed();
    assert!(
        run.stderr.contains("un:NOPE.1 is not in the register"),
        "{}",
        run.stderr
    );
    let run = vigil(&db.location, &["show", "no-list-prefix"]).failed();
    assert!(run.stderr.contains("not an entity id"), "{}", run.stderr);
    let run = vigil(&db.location, &["show", "un:X", "--as-of", "yesterday"]).failed();
    assert!(run.stderr.contains("--as-of"), "{}", run.stderr);
    let run = vigil(
        &db.location,
        &["diff", "--list", "un", "--from", "1", "--to", "2"],
    )
    .failed();
    assert!(
        run.stderr.contains("no list named \"un\""),
        "{}",
        run.stderr
    );
    let run = run_raw(&["--help"]).ok();
    for command in [
        "import",
        "lists",
        "show",
        "history",
        "diff",
        "export",
        "authorities",
    ] {
        assert!(run.stdout.contains(command), "--help lists {command}");
    }
}

#[test]
fn lists_update_reports_a_failed_source_and_changes_nothing() {
    let db = vigil_testkit::TestDb::sqlite();
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("update.toml");
    // Port 1 on loopback: nothing listens there, so the download fails at once.
    std::fs::write(
        &config,
        "timeout_seconds = 5\n[[source]]\nname = \"un\"\nurls = [\"http://127.0.0.1:1/consolidated.xml\"]\n",
    )
    .unwrap();
    let run = vigil(
        &db.location,
        &["lists", "update", "--config", &crate::path(&config)],
    )
    .failed();
    assert!(
        run.stderr.contains("un: nothing imported"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("127.0.0.1:1"), "{}", run.stderr);
    assert!(list_counts(&db.location).is_empty());
    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[[source]]\nname = \"un\"\nurls = []\n").unwrap();
    let run = vigil(
        &db.location,
        &["lists", "update", "--config", &crate::path(&bad)],
    )
    .failed();
    assert!(
        run.stderr.contains("bad.toml") && run.stderr.contains("no urls"),
        "{}",
        run.stderr
    );
}
