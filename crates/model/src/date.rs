use std::fmt;

use serde::{Deserialize, Serialize};

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("date {text:?} is not understood: {reason}")]
pub struct DateError {
    pub text: String,
    pub reason: &'static str,
}

/// A calendar date known to the year, the month or the day, as lists give them ("1970",
/// "Jan 1970", "01 Jan 1970"). Displays as an ISO 8601 prefix, like FollowTheMoney dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PartialDate {
    pub year: i32,
    pub month: Option<u8>,
    pub day: Option<u8>,
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

impl PartialDate {
    pub fn new(year: i32, month: Option<u8>, day: Option<u8>) -> Result<Self, DateError> {
        let err = |reason| DateError {
            text: format!("{year}-{month:?}-{day:?}"),
            reason,
        };
        if !(1000..=2999).contains(&year) {
            return Err(err("year out of range 1000-2999"));
        }
        if let Some(m) = month {
            if !(1..=12).contains(&m) {
                return Err(err("month out of range"));
            }
        }
        match (month, day) {
            (None, Some(_)) => return Err(err("day without month")),
            (Some(m), Some(d)) if d == 0 || d > days_in_month(year, m) => {
                return Err(err("day out of range"))
            }
            _ => {}
        }
        Ok(Self { year, month, day })
    }

    /// `YYYY`, `YYYY-MM` or `YYYY-MM-DD` (a time part after `T` is ignored).
    pub fn parse_iso(text: &str) -> Result<Self, DateError> {
        let t = text.trim();
        let t = t.split_once('T').map(|(d, _)| d).unwrap_or(t);
        let bad = |reason| DateError {
            text: text.to_string(),
            reason,
        };
        let mut parts = t.split('-');
        let year = parts
            .next()
            .filter(|y| y.len() == 4)
            .and_then(|y| y.parse::<i32>().ok())
            .ok_or_else(|| bad("expected a four-digit year"))?;
        let month = match parts.next() {
            Some(m) => Some(m.parse::<u8>().map_err(|_| bad("bad month"))?),
            None => None,
        };
        let day = match parts.next() {
            Some(d) => Some(d.parse::<u8>().map_err(|_| bad("bad day"))?),
            None => None,
        };
        if parts.next().is_some() {
            return Err(bad("too many parts"));
        }
        Self::new(year, month, day).map_err(|e| bad(e.reason))
    }

    /// English list dates: `01 Jan 1970`, `1 January 1970`, `Jan 1970`, `1970`, and ISO forms.
    pub fn parse_english(text: &str) -> Result<Self, DateError> {
        let t = text.trim().trim_end_matches(['.', ',', ';']);
        if let Ok(d) = Self::parse_iso(t) {
            return Ok(d);
        }
        let bad = |reason| DateError {
            text: text.to_string(),
            reason,
        };
        let words: Vec<&str> = t
            .split(|c: char| c.is_whitespace() || c == ',')
            .filter(|w| !w.is_empty())
            .collect();
        let month_of = |w: &str| {
            let w = w.to_ascii_lowercase();
            let w = w.trim_end_matches('.');
            if w.len() < 3 {
                return None;
            }
            MONTHS
                .iter()
                .position(|m| w.starts_with(m) && m.starts_with(&w[..3]))
                .map(|i| i as u8 + 1)
        };
        let year_of = |w: &str| {
            (w.len() == 4)
                .then(|| w.parse::<i32>().ok())
                .flatten()
                .ok_or_else(|| bad("expected a four-digit year"))
        };
        match words.as_slice() {
            [y] => Self::new(year_of(y)?, None, None).map_err(|e| bad(e.reason)),
            [m, y] => {
                let m = month_of(m).ok_or_else(|| bad("unknown month"))?;
                Self::new(year_of(y)?, Some(m), None).map_err(|e| bad(e.reason))
            }
            [d, m, y] => {
                let (d, m) = match (d.parse::<u8>(), month_of(m)) {
                    (Ok(d), Some(m)) => (d, m),
                    // "Jan 01 1970"
                    _ => match (month_of(d), m.parse::<u8>()) {
                        (Some(m), Ok(d)) => (d, m),
                        _ => return Err(bad("expected day, month and year")),
                    },
                };
                Self::new(year_of(y)?, Some(m), Some(d)).map_err(|e| bad(e.reason))
            }
            _ => Err(bad("expected day, month and year")),
        }
    }

    /// The first and last full days this date may stand for.
    pub fn bounds(&self) -> ((i32, u8, u8), (i32, u8, u8)) {
        let (m0, m1) = self.month.map(|m| (m, m)).unwrap_or((1, 12));
        let (d0, d1) = self
            .day
            .map(|d| (d, d))
            .unwrap_or((1, days_in_month(self.year, m1)));
        ((self.year, m0, d0), (self.year, m1, d1))
    }
}

