//! The council's records: every refused write changes nothing, positions and adopted decisions
//! are frozen by the store itself.

use vigil_council::consensus::{Position, Procedure, Status};
use vigil_council::money::{parse_share, Money};
use vigil_council::{ChairTerm, Date, Rotation};
use vigil_store::council::{NewDecision, NewDelegate, NewMeeting, Payment};
use vigil_store::{AuditFilter, NewAuditEntry, Outcome, Store, StoreError};
use vigil_testkit::store_test;

const NOW: &str = "2026-05-18T09:00:00Z";

fn d(s: &str) -> Date {
    Date::parse("d", s).unwrap()
}

fn audit(action: &str) -> NewAuditEntry {
    NewAuditEntry::new("sec", "RATS-EC", action, Outcome::Success)
}

async fn count(store: &Store, table: &str) -> i64 {
    sqlx::query_scalar(sqlx::AssertSqlSafe(format!("SELECT COUNT(*) FROM {table}")))
        .fetch_one(store.pool())
        .await
        .unwrap()
}

fn decision(number: &str, procedure: Procedure) -> NewDecision {
    NewDecision {
        number: number.into(),
        title: format!("Decision {number}"),
        text: "The Council decides.".into(),
        meeting_id: None,
        procedure,
    }
}

fn shares() -> Vec<(String, i64)> {
    [
        ("CN", "17.6"),
        ("RU", "17.6"),
        ("KZ", "15.2"),
        ("UZ", "12.6"),
        ("KG", "7.6"),
        ("TJ", "6.0"),
        ("IN", "5.9"),
        ("PK", "5.9"),
        ("BY", "5.8"),
        ("IR", "5.8"),
    ]
    .iter()
    .map(|(s, p)| (s.to_string(), parse_share("share", p).unwrap()))
    .collect()
}

fn rule_field(e: &StoreError) -> &str {
    match e {
        StoreError::CouncilRule(r) | StoreError::CouncilConflict(r) => &r.field,
        other => panic!("expected a council rule error, got {other}"),
    }
}

store_test!(members_are_seeded_with_accession_dates, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let members = store.council_members().await.unwrap();
    assert_eq!(members.len(), 10);
    let by = members.iter().find(|m| m.state == "BY").unwrap();
    assert_eq!(by.since, d("2024-07-04"));
});

