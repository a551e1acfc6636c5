//! The real published lists from ../shared/data (skipped loudly when it is absent).

use vigil_testkit::{shared_data, store_test};

use crate::{list_counts, path, vigil};

store_test!(un_2026_yields_every_record, |db| {
    let Some(un) = shared_data("lists/un/un_consolidated_2026-02-27.xml") else {
        return;
    };
    let db = db.location.as_str();
    let run = vigil(db, &["import", &path(&un), "--json"]).ok();
    let report = &run.json_lines()[0];
    assert_eq!(report["list"], "un");
    assert_eq!(report["added"], 1003);
    let records = vigil(db, &["export", "--format", "ftm", "--list", "un"])
        .ok()
        .json_lines();
    let mains: Vec<&serde_json::Value> = records
        .iter()
        .filter(|l| {
            l["id"]
                .as_str()
                .is_some_and(|id| !id.contains("-sanction-") && !id.contains("-doc-"))
        })
        .collect();
    let persons = mains.iter().filter(|l| l["schema"] == "Person").count();
    let orgs = mains
        .iter()
        .filter(|l| l["schema"] == "Organization")
        .count();
    assert_eq!((persons, orgs), (730, 273));

    let shown = vigil(db, &["show", "un:TAi.144", "--json"])
        .ok()
        .json_lines();
    let e = &shown[0]["entity"];
    assert_eq!(e["schema"], "Person");
    assert!(
        e["names"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "original_script" && n["script"] == "Arab"),
        "{e}"
    );
    assert!(
        e["nationalities"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["code"] == "AF"),
        "{e}"
    );
    assert_eq!(e["designations"][0]["authority"], "UNSC");
});

store_test!(un_2025_then_2026_reports_the_update, |db| {
    let (Some(old), Some(new)) = (
        shared_data("lists/un/un_consolidated_2025-04-19_reserialized.xml"),
        shared_data("lists/un/un_consolidated_2026-02-27.xml"),
    ) else {
        return;
    };
    let db = db.location.as_str();
    let first = vigil(db, &["import", &path(&old), "--json"])
        .ok()
        .json_lines();
    assert_eq!(first[0]["added"], 877);
    let second = vigil(db, &["import", &path(&new), "--json"])
        .ok()
        .json_lines();
    assert_eq!(second[0]["revision"], 2);
    // 130 references are new and 4 are gone: 877 + 130 - 4 = 1,003 (net growth 126).
    assert_eq!(second[0]["added"], 130);
    assert_eq!(second[0]["delisted"], 4);
    assert_eq!(list_counts(db), vec![("un".to_string(), 1003, 4, 2)]);

    let diff = vigil(
        db,
        &["diff", "--list", "un", "--from", "1", "--to", "2", "--json"],
    )
    .ok()
    .json_lines();
    let delisted: Vec<&str> = diff
        .iter()
        .filter(|d| d["change"] == "delisted")
        .filter_map(|d| d["id"].as_str())
        .collect();
    assert_eq!(
        delisted,
        ["un:IQi.074", "un:QDi.317", "un:QDi.328", "un:QDi.336"]
    );
    assert_eq!(diff.iter().filter(|d| d["change"] == "added").count(), 130);

    let history = vigil(db, &["history", "un:QDi.317"]).ok();
    let lines: Vec<&str> = history.stdout.lines().collect();
    assert_eq!(lines.len(), 2, "{}", history.stdout);
    assert!(
        lines[0].contains("added") && lines[1].contains("delisted"),
        "{}",
        history.stdout
    );
    // The register as it stood before the 2026 file still lists QDi.317.
    let then = vigil(
        db,
        &["show", "un:QDi.317", "--as-of", "2025-12-31", "--json"],
    )
    .ok()
    .json_lines();
    assert_eq!(then[0]["listed"], true);
    let now = vigil(db, &["show", "un:QDi.317", "--json"])
        .ok()
        .json_lines();
    assert_eq!(now[0]["listed"], false);
});

store_test!(ofac_2024_set_yields_every_entry, |db| {
    let Some(folder) = shared_data("lists/ofac/sdn_2024-05") else {
        return;
    };
    let db = db.location.as_str();
    let files: Vec<String> = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"]
        .iter()
        .map(|f| path(&folder.join(f)))
        .collect();
    let mut args = vec!["import", "--json"];
    args.extend(files.iter().map(String::as_str));
    let run = vigil(db, &args).ok();
    let report = &run.json_lines()[0];
    assert_eq!(report["list"], "ofac");
    assert_eq!(report["entities"], 14965);
    assert!(
        run.stderr.contains("alt.csv"),
        "orphan aliases are warned about: {}",
        run.stderr
    );
    assert!(report["warnings"].as_u64().unwrap() >= 2460);

    let shown = vigil(db, &["show", "ofac:10743", "--json"])
        .ok()
        .json_lines();
    let e = &shown[0]["entity"];
    assert_eq!(e["schema"], "Person");
    let names: Vec<&str> = e["names"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|n| n["value"].as_str())
        .collect();
    assert!(names.iter().any(|n| n.contains("HAQQANI")), "{names:?}");
    assert_eq!(e["designations"][0]["regime"], "SDGT");
    // The folder form imports the same set: recognised as already imported.
    let again = vigil(db, &["import", &path(&folder)]).ok();
    assert!(
        again.stdout.contains("already revision 1"),
        "{}",
        again.stdout
    );
});
