//! Traveller manifests end to end: a PAXLST upload screened with the caller's visibility, the
//! watch rule's encounters, and the alert to the authority that listed the person.

use serde_json::{json, Value};
use vigil_model::{
    Designation, DesignationKind, DesignationStatus, Distribution, Document, DocumentKind, Entity,
    ListName, Name, NameKind, Role, Schema,
};
use vigil_store::{FileRef, ImportBatch};
use vigil_testkit::store_test;

use crate::support::{call, get, world, World};

fn person(id: &str, name: &str, passport: &str, distribution: Distribution) -> Entity {
    let mut e = Entity::new(id.parse().unwrap(), Schema::Person);
    e.push_name(Name::new(name, NameKind::Primary));
    e.documents.push(Document {
        kind: DocumentKind::Passport,
        kind_text: None,
        number: passport.into(),
        country: None,
        issued_on: None,
        note: None,
    });
    e.distribution = distribution;
    e.designations.push(Designation {
        authority: "RU".into(),
        regime: "test".into(),
        kind: DesignationKind::Sanction,
        listed_on: None,
        legal_basis: None,
        reference: None,
        status: DesignationStatus::Listed,
        amended_on: vec![],
        delisted_on: None,
        remarks: vec![],
    });
    e
}

async fn import_persons(w: &World) {
    let batch = ImportBatch {
        list: ListName::new("rux").unwrap(),
        authority: "RU".into(),
        title: "Russian national persons".into(),
        format: "ftm".into(),
        published: None,
        files: vec![FileRef {
            path: "rux.jsonl".into(),
            sha256: "rux-sha".into(),
            bytes: 1,
        }],
        entities: vec![
            person(
                "rux:1",
                "Pyotr Sergeyevich Ivanov",
                "RU7654321",
                Distribution::AllMembers,
            ),
            person(
                "rux:2",
                "Timur Rashidovich Kasymov",
                "RU1112223",
                Distribution::Originator,
            ),
        ],
    };
    w.store.import(vec![batch], &|_| {}).await.unwrap();
}

fn manifest() -> String {
    [
        "UNA:+.? '",
        "UNB+UNOA:4+AIRLINE+KZAPI+261206:0900+IC1'",
        "UNH+M1+PAXLST:D:05B:UN:IATA'",
        "BGM+745'",
        "TDT+20+HY602+++HY'",
        "LOC+125+DME'",
        "DTM+189:2612061030:201'",
        "LOC+87+ALA'",
        "DTM+232:2612061500:201'",
        // Spelt another way than the register, but his passport is the listed one.
        "NAD+FL+++IVANOV:PETR'",
        "DTM+329:800101'",
        "NAT+2+RUS'",
        "DOC+P+RU7654321'",
        "NAD+FL+++KASYMOV:TIMUR'",
        "DOC+P+RU1112223'",
        "NAD+FL+++SMITH:JANE'",
        "DOC+P+GB0000001'",
        "CNT+42:3'",
        "UNT+17+M1'",
        "UNZ+1+IC1'",
    ]
    .join("\n")
}

