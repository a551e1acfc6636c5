//! `vigil screen`, `vigil compare` and `vigil bench screen` end to end.

use std::io::Write;

use vigil_testkit::shared_data;

use crate::{example, path, run_raw, vigil};

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> String {
    let p = dir.path().join(name);
    let mut f = std::fs::File::create(&p).unwrap();
    f.write_all(bytes).unwrap();
    path(&p)
}

fn lines(p: &str) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

/// A register holding the example national list.
fn example_db(dir: &tempfile::TempDir) -> String {
    let db = path(&dir.path().join("vigil.db"));
    vigil(
        &db,
        &["import", &example("national_banned_organizations.csv")],
    )
    .ok();
    db
}

#[test]
fn screen_jsonl_keeps_order_and_reports_bad_lines() {
    let dir = tempfile::tempdir().unwrap();
    let db = example_db(&dir);
    let long = "x".repeat(10_000);
    let mut input = Vec::new();
    input.extend_from_slice(br#"{"id": "q1", "schema": "Organization", "name": "ASBAT AL-ANSAR"}"#);
    input.extend_from_slice(b"\n");
    input.extend_from_slice(br#"{"id": "q2", "schema": "Person", "name": "Asbat al-Ansar"}"#);
    input.extend_from_slice(b"\n{not json\n");
    input.extend_from_slice(br#"{"id": "q4", "schema": "Spaceship", "name": "Taliban"}"#);
    input.extend_from_slice(b"\n");
    input.extend_from_slice(br#"{"id": "q5", "schema": "Organization", "name": ""}"#);
    input.extend_from_slice(b"\n");
    input.extend_from_slice(br#"{"id": "q6", "schema": "Organization", "name": "!!! ..."}"#);
    input.extend_from_slice(b"\n");
    input.extend_from_slice(format!(r#"{{"id": "q7", "name": "{long}"}}"#).as_bytes());
    input.extend_from_slice(b"\n{\"id\": \"q8\", \"name\": \"Tal\xffiban\"}\n");
    input.extend_from_slice(
        br#"{"id": "q9", "name": "Talibans", "birth_date": "1970-13-45", "nationality": "Narnia"}"#,
    );
    input.extend_from_slice(b"\n");
    let queries = write(&dir, "queries.jsonl", &input);
    let out = path(&dir.path().join("out.jsonl"));
    vigil(&db, &["screen", "--input", &queries, "--output", &out]).ok();
    let got = lines(&out);
    assert_eq!(got.len(), 9, "{got:?}");

    assert_eq!(got[0]["query_id"], "q1");
    let m = &got[0]["matches"][0];
    assert!(m["id"].as_str().unwrap().ends_with(":4"), "{m}");
    assert!(m["score"].as_f64().unwrap() >= 0.9);
    assert_eq!(m["name"], "Asbat al-Ansar");
    assert!(m["explanation"]["pairs"].is_array());
    // A person never matches an organization.
    assert_eq!(got[1]["matches"].as_array().unwrap().len(), 0);
    assert_eq!(got[2]["line"], 3);
    assert!(got[2]["query_id"].is_null());
    assert!(got[2]["error"].as_str().unwrap().contains("JSON"));
    assert_eq!(got[3]["query_id"], "q4");
    assert!(got[3]["error"].as_str().unwrap().contains("schema"));
    assert_eq!(got[4]["query_id"], "q5");
    assert!(got[4]["error"].is_string());
    assert_eq!(got[5]["matches"].as_array().unwrap().len(), 0);
    assert_eq!(got[6]["line"], 7);
    assert!(got[6]["error"].is_string());
    assert!(got[7]["error"].as_str().unwrap().contains("UTF-8"));
    assert_eq!(got[8]["query_id"], "q9");
    assert!(got[8]["matches"].is_array());
}

#[test]
fn screen_csv_threshold_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let db = example_db(&dir);
    let queries = write(
        &dir,
        "queries.csv",
        "id,schema,name,birth_date,nationality\n\
         a,Organization,Lashkar Taiba,,\n\
         b,Organization,Muslim Brotherhood,,\n\
         c,Organization,Jamaat Islami,,\n"
            .as_bytes(),
    );
    let out = path(&dir.path().join("out.jsonl"));
    vigil(
        &db,
        &[
            "screen", "--input", &queries, "--output", &out, "--limit", "1",
        ],
    )
    .ok();
    let got = lines(&out);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["query_id"], "a");
    assert!(got[0]["matches"][0]["id"].as_str().unwrap().ends_with(":9"));
    for l in &got {
        assert!(l["matches"].as_array().unwrap().len() <= 1);
    }
    vigil(
        &db,
        &[
            "screen",
            "--input",
            &queries,
            "--output",
            &out,
            "--threshold",
            "1.0",
        ],
    )
    .ok();
    let strict = lines(&out);
    assert_eq!(strict[0]["matches"].as_array().unwrap().len(), 0);
    assert_eq!(strict[1]["matches"].as_array().unwrap().len(), 1);
}

#[test]
fn screen_one_name() {
    let dir = tempfile::tempdir().unwrap();
    let db = example_db(&dir);
    let run = vigil(
        &db,
        &[
            "screen",
            "--name",
            "Hizb ut Tahrir",
            "--schema",
            "Organization",
        ],
    )
    .ok();
    assert!(run.stdout.contains(":8  Hizb ut-Tahrir"), "{}", run.stdout);
    let run = vigil(
        &db,
        &["screen", "--name", "Hizb ut Tahrir", "--schema", "Starship"],
    )
    .failed();
    assert!(run.stderr.contains("schema"), "{}", run.stderr);
    // An empty register is an error, not a silent "no match".
    let empty = path(&dir.path().join("empty.db"));
    vigil(&empty, &["screen", "--name", "Taliban"]).failed();
}

#[test]
fn compare_single_and_batch() {
    let run = run_raw(&[
        "compare",
        "Mohammed Omar",
        "Muhammad Umar",
        "--schema",
        "Person",
    ])
    .ok();
    let score: f64 = run.stdout.lines().next().unwrap().trim().parse().unwrap();
    assert!(score >= 0.85, "{}", run.stdout);
    assert!(run.stdout.contains("Variant"), "{}", run.stdout);
    run_raw(&["compare", "only one"]).failed();

    let dir = tempfile::tempdir().unwrap();
    let pairs = write(
        &dir,
        "pairs.jsonl",
        b"{\"id\": \"p1\", \"schema\": \"Person\", \"name1\": \"Doku Umarov\", \"name2\": \"\xd0\x94\xd0\xbe\xd0\xba\xd1\x83 \xd0\xa3\xd0\xbc\xd0\xb0\xd1\x80\xd0\xbe\xd0\xb2\"}\n\
          {\"id\": \"p2\", \"schema\": \"Person\", \"name1\": \"Doku Umarov\", \"name2\": \"Peter Smith\"}\n\
          garbage\n",
    );
    let out = path(&dir.path().join("scores.jsonl"));
    run_raw(&["compare", "--input", &pairs, "--output", &out]).ok();
    let got = lines(&out);
    assert_eq!(got.len(), 3);
    assert_eq!(got[0]["id"], "p1");
    assert!(got[0]["score"].as_f64().unwrap() > got[1]["score"].as_f64().unwrap());
    assert_eq!(got[2]["line"], 3);
}

#[test]
fn bench_screen_on_the_real_register() {
    let Some(un) = shared_data("lists/un/un_consolidated_2026-02-27.xml") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir.path().join("vigil.db"));
    vigil(&db, &["import", &path(&un)]).ok();
    let queries = write(
        &dir,
        "q.jsonl",
        br#"{"id": "1", "schema": "Person", "name": "HAQQANI, Sirajuddin", "birth_date": "1977"}
{"id": "2", "schema": "Person", "name": "Mullah Mohammed Omar"}
{"id": "3", "schema": "Person", "name": "Lars Gustav Karlsson"}
"#,
    );
    let out = path(&dir.path().join("out.jsonl"));
    vigil(&db, &["screen", "--input", &queries, "--output", &out]).ok();
    let got = lines(&out);
    assert_eq!(got[0]["matches"][0]["id"], "un:TAi.144", "{:?}", got[0]);
    assert_eq!(got[2]["matches"].as_array().unwrap().len(), 0);
    let run = vigil(
        &db,
        &[
            "bench",
            "screen",
            "--input",
            &queries,
            "--recall-sample",
            "3",
        ],
    )
    .ok();
    let figures = &run.json_lines()[0];
    assert_eq!(figures["queries"], 3);
    assert!(figures["index_build_seconds"].as_f64().is_some());
    assert_eq!(figures["retrieval_recall"], 1.0);
}

/// `vigil screen --paxlst`: a listed person travelling on his passport is found by it, a
/// nameless passenger is an error record (exit 1), CSV has one row per match.
#[test]
fn screen_paxlst_finds_a_listed_passport_and_reports_bad_travellers() {
    let Some(un) = shared_data("lists/un/un_consolidated_2026-02-27.xml") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let db = path(&dir.path().join("vigil.db"));
    vigil(&db, &["import", &path(&un)]).ok();
    // A listed person with a passport number, as the register holds him.
    let export = vigil(&db, &["export", "--list", "un"]).ok();
    let (id, passport) = export
        .json_lines()
        .into_iter()
        .find_map(|e| {
            let number = e["properties"]["passportNumber"][0].as_str()?.to_string();
            (e["schema"] == "Person" && number.len() >= 6)
                .then(|| (e["id"].as_str().unwrap().to_string(), number))
        })
        .expect("a listed person with a passport");
    let passport_edi: String = passport
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let manifest = format!(
        "UNA:+.? 'UNB+UNOA:4+AIR+KZ+261206:0900+IC'UNH+M1+PAXLST:D:05B:UN:IATA'BGM+745'\
         TDT+20+HY602+++HY'LOC+125+DME'LOC+87+ALA'\
         NAD+FL+++TRAVELLER:ANY'DOC+P+{passport_edi}'\
         NAD+FL+++SMITH:JANE'DOC+P+GB0000001'\
         NAD+FL'DOC+P+X1'CNT+42:3'UNT+13+M1'UNZ+1+IC'"
    );
    let file = write(&dir, "flight.edi", manifest.as_bytes());
    let out = path(&dir.path().join("out.jsonl"));
    let run = vigil(&db, &["screen", "--paxlst", &file, "--output", &out]).failed();
    assert!(run.stderr.contains("no name"), "{}", run.stderr);
    let got = lines(&out);
    let travellers: Vec<_> = got.iter().filter(|l| l["record"] == "traveller").collect();
    assert_eq!(travellers.len(), 2);
    assert_eq!(
        travellers[0]["matches"][0]["id"], id,
        "the passport {passport} is decisive: {}",
        travellers[0]
    );
    assert_eq!(travellers[0]["flight"], "HY602 DME-ALA");
    assert_eq!(travellers[1]["matches"], serde_json::json!([]));
    let error = got.iter().find(|l| l["record"] == "error").unwrap();
    assert_eq!(error["traveller"]["documents"][0]["number"], "X1");
    assert!(got
        .iter()
        .any(|l| l["record"] == "message" && l["travellers"] == 3));
    // The same as CSV; a PNRGOV flag on a PAXLST file is reported as an error record.
    let csv = vigil(&db, &["screen", "--pnrgov", &file, "--format", "csv"]).failed();
    assert!(csv.stdout.starts_with("file,record,"));
    assert!(
        csv.stdout.lines().any(|l| l.contains(&id)),
        "{}",
        csv.stdout
    );
    assert!(
        csv.stdout
            .contains("given as PNRGOV but the message is PAXLST"),
        "{}",
        csv.stdout
    );
}
