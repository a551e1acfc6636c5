//! The STIX 2.1 writer against the OASIS JSON schemas (../shared/data/stix, BSD-3-Clause; read
//! in place, not vendored), through a small JSON Schema validator written for the keywords
//! those schemas use. The validator itself is checked on the OASIS examples and on broken
//! objects, so a pass means something.

mod schema;

use std::collections::BTreeMap;

use serde_json::{json, Value};
use vigil_exchange::stix;
use vigil_exchange::{
    Classification, Context, Encounter, Handling, Kind, Markings, Message, Priority, Recipient, Tlp,
};
use vigil_model::{
    seed_authorities, Designation, DesignationKind, DesignationStatus, Distribution, Entity, Name,
    NameKind, PartialDate, Schema,
};

fn entity(id: &str, schema: Schema, name: &str, distribution: Distribution) -> Entity {
    let mut e = Entity::new(id.parse().unwrap(), schema);
    e.push_name(Name::new(name, NameKind::Primary));
    e.push_name(Name::new(&format!("{name} alias"), NameKind::Alias));
    e.distribution = distribution;
    e.designations.push(Designation {
        authority: "RU".into(),
        regime: "National list of RU".into(),
        kind: DesignationKind::OrganizationBan,
        listed_on: PartialDate::parse_iso("2024-05-01").ok(),
        legal_basis: Some("Court decision".into()),
        reference: Some("2-17/2024".into()),
        status: DesignationStatus::Listed,
        amended_on: vec![],
        delisted_on: None,
        remarks: vec!["a remark".into()],
    });
    e
}

fn message(id: i64, kind: Kind, subjects: &[&str]) -> Message {
    Message {
        id,
        kind,
        thread: id,
        in_reply_to: None,
        forwarded_from: None,
        sender_authority: "KZ-KNB".into(),
        sender_user: "kz".into(),
        created: "2026-11-28T20:51:56.123456Z".into(),
        recipients: vec![Recipient::State("RU".into())],
        subjects: subjects.iter().map(|s| s.to_string()).collect(),
        title: "Encounter at Khorgos".into(),
        body: "Checked and released".into(),
        markings: Markings {
            classification: Classification::Restricted,
            handling: Handling::IntelligenceOnly,
            tlp: Tlp::Amber,
        },
        priority: Priority::Urgent,
        due: "2026-11-29T20:51:56.123456Z".into(),
        context: Context {
            encounter: (kind == Kind::Alert).then(|| Encounter {
                place: "Khorgos".into(),
                at: "2026-11-28T10:00:00Z".into(),
                by: "border post 4".into(),
                action: "checked and released".into(),
            }),
            ..Default::default()
        },
        attachments: vec![],
    }
}

/// A bundle with every kind of object the writer makes.
fn vigil_bundle() -> Value {
    let entities = [
        entity(
            "ru:1",
            Schema::Organization,
            "Zorya Front",
            Distribution::AllMembers,
        ),
        entity(
            "ru:2",
            Schema::Person,
            "Ivan Example",
            Distribution::States(vec!["KZ".into()]),
        ),
        entity(
            "ru:3",
            Schema::LegalEntity,
            "Zorya Holdings",
            Distribution::Originator,
        ),
        entity("ru:4", Schema::Vessel, "MV Zorya", Distribution::Public),
    ];
    let mut objects = stix::tlp_marking_definitions();
    let mut authorities = seed_authorities();
    authorities.push(vigil_model::Authority {
        code: "KZ-KNB".into(),
        name: "KNB (KZ)".into(),
        kind: vigil_model::AuthorityKind::CompetentAuthority,
        country: Some("KZ".into()),
        parent: Some("KZ".into()),
    });
    objects.extend(authorities.iter().map(stix::authority_identity));
    let mut present = BTreeMap::new();
    for e in &entities {
        present.insert(e.id.to_string(), stix::entity_stix_id(e));
        objects.extend(stix::entity_objects(
            e,
            "RU",
            true,
            "2026-11-01T08:00:00.000000Z",
        ));
    }
    objects.extend(stix::message_objects(
        &message(1, Kind::Alert, &["ru:2"]),
        &present,
    ));
    objects.extend(stix::message_objects(
        &message(2, Kind::Request, &["ru:1", "ref:vr1-00"]),
        &present,
    ));
    objects.extend(stix::message_objects(
        &message(3, Kind::Reply, &[]),
        &present,
    ));
    stix::bundle(objects)
}