fn lines(body: &str) -> Vec<Value> {
    body.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

store_test!(
    manifest_hit_raises_an_alert_to_the_listing_authority,
    |db| {
        let w = world(&db.location, vigil_server::Config::default()).await;
        import_persons(&w).await;
        let kz_admin = {
            w.store
                .add_user("knb_admin", "KZ-KNB", Role::Admin)
                .await
                .unwrap();
            w.store.create_token("knb_admin", None).await.unwrap().token
        };
        // Only admins set the rule.
        call(
            &w.app,
            "PUT",
            "/api/v1/watch-rule",
            Some(w.token("kz_analyst")),
            json!({"threshold": 0.7, "alert": true}).to_string(),
        )
        .await
        .problem(403, "forbidden");
        call(
            &w.app,
            "PUT",
            "/api/v1/watch-rule",
            Some(&kz_admin),
            json!({"threshold": 1.5, "alert": true}).to_string(),
        )
        .await
        .problem(422, "invalid_body");
        let set = call(
            &w.app,
            "PUT",
            "/api/v1/watch-rule",
            Some(&kz_admin),
            json!({"threshold": 0.7, "alert": true}).to_string(),
        )
        .await;
        assert_eq!(set.status, 200, "{}", set.body);
        let rule = get(&w.app, "/api/v1/watch-rule", w.token("kz_analyst")).await;
        assert_eq!(rule.json()["alert"], true, "{}", rule.body);

        let r = call(
            &w.app,
            "POST",
            "/api/v1/manifests",
            Some(w.token("kz_analyst")),
            manifest(),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.content_type, "application/jsonl");
        let out = lines(&r.body);
        let travellers: Vec<&Value> = out.iter().filter(|l| l["record"] == "traveller").collect();
        assert_eq!(travellers.len(), 3, "{}", r.body);
        let ivanov = travellers[0];
        assert_eq!(ivanov["traveller"]["surname"], "IVANOV");
        assert_eq!(ivanov["flight"], "HY602 DME-ALA 2026-12-06T10:30");
        assert_eq!(ivanov["matches"][0]["id"], "rux:1", "{ivanov}");
        let alert_id = ivanov["encounters"][0]["alert_message_id"].as_i64();
        assert!(alert_id.is_some(), "{ivanov}");
        // Kasymov's record is kept for Russia only: a restricted hit, with no name given out.
        let kasymov = travellers[1];
        assert_eq!(kasymov["matches"][0]["restricted"], true, "{kasymov}");
        assert!(kasymov["matches"][0].get("name").is_none());
        assert!(!kasymov.to_string().contains("Rashidovich"));
        assert!(kasymov["encounters"][0]["subject"]
            .as_str()
            .unwrap()
            .starts_with("ref:"));
        // Nobody listed: no match, no encounter.
        assert_eq!(travellers[2]["matches"], json!([]));
        assert!(travellers[2].get("encounters").is_none());

        // Russia's inbox holds the two alerts, one per traveller.
        let inbox = get(
            &w.app,
            "/api/v1/messages?box=inbox&kind=alert",
            w.token("ru_analyst"),
        )
        .await;
        let alerts = inbox.json()["messages"].as_array().unwrap().clone();
        assert_eq!(alerts.len(), 2, "{}", inbox.body);
        let on_ivanov = alerts
            .iter()
            .find(|a| a["subjects"] == json!(["rux:1"]))
            .unwrap_or_else(|| panic!("{}", inbox.body));
        assert_eq!(on_ivanov["sender_authority"], "KZ-KNB");
        assert!(on_ivanov["body"].as_str().unwrap().contains("RU7654321"));
        assert!(alerts
            .iter()
            .any(|a| a["subjects"][0].as_str().unwrap().starts_with("ref:")));

        // The encounters are recorded for the screening authority.
        let enc = get(&w.app, "/api/v1/encounters", w.token("kz_analyst")).await;
        assert_eq!(
            enc.json()["encounters"].as_array().unwrap().len(),
            2,
            "{}",
            enc.body
        );
        let other = get(&w.app, "/api/v1/encounters", w.token("ru_analyst")).await;
        assert!(other.json()["encounters"].as_array().unwrap().is_empty());

        // Each rule, screening, encounter and alert is audited.
        let audit = get(&w.app, "/api/v1/audit?limit=1000", &kz_admin).await;
        let actions: Vec<String> = audit.json()["entries"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|e| e["action"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        for action in [
            "watch.rule",
            "manifest.screen",
            "watch.encounter",
            "watch.alert",
        ] {
            assert!(
                actions.iter().any(|a| a == action),
                "{action} not in {actions:?} ({})",
                audit.body
            );
        }

        // CSV: one row per match, one per traveller without.
        let csv = call(
            &w.app,
            "POST",
            "/api/v1/manifests?format=csv",
            Some(w.token("kz_analyst")),
            manifest(),
        )
        .await;
        assert_eq!(csv.status, 200, "{}", csv.body);
        assert!(csv.body.starts_with("file,record,message"));
        assert!(csv
            .body
            .lines()
            .any(|l| l.contains("IVANOV") && l.contains("rux:1")));
    }
);

store_test!(manifest_upload_rejects_bad_input, |db| {
    let w = world(&db.location, vigil_server::Config::default()).await;
    let r = call(
        &w.app,
        "POST",
        "/api/v1/manifests",
        Some(w.token("kz_analyst")),
        "this is not EDIFACT",
    )
    .await;
    r.problem(422, "invalid_body");
    assert!(
        r.json()["detail"].as_str().unwrap().contains("UNB"),
        "{}",
        r.body
    );
    call(
        &w.app,
        "POST",
        "/api/v1/manifests",
        Some(w.token("kz_auditor")),
        manifest(),
    )
    .await
    .problem(403, "forbidden");
    call(
        &w.app,
        "POST",
        "/api/v1/manifests?format=xml",
        Some(w.token("kz_analyst")),
        manifest(),
    )
    .await
    .problem(400, "invalid_parameter");
    // A damaged traveller is an error line, the others are still screened.
    let damaged = manifest().replace("NAD+FL+++SMITH:JANE'", "NAD+FL'");
    let r = call(
        &w.app,
        "POST",
        "/api/v1/manifests",
        Some(w.token("kz_analyst")),
        damaged,
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let out = lines(&r.body);
    assert_eq!(out.iter().filter(|l| l["record"] == "traveller").count(), 2);
    let err = out.iter().find(|l| l["record"] == "error").unwrap();
    assert!(err["error"].as_str().unwrap().contains("no name"), "{err}");
    assert_eq!(err["position"]["line"], 16);
});
