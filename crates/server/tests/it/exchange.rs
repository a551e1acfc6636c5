//! The exchange between competent authorities: messages, markings, hit follow-up, STIX, TAXII.

use serde_json::{json, Value};
use vigil_model::Role;
use vigil_testkit::store_test;

use crate::support::*;

async fn post(w: &World, token: &str, uri: &str, body: Value) -> Reply {
    call(&w.app, "POST", uri, Some(token), body.to_string()).await
}

/// Adds a user and returns its token.
async fn user(w: &World, name: &str, authority: &str, role: Role) -> String {
    w.store.add_user(name, authority, role).await.unwrap();
    w.store.create_token(name, None).await.unwrap().token
}

fn request(recipients: Value, tlp: &str, handling: &str) -> Value {
    json!({
        "kind": "request",
        "recipients": recipients,
        "subjects": ["ru:members"],
        "title": "Who leads the Zorya Members Brigade?",
        "body": "Please share what you hold.",
        "markings": {"classification": "restricted", "handling": handling, "tlp": tlp},
        "priority": "urgent"
    })
}

fn b64(bytes: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn actions(entries: &[vigil_store::AuditEntry]) -> Vec<(String, String, String)> {
    entries
        .iter()
        .filter(|e| e.action != "login")
        .map(|e| (e.user.clone(), e.action.clone(), e.outcome.clone()))
        .collect()
}

store_test!(hit_to_request_to_amber_reply_end_to_end, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz_officer = user(&w, "kz_officer", "KZ-KNB", Role::Officer).await;
    // A's officer screens a traveller and gets a restricted hit on B's (Russia's) designation.
    let query = json!({"schema": "Organization", "name": "Zorya Originator Cell"});
    let hit = post(&w, &kz_officer, "/api/v1/screen", query.clone()).await;
    assert_eq!(hit.status, 200, "{}", hit.body);
    let m = hit.json()["matches"][0].clone();
    assert_eq!(m["restricted"], true);
    assert_eq!(m["originator"], "RU");
    let reference = m["reference"].as_str().unwrap().to_string();

    // One call turns it into a request to the originating state.
    let sent = post(
        &w,
        &kz_officer,
        &format!("/api/v1/references/{reference}/request"),
        json!({"query": query, "body": "Traveller at Khorgos, passport N1234567", "score": m["score"]}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let asked = sent.json();
    let id = asked["id"].as_i64().unwrap();
    assert_eq!(asked["kind"], "request");
    assert_eq!(asked["recipients"], json!(["state:RU"]));
    assert_eq!(asked["priority"], "urgent");
    assert_eq!(asked["markings"]["tlp"], "AMBER");
    assert_eq!(asked["state"], "sent");
    // Only an authority that was handed the reference (or its originator) may cite it.
    let cn = w.token("cn_analyst");
    post(
        &w,
        cn,
        &format!("/api/v1/references/{reference}/request"),
        json!({"query": {"name": "x"}}),
    )
    .await
    .problem(404, "not_found");
    let mut citing = request(json!(["RU"]), "AMBER", "free");
    citing["subjects"] = json!([format!("ref:{reference}")]);
    post(&w, cn, "/api/v1/messages", citing)
        .await
        .problem(422, "invalid_body");
    assert!(
        !sent.body.contains("ru:orig"),
        "the requester learns nothing: {}",
        sent.body
    );

    // B's analyst finds it in the inbox (delivered), opens it (read): sees the query, its
    // context, and the record the reference stands for.
    let ru = w.token("ru_analyst");
    let inbox = get(&w.app, "/api/v1/messages?box=inbox&unread=true", ru).await;
    assert_eq!(inbox.status, 200, "{}", inbox.body);
    assert_eq!(inbox.json()["messages"].as_array().unwrap().len(), 1);
    let status = get(&w.app, &format!("/api/v1/messages/{id}"), &kz_officer).await;
    assert_eq!(status.json()["state"], "delivered", "{}", status.body);
    let opened = get(&w.app, &format!("/api/v1/messages/{id}"), ru).await;
    assert_eq!(opened.status, 200, "{}", opened.body);
    let o = opened.json();
    assert_eq!(o["context"]["query"]["name"], "Zorya Originator Cell");
    assert_eq!(o["resolved"]["entity_id"], "ru:orig");
    assert_eq!(o["read"], true);
    let status = get(&w.app, &format!("/api/v1/messages/{id}"), &kz_officer).await;
    assert_eq!(status.json()["state"], "read");
    assert!(status.json()["resolved"].is_null(), "{}", status.body);
    // Other states do not see the message at all.
    get(
        &w.app,
        &format!("/api/v1/messages/{id}"),
        w.token("cn_analyst"),
    )
    .await
    .problem(404, "not_found");

    // B replies with TLP:AMBER; A's officer reads it; the request is answered.
    let replied = post(
        &w,
        ru,
        &format!("/api/v1/messages/{id}/reply"),
        json!({"title": "Known member", "body": "Detain and inform us.",
               "markings": {"classification": "confidential", "handling": "ask_before_evidence", "tlp": "AMBER"}}),
    )
    .await;
    assert_eq!(replied.status, 201, "{}", replied.body);
    let reply_id = replied.json()["id"].as_i64().unwrap();
    assert_eq!(replied.json()["thread"], id);
    assert_eq!(replied.json()["recipients"], json!(["authority:KZ-KNB"]));
    let a_inbox = get(
        &w.app,
        "/api/v1/messages?box=inbox&unread=true",
        &kz_officer,
    )
    .await;
    let listed = a_inbox.json()["messages"].clone();
    assert_eq!(listed.as_array().unwrap().len(), 1, "{}", a_inbox.body);
    assert_eq!(listed[0]["id"], reply_id);
    let read = get(&w.app, &format!("/api/v1/messages/{reply_id}"), &kz_officer).await;
    assert_eq!(read.json()["markings"]["tlp"], "AMBER");
    assert_eq!(read.json()["body"], "Detain and inform us.");
    let status = get(&w.app, &format!("/api/v1/messages/{id}"), &kz_officer).await;
    assert_eq!(status.json()["state"], "answered");
    assert_eq!(status.json()["replies"], json!([reply_id]));
    let unread = get(
        &w.app,
        "/api/v1/messages?box=inbox&unread=true",
        &kz_officer,
    )
    .await;
    assert!(unread.json()["messages"].as_array().unwrap().is_empty());

    // The audit log shows every step, and verifies.
    let entries = w.store.audit_log(&Default::default()).await.unwrap();
    let steps = actions(&entries);
    let expect = [
        ("kz_officer", "screen"),
        ("kz_officer", "message.request"),
        ("ru_analyst", "message.list"),
        ("ru_analyst", "message.read"),
        ("ru_analyst", "message.reply"),
        ("kz_officer", "message.list"),
        ("kz_officer", "message.read"),
    ];
    let mut at = 0;
    for (u, a) in expect {
        let pos = steps[at..]
            .iter()
            .position(|(su, sa, so)| su == u && sa == a && so == "success")
            .unwrap_or_else(|| panic!("{u} {a} missing after step {at}: {steps:?}"));
        at += pos + 1;
    }
    let request_entry = entries
        .iter()
        .find(|e| e.action == "message.request")
        .unwrap();
    assert_eq!(
        request_entry.records,
        [format!("message:{id}"), format!("ref:{reference}")]
    );
    assert_eq!(w.store.verify_audit().await.unwrap().first_bad, None);
});

store_test!(bad_messages_are_refused_and_nothing_is_sent, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let send = |body: Value| post(&w, kz, "/api/v1/messages", body);
    // Unknown recipients, markings that do not exist, missing markings.
    let r = send(request(json!(["XX-NOBODY"]), "AMBER", "free")).await;
    r.problem(422, "invalid_body");
    assert!(r.body.contains("recipients[0]"), "{}", r.body);
    let r = send(request(json!(["RU"]), "PURPLE", "free")).await;
    r.problem(422, "invalid_body");
    assert!(r.body.contains("markings.tlp"), "{}", r.body);
    let r = send(request(json!(["RU"]), "AMBER", "burn_after_reading")).await;
    r.problem(422, "invalid_body");
    assert!(r.body.contains("markings.handling"), "{}", r.body);
    let mut no_markings = request(json!(["RU"]), "AMBER", "free");
    no_markings.as_object_mut().unwrap().remove("markings");
    send(no_markings).await.problem(422, "invalid_body");
    // A subject the sender may not see is refused like one that does not exist.
    let mut hidden = request(json!(["RU"]), "AMBER", "free");
    hidden["subjects"] = json!(["ru:orig"]);
    let r = send(hidden).await;
    r.problem(422, "invalid_body");
    assert!(r.body.contains("subjects[0]"), "{}", r.body);
    // Oversize and mislabelled attachments.
    let mut big = request(json!(["RU"]), "AMBER", "free");
    big["attachments"] = json!([{"name": "big.txt", "media_type": "text/plain",
                                 "content_base64": b64(&vec![b'a'; 600 * 1024])}]);
    post(&w, kz, "/api/v1/messages", big)
        .await
        .problem(413, "payload_too_large");
    let mut mislabelled = request(json!(["RU"]), "AMBER", "free");
    mislabelled["attachments"] = json!([{"name": "scan.pdf", "media_type": "application/pdf",
                                         "content_base64": b64(b"MZ\x90\x00 not a pdf")}]);
    send(mislabelled)
        .await
        .problem(415, "mislabelled_attachment");
    let mut exe = request(json!(["RU"]), "AMBER", "free");
    exe["attachments"] = json!([{"name": "a.exe", "media_type": "application/x-msdownload",
                                 "content_base64": b64(b"MZ")}]);
    send(exe).await.problem(422, "invalid_body");
    // Auditors send nothing.
    post(
        &w,
        w.token("kz_auditor"),
        "/api/v1/messages",
        request(json!(["RU"]), "AMBER", "free"),
    )
    .await
    .problem(403, "forbidden");
    // Nothing was stored; every refusal was audited.
    assert!(w.store.all_messages().await.unwrap().is_empty());
    let refused = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("message.send".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(refused.len(), 9);
    assert!(refused.iter().all(|e| e.outcome != "success"));

    // A good one with a real PDF goes through, attachment and all.
    let mut good = request(json!(["RU", "CN"]), "AMBER", "ask_before_forwarding");
    good["attachments"] = json!([{"name": "scan.pdf", "media_type": "application/pdf",
                                  "content_base64": b64(b"%PDF-1.7 scan")}]);
    let sent = send(good).await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.json()["id"].as_i64().unwrap();
    let a = get(
        &w.app,
        &format!("/api/v1/messages/{id}/attachments/0"),
        w.token("cn_analyst"),
    )
    .await;
    assert_eq!(a.status, 200);
    assert_eq!(a.content_type, "application/pdf");
    assert_eq!(a.body, "%PDF-1.7 scan");

    // A reply to a message the caller never received: 404 to outsiders, 403 to its sender.
    let reply = json!({"title": "re", "markings": {"classification": "restricted", "handling": "free", "tlp": "GREEN"}});
    post(
        &w,
        w.token("interpol"),
        &format!("/api/v1/messages/{id}/reply"),
        reply.clone(),
    )
    .await
    .problem(404, "not_found");
    post(
        &w,
        kz,
        &format!("/api/v1/messages/{id}/reply"),
        reply.clone(),
    )
    .await
    .problem(403, "forbidden");
    post(&w, kz, "/api/v1/messages/99999/reply", reply.clone())
        .await
        .problem(404, "not_found");
    post(&w, kz, "/api/v1/messages/abc/reply", reply)
        .await
        .problem(400, "invalid_parameter");
    // Forwarding against the handling code is refused and audited.
    let fwd = post(
        &w,
        w.token("ru_analyst"),
        &format!("/api/v1/messages/{id}/forward"),
        json!({"recipients": ["RU"]}),
    )
    .await;
    fwd.problem(403, "handling_forbids");
    assert!(fwd.body.contains("ask_before_forwarding"), "{}", fwd.body);
    let denied = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("message.forward".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].outcome, "denied");
    assert_eq!(w.store.all_messages().await.unwrap().len(), 1);
});

store_test!(forwarding_follows_tlp_and_is_audited, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let sent = post(
        &w,
        kz,
        "/api/v1/messages",
        request(json!(["RU"]), "AMBER", "intelligence_only"),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.json()["id"].as_i64().unwrap();
    let ru = w.token("ru_analyst");
    // AMBER: within Russia yes, to China no.
    post(
        &w,
        ru,
        &format!("/api/v1/messages/{id}/forward"),
        json!({"recipients": ["CN"]}),
    )
    .await
    .problem(403, "handling_forbids");
    let ok = post(
        &w,
        ru,
        &format!("/api/v1/messages/{id}/forward"),
        json!({"recipients": ["RU-MVD"], "note": "for your border posts"}),
    )
    .await;
    // RU-MVD is not a known authority yet: refused as an unknown recipient.
    ok.problem(422, "invalid_body");
    let ok = post(
        &w,
        ru,
        &format!("/api/v1/messages/{id}/forward"),
        json!({"recipients": ["RU"], "note": "for your border posts"}),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    assert_eq!(ok.json()["forwarded_from"], id);
    assert_eq!(ok.json()["markings"]["tlp"], "AMBER");
    let entries = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("message.forward".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    let outcomes: Vec<&str> = entries.iter().map(|e| e.outcome.as_str()).collect();
    assert_eq!(outcomes, ["denied", "failed", "success"]);
    assert!(entries[2].records.contains(&format!("message:{id}")));
});

store_test!(inbox_filters_and_overdue, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let a = post(
        &w,
        kz,
        "/api/v1/messages",
        request(json!(["all_members"]), "GREEN", "free"),
    )
    .await;
    assert_eq!(a.status, 201, "{}", a.body);
    let mut other = request(json!(["KZ"]), "GREEN", "free");
    other["subjects"] = json!(["ru:public"]);
    other["kind"] = json!("notification");
    // Notifications announce the sender's own designations.
    let r = post(&w, kz, "/api/v1/messages", other.clone()).await;
    r.problem(422, "invalid_body");
    assert!(r.body.contains("your member state's list"), "{}", r.body);
    let b = post(&w, w.token("ru_analyst"), "/api/v1/messages", other).await;
    assert_eq!(b.status, 201, "{}", b.body);
    let notes = get(&w.app, "/api/v1/messages?box=inbox&kind=notification", kz).await;
    assert_eq!(
        notes.json()["messages"].as_array().unwrap().len(),
        1,
        "{}",
        notes.body
    );
    let cn = w.token("cn_analyst");
    let all = get(&w.app, "/api/v1/messages?box=inbox", cn).await;
    assert_eq!(
        all.json()["messages"].as_array().unwrap().len(),
        1,
        "{}",
        all.body
    );
    let ru = w.token("ru_analyst");
    let by_entity = get(&w.app, "/api/v1/messages?entity=ru:public", ru).await;
    assert_eq!(by_entity.json()["messages"].as_array().unwrap().len(), 1);
    let sent = get(&w.app, "/api/v1/messages?box=sent", kz).await;
    assert_eq!(sent.json()["messages"].as_array().unwrap().len(), 1);
    let none_overdue = get(&w.app, "/api/v1/messages?overdue=true", kz).await;
    assert!(none_overdue.json()["messages"]
        .as_array()
        .unwrap()
        .is_empty());
    get(&w.app, "/api/v1/messages?box=trash", kz)
        .await
        .problem(400, "invalid_parameter");
    // Interpol is not a member: an all-members message is not in its inbox.
    let i = get(&w.app, "/api/v1/messages", w.token("interpol")).await;
    assert!(i.json()["messages"].as_array().unwrap().is_empty());
    // Auditors read the audit log, not messages.
    get(&w.app, "/api/v1/messages", w.token("kz_auditor"))
        .await
        .problem(403, "forbidden");
});

store_test!(auto_alert_policy_raises_alerts_on_screening, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz_admin = user(&w, "kz_admin", "KZ", Role::Admin).await;
    call(
        &w.app,
        "PUT",
        "/api/v1/exchange/policy",
        Some(w.token("kz_analyst")),
        json!({"auto_alert": true}).to_string(),
    )
    .await
    .problem(403, "forbidden");
    let set = call(
        &w.app,
        "PUT",
        "/api/v1/exchange/policy",
        Some(&kz_admin),
        json!({"auto_alert": true}).to_string(),
    )
    .await;
    assert_eq!(set.status, 200, "{}", set.body);
    // KZ-KNB is of Kazakhstan, whose policy the admin of KZ set for authority KZ only.
    let r = post(
        &w,
        &kz_admin,
        "/api/v1/screen",
        json!({"name": "Zorya Members Brigade"}),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let inbox = get(
        &w.app,
        "/api/v1/messages?box=inbox&kind=alert",
        w.token("ru_analyst"),
    )
    .await;
    let alerts = inbox.json()["messages"].clone();
    assert_eq!(alerts.as_array().unwrap().len(), 1, "{}", inbox.body);
    assert_eq!(alerts[0]["subjects"], json!(["ru:members"]));
    assert_eq!(alerts[0]["sender_authority"], "KZ");
    // A batch raises its alerts when it ends (after the answer has streamed).
    let batch = call(
        &w.app,
        "POST",
        "/api/v1/screen/batch",
        Some(&kz_admin),
        "{\"id\": \"a\", \"name\": \"Zorya Members Brigade\"}\n",
    )
    .await;
    assert_eq!(batch.status, 200, "{}", batch.body);
    let mut alerts_now = 0;
    for _ in 0..50 {
        let inbox = get(
            &w.app,
            "/api/v1/messages?box=inbox&kind=alert",
            w.token("ru_analyst"),
        )
        .await;
        alerts_now = inbox.json()["messages"].as_array().unwrap().len();
        if alerts_now == 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(alerts_now, 2);
    // And so does the yente-compatible /match.
    let m = call(
        &w.app,
        "POST",
        "/match/default",
        Some(&kz_admin),
        json!({"queries": {"q1": {"schema": "Organization", "properties": {"name": ["Zorya Members Brigade"]}}}})
            .to_string(),
    )
    .await;
    assert_eq!(m.status, 200, "{}", m.body);
    let inbox = get(
        &w.app,
        "/api/v1/messages?box=inbox&kind=alert",
        w.token("ru_analyst"),
    )
    .await;
    assert_eq!(inbox.json()["messages"].as_array().unwrap().len(), 3);
    // Without the policy, no alert.
    post(
        &w,
        w.token("cn_analyst"),
        "/api/v1/screen",
        json!({"name": "Zorya Members Brigade"}),
    )
    .await;
    let inbox = get(
        &w.app,
        "/api/v1/messages?box=inbox&kind=alert",
        w.token("ru_analyst"),
    )
    .await;
    assert_eq!(inbox.json()["messages"].as_array().unwrap().len(), 3);
});

/// Asserts a TAXII 2.1 error message with this status and Vigil's problem code.
fn taxii_error(r: &Reply, status: u16, code: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.body);
    assert_eq!(
        r.content_type, "application/taxii+json;version=2.1",
        "{}",
        r.body
    );
    let e = r.json();
    assert_eq!(e["http_status"], status.to_string(), "{}", r.body);
    assert_eq!(e["error_code"], code, "{}", r.body);
    assert!(!e["title"].as_str().unwrap_or("").is_empty(), "{}", r.body);
    assert!(
        !e["description"].as_str().unwrap_or("").is_empty(),
        "{}",
        r.body
    );
}

fn objects_of(bundle: &Value) -> Vec<Value> {
    bundle["objects"].as_array().cloned().unwrap_or_default()
}

fn vigil_ids(objects: &[Value]) -> Vec<String> {
    let mut ids: Vec<String> = objects
        .iter()
        .filter(|o| o["type"] == "threat-actor" || o["identity_class"] == "individual")
        .filter_map(|o| {
            o["external_references"][0]["external_id"]
                .as_str()
                .map(str::to_string)
        })
        .collect();
    ids.sort();
    ids
}

store_test!(stix_export_follows_distribution_and_is_stable, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let sent = post(
        &w,
        kz,
        "/api/v1/messages",
        request(json!(["RU"]), "AMBER", "free"),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let first = get(&w.app, "/api/v1/exchange/stix", kz).await;
    assert_eq!(first.status, 200, "{}", first.body);
    assert_eq!(first.content_type, "application/stix+json;version=2.1");
    let bundle = first.json();
    assert_eq!(bundle["type"], "bundle");
    let objects = objects_of(&bundle);
    assert_eq!(
        vigil_ids(&objects),
        [
            "ru:members",
            "ru:partners",
            "ru:public",
            "ru:states",
            "un:1"
        ]
    );
    for tlp in [
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487",
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb",
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421",
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
        "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1",
    ] {
        assert!(objects.iter().any(|o| o["id"] == tlp), "{tlp} missing");
    }
    let report = objects.iter().find(|o| o["type"] == "report").unwrap();
    assert_eq!(report["name"], "Who leads the Zorya Members Brigade?");
    assert!(!first.body.contains("Zorya Originator Cell"));
    // Everything parses back, and a second export is identical.
    vigil_exchange::stix::read_bundle(&first.body).unwrap();
    assert_eq!(
        get(&w.app, "/api/v1/exchange/stix", kz).await.body,
        first.body
    );
    // A foreign authority sees the public records only and none of the exchange.
    let ofac = get(&w.app, "/api/v1/exchange/stix", w.token("ofac"))
        .await
        .json();
    assert_eq!(vigil_ids(&objects_of(&ofac)), ["ru:public", "un:1"]);
    assert!(!objects_of(&ofac).iter().any(|o| o["type"] == "report"));
    let audited = w
        .store
        .audit_log(&vigil_store::AuditFilter {
            action: Some("export.stix".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(audited.len(), 3);
    assert!(audited[0].records.contains(&"ru:states".to_string()));
});

store_test!(stix_import_adds_designations_and_raises_alerts, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let stix = |body: &str| {
        call(
            &w.app,
            "POST",
            "/api/v1/exchange/stix",
            Some(kz),
            body.to_string(),
        )
    };
    // Malformed bundles change nothing.
    stix("{").await.problem(422, "invalid_stix");
    stix(r#"{"type":"bundle","id":"bundle--x"}"#)
        .await
        .problem(422, "invalid_stix");
    let ta = json!({"type": "threat-actor", "spec_version": "2.1",
        "id": "threat-actor--5d0092c5-5f74-4287-9642-33f4c354e56d",
        "created": "2026-01-01T00:00:00.000Z", "modified": "2026-01-01T00:00:00.000Z",
        "name": "Steppe Wolves", "aliases": ["Dala Qasqyrlary"]});
    let mut bad = ta.clone();
    bad["modified"] = json!("last week");
    let r = stix(&json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56e", "objects": [bad]}).to_string()).await;
    r.problem(422, "invalid_stix");
    assert!(r.body.contains("objects[0].modified"), "{}", r.body);
    // A sighting of something that is not in the register: refused, nothing stored.
    let sighting = |of: &str| {
        json!({"type": "sighting", "spec_version": "2.1",
        "id": "sighting--5d0092c5-5f74-4287-9642-33f4c354e56f",
        "created": "2026-01-02T00:00:00.000Z", "modified": "2026-01-02T00:00:00.000Z",
        "sighting_of_ref": of, "first_seen": "2026-01-02T06:00:00Z", "count": 1,
        "description": "crossed at Dostyk"})
    };
    let r = stix(
        &json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56e",
        "objects": [ta, sighting("threat-actor--00000000-0000-4000-8000-000000000000")]})
        .to_string(),
    )
    .await;
    r.problem(422, "invalid_stix");
    assert!(w
        .store
        .lists()
        .await
        .unwrap()
        .iter()
        .all(|l| l.name != "kz"));
    assert!(w.store.all_messages().await.unwrap().is_empty());
    // A good bundle: the designation lands on Kazakhstan's list, the sighting of Russia's
    // record (by its STIX id from an export) becomes an alert to Russia.
    let export = get(&w.app, "/api/v1/exchange/stix", kz).await.json();
    let members = objects_of(&export)
        .into_iter()
        .find(|o| o["external_references"][0]["external_id"] == "ru:members")
        .unwrap();
    let good = json!({"type": "bundle", "id": "bundle--5d0092c5-5f74-4287-9642-33f4c354e56e",
        "objects": [ta, sighting(members["id"].as_str().unwrap())]});
    let r = stix(&good.to_string()).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.json()["designations"], 1);
    let id = "kz:stix-5d0092c5-5f74-4287-9642-33f4c354e56d";
    let shown = get(&w.app, &format!("/api/v1/entities/{id}"), kz).await;
    assert_eq!(shown.status, 200, "{}", shown.body);
    assert_eq!(
        shown.json()["entity"]["names"][1]["value"],
        "Dala Qasqyrlary"
    );
    let inbox = get(
        &w.app,
        "/api/v1/messages?box=inbox&kind=alert",
        w.token("ru_analyst"),
    )
    .await;
    let alerts = inbox.json()["messages"].clone();
    assert_eq!(alerts.as_array().unwrap().len(), 1, "{}", inbox.body);
    assert_eq!(alerts[0]["subjects"], json!(["ru:members"]));
    assert_eq!(
        alerts[0]["context"]["encounter"]["at"],
        "2026-01-02T06:00:00Z"
    );
    // Officers may not import.
    call(
        &w.app,
        "POST",
        "/api/v1/exchange/stix",
        Some(w.token("ru_officer")),
        good.to_string(),
    )
    .await
    .problem(403, "forbidden");
});

store_test!(taxii_serves_what_the_caller_may_see, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let d = get(&w.app, "/taxii2/", kz).await;
    assert_eq!(d.status, 200, "{}", d.body);
    assert_eq!(d.content_type, "application/taxii+json;version=2.1");
    assert_eq!(d.json()["api_roots"], json!(["/taxii2/api/"]));
    let xml = axum::http::Request::builder()
        .uri("/taxii2/")
        .header("authorization", format!("Bearer {kz}"))
        .header("accept", "application/xml")
        .body(axum::body::Body::empty())
        .unwrap();
    let r = tower::ServiceExt::oneshot(w.app.clone(), xml)
        .await
        .unwrap();
    assert_eq!(r.status(), 406);
    assert_eq!(
        r.headers()["content-type"],
        "application/taxii+json;version=2.1"
    );
    taxii_error(
        &call(&w.app, "GET", "/taxii2/", None, "").await,
        401,
        "missing_token",
    );
    let root = get(&w.app, "/taxii2/api/", kz).await.json();
    assert_eq!(
        root["versions"],
        json!(["application/taxii+json;version=2.1"])
    );
    let collections = get(&w.app, "/taxii2/api/collections/", kz).await.json();
    let register = collections["collections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(collections["collections"][0]["can_write"], false);
    let one = get(&w.app, &format!("/taxii2/api/collections/{register}/"), kz).await;
    assert_eq!(one.json()["id"], register.as_str());
    taxii_error(
        &get(&w.app, "/taxii2/api/collections/nope/objects/", kz).await,
        404,
        "not_found",
    );
    // Paging: all objects in pages of 7, in order, each once.
    let base = format!("/taxii2/api/collections/{register}/objects/");
    let mut seen = Vec::new();
    let mut next: Option<String> = None;
    for _ in 0..20 {
        let uri = match &next {
            Some(n) => format!("{base}?limit=7&next={n}"),
            None => format!("{base}?limit=7"),
        };
        let page = get(&w.app, &uri, kz).await;
        assert_eq!(page.status, 200, "{}", page.body);
        let env = page.json();
        seen.extend(objects_of(&env));
        if env["more"] == false {
            break;
        }
        next = env["next"].as_str().map(str::to_string);
    }
    let all = get(&w.app, &format!("{base}?limit=1000"), kz).await.json();
    assert_eq!(seen, objects_of(&all));
    assert_eq!(
        vigil_ids(&seen),
        [
            "ru:members",
            "ru:partners",
            "ru:public",
            "ru:states",
            "un:1"
        ]
    );
    // added_after: nothing after the far future; the register's objects after the epoch.
    let later = get(
        &w.app,
        &format!("{base}?added_after=2999-01-01T00:00:00.000Z"),
        kz,
    )
    .await;
    assert_eq!(later.json(), json!({"more": false}));
    let recent = get(
        &w.app,
        &format!("{base}?added_after=2020-01-01T00:00:00.000Z&limit=1000"),
        kz,
    )
    .await;
    assert_eq!(vigil_ids(&objects_of(&recent.json())).len(), 5);
    assert!(objects_of(&recent.json())
        .iter()
        .all(|o| o["type"] != "marking-definition"));
    for bad in [
        "added_after=yesterday",
        "limit=0",
        "match[colour]=red",
        "match[version]=newest",
    ] {
        let r = get(&w.app, &format!("{base}?{bad}"), kz).await;
        taxii_error(&r, 400, "invalid_parameter");
    }
    // The same distribution rules: Interpol (a partner body) does not get all-members records.
    let interpol = get(&w.app, &format!("{base}?limit=1000"), w.token("interpol"))
        .await
        .json();
    assert_eq!(
        vigil_ids(&objects_of(&interpol)),
        ["ru:partners", "ru:public", "un:1"]
    );
});

store_test!(record_ids_go_only_where_the_record_is_distributed, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    // ru:members is for member states: KZ may not name it to partners…
    let r = post(
        &w,
        kz,
        "/api/v1/messages",
        request(json!(["partners"]), "GREEN", "free"),
    )
    .await;
    r.problem(403, "handling_forbids");
    assert!(r.body.contains("subjects[0]"), "{}", r.body);
    // …its originator may.
    let ok = post(
        &w,
        w.token("ru_analyst"),
        "/api/v1/messages",
        request(json!(["partners"]), "GREEN", "free"),
    )
    .await;
    assert_eq!(ok.status, 201, "{}", ok.body);
    // A forward is held to the same rule.
    let sent = post(
        &w,
        kz,
        "/api/v1/messages",
        request(json!(["all_members"]), "GREEN", "free"),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    let id = sent.json()["id"].as_i64().unwrap();
    let fwd = post(
        &w,
        w.token("cn_analyst"),
        &format!("/api/v1/messages/{id}/forward"),
        json!({"recipients": ["INTERPOL"]}),
    )
    .await;
    fwd.problem(403, "handling_forbids");
    assert!(fwd.body.contains("INTERPOL"), "{}", fwd.body);
    // The sender's receipts name authorities, not their users.
    get(
        &w.app,
        &format!("/api/v1/messages/{id}"),
        w.token("cn_analyst"),
    )
    .await;
    let seen = get(&w.app, &format!("/api/v1/messages/{id}"), kz)
        .await
        .json();
    assert_eq!(seen["receipts"][0]["authority"], "CN");
    assert!(seen["receipts"][0].get("user").is_none());
    assert_eq!(w.store.all_messages().await.unwrap().len(), 2);
});

store_test!(taxii_manifest_versions_and_match_filters, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let kz = w.token("kz_analyst");
    let collections = get(&w.app, "/taxii2/api/collections/", kz).await.json();
    let register = collections["collections"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let base = format!("/taxii2/api/collections/{register}");
    let all = get(&w.app, &format!("{base}/objects/?limit=1000"), kz)
        .await
        .json();
    let all = objects_of(&all);
    let types: std::collections::BTreeSet<String> = all
        .iter()
        .map(|o| o["type"].as_str().unwrap().to_string())
        .collect();
    assert!(types.len() >= 3, "{types:?}");
    // match[type]: only those types; several types with commas.
    let identities = get(
        &w.app,
        &format!("{base}/objects/?limit=1000&match[type]=identity"),
        kz,
    )
    .await;
    assert_eq!(identities.status, 200, "{}", identities.body);
    let identities = objects_of(&identities.json());
    assert!(!identities.is_empty());
    assert!(identities.iter().all(|o| o["type"] == "identity"));
    assert_eq!(
        identities.len(),
        all.iter().filter(|o| o["type"] == "identity").count()
    );
    let two = get(
        &w.app,
        &format!("{base}/objects/?limit=1000&match[type]=identity,threat-actor"),
        kz,
    )
    .await
    .json();
    assert_eq!(
        objects_of(&two).len(),
        all.iter()
            .filter(|o| o["type"] == "identity" || o["type"] == "threat-actor")
            .count()
    );
    // match[id]: exactly that object.
    let target = all.iter().find(|o| o["type"] == "threat-actor").unwrap();
    let target_id = target["id"].as_str().unwrap();
    let one = get(
        &w.app,
        &format!("{base}/objects/?match[id]={target_id}"),
        kz,
    )
    .await
    .json();
    assert_eq!(objects_of(&one), std::slice::from_ref(target));
    // The manifest lists what the objects endpoint returns, filtered the same way.
    let manifest = get(&w.app, &format!("{base}/manifest/?limit=1000"), kz).await;
    assert_eq!(manifest.status, 200, "{}", manifest.body);
    assert_eq!(manifest.content_type, "application/taxii+json;version=2.1");
    let records = objects_of(&manifest.json());
    let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
    let all_ids: Vec<&str> = all.iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, all_ids);
    let record = records.iter().find(|r| r["id"] == target_id).unwrap();
    assert_eq!(record["version"], target["modified"]);
    assert_eq!(record["media_type"], "application/stix+json;version=2.1");
    assert!(record["date_added"].as_str().unwrap().ends_with('Z'));
    let filtered = get(
        &w.app,
        &format!("{base}/manifest/?match[type]=threat-actor&limit=1000"),
        kz,
    )
    .await
    .json();
    assert!(objects_of(&filtered)
        .iter()
        .all(|r| r["id"].as_str().unwrap().starts_with("threat-actor--")));
    // One object and its versions; an object the caller may not see does not exist.
    let object = get(&w.app, &format!("{base}/objects/{target_id}/"), kz)
        .await
        .json();
    assert_eq!(objects_of(&object), std::slice::from_ref(target));
    let versions = get(&w.app, &format!("{base}/objects/{target_id}/versions/"), kz).await;
    assert_eq!(versions.status, 200, "{}", versions.body);
    assert_eq!(
        versions.json(),
        json!({"more": false, "versions": [target["modified"]]})
    );
    let members_only = all
        .iter()
        .find(|o| o["external_references"][0]["external_id"] == "ru:members")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let interpol = w.token("interpol");
    taxii_error(
        &get(
            &w.app,
            &format!("{base}/objects/{members_only}/versions/"),
            interpol,
        )
        .await,
        404,
        "not_found",
    );
    taxii_error(
        &get(&w.app, &format!("{base}/objects/{members_only}/"), interpol).await,
        404,
        "not_found",
    );
    let hidden = get(
        &w.app,
        &format!("{base}/manifest/?match[id]={members_only}"),
        interpol,
    )
    .await
    .json();
    assert_eq!(hidden, json!({"more": false}));
    taxii_error(
        &get(&w.app, &format!("{base}/manifest/?match[colour]=red"), kz).await,
        400,
        "invalid_parameter",
    );
    taxii_error(
        &call(
            &w.app,
            "GET",
            &format!("{base}/manifest/"),
            Some("nope"),
            "",
        )
        .await,
        401,
        "invalid_token",
    );
});

store_test!(
    own_designation_changes_raise_notifications_by_policy,
    |db| {
        let w = world(&db.location, vigil_server::Config::default()).await;
        let ru_admin = user(&w, "ru_admin", "RU-FSB", Role::Admin).await;
        let ru = w.token("ru_analyst").to_string();
        let designation = |id: &str, distribution: Value| {
            json!({"id": id, "schema": "Organization", "names": ["Zorya Northern Cell"],
            "legal_basis": "Supreme Court decision", "listed_on": "2024-03-01", "reference": "AKPI-24-2",
            "distribution": distribution})
        };
        let notifications = |w: &World| {
            let store = w.store.clone();
            async move {
                store
                    .all_messages()
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|m| m.kind == vigil_exchange::Kind::Notification)
                    .collect::<Vec<_>>()
            }
        };
        // Off by default: a change raises nothing.
        let r = post(
            &w,
            &ru,
            "/api/v1/designations",
            designation("quiet", json!({"scope": "all_members"})),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert!(notifications(&w).await.is_empty());
        // The policy: admins only, at least one setting, settings kept independently.
        let policy = |token: String, body: Value| {
            let app = w.app.clone();
            async move {
                call(
                    &app,
                    "PUT",
                    "/api/v1/exchange/policy",
                    Some(&token),
                    body.to_string(),
                )
                .await
            }
        };
        policy(ru.clone(), json!({"auto_notify": true}))
            .await
            .problem(403, "forbidden");
        policy(ru_admin.clone(), json!({}))
            .await
            .problem(422, "invalid_body");
        policy(ru_admin.clone(), json!({"auto_notify": "yes"}))
            .await
            .problem(422, "invalid_body");
        let set = policy(ru_admin.clone(), json!({"auto_alert": true})).await;
        assert_eq!(set.json()["auto_notify"], false, "{}", set.body);
        let set = policy(ru_admin.clone(), json!({"auto_notify": true})).await;
        assert_eq!(set.status, 200, "{}", set.body);
        let got = get(&w.app, "/api/v1/exchange/policy", &ru_admin)
            .await
            .json();
        assert_eq!(
            (got["auto_alert"].clone(), got["auto_notify"].clone()),
            (json!(true), json!(true))
        );

        // Added for Kazakhstan only: KZ is notified, China is not.
        let r = post(
            &w,
            &ru,
            "/api/v1/designations",
            designation("n1", json!({"scope": "states", "states": ["KZ"]})),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        let sent = notifications(&w).await;
        assert_eq!(sent.len(), 1);
        assert_eq!(sent[0].subjects, ["ru:n1"]);
        assert_eq!(
            sent[0].recipients,
            [vigil_exchange::Recipient::State("KZ".into())]
        );
        assert!(
            sent[0].title.starts_with("Designation added"),
            "{}",
            sent[0].title
        );
        let kz = get(
            &w.app,
            "/api/v1/messages?box=inbox&kind=notification",
            w.token("kz_analyst"),
        )
        .await;
        assert_eq!(
            kz.json()["messages"].as_array().unwrap().len(),
            1,
            "{}",
            kz.body
        );
        let cn = get(
            &w.app,
            "/api/v1/messages?box=inbox&kind=notification",
            w.token("cn_analyst"),
        )
        .await;
        assert!(
            cn.json()["messages"].as_array().unwrap().is_empty(),
            "{}",
            cn.body
        );
        // Amended to all members, then withdrawn: both announced to every member state.
        let r = call(
            &w.app,
            "PUT",
            "/api/v1/designations/ru:n1",
            Some(&ru),
            designation("n1", json!({"scope": "all_members"})).to_string(),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let r = call(
            &w.app,
            "DELETE",
            "/api/v1/designations/ru:n1",
            Some(&ru),
            "",
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        let sent = notifications(&w).await;
        assert_eq!(sent.len(), 3);
        assert!(sent[1].title.starts_with("Designation amended"));
        assert!(sent[2].title.starts_with("Designation withdrawn"));
        assert_eq!(sent[2].recipients, [vigil_exchange::Recipient::AllMembers]);
        let cn = get(
            &w.app,
            "/api/v1/messages?box=inbox&kind=notification",
            w.token("cn_analyst"),
        )
        .await;
        assert_eq!(
            cn.json()["messages"].as_array().unwrap().len(),
            2,
            "{}",
            cn.body
        );
        // A record kept for its originator is announced to no one; nor are changes by another
        // authority of Russia, whose policy is unset; nor a refused change.
        post(
            &w,
            &ru,
            "/api/v1/designations",
            designation("secret", json!({"scope": "originator"})),
        )
        .await;
        post(
            &w,
            w.token("ru2_analyst"),
            "/api/v1/designations",
            designation("other", json!({"scope": "all_members"})),
        )
        .await;
        post(
            &w,
            &ru,
            "/api/v1/designations",
            designation("n1", json!({"scope": "all_members"})),
        )
        .await;
        let r = post(
            &w,
            &ru,
            "/api/v1/designations",
            designation("secret", json!({"scope": "originator"})),
        )
        .await;
        r.problem(409, "entity_exists");
        assert_eq!(notifications(&w).await.len(), 4, "re-adding n1 is an add");
        let audit = w
            .store
            .audit_log(&vigil_store::AuditFilter {
                action: Some("message.notify".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        assert_eq!(audit.len(), 4);
        assert!(audit
            .iter()
            .all(|e| e.user == "ru_analyst" && e.outcome == "success"));
    }
);