store_test!(chair_rotation_and_overlapping_terms, |db| {
    let store = Store::open(&db.location).await.unwrap();
    assert!(store.chair_on(d("2026-11-28")).await.unwrap().is_none());
    let rotation = Rotation {
        order: ["BY", "IN", "IR", "KZ", "KG", "CN", "PK", "RU", "TJ", "UZ"]
            .map(String::from)
            .to_vec(),
        anchor_state: "IN".into(),
        anchor: d("2026-10-28"),
    };
    store
        .set_chair_rotation(&rotation, &audit("council.chair.rotation"))
        .await
        .unwrap();
    assert_eq!(
        store
            .chair_on(d("2026-11-28"))
            .await
            .unwrap()
            .unwrap()
            .state,
        "IN"
    );
    assert_eq!(
        store
            .chair_on(d("2027-11-28"))
            .await
            .unwrap()
            .unwrap()
            .state,
        "IR"
    );
    let term = ChairTerm {
        state: "KZ".into(),
        starts: d("2027-10-28"),
        ends: d("2028-10-28"),
        overridden: true,
        reason: "exchange of terms".into(),
    };
    store
        .record_chair_term(&term, &audit("council.chair.override"))
        .await
        .unwrap();
    assert_eq!(
        store
            .chair_on(d("2027-11-28"))
            .await
            .unwrap()
            .unwrap()
            .state,
        "KZ"
    );
    let audits = count(&store, "audit_log").await;
    let overlapping = ChairTerm {
        starts: d("2028-01-01"),
        ends: d("2029-01-01"),
        state: "RU".into(),
        ..term
    };
    let e = store
        .record_chair_term(&overlapping, &audit("council.chair.override"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("overlaps"), "{e}");
    assert_eq!(count(&store, "council_chair_terms").await, 1);
    assert_eq!(count(&store, "audit_log").await, audits, "nothing appended");
});

store_test!(consensus_positions_and_frozen_decisions, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let id = store
        .create_decision(
            &decision("RATS-C/2026/1", Procedure::Meeting),
            NOW,
            &audit("council.decision.create"),
        )
        .await
        .unwrap();
    // A position for a non-member is refused.
    let e = store
        .record_position(
            id,
            "US",
            Position::Agree,
            false,
            "",
            NOW,
            &audit("council.position"),
        )
        .await
        .unwrap_err();
    assert_eq!(rule_field(&e), "state");
    assert_eq!(count(&store, "council_positions").await, 0);
    store
        .record_position(
            id,
            "PK",
            Position::Object,
            false,
            "",
            NOW,
            &audit("council.position"),
        )
        .await
        .unwrap();
    // Adoption is impossible while any member objects.
    let e = store
        .adopt_decision(id, NOW, &audit("council.decision.adopt"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("PK objects"), "{e}");
    // The objection is withdrawn: the latest position counts.
    store
        .record_position(
            id,
            "PK",
            Position::Agree,
            false,
            "",
            NOW,
            &audit("council.position"),
        )
        .await
        .unwrap();
    let adopted = store
        .adopt_decision(id, NOW, &audit("council.decision.adopt"))
        .await
        .unwrap();
    assert_eq!(adopted.status, Status::Adopted);
    assert_eq!(adopted.positions.len(), 10);
    // A vote after adoption is refused; the text is frozen in the store itself.
    let before = count(&store, "council_positions").await;
    let e = store
        .record_position(
            id,
            "IN",
            Position::Object,
            false,
            "",
            NOW,
            &audit("council.position"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::CouncilConflict(_)), "{e}");
    assert_eq!(count(&store, "council_positions").await, before);
    assert!(
        sqlx::query("UPDATE council_decisions SET text = 'changed' WHERE id = $1")
            .bind(id)
            .execute(store.pool())
            .await
            .is_err()
    );
    assert!(sqlx::query("DELETE FROM council_positions")
        .execute(store.pool())
        .await
        .is_err());
    assert_eq!(
        store.decision(id, NOW).await.unwrap().text,
        "The Council decides."
    );
});

store_test!(silence_procedure_deadlines, |db| {
    let store = Store::open(&db.location).await.unwrap();
    // A deadline in the past is refused.
    let e = store
        .create_decision(
            &decision(
                "S/1",
                Procedure::Silence {
                    deadline: "2026-05-01".into(),
                },
            ),
            NOW,
            &audit("council.decision.create"),
        )
        .await
        .unwrap_err();
    assert_eq!(rule_field(&e), "silence_deadline");
    assert_eq!(count(&store, "council_decisions").await, 0);
    let passes = store
        .create_decision(
            &decision(
                "S/2",
                Procedure::Silence {
                    deadline: "2026-06-01T00:00:00Z".into(),
                },
            ),
            NOW,
            &audit("council.decision.create"),
        )
        .await
        .unwrap();
    let fails = store
        .create_decision(
            &decision(
                "S/3",
                Procedure::Silence {
                    deadline: "2026-06-01T00:00:00Z".into(),
                },
            ),
            NOW,
            &audit("council.decision.create"),
        )
        .await
        .unwrap();
    // An objection under silence must be in writing; in writing, it breaks the silence.
    let e = store
        .record_position(
            fails,
            "IR",
            Position::Object,
            false,
            "",
            NOW,
            &audit("council.position"),
        )
        .await
        .unwrap_err();
    assert_eq!(rule_field(&e), "in_writing");
    let failed = store
        .record_position(
            fails,
            "IR",
            Position::Object,
            true,
            "letter",
            NOW,
            &audit("council.position"),
        )
        .await
        .unwrap();
    assert_eq!(failed.status, Status::Failed);
    assert_eq!(
        store
            .decision(passes, "2026-05-31T23:59:59Z")
            .await
            .unwrap()
            .status,
        Status::Open
    );
    let passed = store
        .decision(passes, "2026-06-01T00:00:01Z")
        .await
        .unwrap();
    assert_eq!(passed.status, Status::Adopted);
    assert_eq!(passed.decided_at.as_deref(), Some("2026-06-01T00:00:00Z"));
    let settled = store
        .audit_log(&AuditFilter {
            action: Some("council.decision.settle".into()),
            ..Default::default()
        })
        .await
        .unwrap();
    assert_eq!(settled.len(), 2, "the failure and the adoption are audited");
    // Past the deadline, no more positions.
    let e = store
        .record_position(
            passes,
            "CN",
            Position::Agree,
            false,
            "",
            "2026-06-02T00:00:00Z",
            &audit("council.position"),
        )
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::CouncilConflict(_)), "{e}");
});

