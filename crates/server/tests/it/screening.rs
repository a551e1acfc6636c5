use serde_json::{json, Value};
use vigil_testkit::store_test;

use crate::support::*;

async fn screen(w: &World, user: &str, body: Value) -> Reply {
    call(
        &w.app,
        "POST",
        "/api/v1/screen",
        Some(w.token(user)),
        body.to_string(),
    )
    .await
}

fn first_match(reply: &Reply) -> Value {
    reply.json()["matches"][0].clone()
}

store_test!(restricted_hits_reveal_nothing_but_the_originator, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let query = json!({"id": "q1", "schema": "Organization", "name": "Zorya Originator Cell"});
    // RU's officer may see RU's originator-only record: a full match with its explanation.
    let own = screen(&w, "ru_officer", query.clone()).await;
    assert_eq!(own.status, 200, "{}", own.body);
    let m = first_match(&own);
    assert_eq!(m["id"], "ru:orig", "{}", own.body);
    assert!(m["explanation"].is_object());
    // KZ's analyst may not: a restricted hit with exactly four fields.
    let other = screen(&w, "kz_analyst", query.clone()).await;
    assert_eq!(other.status, 200, "{}", other.body);
    assert_eq!(other.json()["query_id"], "q1");
    let hit = first_match(&other);
    let keys: Vec<&str> = hit
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(keys, ["originator", "reference", "restricted", "score"]);
    assert_eq!(hit["restricted"], true);
    assert_eq!(hit["originator"], "RU");
    let reference = hit["reference"].as_str().unwrap().to_string();
    assert!(reference.starts_with("vr1-") && !reference.contains("orig"));
    assert!(hit["score"].as_f64().unwrap() >= 0.8);
    for secret in ["ru:orig", "Originator Cell", "explanation"] {
        assert!(
            !other.body.contains(secret),
            "{secret} leaked: {}",
            other.body
        );
    }
    // The same record gets the same reference every time.
    let again = screen(&w, "cn_analyst", query).await;
    assert_eq!(first_match(&again)["reference"], reference.as_str());

    // Every screening is audited: visible hits by id, restricted ones by reference only.
    let entries = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("screen".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[0].user, "ru_officer");
    assert_eq!(entries[0].records, ["ru:orig"]);
    assert_eq!(entries[1].authority, "KZ-KNB");
    assert_eq!(entries[1].records, [format!("ref:{reference}")]);
    assert_eq!(entries[1].outcome, "success");
    assert!(entries[1].detail.contains("1 restricted"));
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);

    // Only the originator's state resolves the reference; to anyone else it does not exist.
    let uri = format!("/api/v1/references/{reference}");
    let resolved = get(&w.app, &uri, w.token("ru2_analyst")).await;
    assert_eq!(resolved.status, 200, "{}", resolved.body);
    assert_eq!(resolved.json()["entity_id"], "ru:orig");
    get(&w.app, &uri, w.token("kz_analyst"))
        .await
        .problem(404, "not_found");
});

store_test!(single_screen_refuses_bad_queries, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    screen(&w, "ru_officer", json!({"name": ""}))
        .await
        .problem(422, "invalid_body");
    screen(&w, "ru_officer", json!({"name": 5}))
        .await
        .problem(422, "invalid_body");
    screen(&w, "ru_officer", json!({"name": "x", "schema": "Planet"}))
        .await
        .problem(422, "invalid_body");
    call(
        &w.app,
        "POST",
        "/api/v1/screen",
        Some(w.token("ru_officer")),
        "{not json",
    )
    .await
    .problem(400, "malformed_json");
    call(
        &w.app,
        "POST",
        "/api/v1/screen?threshold=2",
        Some(w.token("ru_officer")),
        json!({"name": "x"}).to_string(),
    )
    .await
    .problem(400, "invalid_parameter");
    call(&w.app, "POST", "/api/v1/screen", None, "{}")
        .await
        .problem(401, "missing_token");
    // Without an id the answer is numbered 1.
    let r = screen(&w, "ru_officer", json!({"name": "Global Public Front"})).await;
    assert_eq!(r.json()["query_id"], "1");
    assert_eq!(first_match(&r)["id"], "un:1");
});