#[test]
fn vigil_bundles_validate_against_the_oasis_schemas() {
    let Some(root) = vigil_testkit::shared_data("stix/cti-stix2-json-schemas/schemas") else {
        return;
    };
    let schemas = schema::Schemas::load(&root);
    // The validator accepts the OASIS examples…
    let examples = root.join("../examples");
    for name in [
        "indicator-for-c2-ip-address.json",
        "threat-reports/apt1.json",
        "indicators-for-C2-with-COA.json",
    ] {
        let text = std::fs::read_to_string(examples.join(name)).unwrap();
        let bundle: Value = serde_json::from_str(&text).unwrap();
        schemas
            .validate("common/bundle.json", &bundle)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    // …and the TLP 2.0 marking definitions as OASIS publishes them.
    let tlp = vigil_testkit::shared_data("stix/tlp-2.0").unwrap();
    let official: Vec<Value> = [
        "examples/tlp-clear.json",
        "examples/tlp-amber.json",
        "examples/tlp-amber+strict.json",
        "objects/marking-definition/marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb.json",
        "objects/marking-definition/marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1.json",
    ]
    .iter()
    .map(|p| {
        let v: Value =
            serde_json::from_str(&std::fs::read_to_string(tlp.join(p)).unwrap()).unwrap();
        v["objects"][0].clone()
    })
    .collect();
    let ours = stix::tlp_marking_definitions();
    for o in &official {
        let mine = ours
            .iter()
            .find(|m| m["id"] == o["id"])
            .unwrap_or_else(|| panic!("{} missing", o["id"]));
        assert_eq!(mine, o, "our TLP marking differs from the OASIS object");
    }
    // Vigil's export validates, object by object and as a bundle.
    let bundle = vigil_bundle();
    schemas.validate("common/bundle.json", &bundle).unwrap();
    let objects = bundle["objects"].as_array().unwrap();
    let types: std::collections::BTreeSet<&str> =
        objects.iter().filter_map(|o| o["type"].as_str()).collect();
    assert_eq!(
        types.into_iter().collect::<Vec<_>>(),
        [
            "identity",
            "marking-definition",
            "relationship",
            "report",
            "sighting",
            "threat-actor"
        ]
    );
    for o in objects {
        let t = o["type"].as_str().unwrap();
        let file = match t {
            "marking-definition" => "common/marking-definition.json".to_string(),
            "relationship" | "sighting" => format!("sros/{t}.json"),
            _ => format!("sdos/{t}.json"),
        };
        schemas
            .validate(&file, o)
            .unwrap_or_else(|e| panic!("{}: {e}", o["id"]));
    }
    // And the validator refuses what the schemas forbid, so the passes above mean something.
    let ta = objects
        .iter()
        .find(|o| o["type"] == "threat-actor")
        .unwrap();
    for (field, bad) in [
        ("created", json!("2026-11-28")),
        ("id", json!("threat-actor--1234")),
        ("spec_version", json!("3.0")),
        ("name", json!(5)),
    ] {
        let mut broken = ta.clone();
        broken[field] = bad;
        assert!(
            schemas.validate("sdos/threat-actor.json", &broken).is_err(),
            "{field} accepted"
        );
    }
    let mut unnamed = ta.clone();
    unnamed.as_object_mut().unwrap().remove("name");
    assert!(schemas
        .validate("sdos/threat-actor.json", &unnamed)
        .is_err());
    let mut bad_bundle = bundle.clone();
    bad_bundle["objects"][0]["type"] = json!("x");
    assert!(schemas.validate("common/bundle.json", &bad_bundle).is_err());
}

#[test]
fn exports_are_stable_and_use_the_standard_marking_ids() {
    let a = vigil_bundle();
    let b = vigil_bundle();
    assert_eq!(a, b);
    let objects = a["objects"].as_array().unwrap();
    let id_of = |vigil: &str| {
        objects
            .iter()
            .find(|o| o["external_references"][0]["external_id"] == vigil)
            .unwrap()
            .clone()
    };
    assert_eq!(
        id_of("ru:1")["object_marking_refs"][0],
        "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb"
    );
    assert_eq!(id_of("ru:2")["identity_class"], "individual");
    assert_eq!(
        id_of("ru:2")["object_marking_refs"][0],
        "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421"
    );
    assert_eq!(id_of("ru:3")["type"], "threat-actor");
    assert_eq!(
        id_of("ru:3")["object_marking_refs"][0],
        "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003"
    );
    assert_eq!(
        id_of("ru:4")["object_marking_refs"][0],
        "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487"
    );
    let sighting = objects.iter().find(|o| o["type"] == "sighting").unwrap();
    assert_eq!(sighting["sighting_of_ref"], id_of("ru:2")["id"]);
    assert_eq!(sighting["first_seen"], "2026-11-28T10:00:00.000Z");
    let report = objects.iter().find(|o| o["x_vigil_message"] == 2).unwrap();
    // The restricted reference has no object in the bundle: only what is present is referred to.
    assert_eq!(report["object_refs"].as_array().unwrap().len(), 2);
    // What the writer makes, the reader reads back.
    let read = stix::read_bundle(&a.to_string()).unwrap();
    assert_eq!(read.designations.len(), 3);
    assert_eq!(read.sightings.len(), 1);
}
