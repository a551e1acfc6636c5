//! The unified search register end to end on both stores: KZ declares a search for all
//! members, an Indian officer's screening of a traveller hits it, India reports the location,
//! Kazakhstan records the detention; the audit log shows each step and verifies. And every
//! refusal of issue "search register": nothing changed.

use serde_json::{json, Value};
use vigil_model::Role;
use vigil_testkit::store_test;

use crate::support::{call, get, world, World};

async fn user(w: &World, name: &str, authority: &str, role: Role) -> String {
    w.store.add_user(name, authority, role).await.unwrap();
    w.store.create_token(name, None).await.unwrap().token
}

async fn post(w: &World, token: &str, uri: &str, body: Value) -> crate::support::Reply {
    call(&w.app, "POST", uri, Some(token), body.to_string()).await
}

/// A 1×1 PNG.
const PNG: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

fn notice() -> Value {
    json!({
        "person": {
            "names": ["Nurlan Abenovich Serikbayev", "Нурлан Абенович Серикбаев"],
            "birth_dates": ["1987-03-14"],
            "nationalities": ["KZ"],
            "gender": "male",
            "documents": [{"kind": "passport", "number": "N12345678", "country": "KZ"}],
            "photos": [{"media_type": "image/png", "content_base64": PNG}]
        },
        "offence": "participation in a terrorist organization",
        "criminal_code_article": "Article 257(2) of the Criminal Code of the Republic of Kazakhstan",
        "warrant": {"number": "2-1187/2025", "date": "2025-11-02", "court": "Specialized Interdistrict Investigative Court of Astana"},
        "declared_on": "2025-11-05",
        "scope": {"kind": "all_members"},
        "interpol": {"colour": "red", "control_number": "A-10234/11-2025"},
        "extradition_requested": true,
        "contact_point": "KNB duty officer, +7 7172 00 00 00",
        "handling_instructions": "Detain; inform the KNB duty officer within 2 hours",
        "alert_on_hit": true
    })
}

async fn audit_actions(w: &World) -> Vec<(String, String)> {
    w.store
        .audit_log(&vigil_store::AuditFilter::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.action.starts_with("notice."))
        .map(|e| (e.action, e.outcome))
        .collect()
}

store_test!(a_search_from_declaration_to_detention, |db| {
    let w = world(&db.location, Default::default()).await;
    let kz = user(&w, "kz_investigator", "KZ-KNB", Role::Analyst).await;
    let in_officer = user(&w, "in_officer", "IN", Role::Officer).await;
    let in_analyst = user(&w, "in_analyst", "IN", Role::Analyst).await;

    let declared = post(&w, &kz, "/api/v1/notices", notice()).await;
    assert_eq!(declared.status, 201, "{}", declared.body);
    let n = declared.json();
    let id = n["id"].as_i64().unwrap();
    assert_eq!(n["status"], "declared");
    let entity = n["entity_id"].as_str().unwrap().to_string();
    assert!(entity.starts_with("kz:notice-"), "{entity}");
    let circulated = post(
        &w,
        &kz,
        &format!("/api/v1/notices/{id}/steps"),
        json!({"step": "circulate"}),
    )
    .await;
    assert_eq!(
        circulated.json()["status"],
        "circulated",
        "{}",
        circulated.body
    );

    // An Indian border officer screens a traveller: the hit tells him what to do, and KZ's rule
    // sends Kazakhstan an alert.
    let hit = post(
        &w,
        &in_officer,
        "/api/v1/screen",
        json!({"schema": "Person", "name": "SERIKBAYEV Nurlan", "birth_date": "1987-03-14", "nationality": "KZ"}),
    )
    .await;
    assert_eq!(hit.status, 200, "{}", hit.body);
    let m = &hit.json()["matches"][0];
    assert_eq!(m["id"], entity, "{}", hit.body);
    assert_eq!(m["wanted_person"]["requested_by"], "KZ-KNB");
    assert!(m["wanted_person"]["instructions"]
        .as_str()
        .unwrap()
        .contains("Detain"));
    let inbox = get(&w.app, "/api/v1/messages?box=inbox", &kz).await;
    assert!(
        inbox.body.contains(&entity),
        "KZ is alerted: {}",
        inbox.body
    );

    // India reports the location; Kazakhstan sees it and records the detention request.
    let located = post(
        &w,
        &in_officer,
        &format!("/api/v1/notices/{id}/steps"),
        json!({"step": "locate", "place": "Indira Gandhi International Airport, New Delhi", "at": "2025-12-01T06:40:00Z", "source": "screening_hit"}),
    )
    .await;
    assert_eq!(located.status, 200, "{}", located.body);
    let seen = get(&w.app, &format!("/api/v1/notices/{id}"), &kz)
        .await
        .json();
    assert_eq!(seen["status"], "located");
    assert_eq!(seen["located_by"], "IN");
    let detained = post(
        &w,
        &kz,
        &format!("/api/v1/notices/{id}/steps"),
        json!({"step": "detain", "at": "2025-12-01", "note": "detention requested through the IN NCB"}),
    )
    .await;
    assert_eq!(detained.status, 200, "{}", detained.body);
    assert_eq!(detained.json()["status"], "detained");
    let history: Vec<String> = detained.json()["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["step"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(history, ["declare", "circulate", "locate", "detain"]);

    // Detained: the person no longer matches as wanted.
    let after = post(
        &w,
        &in_analyst,
        "/api/v1/screen",
        json!({"schema": "Person", "name": "SERIKBAYEV Nurlan"}),
    )
    .await;
    assert!(!after.body.contains(&entity), "{}", after.body);

    let actions = audit_actions(&w).await;
    for step in [
        "notice.declare",
        "notice.circulate",
        "notice.locate",
        "notice.detain",
    ] {
        assert!(
            actions.iter().any(|(a, o)| a == step && o == "success"),
            "{step} audited: {actions:?}"
        );
    }
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);

    // Exports: FtM, INTERPOL, STIX under the notice's marking.
    let ftm = get(
        &w.app,
        &format!("/api/v1/notices/{id}/export?format=ftm"),
        &kz,
    )
    .await;
    assert!(
        ftm.body.contains("\"Sanction\"") && ftm.body.contains("2-1187/2025"),
        "{}",
        ftm.body
    );
    let red = get(
        &w.app,
        &format!("/api/v1/notices/{id}/export?format=interpol"),
        &kz,
    )
    .await
    .json();
    assert_eq!(red["name"], "SERIKBAYEV");
    assert_eq!(red["date_of_birth"], "1987/03/14");
    assert_eq!(red["arrest_warrants"][0]["issuing_country_id"], "KZ");
    let stix = get(
        &w.app,
        &format!("/api/v1/notices/{id}/export?format=stix"),
        &kz,
    )
    .await
    .json();
    let objects = stix["objects"].as_array().unwrap();
    let report = objects.iter().find(|o| o["type"] == "report").unwrap();
    assert_eq!(
        report["object_marking_refs"][0],
        vigil_exchange::Tlp::Green.stix_id(),
        "all members → TLP:GREEN"
    );
    assert!(objects
        .iter()
        .any(|o| o["type"] == "identity" && o["identity_class"] == "individual"));
});

