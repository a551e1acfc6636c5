//! Decisions by consensus: a decision is adopted when no member state objects, either in a
//! meeting or by a silence procedure that passes at its deadline unless a member objects in
//! writing before it. Once adopted or failed, nothing about a decision changes.

use serde::{Deserialize, Serialize};

use crate::{Result, RuleError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    Agree,
    Object,
    Abstain,
    NotYet,
}

impl Position {
    pub fn as_str(self) -> &'static str {
        match self {
            Position::Agree => "agree",
            Position::Object => "object",
            Position::Abstain => "abstain",
            Position::NotYet => "not_yet",
        }
    }
    pub fn parse(field: &str, s: &str) -> Result<Position> {
        [
            Position::Agree,
            Position::Object,
            Position::Abstain,
            Position::NotYet,
        ]
        .into_iter()
        .find(|p| p.as_str() == s)
        .ok_or_else(|| {
            RuleError::new(
                field,
                format!("{s:?} is not a position (agree, object, abstain, not_yet)"),
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Procedure {
    /// Put to the members in a meeting; the secretariat records adoption when no one objects.
    Meeting,
    /// Circulated with a deadline (UTC, `YYYY-MM-DDTHH:MM:SSZ`).
    Silence { deadline: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Open,
    Adopted,
    /// A silence procedure broken by an objection.
    Failed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Open => "open",
            Status::Adopted => "adopted",
            Status::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Status> {
        [Status::Open, Status::Adopted, Status::Failed]
            .into_iter()
            .find(|x| x.as_str() == s)
    }
}

/// Checks a new silence procedure: its deadline must lie after `now`.
pub fn check_silence_deadline(deadline: &str, now: &str) -> Result<()> {
    if deadline <= now {
        return Err(RuleError::new(
            "silence_deadline",
            format!("the deadline {deadline} is not in the future (now is {now})"),
        ));
    }
    Ok(())
}

/// Checks that `state` may record `position` on a decision in `status` under `procedure` at
/// `now`; `members` are the member states on the decision's date.
pub fn check_position(
    status: Status,
    procedure: &Procedure,
    state: &str,
    members: &[String],
    now: &str,
) -> Result<()> {
    if !members.iter().any(|m| m == state) {
        return Err(RuleError::new(
            "state",
            format!("{state} is not a member state of the council; only members take positions"),
        ));
    }
    match status {
        Status::Adopted => {
            return Err(RuleError::new(
                "decision",
                "the decision is adopted; its text and positions are frozen",
            ))
        }
        Status::Failed => {
            return Err(RuleError::new(
                "decision",
                "the decision's silence procedure failed; put a new draft to the members",
            ))
        }
        Status::Open => {}
    }
    if let Procedure::Silence { deadline } = procedure {
        if now >= deadline.as_str() {
            return Err(RuleError::new(
                "decision",
                format!("the silence procedure ended at {deadline}"),
            ));
        }
    }
    Ok(())
}

/// The objecting states among current positions.
pub fn objections(positions: &[(String, Position)]) -> Vec<&str> {
    positions
        .iter()
        .filter(|(_, p)| *p == Position::Object)
        .map(|(s, _)| s.as_str())
        .collect()
}

/// Whether the secretariat may record adoption in a meeting now: only with no objection.
pub fn check_adoption(
    status: Status,
    procedure: &Procedure,
    positions: &[(String, Position)],
) -> Result<()> {
    if status != Status::Open {
        return Err(RuleError::new(
            "decision",
            format!("the decision is {} already", status.as_str()),
        ));
    }
    if matches!(procedure, Procedure::Silence { .. }) {
        return Err(RuleError::new(
            "decision",
            "a silence procedure is adopted by its deadline, not by a meeting",
        ));
    }
    let objecting = objections(positions);
    if !objecting.is_empty() {
        return Err(RuleError::new(
            "decision",
            format!(
                "no consensus: {} object{}",
                objecting.join(", "),
                if objecting.len() == 1 { "s" } else { "" }
            ),
        ));
    }
    Ok(())
}

/// The status an open decision takes at `now`: a silence procedure fails on the first
/// objection and passes once its deadline has come without one; a meeting decision stays open
/// until adoption is recorded.
pub fn settle(
    status: Status,
    procedure: &Procedure,
    positions: &[(String, Position)],
    now: &str,
) -> Status {
    match (status, procedure) {
        (Status::Open, Procedure::Silence { deadline }) => {
            if !objections(positions).is_empty() {
                Status::Failed
            } else if now >= deadline.as_str() {
                Status::Adopted
            } else {
                Status::Open
            }
        }
        (s, _) => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn members() -> Vec<String> {
        ["CN", "IN", "PK", "RU"].map(String::from).to_vec()
    }

    fn silence() -> Procedure {
        Procedure::Silence {
            deadline: "2026-06-01T00:00:00Z".into(),
        }
    }

    #[test]
    fn positions_only_from_members_and_only_while_open() {
        let now = "2026-05-20T10:00:00Z";
        check_position(Status::Open, &Procedure::Meeting, "IN", &members(), now).unwrap();
        let e =
            check_position(Status::Open, &Procedure::Meeting, "US", &members(), now).unwrap_err();
        assert_eq!(e.field, "state");
        let e = check_position(Status::Adopted, &Procedure::Meeting, "IN", &members(), now)
            .unwrap_err();
        assert!(e.message.contains("frozen"), "{e}");
        assert!(check_position(Status::Failed, &silence(), "IN", &members(), now).is_err());
        let e = check_position(
            Status::Open,
            &silence(),
            "IN",
            &members(),
            "2026-06-01T00:00:00Z",
        )
        .unwrap_err();
        assert!(e.message.contains("ended"), "{e}");
    }

    #[test]
    fn adoption_needs_no_objection() {
        let mut positions = vec![
            ("CN".to_string(), Position::Agree),
            ("IN".to_string(), Position::Abstain),
            ("PK".to_string(), Position::NotYet),
        ];
        check_adoption(Status::Open, &Procedure::Meeting, &positions).unwrap();
        positions.push(("RU".into(), Position::Object));
        let e = check_adoption(Status::Open, &Procedure::Meeting, &positions).unwrap_err();
        assert!(e.message.contains("RU objects"), "{e}");
        assert!(check_adoption(Status::Adopted, &Procedure::Meeting, &[]).is_err());
        assert!(check_adoption(Status::Open, &silence(), &[]).is_err());
    }

    #[test]
    fn silence_passes_at_deadline_unless_someone_objects() {
        let agree = vec![("CN".to_string(), Position::Agree)];
        assert_eq!(
            settle(Status::Open, &silence(), &agree, "2026-05-31T23:59:59Z"),
            Status::Open
        );
        assert_eq!(
            settle(Status::Open, &silence(), &agree, "2026-06-01T00:00:00Z"),
            Status::Adopted
        );
        let objected = vec![("PK".to_string(), Position::Object)];
        assert_eq!(
            settle(Status::Open, &silence(), &objected, "2026-05-21T00:00:00Z"),
            Status::Failed
        );
        assert_eq!(
            settle(
                Status::Open,
                &Procedure::Meeting,
                &agree,
                "2030-01-01T00:00:00Z"
            ),
            Status::Open
        );
        assert_eq!(
            settle(
                Status::Adopted,
                &silence(),
                &objected,
                "2030-01-01T00:00:00Z"
            ),
            Status::Adopted
        );
        assert!(check_silence_deadline("2026-05-01T00:00:00Z", "2026-05-20T00:00:00Z").is_err());
        check_silence_deadline("2026-06-01T00:00:00Z", "2026-05-20T00:00:00Z").unwrap();
    }
}
