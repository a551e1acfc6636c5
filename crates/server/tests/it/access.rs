use axum::body::Body;
use vigil_testkit::store_test;

use crate::support::*;

const READERS: [&str; 9] = [
    "ru_analyst",
    "ru2_analyst",
    "kz_analyst",
    "cn_analyst",
    "ec_secretariat",
    "interpol",
    "ofac",
    "kz_auditor",
    "ec_admin",
];

store_test!(every_read_path_filters_by_distribution, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    for user in READERS {
        let token = w.token(user);
        let search = get(&w.app, "/api/v1/entities?q=zorya&limit=100", token).await;
        assert_eq!(search.status, 200, "{}", search.body);
        let lists = get(&w.app, "/api/v1/lists", token).await;
        let revisions = get(&w.app, "/api/v1/lists/ru/revisions", token).await;
        let diff = get(&w.app, "/api/v1/lists/ru/diff?from=0&to=1", token).await;
        let ru = lists.json()["lists"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["name"] == "ru")
            .cloned()
            .unwrap();
        let visible_count = RU_RECORDS
            .iter()
            .filter(|(id, _)| expected_visible(user, id))
            .count();
        assert_eq!(ru["listed"], visible_count, "{user}: {}", lists.body);
        assert_eq!(search.json()["total"], visible_count, "{user}");
        for (id, name) in RU_RECORDS {
            let want = expected_visible(user, id);
            let show = get(&w.app, &format!("/api/v1/entities/{id}"), token).await;
            let history = get(&w.app, &format!("/api/v1/entities/{id}/history"), token).await;
            if want {
                assert_eq!(show.status, 200, "{user} {id}: {}", show.body);
                assert!(show.body.contains(name));
                assert_eq!(history.status, 200, "{user} {id}");
                assert!(diff.body.contains(id), "{user} {id}: {}", diff.body);
            } else {
                show.problem(404, "not_found");
                history.problem(404, "not_found");
                for reply in [&show, &history, &search, &lists, &revisions, &diff] {
                    assert!(
                        !reply.body.contains(name),
                        "{user} sees {id}: {}",
                        reply.body
                    );
                    assert!(!reply.body.contains(id), "{user} sees {id}: {}", reply.body);
                }
            }
            assert_eq!(search.body.contains(name), want, "{user} {id}");
        }
        // Revision counts would reveal restricted records.
        let all_visible = RU_RECORDS.iter().all(|(id, _)| expected_visible(user, id));
        assert_eq!(revisions.body.contains("\"added\""), all_visible, "{user}");
    }
    // Officers screen; they do not browse.
    get(&w.app, "/api/v1/entities", w.token("ru_officer"))
        .await
        .problem(403, "forbidden");
    // Restricted reads are audited; public ones are not.
    let log = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            user: Some("kz_analyst".into()),
            action: Some("entity.read".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(
        log.iter()
            .flat_map(|e| e.records.clone())
            .collect::<Vec<_>>(),
        vec!["ru:states", "ru:members", "ru:partners"]
    );
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

fn designation(id: &str, name: &str) -> String {
    serde_json::json!({
        "id": id, "schema": "Organization", "names": [name],
        "legal_basis": "Supreme Court decision", "listed_on": "2024-03-01",
        "reference": "AKPI-24-1", "distribution": {"scope": "originator"}
    })
    .to_string()
}

store_test!(designations_only_on_the_own_list, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let post = |user: &'static str, body: String| {
        let app = w.app.clone();
        let token = w.token(user).to_string();
        async move { call(&app, "POST", "/api/v1/designations", Some(&token), body).await }
    };
    let created = post("ru_analyst", designation("new1", "Zorya New Cell")).await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(created.json()["id"], "ru:new1");
    post("ru_analyst", designation("new1", "Again"))
        .await
        .problem(409, "entity_exists");
    // Roles that do not designate, and bodies without a member state.
    for user in ["ec_secretariat", "kz_auditor", "ru_officer", "interpol"] {
        post(user, designation("x", "Nope"))
            .await
            .problem(403, "forbidden");
    }
    // KZ's analyst files on KZ's own list.
    let kz = post("kz_analyst", designation("1", "Steppe Cell")).await;
    assert_eq!(kz.json()["id"], "kz:1", "{}", kz.body);
    // Another state's records: 403 when visible, 404 when not; never changed.
    let amend = |user: &'static str, id: &'static str| {
        let app = w.app.clone();
        let token = w.token(user).to_string();
        async move {
            call(
                &app,
                "PUT",
                &format!("/api/v1/designations/{id}"),
                Some(&token),
                designation(id.split(':').nth(1).unwrap(), "Hijacked"),
            )
            .await
        }
    };
    let delete = |user: &'static str, id: &'static str| {
        let app = w.app.clone();
        let token = w.token(user).to_string();
        async move {
            call(
                &app,
                "DELETE",
                &format!("/api/v1/designations/{id}"),
                Some(&token),
                Body::empty(),
            )
            .await
        }
    };
    amend("kz_analyst", "ru:members")
        .await
        .problem(403, "forbidden");
    delete("kz_analyst", "ru:members")
        .await
        .problem(403, "forbidden");
    let hidden = amend("cn_analyst", "ru:orig").await;
    hidden.problem(404, "not_found");
    assert!(!hidden.body.contains("Zorya"));
    delete("cn_analyst", "ru:orig")
        .await
        .problem(404, "not_found");
    amend("ru_analyst", "kz:1").await.problem(404, "not_found");
    // The owners amend and withdraw; withdrawal delists, history keeps every version.
    let amended = amend("ru2_analyst", "ru:orig").await;
    assert_eq!(amended.status, 200, "{}", amended.body);
    let withdrawn = delete("ru_analyst", "ru:new1").await;
    assert_eq!(withdrawn.status, 200, "{}", withdrawn.body);
    delete("ru_analyst", "ru:new1")
        .await
        .problem(404, "not_found");
    let history = get(
        &w.app,
        "/api/v1/entities/ru:new1/history",
        w.token("ru_analyst"),
    )
    .await;
    assert_eq!(history.json()["versions"].as_array().unwrap().len(), 2);
    let record = get(&w.app, "/api/v1/entities/ru:members", w.token("ru_analyst")).await;
    assert!(record.body.contains("Zorya Members Brigade"));
    // Every attempt is in the log, refused ones as denied.
    let denied = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            user: Some("kz_analyst".into()),
            record: Some("ru:members".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 2);
    assert!(denied.iter().all(|e| e.outcome == "denied"));
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(tokens_missing_forged_expired_revoked, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let expired = w.store.create_token("ru_analyst", Some(-1)).await.unwrap();
    let revoked = w.store.create_token("ru_analyst", None).await.unwrap();
    w.store.revoke_token(revoked.id).await.unwrap();
    let forged = "A".repeat(43);
    for uri in [
        "/api/v1/entities/ru:orig",
        "/api/v1/entities?q=zorya",
        "/api/v1/audit",
        "/api/v1/lists",
    ] {
        call(&w.app, "GET", uri, None, Body::empty())
            .await
            .problem(401, "missing_token");
        for token in [forged.as_str(), &expired.token, &revoked.token, "", "x y"] {
            let reply = call(&w.app, "GET", uri, Some(token), Body::empty()).await;
            assert_eq!(reply.status, 401, "{uri} {token:?}: {}", reply.body);
            assert!(!reply.body.contains("Zorya"));
        }
    }
    let post = call(
        &w.app,
        "POST",
        "/api/v1/designations",
        Some(&expired.token),
        designation("z", "Z"),
    )
    .await;
    post.problem(401, "invalid_token");
    let logins = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("login".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert!(logins
        .iter()
        .any(|e| e.outcome == "denied" && e.detail.contains("expired")));
    assert!(logins
        .iter()
        .any(|e| e.outcome == "denied" && e.detail.contains("revoked")));
});

store_test!(audit_api_for_auditors_only, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    get(&w.app, "/api/v1/entities/ru:members", w.token("kz_analyst")).await;
    get(&w.app, "/api/v1/audit", w.token("kz_analyst"))
        .await
        .problem(403, "forbidden");
    let kz = get(
        &w.app,
        "/api/v1/audit?record=ru:members",
        w.token("kz_auditor"),
    )
    .await;
    assert_eq!(kz.status, 200, "{}", kz.body);
    let entries = kz.json()["entries"].as_array().unwrap().clone();
    assert_eq!(entries.len(), 1, "{}", kz.body);
    assert_eq!(entries[0]["user"], "kz_analyst");
    // A state's auditor sees only its own state's entries; the executive committee all.
    let kz_all = get(&w.app, "/api/v1/audit", w.token("kz_auditor")).await;
    assert!(!kz_all.body.contains("ru_analyst"));
    let ec = get(
        &w.app,
        "/api/v1/audit?user=kz_analyst&action=entity.read",
        w.token("ec_admin"),
    )
    .await;
    assert_eq!(
        ec.json()["entries"].as_array().unwrap().len(),
        1,
        "{}",
        ec.body
    );
    get(&w.app, "/api/v1/audit?bogus=1", w.token("ec_admin"))
        .await
        .problem(400, "invalid_parameter");
});

store_test!(rate_limit_per_token, |db| {
    let config = vigil_server::Config {
        rate_per_sec: 0.001,
        burst: 3.0,
        ..Default::default()
    };
    let w = world(&db.location, config).await;
    for _ in 0..3 {
        assert_eq!(
            get(&w.app, "/api/v1/lists", w.token("cn_analyst"))
                .await
                .status,
            200
        );
    }
    get(&w.app, "/api/v1/lists", w.token("cn_analyst"))
        .await
        .problem(429, "rate_limited");
    // Another token is not affected.
    assert_eq!(
        get(&w.app, "/api/v1/lists", w.token("kz_analyst"))
            .await
            .status,
        200
    );
});

store_test!(openapi_lists_every_route_and_health, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let doc = call(&w.app, "GET", "/api/openapi.json", None, Body::empty())
        .await
        .json();
    assert_eq!(doc["openapi"], "3.1.0");
    for route in vigil_server::ROUTES {
        assert!(
            doc["paths"][route.path][route.method].is_object(),
            "{} {} missing from the document",
            route.method,
            route.path
        );
        let uri = route
            .path
            .replace("{id}", "ru:public")
            .replace("{name}", "ru");
        let reply = call(
            &w.app,
            &route.method.to_uppercase(),
            &uri,
            Some(w.token("ec_admin")),
            Body::empty(),
        )
        .await;
        let code = reply.json()["code"].clone();
        assert!(
            code != "route_not_found" && code != "method_not_allowed",
            "{} {uri} is not served: {}",
            route.method,
            reply.body
        );
    }
    call(
        &w.app,
        "GET",
        "/api/v1/nothing",
        Some(w.token("ec_admin")),
        Body::empty(),
    )
    .await
    .problem(404, "route_not_found");
    call(&w.app, "GET", "/nothing", None, Body::empty())
        .await
        .problem(404, "route_not_found");
    assert_eq!(
        call(&w.app, "GET", "/readyz", None, Body::empty())
            .await
            .status,
        200
    );
    let metrics = call(&w.app, "GET", "/metrics", None, Body::empty()).await;
    assert!(
        metrics
            .body
            .contains("vigil_http_requests_total{method=\"GET\",route=\"/api/v1/entities/{id}\""),
        "{}",
        metrics.body
    );
    assert!(metrics.body.contains("vigil_list_age_seconds{list=\"ru\"}"));
    assert!(
        !metrics.body.contains("ru:public"),
        "metrics labels carry no record ids"
    );
});
