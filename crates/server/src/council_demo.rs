//! `vigil council demo`: example data modelled on a RATS Council session in New Delhi under
//! India's chairmanship, so that a new user sees a populated council at once. Names of people,
//! amounts and the objecting state are invented for the example; the member states, their
//! order and India's chair from 28 October 2026 are the documented facts.

use serde::Serialize;
use serde_json::json;
use vigil_council::consensus::{Position, Procedure};
use vigil_council::money::{parse_share, Money};
use vigil_council::{Date, Rotation, RuleError};
use vigil_model::Role;
use vigil_store::council::{
    NewAction, NewDecision, NewDelegate, NewDocument, NewMeeting, NewPlan, NewTask, Payment,
};
use vigil_store::{NewAuditEntry, Outcome, Store, StoreError};

/// The member states with their Russian names: the chair rotates in Russian alphabetical order.
pub const MEMBERS_RU: [(&str, &str); 10] = [
    ("BY", "Беларусь"),
    ("IN", "Индия"),
    ("IR", "Иран"),
    ("KZ", "Казахстан"),
    ("CN", "Китай"),
    ("KG", "Кыргызстан"),
    ("PK", "Пакистан"),
    ("RU", "Россия"),
    ("TJ", "Таджикистан"),
    ("UZ", "Узбекистан"),
];

/// Assessed shares of the Executive Committee's budget from 2025 (percent).
pub const SHARES_2025: [(&str, &str); 10] = [
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
];

/// The secretariat user the demo acts as (created when absent).
pub const SECRETARIAT_USER: &str = "council-secretariat";

/// The user recording a member state's positions in the demo: `rep-in` for India.
pub fn rep_user(state: &str) -> String {
    format!("rep-{}", state.to_lowercase())
}

#[derive(Debug, Clone, Serialize)]
pub struct DemoSummary {
    pub meeting: i64,
    pub side_event: i64,
    pub next_meeting: i64,
    pub decisions: Vec<(String, String)>,
    pub plans: Vec<i64>,
    pub users: Vec<String>,
}

fn d(text: &str) -> Result<Date, StoreError> {
    Date::parse("date", text).map_err(StoreError::CouncilRule)
}

/// The chair's rotation order: the member states sorted by their Russian names.
pub fn rotation_order() -> Vec<String> {
    let mut members = MEMBERS_RU.to_vec();
    members.sort_by(|a, b| a.1.cmp(b.1));
    members.into_iter().map(|(s, _)| s.to_string()).collect()
}