store_test!(
    a_withdrawn_notice_stops_matching_and_takes_no_location,
    |db| {
        let w = world(&db.location, Default::default()).await;
        let kz = user(&w, "kz_investigator", "KZ-KNB", Role::Analyst).await;
        let ru = w.token("ru_analyst").to_string();
        let id = post(&w, &kz, "/api/v1/notices", notice()).await.json()["id"]
            .as_i64()
            .unwrap();
        let query = json!({"schema": "Person", "name": "Nurlan Abenovich Serikbayev", "birth_date": "1987-03-14"});
        let before = post(&w, &ru, "/api/v1/screen", query.clone()).await;
        assert!(before.body.contains("kz:notice-"), "{}", before.body);

        // Only Kazakhstan withdraws.
        let steps = format!("/api/v1/notices/{id}/steps");
        let withdraw = json!({"step": "withdraw", "reason": "charges dropped", "decision": "Prosecutor's decision 77/2026"});
        post(&w, &ru, &steps, withdraw.clone())
            .await
            .problem(403, "forbidden");
        let withdrawn = post(&w, &kz, &steps, withdraw).await;
        assert_eq!(
            withdrawn.json()["status"],
            "withdrawn",
            "{}",
            withdrawn.body
        );
        let after = post(&w, &ru, "/api/v1/screen", query).await;
        assert!(
            !after.body.contains("kz:notice-"),
            "a withdrawn notice matches: {}",
            after.body
        );

        // A location on a withdrawn notice is refused, nothing recorded.
        let locate =
            json!({"step": "locate", "place": "Moscow", "at": "2026-01-01", "source": "manual"});
        let refused = post(&w, &ru, &steps, locate).await;
        refused.problem(422, "invalid_body");
        assert!(refused.body.contains("withdrawn"), "{}", refused.body);
        let n = get(&w.app, &format!("/api/v1/notices/{id}"), &kz)
            .await
            .json();
        assert_eq!(n["history"].as_array().unwrap().len(), 2);
        // A new notice for the same person is possible once the old one is withdrawn.
        assert_eq!(post(&w, &kz, "/api/v1/notices", notice()).await.status, 201);
        assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
    }
);