impl fmt::Display for PartialDate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}", self.year)?;
        if let Some(m) = self.month {
            write!(f, "-{m:02}")?;
        }
        if let Some(d) = self.day {
            write!(f, "-{d:02}")?;
        }
        Ok(())
    }
}
impl TryFrom<String> for PartialDate {
    type Error = DateError;
    fn try_from(s: String) -> Result<Self, DateError> {
        Self::parse_iso(&s)
    }
}
impl From<PartialDate> for String {
    fn from(d: PartialDate) -> String {
        d.to_string()
    }
}

/// One date or a range of dates ("1965 to 1969").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateSpec {
    Exact(PartialDate),
    Range { from: PartialDate, to: PartialDate },
}

impl DateSpec {
    pub fn range(from: PartialDate, to: PartialDate) -> Result<Self, DateError> {
        if to.bounds().1 < from.bounds().0 {
            return Err(DateError {
                text: format!("{from} to {to}"),
                reason: "range ends before it starts",
            });
        }
        Ok(Self::Range { from, to })
    }
}

impl fmt::Display for DateSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Exact(d) => write!(f, "{d}"),
            Self::Range { from, to } => write!(f, "{from}/{to}"),
        }
    }
}

/// A date of birth as a list gives it: the date or range Vigil understood, whether the source
/// called it approximate, and the source text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BirthDate {
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub date: Option<DateSpec>,
    #[serde(skip_serializing_if = "std::ops::Not::not", default)]
    pub approximate: bool,
    pub text: String,
}

impl BirthDate {
    /// Reads the free-text forms found in list remarks: "1970", "01 Jan 1970", "circa 1965",
    /// "approx. 1965-1969", "1960 to 1962", "between 1965 and 1969". When the text is not
    /// understood the date is `None` and the text is kept.
    pub fn parse_text(text: &str) -> Self {
        let trimmed = text.trim().trim_end_matches(['.', ';', ',']).trim();
        let lower = trimmed.to_ascii_lowercase();
        let mut rest = lower.as_str();
        let mut approximate = false;
        for prefix in [
            "circa",
            "approximately",
            "approx.",
            "approx",
            "ca.",
            "c.",
            "about",
        ] {
            if let Some(r) = rest.strip_prefix(prefix) {
                approximate = true;
                rest = r.trim_start();
                break;
            }
        }
        let rest = rest.strip_prefix("between ").unwrap_or(rest);
        let date = split_range(rest)
            .and_then(|(a, b)| {
                let from = PartialDate::parse_english(a).ok()?;
                let to = PartialDate::parse_english(b).ok()?;
                DateSpec::range(from, to).ok()
            })
            .or_else(|| PartialDate::parse_english(rest).ok().map(DateSpec::Exact));
        Self {
            date,
            approximate,
            text: text.trim().to_string(),
        }
    }

    pub fn exact(date: PartialDate, text: impl Into<String>) -> Self {
        Self {
            date: Some(DateSpec::Exact(date)),
            approximate: false,
            text: text.into(),
        }
    }
}

fn split_range(s: &str) -> Option<(&str, &str)> {
    for sep in [" to ", " and ", " - ", "–", "—"] {
        if let Some((a, b)) = s.split_once(sep) {
            return Some((a.trim(), b.trim()));
        }
    }
    // "1965-1969": a hyphen between two four-digit years (not an ISO date).
    let (a, b) = s.split_once('-')?;
    (a.trim().len() == 4 && b.trim().len() == 4).then_some((a.trim(), b.trim()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_list_date_forms() {
        let d = |s| PartialDate::parse_english(s).map(|d| d.to_string());
        assert_eq!(d("01 Jan 1970").unwrap(), "1970-01-01");
        assert_eq!(d("1 January 1970").unwrap(), "1970-01-01");
        assert_eq!(d("Sep 1965").unwrap(), "1965-09");
        assert_eq!(d("1965").unwrap(), "1965");
        assert_eq!(d("1965-09-30").unwrap(), "1965-09-30");
        assert!(d("31 Feb 1970").is_err());
        assert!(d("Foo 1970").is_err());
        assert!(d("").is_err());
        assert!(d("12345").is_err());
    }

    #[test]
    fn parses_birth_date_text() {
        let b = BirthDate::parse_text("circa 1965");
        assert!(b.approximate);
        assert_eq!(b.date.unwrap().to_string(), "1965");
        let r = BirthDate::parse_text("approx. 1965-1969");
        assert_eq!(r.date.unwrap().to_string(), "1965/1969");
        let r = BirthDate::parse_text("1960 to 1962");
        assert_eq!(r.date.unwrap().to_string(), "1960/1962");
        let r = BirthDate::parse_text("between 1965 and 1969");
        assert_eq!(r.date.unwrap().to_string(), "1965/1969");
        let bad = BirthDate::parse_text("the year of the flood");
        assert!(bad.date.is_none());
        assert_eq!(bad.text, "the year of the flood");
        assert!(BirthDate::parse_text("1969 to 1965").date.is_none());
    }

    #[test]
    fn date_serde_round_trip() {
        let b = BirthDate::parse_text("1960 to 1962");
        let json = serde_json::to_string(&b).unwrap();
        assert_eq!(serde_json::from_str::<BirthDate>(&json).unwrap(), b);
    }
}
