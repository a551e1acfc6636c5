use axum::body::Body;
use vigil_testkit::store_test;

use crate::support::*;

const INJECTION: &str = "'; DROP TABLE entity_versions; --";

async fn versions(w: &World) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM entity_versions")
        .fetch_one(w.store.pool())
        .await
        .unwrap()
}

store_test!(bad_bodies_are_refused_and_change_nothing, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let token = w.token("ru_analyst").to_string();
    let before = versions(&w).await;
    let post = |body: Body| {
        let app = w.app.clone();
        let token = token.clone();
        async move { call(&app, "POST", "/api/v1/designations", Some(&token), body).await }
    };
    post(Body::from("{\"id\": "))
        .await
        .problem(400, "malformed_json");
    post(Body::from("not json"))
        .await
        .problem(400, "malformed_json");
    post(Body::from(vec![b'{', 0xff, 0xfe, b'}']))
        .await
        .problem(400, "malformed_json");
    post(Body::from(r#"{"id": 1, "schema": "Organization", "names": ["A"], "legal_basis": "x", "listed_on": "2024-01-01", "reference": "r"}"#))
        .await
        .problem(422, "invalid_body");
    post(Body::from(r#"{"id": "1", "schema": "Organization", "names": ["A"], "legal_basis": "x", "listed_on": "2024-01-01", "reference": "r", "admin": true}"#))
        .await
        .problem(422, "invalid_body");
    post(Body::from(r#"{"id": "1", "schema": "Organization", "names": ["A"], "legal_basis": "x", "listed_on": "yesterday", "reference": "r"}"#))
        .await
        .problem(422, "invalid_body");
    post(Body::from(r#"{"id": "a b", "schema": "Organization", "names": ["A"], "legal_basis": "x", "listed_on": "2024-01-01", "reference": "r"}"#))
        .await
        .problem(422, "invalid_body");
    post(Body::from(r#"{"id": "1", "schema": "Spaceship", "names": ["A"], "legal_basis": "x", "listed_on": "2024-01-01", "reference": "r"}"#))
        .await
        .problem(422, "invalid_body");
    post(Body::from(r#"{"id": "1", "schema": "Organization", "names": ["A"], "legal_basis": "x", "listed_on": "2024-01-01", "reference": "r", "distribution": {"scope": "states", "states": ["XX"]}}"#))
        .await
        .problem(422, "invalid_body");
    let huge = format!(
        "{{\"id\": \"1\", \"names\": [\"{}\"]}}",
        "a".repeat(2 * 1024 * 1024)
    );
    post(Body::from(huge))
        .await
        .problem(413, "payload_too_large");
    assert_eq!(versions(&w).await, before, "nothing stored");
    let failed_as_success = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("designation.add".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(failed_as_success.is_empty(), "{failed_as_success:?}");
    assert_eq!(
        call(&w.app, "GET", "/healthz", None, Body::empty())
            .await
            .status,
        200
    );
});

store_test!(sql_metacharacters_are_data, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let token = w.token("ru_analyst").to_string();
    let body = serde_json::json!({
        "id": "inj", "schema": "Organization", "names": [INJECTION, "O'Brien \"Cell\" %_\\"],
        "legal_basis": INJECTION, "listed_on": "2024-01-01", "reference": INJECTION,
        "regime": INJECTION, "remarks": [INJECTION], "kind": "organization_ban"
    });
    let created = call(
        &w.app,
        "POST",
        "/api/v1/designations",
        Some(&token),
        body.to_string(),
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.body);
    let shown = get(&w.app, "/api/v1/entities/ru:inj", &token).await;
    assert_eq!(shown.json()["entity"]["names"][0]["value"], INJECTION);
    let q: String = INJECTION.bytes().map(|b| format!("%{b:02X}")).collect();
    let found = get(&w.app, &format!("/api/v1/entities?q={q}"), &token).await;
    assert_eq!(found.json()["total"], 1, "{}", found.body);
    for uri in [
        format!("/api/v1/entities?list={q}"),
        format!("/api/v1/entities/{q}"),
        format!("/api/v1/lists/{q}/revisions"),
        format!("/api/v1/entities?schema={q}"),
    ] {
        let reply = get(&w.app, &uri, &token).await;
        assert!(
            reply.status.is_client_error() || reply.status == 200,
            "{uri}: {}",
            reply.body
        );
    }
    let audit = get(
        &w.app,
        &format!("/api/v1/audit?user={q}&record={q}"),
        w.token("ec_admin"),
    )
    .await;
    assert_eq!(audit.status, 200, "{}", audit.body);
    assert!(versions(&w).await > 0);
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(uploads_are_checked, |db| {
    let w = world(
        &db.location,
        vigil_server::Config {
            upload_limit: 64 * 1024,
            ..Default::default()
        },
    )
    .await;
    let csv = std::fs::read(
        vigil_testkit::repo_root().join("examples/national_banned_organizations.csv"),
    )
    .unwrap();
    let admin = w.token("ec_admin").to_string();
    for name in ["../../etc/passwd", "..", "a/b.csv", "C:\\x.csv", ".hidden"] {
        let uri = format!(
            "/api/v1/imports?name={}",
            name.replace('\\', "%5C").replace('/', "%2F")
        );
        call(&w.app, "POST", &uri, Some(&admin), csv.clone())
            .await
            .problem(400, "invalid_file_name");
    }
    call(
        &w.app,
        "POST",
        "/api/v1/imports?name=x.csv",
        Some(w.token("ru_analyst")),
        csv.clone(),
    )
    .await
    .problem(403, "forbidden");
    call(
        &w.app,
        "POST",
        "/api/v1/imports?name=x.csv",
        Some(&admin),
        vec![b'x'; 100 * 1024],
    )
    .await
    .problem(413, "payload_too_large");
    call(
        &w.app,
        "POST",
        "/api/v1/imports?name=x.csv",
        Some(&admin),
        &b"id,name\n\xff\xfe"[..],
    )
    .await
    .problem(422, "invalid_list_file");
    call(
        &w.app,
        "POST",
        "/api/v1/imports?format=nope",
        Some(&admin),
        csv.clone(),
    )
    .await
    .problem(400, "invalid_parameter");
    let ok = call(
        &w.app,
        "POST",
        "/api/v1/imports?name=banned.csv&list=bans",
        Some(&admin),
        csv,
    )
    .await;
    assert_eq!(ok.status, 200, "{}", ok.body);
    let imports = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("import".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(imports.iter().filter(|e| e.outcome == "success").count(), 1);
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});
