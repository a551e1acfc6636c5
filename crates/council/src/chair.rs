//! The chairmanship: a rotation order and an anchor (the state that took the chair on a given
//! date); each term lasts one year from the anchor's anniversary. Recorded terms override the
//! rotation for their dates and may not overlap one another.

use serde::{Deserialize, Serialize};

use crate::{Date, Result, RuleError};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rotation {
    /// Member states (ISO codes) in the order the chair passes.
    pub order: Vec<String>,
    /// The state that took the chair on `anchor`.
    pub anchor_state: String,
    pub anchor: Date,
}

/// A term of the chair: `starts` inclusive, `ends` exclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChairTerm {
    pub state: String,
    pub starts: Date,
    pub ends: Date,
    /// True for a recorded term that overrides the rotation.
    #[serde(default)]
    pub overridden: bool,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub reason: String,
}

impl Rotation {
    pub fn check(&self) -> Result<()> {
        if self.order.is_empty() {
            return Err(RuleError::new("order", "the rotation order is empty"));
        }
        for (i, s) in self.order.iter().enumerate() {
            if self.order[..i].contains(s) {
                return Err(RuleError::new(
                    "order",
                    format!("{s} appears twice in the rotation order"),
                ));
            }
        }
        if !self.order.contains(&self.anchor_state) {
            return Err(RuleError::new(
                "anchor_state",
                format!("{} is not in the rotation order", self.anchor_state),
            ));
        }
        Ok(())
    }

    /// The rotation's term containing `on` (ignoring recorded overrides).
    pub fn term_on(&self, on: Date) -> Option<ChairTerm> {
        let n = self.order.len() as i64;
        let base = self.order.iter().position(|s| *s == self.anchor_state)? as i64;
        // Guess the term index from the year difference, then step to the right term.
        let mut k = on.year() - self.anchor.year();
        while self.anchor.add_years(k) > on {
            k -= 1;
        }
        while self.anchor.add_years(k + 1) <= on {
            k += 1;
        }
        let state = self.order.get((base + k).rem_euclid(n) as usize)?.clone();
        Some(ChairTerm {
            state,
            starts: self.anchor.add_years(k),
            ends: self.anchor.add_years(k + 1),
            overridden: false,
            reason: String::new(),
        })
    }
}

/// Who chairs on `on`: a recorded term covering the date, else the rotation's term.
pub fn chair_on(rotation: &Rotation, recorded: &[ChairTerm], on: Date) -> Option<ChairTerm> {
    recorded
        .iter()
        .find(|t| t.starts <= on && on < t.ends)
        .cloned()
        .or_else(|| rotation.term_on(on))
}

/// Checks a term to record against those recorded already.
pub fn check_new_term(term: &ChairTerm, recorded: &[ChairTerm], members: &[String]) -> Result<()> {
    if !members.contains(&term.state) {
        return Err(RuleError::new(
            "state",
            format!("{} is not a member state", term.state),
        ));
    }
    if term.ends <= term.starts {
        return Err(RuleError::new(
            "ends",
            format!(
                "the term ends ({}) on or before it starts ({})",
                term.ends, term.starts
            ),
        ));
    }
    if let Some(other) = recorded
        .iter()
        .find(|t| t.starts < term.ends && term.starts < t.ends)
    {
        return Err(RuleError::new(
            "starts",
            format!(
                "the term {}..{} overlaps the recorded term of {} from {} to {}",
                term.starts, term.ends, other.state, other.starts, other.ends
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        Date::parse("d", s).unwrap()
    }

    fn rotation() -> Rotation {
        Rotation {
            order: ["BY", "IN", "IR", "KZ"].map(String::from).to_vec(),
            anchor_state: "IN".into(),
            anchor: d("2026-10-28"),
        }
    }

    #[test]
    fn rotation_passes_yearly_in_order_both_ways() {
        let r = rotation();
        r.check().unwrap();
        let t = r.term_on(d("2026-11-28")).unwrap();
        assert_eq!(
            (t.state.as_str(), t.starts, t.ends),
            ("IN", d("2026-10-28"), d("2027-10-28"))
        );
        assert_eq!(r.term_on(d("2026-10-28")).unwrap().state, "IN");
        assert_eq!(r.term_on(d("2026-10-27")).unwrap().state, "BY");
        assert_eq!(r.term_on(d("2027-10-28")).unwrap().state, "IR");
        assert_eq!(r.term_on(d("2029-12-01")).unwrap().state, "BY");
        assert_eq!(r.term_on(d("2020-01-01")).unwrap().state, "IR");
    }

    #[test]
    fn recorded_terms_override_and_may_not_overlap() {
        let r = rotation();
        let members: Vec<String> = r.order.clone();
        let over = ChairTerm {
            state: "KZ".into(),
            starts: d("2027-10-28"),
            ends: d("2028-10-28"),
            overridden: true,
            reason: "Iran asked to defer".into(),
        };
        check_new_term(&over, &[], &members).unwrap();
        let recorded = vec![over.clone()];
        assert_eq!(
            chair_on(&r, &recorded, d("2028-01-01")).unwrap().state,
            "KZ"
        );
        assert_eq!(
            chair_on(&r, &recorded, d("2026-12-01")).unwrap().state,
            "IN"
        );
        let overlapping = ChairTerm {
            starts: d("2028-06-01"),
            ends: d("2029-06-01"),
            ..over.clone()
        };
        let e = check_new_term(&overlapping, &recorded, &members).unwrap_err();
        assert!(e.message.contains("overlaps"), "{e}");
        let backwards = ChairTerm {
            starts: d("2030-01-01"),
            ends: d("2029-01-01"),
            ..over.clone()
        };
        assert_eq!(
            check_new_term(&backwards, &recorded, &members)
                .unwrap_err()
                .field,
            "ends"
        );
        let stranger = ChairTerm {
            state: "US".into(),
            starts: d("2031-01-01"),
            ends: d("2032-01-01"),
            ..over
        };
        assert_eq!(
            check_new_term(&stranger, &recorded, &members)
                .unwrap_err()
                .field,
            "state"
        );
    }

    #[test]
    fn bad_rotations_are_refused() {
        let mut r = rotation();
        r.anchor_state = "CN".into();
        assert!(r.check().is_err());
        r.order = vec![];
        assert!(r.check().is_err());
        r.order = vec!["IN".into(), "IN".into()];
        r.anchor_state = "IN".into();
        assert!(r.check().is_err());
    }
}
