//! Bad input through the command line: a clear error naming the file, a non-zero exit, and
//! a store left exactly as it was.

use std::io::Write;

use vigil_testkit::store_test;

use crate::{example, list_counts, path, vigil};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(bytes).unwrap();
    path(&p)
}

store_test!(bad_files_are_refused_and_change_nothing, |db| {
    let db = db.location.as_str();
    vigil(
        db,
        &["import", &example("national_banned_organizations.csv")],
    )
    .ok();
    let before = list_counts(db);
    let dir = tempfile::tempdir().unwrap();

    let empty = write(&dir, "empty.xml", b"");
    let truncated = write(
        &dir,
        "truncated.xml",
        b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-01-01T00:00:00Z\">\n<INDIVIDUALS>\n<INDIVIDUAL>\n<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>\n<FIRST_NAME>A",
    );
    let unknown = write(&dir, "notes.txt", b"just some words\nnot a list\n");
    let latin1 = write(&dir, "latin1.csv", b"id,schema,name,authority,legal_basis,listed_on\n1,Organization,Soci\xe9t\xe9,RU,x,2003-02-14\n");
    let header = "id,schema,name,authority,legal_basis,listed_on\n";
    let duplicate = write(
        &dir,
        "duplicate.csv",
        format!("{header}7,Organization,One,RU,Decision 1,2003-02-14\n7,Organization,Two,RU,Decision 2,2003-02-14\n").as_bytes(),
    );
    let long_field = write(
        &dir,
        "long.csv",
        format!(
            "{header}8,Organization,{},RU,Decision,2003-02-14\n",
            "X".repeat(100_000)
        )
        .as_bytes(),
    );
    let ragged = write(
        &dir,
        "ragged.csv",
        format!("{header}9,Organization,Three\n").as_bytes(),
    );
    let ofac_row = write(
        &dir,
        "sdn.csv",
        b"36,\"AEROCARIBBEAN AIRLINES\",-0- ,\"CUBA\"\r\n",
    );
    let cases = [
        (duplicate.as_str(), "duplicate.csv:3"),
        (long_field.as_str(), "long.csv:2"),
        (ragged.as_str(), "ragged.csv:2"),
        (ofac_row.as_str(), "sdn.csv:1"),
        (empty.as_str(), "empty"),
        (truncated.as_str(), "truncated.xml"),
        (unknown.as_str(), "notes.txt"),
        (latin1.as_str(), "UTF-8"),
    ];
    for (file, expected) in cases {
        let run = vigil(db, &["import", file]).failed();
        assert!(run.stderr.contains(expected), "{file}: {}", run.stderr);
        assert!(run.stderr.contains("error"), "{file}: {}", run.stderr);
        assert_eq!(list_counts(db), before, "{file} changed the store");
    }
    let missing = vigil(db, &["import", "/nonexistent/list.xml"]).failed();
    assert!(
        missing.stderr.contains("/nonexistent/list.xml"),
        "{}",
        missing.stderr
    );
    let wrong_format = vigil(
        db,
        &[
            "import",
            "--format",
            "un-xml",
            &example("national_banned_organizations.csv"),
        ],
    )
    .failed();
    assert!(
        wrong_format
            .stderr
            .contains("national_banned_organizations.csv"),
        "{}",
        wrong_format.stderr
    );
    assert_eq!(list_counts(db), before);
});
