//! The council's business over the API: the New Delhi scenario (`vigil council demo`) read
//! back through every view, access rules, and each refusal changing nothing.

use axum::body::Body;
use serde_json::{json, Value};
use vigil_testkit::store_test;

use crate::support::*;

async fn send(w: &World, method: &str, uri: &str, user: &str, body: Value) -> Reply {
    call(
        &w.app,
        method,
        uri,
        Some(w.token(user)),
        Body::from(body.to_string()),
    )
    .await
}

async fn count(w: &World, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(w.store.pool())
        .await
        .unwrap()
}

async fn failed_audits(w: &World, action: &str) -> usize {
    w.store
        .audit_log(&vigil_store::AuditFilter {
            action: Some(action.into()),
            ..Default::default()
        })
        .await
        .unwrap()
        .iter()
        .filter(|e| e.outcome != "success")
        .count()
}

store_test!(new_delhi_scenario_through_the_api, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let summary = vigil_server::council_demo::demo(&w.store).await.unwrap();
    assert_eq!(
        summary.decisions,
        [
            ("RATS-C/2027/1".to_string(), "adopted".to_string()),
            ("RATS-C/2027/2".to_string(), "adopted".to_string()),
            ("RATS-C/2027/3".to_string(), "failed".to_string()),
        ]
    );
    // A second run refuses rather than doubling the council.
    assert!(vigil_server::council_demo::demo(&w.store).await.is_err());
    let kz = "kz_analyst";

    // India chairs from 28 October 2026 for a year; Iran follows in Russian alphabetical order.
    let chair = get(&w.app, "/api/v1/council/chair?on=2026-11-28", w.token(kz)).await;
    assert_eq!(chair.json()["chair"]["state"], "IN", "{}", chair.body);
    assert_eq!(chair.json()["chair"]["starts"], "2026-10-28");
    let next = get(&w.app, "/api/v1/council/chair?on=2027-11-28", w.token(kz)).await;
    assert_eq!(next.json()["chair"]["state"], "IR");
    let before = get(&w.app, "/api/v1/council/chair?on=2026-10-27", w.token(kz)).await;
    assert_eq!(before.json()["chair"]["state"], "BY");

    // The four-day meeting, its delegations, documents and side event.
    let m = get(
        &w.app,
        &format!("/api/v1/council/meetings/{}", summary.meeting),
        w.token(kz),
    )
    .await;
    let m = m.json();
    assert_eq!(
        (m["starts"].as_str(), m["ends"].as_str()),
        (Some("2027-05-17"), Some("2027-05-20"))
    );
    let delegates = m["delegates"].as_array().unwrap();
    let pk: Vec<&Value> = delegates.iter().filter(|d| d["state"] == "PK").collect();
    assert_eq!(pk.len(), 3);
    for d in &pk {
        assert_eq!(d["arrival"], "2027-05-16");
        assert_eq!(d["departure"], "2027-05-20");
        assert_eq!(d["entry_point"], "Attari-Wagah land crossing");
    }
    let states: std::collections::BTreeSet<&str> = delegates
        .iter()
        .filter_map(|d| d["state"].as_str())
        .collect();
    assert_eq!(states.len(), 10, "every member state sent a delegation");
    let stages: Vec<&str> = m["documents"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|d| d["stage"].as_str())
        .collect();
    assert_eq!(stages, ["draft", "revised", "final"]);
    assert!(m["side_events"][0]["title"]
        .as_str()
        .unwrap()
        .contains("Director"));
    assert_eq!(m["decisions"].as_array().unwrap().len(), 2);

    // The iCalendar export holds the meeting and its side event.
    let ics = get(
        &w.app,
        &format!("/api/v1/council/meetings/{}/ics", summary.meeting),
        w.token(kz),
    )
    .await;
    assert_eq!(ics.status, 200);
    assert!(ics.content_type.starts_with("text/calendar"));
    assert!(ics.body.contains("DTSTART;VALUE=DATE:20270517\r\n"));
    assert!(ics.body.contains("DTEND;VALUE=DATE:20270521\r\n"));
    assert_eq!(ics.body.matches("BEGIN:VEVENT").count(), 2);
    assert!(ics.body.lines().all(|l| l.len() <= 76));

    // Decisions: two adopted by consensus, the silence procedure failed on one objection.
    let decisions = get(&w.app, "/api/v1/council/decisions", w.token(kz))
        .await
        .json();
    let decisions = decisions["decisions"].as_array().unwrap();
    assert_eq!(decisions[0]["status"], "adopted");
    assert!(decisions[0]["positions"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["position"] == "agree"));
    assert_eq!(decisions[2]["status"], "failed");
    let objections: Vec<&Value> = decisions[2]["positions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|p| p["position"] == "object")
        .collect();
    assert_eq!(objections.len(), 1);
    assert_eq!(objections[0]["in_writing"], true);

    // The next meeting reviews the follow-up tasks not done yet.
    let next = get(
        &w.app,
        &format!("/api/v1/council/meetings/{}", summary.next_meeting),
        w.token(kz),
    )
    .await;
    let open = next.json()["open_tasks"].as_array().unwrap().clone();
    assert_eq!(open.len(), 2, "{}", next.body);
    assert!(open.iter().all(|t| t["status"] != "done"));

    // The budget adds up exactly.
    let budget = get(&w.app, "/api/v1/council/budgets/2027", w.token(kz))
        .await
        .json();
    let due: i64 = budget["contributions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["due"].as_i64().unwrap())
        .sum();
    assert_eq!(due, budget["total"].as_i64().unwrap());
    assert_eq!(
        budget["total_paid"].as_i64().unwrap() + budget["total_arrears"].as_i64().unwrap(),
        due
    );

    // The joint working plan with INTERPOL.
    let plans = get(&w.app, "/api/v1/council/plans", w.token(kz))
        .await
        .json();
    let joint = plans["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["partner"] == "INTERPOL")
        .unwrap()
        .clone();
    assert_eq!(joint["kind"], "joint_plan");
    assert_eq!(joint["actions"].as_array().unwrap().len(), 3);

    // The report to the Council of Heads of State in Markdown and PDF.
    let md = get(
        &w.app,
        "/api/v1/council/report?year=2027&format=markdown",
        w.token(kz),
    )
    .await;
    assert_eq!(md.status, 200, "{}", md.body);
    assert!(md.body.contains("| RATS-C/2027/1 | Report of the RATS Council to the Council of Heads of State | meeting | adopted | 2027-05-20 |"), "{}", md.body);
    assert!(md.body.contains("| RATS-C/2027/3 |"));
    assert!(md.body.contains("- IN: 2026-10-28 to 2027-10-27"));
    assert!(md
        .body
        .contains("- Messages exchanged between competent authorities: 0\n"));
    assert!(md.body.contains("| Total | 4000000.00 |"), "{}", md.body);
    let pdf = get(
        &w.app,
        "/api/v1/council/report?year=2027&format=pdf",
        w.token(kz),
    )
    .await;
    assert_eq!(pdf.content_type, "application/pdf");
    assert!(pdf.body.starts_with("%PDF-1.4"));
    assert!(pdf.body.trim_end().ends_with("%%EOF"));

    // Who represents whom.
    let members = get(&w.app, "/api/v1/council/members", w.token(kz))
        .await
        .json();
    assert_eq!(members["representatives"].as_array().unwrap().len(), 10);

    // Partners and officers do not see the council; reads are audited.
    get(&w.app, "/api/v1/council/decisions", w.token("interpol"))
        .await
        .problem(403, "forbidden");
    get(&w.app, "/api/v1/council/decisions", w.token("ru_officer"))
        .await
        .problem(403, "forbidden");
    assert!(failed_audits(&w, "council.read").await >= 2);
});

store_test!(council_refusals_change_nothing, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let sec = "ec_secretariat";
    // Only the secretariat edits.
    send(
        &w,
        "POST",
        "/api/v1/council/meetings",
        "ru_analyst",
        json!({
        "kind": "regular", "title": "T", "host_state": "IN", "venue": "V",
        "starts": "2027-05-17", "ends": "2027-05-20"}),
    )
    .await
    .problem(403, "forbidden");
    let meeting = send(
        &w,
        "POST",
        "/api/v1/council/meetings",
        sec,
        json!({
        "kind": "regular", "title": "Council", "host_state": "IN", "venue": "New Delhi",
        "starts": "2027-05-17", "ends": "2027-05-20", "agenda": ["Report"]}),
    )
    .await;
    assert_eq!(meeting.status, 200, "{}", meeting.body);
    let meeting = meeting.json()["id"].as_i64().unwrap();

    // A delegation member leaving before arriving.
    let r = send(
        &w,
        "POST",
        &format!("/api/v1/council/meetings/{meeting}/delegates"),
        sec,
        json!({
        "state": "PK", "name": "X", "role": "expert", "arrival": "2027-05-20",
        "departure": "2027-05-16", "entry_point": "Wagah", "visa_status": "issued"}),
    )
    .await;
    r.problem(422, "invalid_body");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .starts_with("departure:"),
        "{}",
        r.body
    );
    assert_eq!(count(&w, "council_delegates").await, 0);

    // Overlapping chair terms.
    send(
        &w,
        "PUT",
        "/api/v1/council/chair/rotation",
        sec,
        json!({
        "order": ["BY", "IN", "IR", "KZ", "CN", "KG", "PK", "RU", "TJ", "UZ"],
        "anchor_state": "IN", "anchor": "2026-10-28"}),
    )
    .await;
    let term = json!({"state": "KZ", "starts": "2027-10-28", "ends": "2028-10-28", "reason": "swap", "overridden": true});
    assert_eq!(
        send(&w, "POST", "/api/v1/council/chair/terms", sec, term)
            .await
            .status,
        200
    );
    let overlapping = json!({"state": "RU", "starts": "2028-01-01", "ends": "2029-01-01", "reason": "x", "overridden": true});
    send(&w, "POST", "/api/v1/council/chair/terms", sec, overlapping)
        .await
        .problem(422, "invalid_body");
    assert_eq!(count(&w, "council_chair_terms").await, 1);
    let kz = get(
        &w.app,
        "/api/v1/council/chair?on=2028-01-01",
        w.token("kz_analyst"),
    )
    .await;
    assert_eq!(kz.json()["chair"]["state"], "KZ");
    assert_eq!(kz.json()["chair"]["overridden"], true);

    // A silence deadline in the past.
    send(
        &w,
        "POST",
        "/api/v1/council/decisions",
        sec,
        json!({
        "number": "S/1", "title": "T", "text": "x", "silence_deadline": "2020-01-01"}),
    )
    .await
    .problem(422, "invalid_body");
    assert_eq!(count(&w, "council_decisions").await, 0);

    // A position for another state or a non-member; adoption while a member objects; a vote
    // after adoption.
    let id = send(
        &w,
        "POST",
        "/api/v1/council/decisions",
        sec,
        json!({
        "number": "RATS-C/2027/9", "title": "T", "text": "x", "meeting_id": meeting}),
    )
    .await
    .json()["id"]
        .as_i64()
        .unwrap();
    let positions = format!("/api/v1/council/decisions/{id}/positions");
    send(
        &w,
        "POST",
        &positions,
        "ru_analyst",
        json!({"state": "US", "position": "agree"}),
    )
    .await
    .problem(403, "forbidden");
    send(
        &w,
        "POST",
        &positions,
        "ru_analyst",
        json!({"state": "KZ", "position": "agree"}),
    )
    .await
    .problem(403, "forbidden");
    send(
        &w,
        "POST",
        &positions,
        "ru_analyst",
        json!({"state": "RU", "position": "maybe"}),
    )
    .await
    .problem(422, "invalid_body");
    assert_eq!(count(&w, "council_positions").await, 0);
    let objected = send(
        &w,
        "POST",
        &positions,
        "ru_analyst",
        json!({"state": "RU", "position": "object"}),
    )
    .await;
    assert_eq!(objected.status, 200, "{}", objected.body);
    let adopt = format!("/api/v1/council/decisions/{id}/adopt");
    let refused = send(&w, "POST", &adopt, sec, json!({})).await;
    refused.problem(409, "council_conflict");
    assert!(refused.json()["detail"]
        .as_str()
        .unwrap()
        .contains("RU objects"));
    send(
        &w,
        "POST",
        &positions,
        "ru2_analyst",
        json!({"state": "RU", "position": "agree"}),
    )
    .await;
    assert_eq!(
        send(&w, "POST", &adopt, sec, json!({})).await.json()["status"],
        "adopted"
    );
    let before = count(&w, "council_positions").await;
    send(
        &w,
        "POST",
        &positions,
        "kz_analyst",
        json!({"state": "KZ", "position": "object"}),
    )
    .await
    .problem(409, "council_conflict");
    assert_eq!(count(&w, "council_positions").await, before);
    assert!(failed_audits(&w, "council.position").await >= 3);

    // Shares not summing to 100 %, a payment in an unknown currency.
    let mut shares = serde_json::Map::new();
    for (s, p) in vigil_server::council_demo::SHARES_2025 {
        shares.insert(s.into(), json!(p));
    }
    let mut short = shares.clone();
    short.remove("IR");
    send(
        &w,
        "PUT",
        "/api/v1/council/budgets/2027",
        sec,
        json!({"total": "4000000.00", "currency": "USD", "shares": short}),
    )
    .await
    .problem(422, "invalid_body");
    assert_eq!(count(&w, "council_budgets").await, 0);
    send(
        &w,
        "PUT",
        "/api/v1/council/budgets/2027",
        sec,
        json!({"total": "4000000.001", "currency": "USD", "shares": shares}),
    )
    .await
    .problem(422, "invalid_body");
    let set = send(
        &w,
        "PUT",
        "/api/v1/council/budgets/2027",
        sec,
        json!({"total": "4000000.01", "currency": "USD", "shares": shares}),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    assert_eq!(set.json()["total_due"], 400_000_001);
    send(
        &w,
        "POST",
        "/api/v1/council/budgets/2027/payments",
        sec,
        json!({
        "state": "IN", "amount": "1000.00", "currency": "XYZ", "received_on": "2027-03-01"}),
    )
    .await
    .problem(422, "invalid_body");
    assert_eq!(count(&w, "council_payments").await, 0);
    assert!(failed_audits(&w, "council.payment").await >= 1);
});

store_test!(observers_representatives_and_plan_actions, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let sec = "ec_secretariat";
    let added = send(
        &w,
        "POST",
        "/api/v1/council/members",
        sec,
        json!({
        "state": "MN", "name": "Mongolia", "status": "observer", "since": "2004-06-17"}),
    )
    .await;
    assert_eq!(added.status, 200, "{}", added.body);
    send(
        &w,
        "POST",
        "/api/v1/council/members",
        sec,
        json!({
        "state": "MN", "name": "Mongolia", "status": "observer", "since": "2004-06-17"}),
    )
    .await
    .problem(409, "council_conflict");
    send(
        &w,
        "POST",
        "/api/v1/council/members",
        sec,
        json!({
        "state": "mongolia", "name": "Mongolia", "status": "observer", "since": "2004-06-17"}),
    )
    .await
    .problem(422, "invalid_body");
    send(
        &w,
        "POST",
        "/api/v1/council/members",
        sec,
        json!({
        "state": "XK", "name": "X", "status": "friend", "since": "2004-06-17"}),
    )
    .await
    .problem(422, "invalid_body");
    let rep = send(
        &w,
        "POST",
        "/api/v1/council/representatives",
        sec,
        json!({
        "id": 0, "body": "council", "state": "IN", "person": "Permanent representative of India",
        "role": "permanent representative", "since": "2026-01-01", "until": null}),
    )
    .await;
    assert_eq!(rep.status, 200, "{}", rep.body);
    send(
        &w,
        "POST",
        "/api/v1/council/representatives",
        sec,
        json!({
        "id": 0, "body": "council", "state": "IN", "person": "P", "role": "r",
        "since": "2026-01-01", "until": "2025-01-01"}),
    )
    .await
    .problem(422, "invalid_body");
    let members = get(&w.app, "/api/v1/council/members", w.token("cn_analyst"))
        .await
        .json();
    assert_eq!(members["members"].as_array().unwrap().len(), 11);
    assert_eq!(members["representatives"].as_array().unwrap().len(), 1);
    assert_eq!(members["partners"].as_array().unwrap().len(), 5);
    // An observer takes no position on decisions: positions are for members only.
    let plan = send(
        &w,
        "POST",
        "/api/v1/council/plans",
        sec,
        json!({
        "kind": "joint_plan", "title": "Plan", "partner": "CICA", "owner": "RATS-EC",
        "starts": "2027-01-01", "ends": "2027-12-31"}),
    )
    .await;
    assert_eq!(plan.status, 200, "{}", plan.body);
    let plan = plan.json()["id"].as_i64().unwrap();
    send(
        &w,
        "POST",
        "/api/v1/council/plans",
        sec,
        json!({
        "kind": "joint_plan", "title": "Plan", "partner": "NATO", "owner": "RATS-EC",
        "starts": "2027-01-01", "ends": "2027-12-31"}),
    )
    .await
    .problem(422, "invalid_body");
    let action = send(&w, "POST", &format!("/api/v1/council/plans/{plan}/actions"), sec, json!({
        "action": "Exchange of experience", "owner": "RATS-EC", "deadline": "2027-06-01", "status": "planned"}))
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    send(
        &w,
        "PUT",
        &format!("/api/v1/council/actions/{action}"),
        sec,
        json!({"status": "finished"}),
    )
    .await
    .problem(422, "invalid_body");
    send(
        &w,
        "PUT",
        &format!("/api/v1/council/actions/{action}"),
        "ru_analyst",
        json!({"status": "done"}),
    )
    .await
    .problem(403, "forbidden");
    assert_eq!(
        send(
            &w,
            "PUT",
            &format!("/api/v1/council/actions/{action}"),
            sec,
            json!({"status": "done"})
        )
        .await
        .status,
        200
    );
    let plans = get(&w.app, "/api/v1/council/plans", w.token("cn_analyst"))
        .await
        .json();
    assert_eq!(plans["plans"][0]["actions"][0]["status"], "done");
    send(
        &w,
        "PUT",
        "/api/v1/council/actions/999",
        sec,
        json!({"status": "done"}),
    )
    .await
    .problem(404, "not_found");
});

