//! The search register's rules and formats, without a store.

use vigil_model::{EntityId, ListName};
use vigil_notices::formats::{self, NoticeView};
use vigil_notices::{
    check_notice, next_status, LocationSource, NoticeInput, Scope, Status, Step, StepContext,
};

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!(
        "{}/tests/fixtures/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("the fixture is there")
}

fn kz_red_notice() -> NoticeInput {
    formats::from_interpol(
        &fixture("red_notice_kz.json"),
        "KZ",
        "2025-12-01",
        "KNB duty officer",
    )
    .expect("KZ's own red notice reads")
}

fn cx(status: Status, actor: &str, located_by: Option<&str>) -> String {
    let step = Step::Locate {
        place: "Almaty".into(),
        at: "2026-01-02".into(),
        source: LocationSource::Manual,
        reference: None,
    };
    match next_status(
        &step,
        &StepContext {
            status,
            requesting_state: "KZ",
            located_by,
            actor_state: actor,
        },
    ) {
        Ok(s) => s.as_str().to_string(),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_red_notice_of_ones_own_state_becomes_a_notice() {
    let n = kz_red_notice();
    check_notice(&n, "KZ").expect("the imported notice passes the same checks");
    assert_eq!(n.person.names, ["AIDAR ZHUMABEKOV"]);
    assert_eq!(n.person.birth_dates, ["1990-07-21"]);
    assert_eq!(n.person.gender.as_deref(), Some("male"));
    assert_eq!(n.scope, Scope::AllMembers);
    assert!(n.offence.contains("Financing of terrorism"));
    assert_eq!(
        n.interpol.as_ref().map(|i| i.control_number.as_str()),
        Some("2025/81234")
    );
    // Another state's red notice is not KZ's to declare.
    let foreign =
        formats::from_interpol(&fixture("red_notice_foreign.json"), "KZ", "2025-12-01", "x")
            .unwrap_err();
    assert_eq!(foreign.field, "arrest_warrants");
    for (bad, field) in [
        ("not json", "red notice"),
        ("{\"forename\": \"A\", \"name\": \"B\"}", "entity_id"),
        ("{\"entity_id\": \"1\"}", "name"),
    ] {
        let e = formats::from_interpol(bad, "KZ", "2025-12-01", "x").unwrap_err();
        assert_eq!(e.field, field, "{bad}: {e}");
    }
}

#[test]
fn ftm_and_interpol_exports_read_back() {
    let n = kz_red_notice();
    let list = ListName::new("kz").unwrap();
    let id = EntityId::new(&list, "notice-abc").unwrap();
    let view = NoticeView {
        id: 7,
        entity_id: &id,
        requesting_authority: "KZ-KNB",
        status: Status::Circulated,
        input: &n,
    };
    let lines = formats::to_ftm(&view).unwrap();
    assert_eq!(lines[0]["schema"], "Person");
    assert_eq!(lines[0]["properties"]["topics"][0], "wanted");
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let back = formats::from_ftm(&text, Scope::AllMembers, "KNB duty officer").unwrap();
    assert_eq!(back.person.names, n.person.names);
    assert_eq!(back.person.birth_dates, n.person.birth_dates);
    assert_eq!(back.offence, n.offence);
    assert_eq!(back.criminal_code_article, n.criminal_code_article);
    assert_eq!(back.warrant, n.warrant);
    assert_eq!(back.declared_on, n.declared_on);
    check_notice(&back, "KZ").unwrap();

    let red = formats::to_interpol(&view);
    let again = formats::from_interpol(&red.to_string(), "KZ", "2025-12-01", "x").unwrap();
    assert_eq!(again.person.birth_dates, n.person.birth_dates);
    assert_eq!(red["name"], "ZHUMABEKOV");

    let stix = formats::to_stix(&view, "2025-12-01T00:00:00Z").unwrap();
    assert!(stix.iter().any(|o| o["type"] == "report"));
    for bad in ["", "{\"schema\": \"Person\", \"properties\": {}}", "[1]"] {
        assert!(
            formats::from_ftm(bad, Scope::AllMembers, "x").is_err(),
            "{bad:?}"
        );
    }
}

#[test]
fn each_step_is_taken_by_whom_it_belongs_to() {
    assert_eq!(cx(Status::Circulated, "IN", None), "located");
    assert!(cx(Status::Withdrawn, "IN", None).contains("withdrawn"));
    assert!(cx(Status::Detained, "IN", Some("IN")).contains("detained already"));
    let take = |step: Step, status: Status, actor: &str, located_by: Option<&str>| {
        next_status(
            &step,
            &StepContext {
                status,
                requesting_state: "KZ",
                located_by,
                actor_state: actor,
            },
        )
    };
    let withdraw = Step::Withdraw {
        reason: "found dead".into(),
        decision: "Decision 1".into(),
    };
    let by_other = take(withdraw.clone(), Status::Located, "IN", Some("IN")).unwrap_err();
    assert!(by_other.forbidden, "{by_other}");
    assert_eq!(
        take(withdraw, Status::Located, "KZ", Some("IN")).unwrap(),
        Status::Withdrawn
    );
    let detain = Step::Detain {
        at: "2026-01-03".into(),
        note: String::new(),
    };
    assert!(
        take(detain.clone(), Status::Located, "RU", Some("IN"))
            .unwrap_err()
            .forbidden
    );
    assert_eq!(
        take(detain.clone(), Status::Located, "IN", Some("IN")).unwrap(),
        Status::Detained
    );
    assert!(take(detain, Status::Circulated, "KZ", None).is_err());
    assert!(
        take(Step::Circulate, Status::Declared, "IN", None)
            .unwrap_err()
            .forbidden
    );
    let hand_over = Step::HandOver {
        at: "2026-02-01".into(),
        to: "KZ-KNB".into(),
    };
    assert_eq!(
        take(hand_over.clone(), Status::Detained, "IN", Some("IN")).unwrap(),
        Status::HandedOver
    );
    assert!(take(hand_over, Status::HandedOver, "IN", Some("IN")).is_err());
    let bad_time = Step::Locate {
        place: "Almaty".into(),
        at: "yesterday".into(),
        source: LocationSource::Manual,
        reference: None,
    };
    assert_eq!(
        take(bad_time, Status::Declared, "IN", None)
            .unwrap_err()
            .field,
        "at"
    );
}
