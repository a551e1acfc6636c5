//! `vigil council`: the demo, the chair, the report files, and writes as a named user that are
//! refused with a non-zero exit, a clear message and an audit entry.

use vigil_testkit::store_test;

use crate::vigil;

store_test!(council_demo_chair_report_and_votes, |db| {
    let db = db.location.as_str();
    let demo = vigil(db, &["council", "demo"]).ok();
    let summary = &demo.json_lines()[0];
    assert_eq!(summary["decisions"][2][1], "failed");
    // Twice is refused.
    let again = vigil(db, &["council", "demo"]).failed();
    assert!(again.stderr.contains("empty council"), "{}", again.stderr);

    let chair = vigil(db, &["council", "chair", "--on", "2026-11-28"]).ok();
    assert!(
        chair.stdout.starts_with("IN chairs on 2026-11-28"),
        "{}",
        chair.stdout
    );
    let bad = vigil(db, &["council", "chair", "--on", "2026-02-30"]).failed();
    assert!(bad.stderr.contains("--on"), "{}", bad.stderr);

    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("report.pdf");
    vigil(
        db,
        &[
            "council",
            "report",
            "--year",
            "2027",
            "--format",
            "pdf",
            "--output",
            pdf.to_str().unwrap(),
        ],
    )
    .ok();
    let bytes = std::fs::read(&pdf).unwrap();
    assert!(bytes.starts_with(b"%PDF-1.4"));
    let md = vigil(db, &["council", "report", "--year", "2027"]).ok();
    assert!(md.stdout.contains("| RATS-C/2027/2 | Financing of the Executive Committee in 2027 | meeting | adopted | 2027-05-20 |"));

    let ics = vigil(db, &["council", "ics", "1"]).ok();
    assert!(ics.stdout.contains("BEGIN:VCALENDAR\r\n"));

    // A vote after adoption: refused, audited as failed.
    let late = vigil(
        db,
        &[
            "council",
            "decision",
            "vote",
            "RATS-C/2027/1",
            "--state",
            "IN",
            "--position",
            "object",
            "--as",
            "rep-in",
        ],
    )
    .failed();
    assert!(late.stderr.contains("frozen"), "{}", late.stderr);
    // Another state's position: denied.
    let other = vigil(
        db,
        &[
            "council",
            "decision",
            "vote",
            "RATS-C/2027/1",
            "--state",
            "IN",
            "--position",
            "agree",
            "--as",
            "rep-pk",
        ],
    )
    .failed();
    assert!(other.stderr.contains("own analysts"), "{}", other.stderr);
    let audit = vigil(
        db,
        &["audit", "list", "--json", "--action", "council.position"],
    )
    .ok();
    let outcomes: Vec<String> = audit
        .json_lines()
        .iter()
        .map(|e| e["outcome"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(outcomes.contains(&"failed".to_string()) && outcomes.contains(&"denied".to_string()));

    // A payment in an unknown currency changes nothing.
    let before = vigil(db, &["council", "budget", "show", "--year", "2027"])
        .ok()
        .stdout;
    let pay = vigil(
        db,
        &[
            "council",
            "budget",
            "pay",
            "--year",
            "2027",
            "--state",
            "TJ",
            "--amount",
            "100.00",
            "--currency",
            "XYZ",
            "--received-on",
            "2027-04-01",
            "--as",
            "council-secretariat",
        ],
    )
    .failed();
    assert!(pay.stderr.contains("unknown currency"), "{}", pay.stderr);
    assert_eq!(
        vigil(db, &["council", "budget", "show", "--year", "2027"])
            .ok()
            .stdout,
        before
    );
    let paid = vigil(
        db,
        &[
            "council",
            "budget",
            "pay",
            "--year",
            "2027",
            "--state",
            "TJ",
            "--amount",
            "240000.00",
            "--currency",
            "USD",
            "--received-on",
            "2027-04-01",
            "--as",
            "council-secretariat",
        ],
    )
    .ok();
    let b = &paid.json_lines()[0];
    let tj = b["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["state"] == "TJ")
        .unwrap()
        .clone();
    assert_eq!(tj["arrears"], 0);
});

store_test!(council_writes_from_the_command_line, |db| {
    let db = db.location.as_str();
    vigil(db, &["council", "demo"]).ok();
    let sec = "council-secretariat";
    let bodies = vigil(db, &["council", "bodies"]).ok().json_lines();
    assert_eq!(bodies[0]["code"], "council");
    assert_eq!(bodies.len(), 3);
    let meeting = vigil(
        db,
        &[
            "council",
            "meeting",
            "add",
            "--kind",
            "extraordinary",
            "--title",
            "Extraordinary session",
            "--host-state",
            "KZ",
            "--venue",
            "Astana",
            "--starts",
            "2027-11-02",
            "--ends",
            "2027-11-03",
            "--agenda",
            "Opening",
            "--agenda",
            "Threat assessment",
            "--as",
            sec,
        ],
    )
    .ok();
    let id = meeting.json_lines()[0]["id"].as_i64().unwrap();
    let id_text = id.to_string();
    // Shown either way.
    let shown = vigil(db, &["council", "meeting", &id_text]).ok();
    assert_eq!(shown.json_lines()[0]["agenda"][1], "Threat assessment");
    let shown = vigil(db, &["council", "meeting", "show", &id_text]).ok();
    assert_eq!(shown.json_lines()[0]["venue"], "Astana");
    // Reversed dates and a non-secretariat user are refused.
    let bad = vigil(
        db,
        &[
            "council",
            "meeting",
            "add",
            "--kind",
            "regular",
            "--title",
            "X",
            "--host-state",
            "KZ",
            "--venue",
            "Astana",
            "--starts",
            "2027-11-05",
            "--ends",
            "2027-11-03",
            "--as",
            sec,
        ],
    )
    .failed();
    assert!(bad.stderr.contains("ends"), "{}", bad.stderr);
    let denied = vigil(
        db,
        &[
            "council",
            "meeting",
            "add",
            "--kind",
            "regular",
            "--title",
            "X",
            "--host-state",
            "KZ",
            "--venue",
            "Astana",
            "--starts",
            "2027-11-02",
            "--ends",
            "2027-11-03",
            "--as",
            "rep-in",
        ],
    )
    .failed();
    assert!(denied.stderr.contains("secretariat"), "{}", denied.stderr);
    let delegate = |arrival: &str, departure: &str| {
        vigil(
            db,
            &[
                "council",
                "delegate",
                "add",
                "--meeting",
                &id_text,
                "--state",
                "PK",
                "--name",
                "Delegate",
                "--role",
                "head of delegation",
                "--arrival",
                arrival,
                "--departure",
                departure,
                "--entry-point",
                "Astana airport",
                "--visa-status",
                "issued",
                "--as",
                sec,
            ],
        )
    };
    delegate("2027-11-01", "2027-11-03").ok();
    let late = delegate("2027-11-04", "2027-11-02").failed();
    assert!(late.stderr.contains("departure"), "{}", late.stderr);
    let shown = vigil(db, &["council", "meeting", &id_text]).ok();
    assert_eq!(
        shown.json_lines()[0]["delegates"].as_array().unwrap().len(),
        1
    );
    let plan = vigil(
        db,
        &[
            "council",
            "plan",
            "add",
            "--kind",
            "work_plan",
            "--title",
            "Work plan 2028",
            "--owner",
            "RATS-EC",
            "--starts",
            "2028-01-01",
            "--ends",
            "2028-12-31",
            "--as",
            sec,
        ],
    )
    .ok();
    let plan_id = plan.json_lines()[0]["id"].as_i64().unwrap().to_string();
    let action = vigil(
        db,
        &[
            "council",
            "action",
            "add",
            "--plan",
            &plan_id,
            "--action",
            "Train analysts",
            "--owner",
            "RATS-EC",
            "--deadline",
            "2028-06-30",
            "--as",
            sec,
        ],
    )
    .ok();
    let action_id = action.json_lines()[0]["id"].as_i64().unwrap().to_string();
    vigil(
        db,
        &[
            "council", "action", "status", &action_id, "--status", "done", "--as", sec,
        ],
    )
    .ok();
    let bad = vigil(
        db,
        &[
            "council",
            "action",
            "add",
            "--plan",
            &plan_id,
            "--action",
            "X",
            "--owner",
            "RATS-EC",
            "--deadline",
            "2028-06-30",
            "--status",
            "someday",
            "--as",
            sec,
        ],
    )
    .failed();
    assert!(bad.stderr.contains("status"), "{}", bad.stderr);
    vigil(
        db,
        &[
            "council",
            "plan",
            "add",
            "--kind",
            "exercise",
            "--title",
            "Border exercise",
            "--owner",
            "RATS-EC",
            "--starts",
            "2028-05-01",
            "--ends",
            "2028-05-02",
            "--participant",
            "KZ",
            "--participant",
            "KG",
            "--scenario",
            "Armed group crosses",
            "--as",
            sec,
        ],
    )
    .ok();
    let no_scenario = vigil(
        db,
        &[
            "council",
            "plan",
            "add",
            "--kind",
            "exercise",
            "--title",
            "X",
            "--owner",
            "RATS-EC",
            "--starts",
            "2028-05-01",
            "--ends",
            "2028-05-02",
            "--participant",
            "KZ",
            "--as",
            sec,
        ],
    )
    .failed();
    assert!(
        no_scenario.stderr.contains("--scenario"),
        "{}",
        no_scenario.stderr
    );
    vigil(
        db,
        &[
            "council",
            "plan",
            "add",
            "--kind",
            "agreement",
            "--title",
            "MoU with CSTO",
            "--partner",
            "CSTO",
            "--owner",
            "RATS-EC",
            "--starts",
            "2028-01-01",
            "--ends",
            "2030-12-31",
            "--form",
            "memorandum",
            "--signed-on",
            "2028-01-01",
            "--as",
            sec,
        ],
    )
    .ok();
    let plans = vigil(db, &["council", "plans"]).ok().json_lines();
    let border = plans
        .iter()
        .find(|p| p["title"] == "Border exercise")
        .unwrap();
    assert_eq!(border["exercise"]["participants"][1], "KG");
    let border_id = border["id"].to_string();
    vigil(
        db,
        &[
            "council",
            "plan",
            "evaluate",
            &border_id,
            "--evaluation",
            "Crossing stopped",
            "--as",
            sec,
        ],
    )
    .ok();
    let again = vigil(db, &["council", "plans"]).ok().json_lines();
    let border = again
        .iter()
        .find(|p| p["title"] == "Border exercise")
        .unwrap();
    assert_eq!(border["exercise"]["evaluation"], "Crossing stopped");
    let mou = plans
        .iter()
        .find(|p| p["title"] == "MoU with CSTO")
        .unwrap();
    assert_eq!(mou["agreement"]["partner"], "CSTO");
    assert_eq!(mou["agreement"]["in_force_from"], "2028-01-01");
    let ours = plans
        .iter()
        .find(|p| p["title"] == "Work plan 2028")
        .unwrap();
    assert_eq!(ours["actions"].as_array().unwrap().len(), 1);
    assert_eq!(ours["actions"][0]["status"], "done");
    let audit = vigil(
        db,
        &[
            "audit",
            "list",
            "--json",
            "--action",
            "council.delegate.add",
        ],
    )
    .ok();
    let outcomes: Vec<String> = audit
        .json_lines()
        .iter()
        .filter(|e| e["user"] == sec)
        .map(|e| e["outcome"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(outcomes.contains(&"failed".to_string()), "{outcomes:?}");
});