store_test!(malformed_council_bodies_are_problems, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let sec = "ec_secretariat";
    let post = |uri: &'static str, body: &'static str| {
        let app = w.app.clone();
        let token = w.token(sec).to_string();
        async move { call(&app, "POST", uri, Some(&token), Body::from(body)).await }
    };
    post("/api/v1/council/meetings", "{")
        .await
        .problem(400, "malformed_json");
    post("/api/v1/council/meetings", r#"{"kind": "regular", "title": "T", "host_state": "IN", "venue": "V", "starts": "2027-02-30", "ends": "2027-03-01"}"#)
        .await
        .problem(422, "invalid_body");
    post("/api/v1/council/meetings", r#"{"kind": "regular", "title": "T", "host_state": "IN", "venue": "V", "starts": "2027-03-01", "ends": "2027-03-01", "admin": true}"#)
        .await
        .problem(422, "invalid_body");
    post("/api/v1/council/meetings", r#"{"kind": "banquet", "title": "T", "host_state": "IN", "venue": "V", "starts": "2027-03-01", "ends": "2027-03-01"}"#)
        .await
        .problem(422, "invalid_body");
    post("/api/v1/council/meetings", r#"{"kind": "regular", "title": "T", "host_state": "US", "venue": "V", "starts": "2027-03-01", "ends": "2027-03-01"}"#)
        .await
        .problem(422, "invalid_body");
    post("/api/v1/council/meetings", r#"{"kind": "regular", "title": "T", "host_state": "IN", "venue": "V", "starts": "2027-03-02", "ends": "2027-03-01"}"#)
        .await
        .problem(422, "invalid_body");
    post(
        "/api/v1/council/decisions",
        r#"{"number": "X", "title": "T", "text": "x", "silence_deadline": "tomorrow"}"#,
    )
    .await
    .problem(422, "invalid_body");
    post(
        "/api/v1/council/decisions/99/positions",
        r#"{"state": "RU", "position": "agree"}"#,
    )
    .await
    .problem(403, "forbidden");
    let r = call(
        &w.app,
        "POST",
        "/api/v1/council/decisions/99/adopt",
        Some(w.token(sec)),
        Body::empty(),
    )
    .await;
    r.problem(404, "not_found");
    get(&w.app, "/api/v1/council/chair?on=yesterday", w.token(sec))
        .await
        .problem(400, "invalid_parameter");
    get(&w.app, "/api/v1/council/chair", w.token(sec))
        .await
        .problem(404, "not_found");
    get(
        &w.app,
        "/api/v1/council/report?year=2027&format=docx",
        w.token(sec),
    )
    .await
    .problem(400, "invalid_parameter");
    get(&w.app, "/api/v1/council/budgets/2027", w.token(sec))
        .await
        .problem(404, "not_found");
    get(&w.app, "/api/v1/council/meetings/abc", w.token(sec))
        .await
        .problem(400, "invalid_parameter");
    assert_eq!(count(&w, "council_meetings").await, 0);
    assert_eq!(count(&w, "council_decisions").await, 0);
});

store_test!(report_counts_the_years_messages, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let request = json!({
        "kind": "request",
        "recipients": ["RU"],
        "subjects": ["ru:public"],
        "title": "Who is this?",
        "body": "Please share what you hold.",
        "markings": {"classification": "restricted", "handling": "free", "tlp": "GREEN"},
        "priority": "immediate"
    });
    let sent = send(&w, "POST", "/api/v1/messages", "kz_analyst", request).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.json()["id"].as_i64().unwrap();
    let reply = json!({
        "title": "Here",
        "body": "What we hold.",
        "markings": {"classification": "restricted", "handling": "free", "tlp": "GREEN"}
    });
    let r = send(
        &w,
        "POST",
        &format!("/api/v1/messages/{id}/reply"),
        "ru_analyst",
        reply,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let year = &vigil_model::utc_now_rfc3339()[..4];
    let report = get(
        &w.app,
        &format!("/api/v1/council/report?year={year}"),
        w.token("kz_analyst"),
    )
    .await;
    assert_eq!(report.status, 200, "{}", report.body);
    let x = &report.json()["exchanges"];
    assert_eq!(x["messages"], 2, "{x}");
    assert_eq!(x["by_kind"][0], json!(["request", 1]));
    assert_eq!(x["by_kind"][3], json!(["reply", 1]));
    assert_eq!(x["by_priority"][2], json!(["immediate", 1]));
    assert_eq!(x["answered"], 1);
    assert_eq!(x["overdue"], 0);
    // Another year holds none of them.
    let next: i64 = year.parse::<i64>().unwrap() + 1;
    let other = get(
        &w.app,
        &format!("/api/v1/council/report?year={next}&format=markdown"),
        w.token("kz_analyst"),
    )
    .await;
    assert!(other
        .body
        .contains("- Messages exchanged between competent authorities: 0\n"));
});

store_test!(bodies_are_records_and_representatives_name_them, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let sec = "ec_secretariat";
    let bodies = get(&w.app, "/api/v1/council/bodies", w.token("kz_analyst")).await;
    assert_eq!(bodies.status, 200, "{}", bodies.body);
    let kinds: Vec<String> = bodies.json()["bodies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["kind"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(kinds, ["council", "executive_committee", "heads_of_state"]);
    let group = json!({"code": "legal-experts", "kind": "expert_group",
        "name": "Group of legal experts", "since": "2026-01-01", "until": "2027-12-31"});
    let added = send(&w, "POST", "/api/v1/council/bodies", sec, group.clone()).await;
    assert_eq!(added.status, 200, "{}", added.body);
    let group_id = added.json()["id"].as_i64().unwrap();
    // Refusals: a duplicate code, a bad kind, a bad code, reversed dates, an unknown field,
    // anyone but the secretariat; none adds a body.
    send(&w, "POST", "/api/v1/council/bodies", sec, group.clone())
        .await
        .problem(409, "council_conflict");
    let mut bad = group.clone();
    bad["code"] = json!("other");
    bad["kind"] = json!("club");
    let r = send(&w, "POST", "/api/v1/council/bodies", sec, bad).await;
    r.problem(422, "invalid_body");
    assert!(r.body.contains("kind"), "{}", r.body);
    let mut bad = group.clone();
    bad["code"] = json!("Legal Experts");
    send(&w, "POST", "/api/v1/council/bodies", sec, bad)
        .await
        .problem(422, "invalid_body");
    let mut bad = group.clone();
    bad["code"] = json!("later");
    bad["until"] = json!("2025-01-01");
    send(&w, "POST", "/api/v1/council/bodies", sec, bad)
        .await
        .problem(422, "invalid_body");
    let mut bad = group.clone();
    bad["code"] = json!("extra");
    bad["chair"] = json!("IN");
    send(&w, "POST", "/api/v1/council/bodies", sec, bad)
        .await
        .problem(422, "invalid_body");
    send(&w, "POST", "/api/v1/council/bodies", "kz_analyst", group)
        .await
        .problem(403, "forbidden");
    assert_eq!(count(&w, "council_bodies").await, 4);
    // Representatives name a body by code or id; the two must agree; the dates must fit.
    let rep = |body: Value, since: &str, until: Value| {
        let mut r = json!({"state": "IN", "person": "P", "role": "expert",
            "since": since, "until": until});
        for (k, v) in body.as_object().unwrap() {
            r[k] = v.clone();
        }
        r
    };
    let by_id = send(
        &w,
        "POST",
        "/api/v1/council/representatives",
        sec,
        rep(
            json!({"body_id": group_id}),
            "2026-02-01",
            json!("2026-12-31"),
        ),
    )
    .await;
    assert_eq!(by_id.status, 200, "{}", by_id.body);
    let by_code = send(
        &w,
        "POST",
        "/api/v1/council/representatives",
        sec,
        rep(json!({"body": "council"}), "2026-01-01", Value::Null),
    )
    .await;
    assert_eq!(by_code.status, 200, "{}", by_code.body);
    for (body, since, until, field) in [
        (
            json!({"body": "friends"}),
            "2026-02-01",
            Value::Null,
            "body",
        ),
        (
            json!({"body_id": 999}),
            "2026-02-01",
            Value::Null,
            "body_id",
        ),
        (
            json!({"body": "council", "body_id": group_id}),
            "2026-02-01",
            Value::Null,
            "body",
        ),
        (json!({}), "2026-02-01", Value::Null, "body"),
        (
            json!({"body_id": group_id}),
            "2025-02-01",
            json!("2026-01-01"),
            "since",
        ),
        (
            json!({"body_id": group_id}),
            "2026-02-01",
            Value::Null,
            "until",
        ),
    ] {
        let r = send(
            &w,
            "POST",
            "/api/v1/council/representatives",
            sec,
            rep(body.clone(), since, until),
        )
        .await;
        r.problem(422, "invalid_body");
        assert!(r.body.contains(field), "{body}: {}", r.body);
    }
    assert_eq!(count(&w, "council_representatives").await, 2);
    let members = get(&w.app, "/api/v1/council/members", w.token("kz_analyst"))
        .await
        .json();
    let reps = members["representatives"].as_array().unwrap();
    let expert = reps.iter().find(|r| r["body"] == "legal-experts").unwrap();
    assert_eq!(expert["body_id"], group_id);
    assert_eq!(members["bodies"].as_array().unwrap().len(), 4);
});

store_test!(exercises_and_agreements_are_structured, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    vigil_server::council_demo::demo(&w.store).await.unwrap();
    let plans = get(&w.app, "/api/v1/council/plans", w.token("kz_analyst"))
        .await
        .json();
    let find = |kind: &str| {
        plans["plans"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["kind"] == kind)
            .unwrap()
            .clone()
    };
    let exercise = find("exercise");
    assert_eq!(
        exercise["exercise"]["participants"]
            .as_array()
            .unwrap()
            .len(),
        8
    );
    assert!(exercise["exercise"]["scenario"]
        .as_str()
        .unwrap()
        .contains("propaganda"));
    let agreement = find("agreement");
    assert_eq!(agreement["agreement"]["form"], "memorandum");
    assert_eq!(agreement["agreement"]["partner"], "CIS-ATC");
    assert_eq!(agreement["agreement"]["in_force_to"], "2032-05-19");
    assert!(find("programme").get("exercise").is_none());

    let sec = "ec_secretariat";
    let before = count(&w, "council_plans").await;
    let plan = |kind: &str, extra: Value| {
        let mut p = json!({"kind": kind, "title": "T", "owner": "RATS-EC",
            "starts": "2028-03-01", "ends": "2028-03-03"});
        for (k, v) in extra.as_object().unwrap() {
            p[k] = v.clone();
        }
        p
    };
    let good_exercise =
        json!({"participants": ["KZ", "KG"], "scenario": "Hostage rescue at an airport"});
    let good_agreement = json!({"form": "agreement", "partner": "CSTO",
        "signed_on": "2028-03-01", "in_force_from": "2028-04-01"});
    for (body, field) in [
        (plan("exercise", json!({})), "exercise"),
        (plan("agreement", json!({})), "agreement"),
        (
            plan("programme", json!({"exercise": good_exercise})),
            "exercise",
        ),
        (
            plan(
                "exercise",
                json!({"exercise": good_exercise, "agreement": good_agreement}),
            ),
            "agreement",
        ),
        (
            plan(
                "exercise",
                json!({"exercise": {"participants": [], "scenario": "S"}}),
            ),
            "exercise.participants",
        ),
        (
            plan(
                "exercise",
                json!({"exercise": {"participants": ["KZ", "KZ"], "scenario": "S"}}),
            ),
            "exercise.participants[1]",
        ),
        (
            plan(
                "exercise",
                json!({"exercise": {"participants": ["KZ"], "scenario": "S", "score": 3}}),
            ),
            "score",
        ),
        (
            plan(
                "agreement",
                json!({"agreement": {"form": "treaty", "partner": "CSTO",
                "signed_on": "2028-03-01", "in_force_from": "2028-04-01"}}),
            ),
            "agreement.form",
        ),
        (
            plan(
                "agreement",
                json!({"agreement": {"form": "agreement", "partner": "CSTO",
                "signed_on": "2028-03-01", "in_force_from": "2028-02-01"}}),
            ),
            "agreement.in_force_from",
        ),
        (
            plan(
                "agreement",
                json!({"agreement": {"form": "agreement", "partner": "CSTO",
                "signed_on": "2028-03-01", "in_force_from": "2028-04-01",
                "in_force_to": "2028-03-15"}}),
            ),
            "agreement.in_force_to",
        ),
    ] {
        let r = send(&w, "POST", "/api/v1/council/plans", sec, body.clone()).await;
        r.problem(422, "invalid_body");
        assert!(r.body.contains(field), "{body}: {}", r.body);
    }
    assert_eq!(count(&w, "council_plans").await, before);
    assert_eq!(count(&w, "council_exercises").await, 1);
    let ok = send(
        &w,
        "POST",
        "/api/v1/council/plans",
        sec,
        plan("exercise", json!({"exercise": good_exercise})),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let ok = send(
        &w,
        "POST",
        "/api/v1/council/plans",
        sec,
        plan("agreement", json!({"agreement": good_agreement})),
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let agreement_id = ok.json()["id"].as_i64().unwrap();
    assert_eq!(count(&w, "council_exercises").await, 2);
    assert_eq!(count(&w, "council_agreements").await, 2);
    // The evaluation, recorded once made; only for exercises, by the secretariat.
    let exercise_id = exercise["id"].as_i64().unwrap();
    let evaluate = |id: i64, user: &'static str, body: Value| {
        let w = &w;
        async move {
            send(
                w,
                "PUT",
                &format!("/api/v1/council/plans/{id}/evaluation"),
                user,
                body,
            )
            .await
        }
    };
    let done = evaluate(exercise_id, sec, json!({"evaluation": "Objectives met"})).await;
    assert_eq!(done.status, 200, "{}", done.body);
    evaluate(agreement_id, sec, json!({"evaluation": "x"}))
        .await
        .problem(404, "not_found");
    evaluate(exercise_id, sec, json!({"evaluation": " "}))
        .await
        .problem(422, "invalid_body");
    evaluate(exercise_id, sec, json!({"evaluation": "x", "grade": 5}))
        .await
        .problem(422, "invalid_body");
    evaluate(exercise_id, "kz_analyst", json!({"evaluation": "x"}))
        .await
        .problem(403, "forbidden");
    let plans = get(&w.app, "/api/v1/council/plans", w.token("kz_analyst"))
        .await
        .json();
    let evaluated = plans["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["id"] == exercise_id)
        .unwrap()
        .clone();
    assert_eq!(evaluated["exercise"]["evaluation"], "Objectives met");
});

store_test!(
    unknown_fields_are_refused_in_delegates_actions_plans,
    |db| {
        let w = world(&db.location, vigil_server::Config::default()).await;
        let sec = "ec_secretariat";
        let m = send(
            &w,
            "POST",
            "/api/v1/council/meetings",
            sec,
            json!({"kind": "regular", "title": "T", "host_state": "IN", "venue": "V",
            "starts": "2027-03-01", "ends": "2027-03-02"}),
        )
        .await;
        assert_eq!(m.status, 200, "{}", m.body);
        let meeting = m.json()["id"].as_i64().unwrap();
        let delegate = json!({"state": "PK", "name": "N", "role": "r", "arrival": "2027-03-01",
        "departure": "2027-03-02", "entry_point": "Attari", "visa_status": "issued"});
        let plan = json!({"kind": "work_plan", "title": "T", "owner": "RATS-EC",
        "starts": "2027-01-01", "ends": "2027-12-31"});
        let p = send(&w, "POST", "/api/v1/council/plans", sec, plan.clone()).await;
        assert_eq!(p.status, 200, "{}", p.body);
        let plan_id = p.json()["id"].as_i64().unwrap();
        let action = json!({"action": "A", "owner": "RATS-EC", "deadline": "2027-06-30",
        "status": "planned"});
        let delegates_uri = format!("/api/v1/council/meetings/{meeting}/delegates");
        let actions_uri = format!("/api/v1/council/plans/{plan_id}/actions");
        for (uri, good, table) in [
            (delegates_uri.as_str(), delegate, "council_delegates"),
            ("/api/v1/council/plans", plan, "council_plans"),
            (actions_uri.as_str(), action, "council_actions"),
        ] {
            let before = count(&w, table).await;
            let mut bad = good.clone();
            bad["id"] = json!(7);
            bad["clearance"] = json!("top");
            let r = send(&w, "POST", uri, sec, bad).await;
            r.problem(422, "invalid_body");
            assert!(r.body.contains("unknown field"), "{uri}: {}", r.body);
            assert_eq!(count(&w, table).await, before, "{uri}");
            let ok = send(&w, "POST", uri, sec, good).await;
            assert_eq!(ok.status, 200, "{uri}: {}", ok.body);
            assert_eq!(count(&w, table).await, before + 1, "{uri}");
        }
    }
);