/// Fills an empty council with the New Delhi scenario; refused when meetings exist already.
pub async fn demo(store: &Store) -> Result<DemoSummary, StoreError> {
    if !store.meetings().await?.is_empty() {
        return Err(StoreError::CouncilConflict(RuleError::new(
            "council",
            "the council holds meetings already; the demo fills an empty council only",
        )));
    }
    let mut users = Vec::new();
    let existing: Vec<String> = store.users().await?.into_iter().map(|u| u.name).collect();
    if !existing.iter().any(|u| u == SECRETARIAT_USER) {
        store
            .add_user(SECRETARIAT_USER, "RATS-EC", Role::Secretariat)
            .await?;
        users.push(SECRETARIAT_USER.to_string());
    }
    for (state, _) in MEMBERS_RU {
        let name = rep_user(state);
        if !existing.contains(&name) {
            store.add_user(&name, state, Role::Analyst).await?;
            users.push(name);
        }
    }
    let sec =
        |action: &str| NewAuditEntry::new(SECRETARIAT_USER, "RATS-EC", action, Outcome::Success);
    let rep = |state: &str| {
        NewAuditEntry::new(
            &rep_user(state),
            state,
            "council.position",
            Outcome::Success,
        )
    };

    store
        .set_chair_rotation(
            &Rotation {
                order: rotation_order(),
                anchor_state: "IN".into(),
                anchor: d("2026-10-28")?,
            },
            &sec("council.chair.rotation"),
        )
        .await?;

    // Each member state's permanent representative to the Council (names invented).
    for (state, _) in MEMBERS_RU {
        store
            .add_representative(
                &vigil_store::council::Representative {
                    id: 0,
                    body: "council".into(),
                    body_id: None,
                    state: state.into(),
                    person: format!("Permanent representative {state}"),
                    role: "permanent representative".into(),
                    since: d("2026-01-01")?,
                    until: None,
                },
                &sec("council.representative.add"),
            )
            .await?;
    }

    let meeting = store
        .create_meeting(
            &NewMeeting {
                kind: "regular".into(),
                title: "Meeting of the Council of the SCO Regional Anti-Terrorist Structure".into(),
                host_state: "IN".into(),
                venue: "New Delhi".into(),
                starts: d("2027-05-17")?,
                ends: d("2027-05-20")?,
                agenda: vec![
                    "Opening by the chair (India)".into(),
                    "Draft report of the RATS Council to the Council of Heads of State".into(),
                    "Financing of the Executive Committee in 2027".into(),
                    "Joint working plan with INTERPOL".into(),
                    "Implementation of earlier decisions".into(),
                ],
                parent_id: None,
            },
            &sec("council.meeting.create"),
        )
        .await?;
    let side_event = store
        .create_meeting(
            &NewMeeting {
                kind: "side_event".into(),
                title:
                    "The Executive Committee's Director meets India's national security officials"
                        .into(),
                host_state: "IN".into(),
                venue: "New Delhi, on the sidelines of the Council meeting".into(),
                starts: d("2027-05-18")?,
                ends: d("2027-05-18")?,
                agenda: vec![
                    "Cooperation of the Executive Committee with India's authorities".into(),
                ],
                parent_id: Some(meeting),
            },
            &sec("council.meeting.create"),
        )
        .await?;

    // Delegations: a head of delegation per member state; Pakistan's three members cross at
    // Wagah the day before the meeting and stay until its last day.
    for (state, _) in MEMBERS_RU {
        let members: Vec<(String, &str)> = if state == "PK" {
            vec![
                ("Delegate PK-1".into(), "head of delegation"),
                ("Delegate PK-2".into(), "deputy head"),
                ("Delegate PK-3".into(), "expert"),
            ]
        } else {
            vec![(format!("Delegate {state}-1"), "head of delegation")]
        };
        for (name, role) in members {
            let (arrival, entry_point, visa) = match state {
                "PK" => ("2027-05-16", "Attari-Wagah land crossing", "issued"),
                "IN" => ("2027-05-17", "host state", "not_required"),
                _ => (
                    "2027-05-16",
                    "Indira Gandhi International Airport",
                    "issued",
                ),
            };
            store
                .add_delegate(
                    meeting,
                    &NewDelegate {
                        state: state.into(),
                        name,
                        role: role.into(),
                        arrival: d(arrival)?,
                        departure: d("2027-05-20")?,
                        entry_point: entry_point.into(),
                        visa_status: visa.into(),
                    },
                    &sec("council.delegate.add"),
                )
                .await?;
        }
    }

    for (stage, body) in [
        ("draft", "Draft circulated to the delegations."),
        (
            "revised",
            "Revised after comments of the legal experts group.",
        ),
        ("final", "Final text as adopted by the Council."),
    ] {
        store
            .add_document(
                Some(meeting),
                &NewDocument {
                    symbol: "RATS/C/2027/DOC.1".into(),
                    stage: stage.into(),
                    title: "Report of the RATS Council to the Council of Heads of State".into(),
                    body: body.into(),
                },
                &sec("council.document.add"),
            )
            .await?;
    }

    let in_meeting = "2027-05-19T10:00:00Z";
    let adopted_at = "2027-05-20T12:00:00Z";
    let mut decisions = Vec::new();
    let report = store
        .create_decision(
            &NewDecision {
                number: "RATS-C/2027/1".into(),
                title: "Report of the RATS Council to the Council of Heads of State".into(),
                text: "The Council approves the report (document RATS/C/2027/DOC.1) and submits it to the Council of Heads of State.".into(),
                meeting_id: Some(meeting),
                procedure: Procedure::Meeting,
            },
            in_meeting,
            &sec("council.decision.create"),
        )
        .await?;
    let financing = store
        .create_decision(
            &NewDecision {
                number: "RATS-C/2027/2".into(),
                title: "Financing of the Executive Committee in 2027".into(),
                text: "The Council approves the Executive Committee's budget for 2027 and the members' assessed shares.".into(),
                meeting_id: Some(meeting),
                procedure: Procedure::Meeting,
            },
            in_meeting,
            &sec("council.decision.create"),
        )
        .await?;
    for id in [report, financing] {
        for (state, _) in MEMBERS_RU {
            store
                .record_position(
                    id,
                    state,
                    Position::Agree,
                    false,
                    "",
                    in_meeting,
                    &rep(state),
                )
                .await?;
        }
        let adopted = store
            .adopt_decision(id, adopted_at, &sec("council.decision.adopt"))
            .await?;
        decisions.push((adopted.number, adopted.status.as_str().to_string()));
    }

    let shares: Vec<(String, i64)> = SHARES_2025
        .iter()
        .map(|(s, p)| {
            Ok((
                s.to_string(),
                parse_share("share", p).map_err(StoreError::CouncilRule)?,
            ))
        })
        .collect::<Result<_, StoreError>>()?;
    store
        .set_budget(
            2027,
            Money(400_000_000),
            "USD",
            &shares,
            &sec("council.budget.set"),
        )
        .await?;
    let budget = store.budget(2027).await?;
    for c in &budget.contributions {
        let paid = match c.state.as_str() {
            "CN" | "RU" | "KZ" | "IN" => c.due,
            "UZ" => Money(c.due.0 / 2),
            _ => continue,
        };
        store
            .record_payment(
                2027,
                &Payment {
                    state: c.state.clone(),
                    amount: paid,
                    currency: "USD".into(),
                    received_on: d("2027-03-31")?,
                },
                &sec("council.payment"),
            )
            .await?;
    }

    let silence = store
        .create_decision(
            &NewDecision {
                number: "RATS-C/2027/3".into(),
                title: "Amendments to the rules of procedure of the legal experts group".into(),
                text: "The Council amends the rules of procedure of the legal experts group."
                    .into(),
                meeting_id: None,
                procedure: Procedure::Silence {
                    deadline: "2027-06-15T00:00:00Z".into(),
                },
            },
            "2027-05-25T09:00:00Z",
            &sec("council.decision.create"),
        )
        .await?;
    for state in ["CN", "RU", "KZ"] {
        store
            .record_position(
                silence,
                state,
                Position::Agree,
                true,
                "",
                "2027-05-28T09:00:00Z",
                &rep(state),
            )
            .await?;
    }
    let failed = store
        .record_position(
            silence,
            "KG",
            Position::Object,
            true,
            "Objection in writing: the amendments need further consultation (example).",
            "2027-06-02T09:00:00Z",
            &rep("KG"),
        )
        .await?;
    decisions.push((failed.number, failed.status.as_str().to_string()));

    let transmit = store
        .add_task(
            report,
            &NewTask {
                description: "Transmit the adopted report to the Council of Heads of State".into(),
                authority: "RATS-EC".into(),
                due: d("2027-06-30")?,
            },
            &sec("council.task.add"),
        )
        .await?;
    store
        .report_task(
            transmit,
            "done",
            "Transmitted on 2027-06-10.",
            &sec("council.task.report"),
        )
        .await?;
    let contributions = store
        .add_task(
            financing,
            &NewTask {
                description: "Collect the outstanding 2027 contributions and report arrears".into(),
                authority: "RATS-EC".into(),
                due: d("2027-09-30")?,
            },
            &sec("council.task.add"),
        )
        .await?;
    store
        .report_task(
            contributions,
            "in_progress",
            "Four members paid in full, one in part.",
            &sec("council.task.report"),
        )
        .await?;
    store
        .add_task(
            report,
            &NewTask {
                description: "Prepare information on the implementation of the 2025-2027 cooperation programme".into(),
                authority: "RATS-EC".into(),
                due: d("2027-09-01")?,
            },
            &sec("council.task.add"),
        )
        .await?;

    let mut plans = Vec::new();
    let interpol = store
        .create_plan(
            &NewPlan {
                kind: "joint_plan".into(),
                title: "Joint working plan of the RATS Executive Committee and INTERPOL 2027-2028"
                    .into(),
                partner: Some("INTERPOL".into()),
                owner: "RATS-EC".into(),
                starts: d("2027-05-20")?,
                ends: d("2028-12-31")?,
                details: json!({"approved_by": "RATS-C/2027/1 session, New Delhi"}),
                exercise: None,
                agreement: None,
            },
            &sec("council.plan.create"),
        )
        .await?;
    plans.push(interpol);
    for (action, owner, deadline, status) in [
        (
            "Exchange contact points for urgent requests",
            "RATS-EC",
            "2027-07-01",
            "done",
        ),
        (
            "Joint workshop on foreign terrorist fighters",
            "RATS-EC and INTERPOL",
            "2027-11-30",
            "planned",
        ),
        (
            "Compare the unified search register with INTERPOL notices",
            "RATS-EC",
            "2028-06-30",
            "planned",
        ),
    ] {
        store
            .add_action(
                interpol,
                &NewAction {
                    action: action.into(),
                    owner: owner.into(),
                    deadline: d(deadline)?,
                    status: status.into(),
                },
                &sec("council.action.add"),
            )
            .await?;
    }
    plans.push(
        store
            .create_plan(
                &NewPlan {
                    kind: "programme".into(),
                    title: "Programme of cooperation in combating terrorism, separatism and extremism 2025-2027".into(),
                    partner: None,
                    owner: "Council".into(),
                    starts: d("2025-01-01")?,
                    ends: d("2027-12-31")?,
                    details: json!({}),
                    exercise: None,
                    agreement: None,
                },
                &sec("council.plan.create"),
            )
            .await?,
    );
    plans.push(
        store
            .create_plan(
                &NewPlan {
                    kind: "work_plan".into(),
                    title: "Work plan of the Executive Committee for 2027".into(),
                    partner: None,
                    owner: "RATS-EC".into(),
                    starts: d("2027-01-01")?,
                    ends: d("2027-12-31")?,
                    details: json!({}),
                    exercise: None,
                    agreement: None,
                },
                &sec("council.plan.create"),
            )
            .await?,
    );
    plans.push(
        store
            .create_plan(
                &NewPlan {
                    kind: "exercise".into(),
                    title: "Joint cyber exercise (example)".into(),
                    partner: None,
                    owner: "RATS-EC".into(),
                    starts: d("2027-10-05")?,
                    ends: d("2027-10-07")?,
                    details: json!({}),
                    exercise: Some(vigil_store::council::Exercise {
                        participants: ["CN", "IN", "KZ", "KG", "PK", "RU", "TJ", "UZ"]
                            .into_iter()
                            .map(String::from)
                            .collect(),
                        scenario:
                            "Detecting and stopping terrorist propaganda and recruitment online"
                                .into(),
                        evaluation: Some("to be reported to the next Council meeting".into()),
                    }),
                    agreement: None,
                },
                &sec("council.plan.create"),
            )
            .await?,
    );
    plans.push(
        store
            .create_plan(
                &NewPlan {
                    kind: "agreement".into(),
                    title:
                        "Memorandum of understanding with the CIS Anti-Terrorism Centre (example)"
                            .into(),
                    partner: Some("CIS-ATC".into()),
                    owner: "RATS-EC".into(),
                    starts: d("2027-05-20")?,
                    ends: d("2032-05-19")?,
                    details: json!({}),
                    exercise: None,
                    agreement: Some(vigil_store::council::Agreement {
                        form: "memorandum".into(),
                        partner: "CIS-ATC".into(),
                        signed_on: d("2027-05-20")?,
                        in_force_from: d("2027-05-20")?,
                        in_force_to: Some(d("2032-05-19")?),
                    }),
                },
                &sec("council.plan.create"),
            )
            .await?,
    );

    let next_meeting = store
        .create_meeting(
            &NewMeeting {
                kind: "expert_group".into(),
                title: "Legal experts group: review of the New Delhi decisions".into(),
                host_state: "UZ".into(),
                venue: "Tashkent, seat of the Executive Committee".into(),
                starts: d("2027-09-14")?,
                ends: d("2027-09-15")?,
                agenda: vec![
                    "Implementation of decisions RATS-C/2027/1 and RATS-C/2027/2".into(),
                    "A new draft after the failed silence procedure on RATS-C/2027/3".into(),
                ],
                parent_id: None,
            },
            &sec("council.meeting.create"),
        )
        .await?;
    store
        .set_minutes(
            meeting,
            "The Council adopted by consensus the report to the Council of Heads of State (RATS-C/2027/1) and the financing of the Executive Committee (RATS-C/2027/2), and approved the joint working plan with INTERPOL.",
            &sec("council.meeting.minutes"),
        )
        .await?;
    Ok(DemoSummary {
        meeting,
        side_event,
        next_meeting,
        decisions,
        plans,
        users,
    })
}
