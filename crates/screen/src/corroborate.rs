//! Evidence besides the name: date of birth, nationality, document numbers.

use serde::Serialize;
use vigil_model::{country, BirthDate, DateSpec, Entity};

use crate::align::Params;

/// A query's date of birth, read leniently: "1969-7-16" is read as a date and "1974-01-32"
/// keeps its year, since a perturbed day should not discard the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueryDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

impl QueryDate {
    pub fn parse(text: &str) -> Option<QueryDate> {
        let t = text.trim();
        let mut parts = t.split(['-', '/', '.']).map(str::trim);
        let year: i32 = parts.next()?.parse().ok()?;
        if !(1000..=2999).contains(&year) {
            return None;
        }
        let month = parts
            .next()
            .and_then(|m| m.parse::<u8>().ok())
            .filter(|m| (1..=12).contains(m));
        let day = month.and_then(|_| {
            parts
                .next()
                .and_then(|d| d.parse::<u8>().ok())
                .filter(|d| (1..=31).contains(d))
        });
        Some(QueryDate { year, month, day })
    }
}

/// What the birth dates say, strongest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DateEvidence {
    Exact,
    DayMonthSwapped,
    Year,
    Range,
    Near,
    Conflict,
}

/// A listed date of birth as (first year, last year, month, day, approximate).
pub type ListedDate = (i32, i32, Option<u8>, Option<u8>, bool);

/// Entity facts kept in the index for corroboration.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub dates: Vec<ListedDate>,
    pub countries: Vec<&'static str>,
    pub documents: Vec<String>,
}

/// Document numbers compared without punctuation or case; short ones are too often shared.
pub fn normalize_document(s: &str) -> Option<String> {
    let n: String = s
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_uppercase())
        .collect();
    (n.len() >= 5).then_some(n)
}

impl Facts {
    pub fn of(e: &Entity) -> Facts {
        let mut f = Facts::default();
        for b in &e.birth_dates {
            if let Some(d) = date_bounds(b) {
                f.dates.push(d);
            }
        }
        for c in e.nationalities.iter().chain(&e.citizenships) {
            let code = c.code.as_deref().and_then(country::lookup);
            if let Some(code) = code.or_else(|| country::lookup(&c.text)) {
                if !f.countries.contains(&code) {
                    f.countries.push(code);
                }
            }
        }
        for d in &e.documents {
            if let Some(n) = normalize_document(&d.number) {
                f.documents.push(n);
            }
        }
        f
    }

    pub fn date_evidence(&self, q: &QueryDate) -> Option<DateEvidence> {
        let mut best: Option<DateEvidence> = None;
        for &(from, to, month, day, approximate) in &self.dates {
            let e = if from != to || approximate {
                let (lo, hi) = if approximate {
                    (from - 2, to + 2)
                } else {
                    (from, to)
                };
                if (lo..=hi).contains(&q.year) {
                    DateEvidence::Range
                } else if (lo - 1..=hi + 1).contains(&q.year) {
                    DateEvidence::Near
                } else {
                    DateEvidence::Conflict
                }
            } else if q.year == from {
                match (q.month, q.day, month, day) {
                    (Some(qm), Some(qd), Some(m), Some(d)) if qm == m && qd == d => {
                        DateEvidence::Exact
                    }
                    (Some(qm), Some(qd), Some(m), Some(d)) if qm == d && qd == m => {
                        DateEvidence::DayMonthSwapped
                    }
                    _ => DateEvidence::Year,
                }
            } else if (q.year - from).abs() <= 1 {
                DateEvidence::Near
            } else {
                DateEvidence::Conflict
            };
            best = Some(best.map_or(e, |b| b.min(e)));
        }
        best
    }
}

fn date_bounds(b: &BirthDate) -> Option<ListedDate> {
    match b.date? {
        DateSpec::Exact(d) => Some((d.year, d.year, d.month, d.day, b.approximate)),
        DateSpec::Range { from, to } => Some((from.year, to.year, None, None, b.approximate)),
    }
}

/// One contribution besides the name.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Adjustment {
    pub factor: Factor,
    pub evidence: String,
    pub delta: f32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Factor {
    BirthDate,
    Nationality,
    Document,
    WeakAlias,
}

pub fn date_delta(e: DateEvidence, p: &Params) -> f32 {
    match e {
        DateEvidence::Exact => p.dob_exact,
        DateEvidence::DayMonthSwapped => p.dob_swapped,
        DateEvidence::Year => p.dob_year,
        DateEvidence::Range => p.dob_range,
        DateEvidence::Near => p.dob_near,
        DateEvidence::Conflict => p.dob_conflict,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lenient_dates() {
        assert_eq!(
            QueryDate::parse("1969-7-16"),
            Some(QueryDate {
                year: 1969,
                month: Some(7),
                day: Some(16)
            })
        );
        assert_eq!(QueryDate::parse("1974-01-32").map(|d| d.day), Some(None));
        assert_eq!(QueryDate::parse("x"), None);
        assert_eq!(QueryDate::parse(""), None);
    }
}