store_test!(delegates_must_arrive_before_leaving, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let meeting = store
        .create_meeting(
            &NewMeeting {
                kind: "regular".into(),
                title: "Council".into(),
                host_state: "IN".into(),
                venue: "New Delhi".into(),
                starts: d("2026-05-17"),
                ends: d("2026-05-20"),
                agenda: vec!["Report".into()],
                parent_id: None,
            },
            &audit("council.meeting.create"),
        )
        .await
        .unwrap();
    let delegate = NewDelegate {
        state: "PK".into(),
        name: "A. Delegate".into(),
        role: "member".into(),
        arrival: d("2026-05-20"),
        departure: d("2026-05-16"),
        entry_point: "Wagah".into(),
        visa_status: "issued".into(),
    };
    let e = store
        .add_delegate(meeting, &delegate, &audit("council.delegate.add"))
        .await
        .unwrap_err();
    assert_eq!(rule_field(&e), "departure");
    assert!(e.to_string().contains("before arriving"), "{e}");
    assert_eq!(count(&store, "council_delegates").await, 0);
    let ok = NewDelegate {
        arrival: d("2026-05-16"),
        departure: d("2026-05-20"),
        ..delegate
    };
    store
        .add_delegate(meeting, &ok, &audit("council.delegate.add"))
        .await
        .unwrap();
    assert_eq!(store.meeting(meeting).await.unwrap().delegates.len(), 1);
});

store_test!(budget_sums_exactly_and_refuses_bad_money, |db| {
    let store = Store::open(&db.location).await.unwrap();
    let mut short = shares();
    short.pop();
    let e = store
        .set_budget(
            2026,
            Money(350_000_003),
            "USD",
            &short,
            &audit("council.budget"),
        )
        .await
        .unwrap_err();
    assert!(e.to_string().contains("not 100%"), "{e}");
    assert_eq!(count(&store, "council_budgets").await, 0);
    let budget = store
        .set_budget(
            2026,
            Money(350_000_003),
            "USD",
            &shares(),
            &audit("council.budget"),
        )
        .await
        .unwrap();
    assert_eq!(budget.total_due, Money(350_000_003));
    assert_eq!(budget.total_arrears, budget.total_due);
    let pay = |currency: &str, amount: i64| Payment {
        state: "IN".into(),
        amount: Money(amount),
        currency: currency.into(),
        received_on: d("2026-03-01"),
    };
    let e = store
        .record_payment(2026, &pay("XYZ", 100), &audit("council.payment"))
        .await
        .unwrap_err();
    assert!(e.to_string().contains("unknown currency"), "{e}");
    assert!(store
        .record_payment(2026, &pay("EUR", 100), &audit("council.payment"))
        .await
        .is_err());
    assert_eq!(count(&store, "council_payments").await, 0);
    let due_in = budget
        .contributions
        .iter()
        .find(|c| c.state == "IN")
        .unwrap()
        .due;
    let after = store
        .record_payment(2026, &pay("USD", due_in.0 - 5), &audit("council.payment"))
        .await
        .unwrap();
    let india = after
        .contributions
        .iter()
        .find(|c| c.state == "IN")
        .unwrap();
    assert_eq!(india.arrears, Money(5));
    assert_eq!(
        after.total_paid.0 + after.total_arrears.0,
        after.total_due.0
    );
});

store_test!(documents_are_versioned_until_final, |db| {
    use vigil_store::council::NewDocument;
    let store = Store::open(&db.location).await.unwrap();
    let doc = |stage: &str| NewDocument {
        symbol: "RATS/C/2027/DOC.1".into(),
        stage: stage.into(),
        title: "Report".into(),
        body: "text".into(),
    };
    assert_eq!(
        store
            .add_document(None, &doc("draft"), &audit("council.document.add"))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .add_document(None, &doc("revised"), &audit("council.document.add"))
            .await
            .unwrap(),
        2
    );
    assert_eq!(
        store
            .add_document(None, &doc("final"), &audit("council.document.add"))
            .await
            .unwrap(),
        3
    );
    let e = store
        .add_document(None, &doc("revised"), &audit("council.document.add"))
        .await
        .unwrap_err();
    assert!(matches!(e, StoreError::CouncilConflict(_)), "{e}");
    let e = store
        .add_document(None, &doc("published"), &audit("council.document.add"))
        .await
        .unwrap_err();
    assert_eq!(rule_field(&e), "stage");
    assert_eq!(count(&store, "council_documents").await, 3);
    assert!(sqlx::query("UPDATE council_documents SET body = 'x'")
        .execute(store.pool())
        .await
        .is_err());
});
