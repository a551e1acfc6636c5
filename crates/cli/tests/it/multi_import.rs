//! `vigil import FILE…` with several lists in one call: each list its own revision, all in one
//! transaction, and every way of getting the set wrong refused with nothing imported.

use vigil_testkit::{shared_data, store_test};

use crate::{example, list_counts, path, vigil};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    if let Some(parent) = p.parent() {
        std::fs::create_dir_all(parent).unwrap();
    }
    std::fs::write(&p, bytes).unwrap();
    path(&p)
}

store_test!(
    the_un_list_an_ofac_set_and_a_national_list_in_one_call,
    |db| {
        let (Some(un), Some(ofac)) = (
            shared_data("lists/un/un_consolidated_2026-02-27.xml"),
            shared_data("lists/ofac/sdn_2024-05"),
        ) else {
            return;
        };
        let db = db.location.as_str();
        let un = path(&un);
        let ofac_files: Vec<String> = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
            .iter()
            .map(|f| path(&ofac.join(f)))
            .collect();
        let national = example("national_banned_organizations.csv");
        let mut args = vec!["import", "--json", un.as_str()];
        args.extend(ofac_files.iter().map(String::as_str));
        args.push(national.as_str());
        let run = vigil(db, &args).ok();
        let reports = run.json_lines();
        let lists: Vec<&str> = reports.iter().filter_map(|r| r["list"].as_str()).collect();
        assert_eq!(lists, ["un", "ofac", "ru"], "{}", run.stdout);
        assert_eq!(reports[1]["entities"], 14965);
        assert_eq!(reports[1]["format"], "ofac-csv");
        assert_eq!(reports[0]["format"], "un-xml");
        assert_eq!(reports[1]["files"].as_array().map(Vec::len), Some(4));
        for report in &reports {
            assert_eq!(report["revision"], 1, "{report}");
            assert!(report["added"].as_u64().unwrap() > 0, "{report}");
        }
        let counts = list_counts(db);
        assert_eq!(counts.len(), 3, "{counts:?}");

        // The same call again is recognised list by list as already imported.
        let mut plain = args.clone();
        plain.retain(|a| *a != "--json");
        let again = vigil(db, &plain).ok();
        assert_eq!(
            again.stdout.matches("already revision 1").count(),
            3,
            "{}",
            again.stdout
        );
    }
);

store_test!(two_national_lists_in_one_call_are_two_revisions, |db| {
    let db = db.location.as_str();
    let run = vigil(
        db,
        &[
            "import",
            &example("national_banned_organizations.csv"),
            &example("national_banned_organizations_kz.csv"),
        ],
    )
    .ok();
    assert!(run.stdout.contains("ru: revision 1"), "{}", run.stdout);
    assert!(run.stdout.contains("kz: revision 1"), "{}", run.stdout);
    let names: Vec<String> = list_counts(db).into_iter().map(|c| c.0).collect();
    assert_eq!(names, ["kz", "ru"]);
});

store_test!(a_bad_set_of_files_imports_nothing, |db| {
    let db = db.location.as_str();
    let national = example("national_banned_organizations.csv");
    let kz = example("national_banned_organizations_kz.csv");
    vigil(db, &["import", &kz]).ok();
    let before = list_counts(db);
    let dir = tempfile::tempdir().unwrap();
    let truncated = write(
        &dir,
        "truncated.xml",
        b"<?xml version=\"1.0\"?>\n<CONSOLIDATED_LIST dateGenerated=\"2026-01-01T00:00:00Z\">\n<INDIVIDUALS>\n<INDIVIDUAL>\n<REFERENCE_NUMBER>QDi.1</REFERENCE_NUMBER>\n<FIRST_NAME>A",
    );
    let copy = write(&dir, "copy_of_ru.csv", &std::fs::read(&national).unwrap());
    let misnamed = write(&dir, "sdn.csv", &std::fs::read(&national).unwrap()[..]);
    let first_ofac = write(&dir, "a/sdn.csv", b"36,\"AEROCARIBBEAN AIRLINES\",\"-0- \",\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    let second_ofac = write(&dir, "b/sdn.csv", b"173,\"ANGLO-CARIBBEAN CO., LTD.\",-0- ,\"CUBA\",-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- ,-0- \r\n");
    let cases: Vec<(Vec<&str>, &str)> = vec![
        // One list fails: the good one is not imported either.
        (vec![national.as_str(), truncated.as_str()], "truncated.xml"),
        (vec![national.as_str(), national.as_str()], "given twice"),
        (vec![national.as_str(), copy.as_str()], "same content"),
        (vec![misnamed.as_str()], "ambiguous"),
        (
            vec![first_ofac.as_str(), second_ofac.as_str()],
            "list ofac again",
        ),
        (
            vec!["--list", "mine", national.as_str(), truncated.as_str()],
            "--list names one list",
        ),
    ];
    for (files, expected) in cases {
        let mut args = vec!["import"];
        args.extend(files.iter().copied());
        let run = vigil(db, &args).failed();
        assert!(
            run.stderr.contains(expected),
            "{files:?}: expected {expected:?} in {}",
            run.stderr
        );
        assert_eq!(list_counts(db), before, "{files:?} changed the store");
    }
});