store_test!(batch_keeps_order_and_answers_every_line, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let body = [
        json!({"id": "a", "name": "Global Public Front"}).to_string(),
        "{broken".to_string(),
        json!({"id": "c"}).to_string(),
        json!({"id": "d", "name": "Zorya Originator Cell", "schema": "Organization"}).to_string(),
        json!({"id": 5, "name": "Nobody Atall"}).to_string(),
    ]
    .join("\n");
    let r = call(
        &w.app,
        "POST",
        "/api/v1/screen/batch",
        Some(w.token("kz_analyst")),
        body,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.content_type, "application/jsonl");
    let lines: Vec<Value> = r
        .body
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5, "{}", r.body);
    assert_eq!(lines[0]["query_id"], "a");
    assert_eq!(lines[0]["matches"][0]["id"], "un:1");
    assert_eq!(lines[1]["line"], 2);
    assert!(lines[1]["error"]
        .as_str()
        .unwrap()
        .contains("malformed JSON"));
    assert_eq!(lines[2]["query_id"], "c");
    assert_eq!(lines[2]["line"], 3);
    assert_eq!(lines[3]["matches"][0]["restricted"], true);
    assert!(!r.body.contains("ru:orig"));
    assert_eq!(lines[4]["query_id"], "5");

    // More than 10,000 queries: refused as a whole, naming the limit, audited as failed.
    let big = vec![json!({"id": "x", "name": "A B"}).to_string(); 10_001].join("\n");
    let refused = call(
        &w.app,
        "POST",
        "/api/v1/screen/batch",
        Some(w.token("kz_analyst")),
        big,
    )
    .await;
    refused.problem(413, "payload_too_large");
    assert!(refused.json()["detail"].as_str().unwrap().contains("10000"));
    let failed = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("screen.batch".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(failed.iter().any(|e| e.outcome == "failed"));
    // The finished batch's hits are audited once the stream ends.
    for _ in 0..100 {
        let done = w
            .store
            .audit_log(&vigil_store::AuditFilter {
                action: Some("screen.batch".into()),
                record: Some("un:1".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        if !done.is_empty() {
            assert!(done[0].detail.contains("5 queries"), "{}", done[0].detail);
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the batch's hits were never audited");
});

store_test!(new_designation_is_screenable_without_restart, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let query = json!({"name": "Volkov Quartz Syndicate", "schema": "Organization"});
    let before = screen(&w, "ru_analyst", query.clone()).await;
    assert_eq!(before.json()["matches"], json!([]), "{}", before.body);
    let body = json!({
        "id": "vq1", "schema": "Organization", "names": ["Volkov Quartz Syndicate"],
        "legal_basis": "Decree", "listed_on": "2025-01-01", "reference": "D-1",
        "distribution": {"scope": "originator"}
    });
    let created = call(
        &w.app,
        "POST",
        "/api/v1/designations",
        Some(w.token("ru_analyst")),
        body.to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let after = screen(&w, "ru_officer", query.clone()).await;
    assert_eq!(first_match(&after)["id"], "ru:vq1", "{}", after.body);
    // Withdrawn: gone from screening again.
    let withdrawn = call(
        &w.app,
        "DELETE",
        "/api/v1/designations/ru:vq1",
        Some(w.token("ru_analyst")),
        "",
    )
    .await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    let gone = screen(&w, "ru_officer", query).await;
    assert_eq!(gone.json()["matches"], json!([]), "{}", gone.body);
});

fn match_body(name: &str) -> String {
    json!({"queries": {"q1": {"schema": "Organization", "properties": {"name": [name]}}}})
        .to_string()
}

store_test!(yente_match_shape, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let r = call(
        &w.app,
        "POST",
        "/match/default?algorithm=logic-v2&threshold=0.8&limit=3",
        Some(w.token("kz_analyst")),
        match_body("Global Public Front"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let v = r.json();
    assert_eq!(v["limit"], 3);
    let q1 = &v["responses"]["q1"];
    assert_eq!(q1["status"], 200);
    assert!(q1["total"]["value"].as_u64().unwrap() >= 1);
    assert_eq!(q1["query"]["schema"], "Organization");
    let top = &q1["results"][0];
    assert_eq!(top["id"], "un:1", "{}", r.body);
    assert_eq!(top["caption"], "Global Public Front");
    assert_eq!(top["schema"], "Organization");
    assert_eq!(top["properties"]["name"][0], "Global Public Front");
    assert_eq!(top["match"], true);
    assert!(top["score"].as_f64().unwrap() > 0.9);
    assert!(top["features"].is_object());
    assert_eq!(top["datasets"], json!(["un"]));

    // A record the caller may not see: a restricted entry, schema and caption withheld.
    let r = call(
        &w.app,
        "POST",
        "/match/ru",
        Some(w.token("kz_analyst")),
        match_body("Zorya Originator Cell"),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let hit = &r.json()["responses"]["q1"]["results"][0];
    assert_eq!(hit["restricted"], true, "{}", r.body);
    assert_eq!(hit["schema"], "Thing");
    assert_eq!(hit["properties"], json!({}));
    assert!(hit["id"].as_str().unwrap().starts_with("vr1-"));
    assert!(!r.body.contains("ru:orig"));

    // Unknown dataset and algorithm, bad body.
    call(
        &w.app,
        "POST",
        "/match/sanctions",
        Some(w.token("kz_analyst")),
        match_body("x"),
    )
    .await
    .problem(404, "not_found");
    call(
        &w.app,
        "POST",
        "/match/default?algorithm=magic",
        Some(w.token("kz_analyst")),
        match_body("x"),
    )
    .await
    .problem(400, "invalid_parameter");
    call(
        &w.app,
        "POST",
        "/match/default",
        Some(w.token("kz_analyst")),
        json!({"queries": {"q1": {"schema": "Person", "properties": {"name": [1]}}}}).to_string(),
    )
    .await
    .problem(422, "invalid_body");
    let audited = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("match".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 2);
});

fn entries(
    all: &[vigil_store::AuditEntry],
    user: &str,
    action: &str,
) -> Vec<vigil_store::AuditEntry> {
    all.iter()
        .filter(|e| e.user == user && e.action == action)
        .cloned()
        .collect()
}

store_test!(a_screening_entry_records_the_token_use, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let token_id = w
        .store
        .authenticate(w.token("kz_analyst"))
        .await
        .unwrap()
        .unwrap()
        .token_id;
    let query = json!({"schema": "Organization", "name": "Global Public Front"});
    assert_eq!(screen(&w, "kz_analyst", query.clone()).await.status, 200);
    let reply = call(
        &w.app,
        "POST",
        "/api/v1/screen/batch",
        Some(w.token("kz_analyst")),
        format!(
            "{}\n",
            json!({"id": "b1", "schema": "Organization", "name": "Global Public Front"})
        ),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    let body = json!({"queries": {"q1": {"schema": "Organization", "properties": {"name": ["Global Public Front"]}}}});
    let reply = call(
        &w.app,
        "POST",
        "/match/default",
        Some(w.token("kz_analyst")),
        body.to_string(),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    // Refused before screening: the token use still gets its own entry.
    call(
        &w.app,
        "POST",
        "/api/v1/screen",
        Some(w.token("kz_analyst")),
        "{not json",
    )
    .await
    .problem(400, "malformed_json");
    // Another route keeps its login entry.
    assert_eq!(
        get(&w.app, "/api/v1/lists", w.token("kz_analyst"))
            .await
            .status,
        200
    );

    let all = w.store.audit_log(&Default::default()).await.unwrap();
    let prefix = format!("token {token_id}: ");
    let screens = entries(&all, "kz_analyst", "screen");
    assert_eq!(screens.len(), 1);
    assert!(
        screens[0].detail.starts_with(&prefix),
        "{}",
        screens[0].detail
    );
    let batches = entries(&all, "kz_analyst", "screen.batch");
    assert!(!batches.is_empty(), "{batches:?}");
    assert!(
        batches[0].detail.starts_with(&prefix),
        "{}",
        batches[0].detail
    );
    let matches = entries(&all, "kz_analyst", "match");
    assert_eq!(matches.len(), 1);
    assert!(
        matches[0].detail.starts_with(&prefix),
        "{}",
        matches[0].detail
    );
    let logins = entries(&all, "kz_analyst", "login");
    let details: Vec<&str> = logins.iter().map(|e| e.detail.as_str()).collect();
    assert_eq!(
        details,
        [
            format!("token {token_id} on POST /api/v1/screen"),
            format!("token {token_id} on GET /api/v1/lists"),
        ],
        "{details:?}"
    );
    assert!(logins.iter().all(|e| e.outcome == "success"));
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(a_rate_limited_screening_is_audited_as_denied, |db| {
    let config = vigil_server::Config {
        rate_per_sec: 0.001,
        burst: 1.0,
        ..Default::default()
    };
    let w = world(&db.location, config).await;
    let query = json!({"schema": "Organization", "name": "Global Public Front"});
    assert_eq!(screen(&w, "kz_analyst", query.clone()).await.status, 200);
    screen(&w, "kz_analyst", query)
        .await
        .problem(429, "rate_limited");
    let all = w.store.audit_log(&Default::default()).await.unwrap();
    assert_eq!(entries(&all, "kz_analyst", "screen").len(), 1);
    let logins = entries(&all, "kz_analyst", "login");
    assert_eq!(logins.len(), 1, "{logins:?}");
    assert_eq!(logins[0].outcome, "denied");
    assert!(logins[0].detail.contains("rate limited"));
});

store_test!(explain_false_gives_a_compact_answer, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let query = json!({"schema": "Organization", "name": "Global Public Front"});
    let full = screen(&w, "kz_analyst", query.clone()).await;
    assert!(
        first_match(&full)["explanation"].is_object(),
        "{}",
        full.body
    );
    let by_param = call(
        &w.app,
        "POST",
        "/api/v1/screen?explain=false",
        Some(w.token("kz_analyst")),
        query.to_string(),
    )
    .await;
    let mut in_body = query.clone();
    in_body["explain"] = json!(false);
    let by_body = screen(&w, "kz_analyst", in_body).await;
    for reply in [&by_param, &by_body] {
        assert_eq!(reply.status, 200, "{}", reply.body);
        let m = first_match(reply);
        let keys: Vec<&str> = m.as_object().unwrap().keys().map(String::as_str).collect();
        assert_eq!(keys, ["id", "name", "score"], "{}", reply.body);
        assert_eq!(m["id"], "un:1");
        assert_eq!(m["score"], first_match(&full)["score"]);
    }
    // A restricted hit keeps its four fields either way.
    let mut restricted = json!({"schema": "Organization", "name": "Zorya Originator Cell"});
    restricted["explain"] = json!(false);
    let hit = first_match(&screen(&w, "kz_analyst", restricted).await);
    assert_eq!(hit["restricted"], true);
    // The batch takes the parameter.
    let batch = call(
        &w.app,
        "POST",
        "/api/v1/screen/batch?explain=false",
        Some(w.token("kz_analyst")),
        format!(
            "{}\n",
            json!({"id": "b1", "schema": "Organization", "name": "Global Public Front"})
        ),
    )
    .await;
    assert_eq!(batch.status, 200, "{}", batch.body);
    assert!(!batch.body.contains("explanation"), "{}", batch.body);
    assert!(batch.body.contains("un:1"), "{}", batch.body);
});

store_test!(a_malformed_explain_is_refused, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let reply = screen(
        &w,
        "kz_analyst",
        json!({"schema": "Organization", "name": "Global Public Front", "explain": "no"}),
    )
    .await;
    reply.problem(422, "invalid_body");
    assert!(reply.body.contains("explain"), "{}", reply.body);
    call(
        &w.app,
        "POST",
        "/api/v1/screen?explain=maybe",
        Some(w.token("kz_analyst")),
        json!({"name": "Global Public Front"}).to_string(),
    )
    .await
    .problem(400, "invalid_parameter");
    let all = w.store.audit_log(&Default::default()).await.unwrap();
    assert!(entries(&all, "kz_analyst", "screen").is_empty());
});