store_test!(bad_notices_are_refused_and_change_nothing, |db| {
    let w = world(&db.location, Default::default()).await;
    let kz = user(&w, "kz_investigator", "KZ-KNB", Role::Analyst).await;
    let kz_officer = user(&w, "kz_officer", "KZ-KNB", Role::Officer).await;
    assert_eq!(post(&w, &kz, "/api/v1/notices", notice()).await.status, 201);
    let revisions = |w: &World| {
        let store = w.store.clone();
        async move { store.revisions("kz").await.unwrap().len() }
    };
    let before = revisions(&w).await;
    let count = |w: &World| {
        let store = w.store.clone();
        async move { store.notices().await.unwrap().len() }
    };
    let with = |pointer: &str, value: Value| {
        let mut n = notice();
        *n.pointer_mut(pointer).unwrap() = value;
        n
    };
    let mut other_person = notice();
    other_person["person"]["names"] = json!(["Other Person"]);
    other_person["person"]["documents"] = json!([]);
    let big = "A".repeat(vigil_notices::MAX_PHOTO_BYTES / 3 * 4 + 100);
    let cases: Vec<(Value, &str)> = vec![
        (
            with("/criminal_code_article", json!("")),
            "criminal_code_article",
        ),
        (with("/offence", json!(" ")), "offence"),
        (with("/warrant/number", json!("")), "warrant.number"),
        (with("/warrant/date", json!("last week")), "warrant.date"),
        (
            {
                let mut n = other_person.clone();
                n["scope"] = json!({"kind": "interstate", "states": ["IN", "US"]});
                n
            },
            "is not a member state",
        ),
        (
            {
                let mut n = other_person.clone();
                n["person"]["photos"] =
                    json!([{"media_type": "image/png", "content_base64": "aGVsbG8gd29ybGQ="}]);
                n
            },
            "not a JPEG or PNG",
        ),
        (
            {
                let mut n = other_person.clone();
                n["person"]["photos"] = json!([{"media_type": "image/png", "content_base64": big}]);
                n
            },
            "larger than",
        ),
        (notice(), "open notice for this person already"),
        (with("/person/names", json!([])), "person.names"),
    ];
    for (body, expected) in cases {
        let reply = post(&w, &kz, "/api/v1/notices", body).await;
        reply.problem(422, "invalid_body");
        assert!(reply.body.contains(expected), "{expected}: {}", reply.body);
        assert_eq!(count(&w).await, 1, "{expected}: a notice was stored");
        assert_eq!(
            revisions(&w).await,
            before,
            "{expected}: the register changed"
        );
    }
    // An officer does not declare; a malformed body names the field.
    post(&w, &kz_officer, "/api/v1/notices", other_person.clone())
        .await
        .problem(403, "forbidden");
    let mut unknown = other_person.clone();
    unknown["colour_of_eyes"] = json!("brown");
    let reply = post(&w, &kz, "/api/v1/notices", unknown).await;
    reply.problem(422, "invalid_body");
    assert!(reply.body.contains("colour_of_eyes"), "{}", reply.body);
    assert_eq!(count(&w).await, 1);
    let failed = audit_actions(&w)
        .await
        .iter()
        .filter(|(_, o)| o != "success")
        .count();
    assert!(failed >= 9, "refusals are audited: {failed}");
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(a_national_notice_is_invisible_abroad, |db| {
    let w = world(&db.location, Default::default()).await;
    let kz = user(&w, "kz_investigator", "KZ-KNB", Role::Analyst).await;
    let mut n = notice();
    n["scope"] = json!({"kind": "national"});
    let id = post(&w, &kz, "/api/v1/notices", n).await.json()["id"]
        .as_i64()
        .unwrap();
    let ru = w.token("ru_analyst").to_string();
    get(&w.app, &format!("/api/v1/notices/{id}"), &ru)
        .await
        .problem(404, "not_found");
    let list = get(&w.app, "/api/v1/notices", &ru).await;
    assert!(!list.body.contains("Serikbayev"), "{}", list.body);
    // Screening abroad: a restricted hit only.
    let hit = post(&w, &ru, "/api/v1/screen", json!({"schema": "Person", "name": "Nurlan Abenovich Serikbayev", "birth_date": "1987-03-14"})).await;
    let m = &hit.json()["matches"][0];
    assert_eq!(m["restricted"], true, "{}", hit.body);
    assert!(!hit.body.contains("Detain"), "{}", hit.body);
    // The review list: KZ's own open notices not reviewed for 0 days.
    let due = get(&w.app, "/api/v1/notices?review_due=true&review_days=0", &kz)
        .await
        .json();
    assert_eq!(due["notices"].as_array().unwrap().len(), 1);
    let reviewed = post(
        &w,
        &kz,
        &format!("/api/v1/notices/{id}/steps"),
        json!({"step": "review", "note": "still sought"}),
    )
    .await;
    assert_eq!(reviewed.status, 200, "{}", reviewed.body);
    let due = get(&w.app, "/api/v1/notices?review_due=true&review_days=1", &kz)
        .await
        .json();
    assert_eq!(due["notices"].as_array().unwrap().len(), 0);
});
