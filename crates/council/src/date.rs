//! Calendar dates as day numbers, and UTC instants normalized to `YYYY-MM-DDTHH:MM:SSZ` so that
//! text comparison is chronological.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::{Result, RuleError};

/// A day of the proleptic Gregorian calendar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date {
    days: i64,
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

impl Date {
    pub fn new(year: i64, month: i64, day: i64) -> Option<Date> {
        if !(1..=9999).contains(&year)
            || !(1..=12).contains(&month)
            || day < 1
            || day > days_in_month(year, month)
        {
            return None;
        }
        Some(Date {
            days: days_from_civil(year, month, day),
        })
    }

    /// `YYYY-MM-DD`, strictly; `field` names the input in the error.
    pub fn parse(field: &str, text: &str) -> Result<Date> {
        let bad = || RuleError::new(field, format!("{text:?} is not a date (YYYY-MM-DD)"));
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return Err(bad());
        }
        let num = |s: &str| -> Result<i64> {
            if s.bytes().all(|c| c.is_ascii_digit()) {
                s.parse::<i64>().map_err(|_| bad())
            } else {
                Err(bad())
            }
        };
        let (y, m, d) = (num(&text[0..4])?, num(&text[5..7])?, num(&text[8..10])?);
        Date::new(y, m, d).ok_or_else(bad)
    }

    pub fn ymd(self) -> (i64, i64, i64) {
        civil_from_days(self.days)
    }

    pub fn year(self) -> i64 {
        self.ymd().0
    }

    pub fn add_days(self, n: i64) -> Date {
        Date {
            days: self.days + n,
        }
    }

    /// The same day `n` years later (or earlier); 29 February becomes 28 February.
    pub fn add_years(self, n: i64) -> Date {
        let (y, m, d) = self.ymd();
        let y = y + n;
        let d = d.min(days_in_month(y, m));
        Date {
            days: days_from_civil(y, m, d),
        }
    }

    /// Days from `self` to `other`.
    pub fn days_until(self, other: Date) -> i64 {
        other.days - self.days
    }

    /// `YYYYMMDD`, as iCalendar writes a date.
    pub fn compact(self) -> String {
        let (y, m, d) = self.ymd();
        format!("{y:04}{m:02}{d:02}")
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (y, m, d) = self.ymd();
        write!(f, "{y:04}-{m:02}-{d:02}")
    }
}

impl Serialize for Date {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Date {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Date::parse("date", &text).map_err(serde::de::Error::custom)
    }
}

/// A UTC instant given as `YYYY-MM-DD` (midnight), `YYYY-MM-DDTHH:MM[:SS[.fff]]Z`, normalized
/// to `YYYY-MM-DDTHH:MM:SSZ`.
pub fn parse_instant(field: &str, text: &str) -> Result<String> {
    let bad = || {
        RuleError::new(
            field,
            format!("{text:?} is not a UTC time (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)"),
        )
    };
    if text.len() == 10 {
        let d = Date::parse(field, text)?;
        return Ok(format!("{d}T00:00:00Z"));
    }
    let (day, rest) = text.split_at_checked(10).ok_or_else(bad)?;
    let d = Date::parse(field, day).map_err(|_| bad())?;
    let rest = rest.strip_prefix('T').ok_or_else(bad)?;
    let rest = rest.strip_suffix('Z').ok_or_else(bad)?;
    let rest = rest.split('.').next().unwrap_or(rest);
    let parts: Vec<&str> = rest.split(':').collect();
    if !(2..=3).contains(&parts.len())
        || parts
            .iter()
            .any(|p| p.len() != 2 || !p.bytes().all(|c| c.is_ascii_digit()))
    {
        return Err(bad());
    }
    let n = |i: usize| {
        parts
            .get(i)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    if n(0) > 23 || n(1) > 59 || n(2) > 59 {
        return Err(bad());
    }
    Ok(format!("{d}T{:02}:{:02}:{:02}Z", n(0), n(1), n(2)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_parse_strictly_and_round_trip() {
        let d = Date::parse("on", "2026-10-28").unwrap();
        assert_eq!(d.to_string(), "2026-10-28");
        assert_eq!(d.add_years(1).to_string(), "2027-10-28");
        assert_eq!(d.add_days(4).to_string(), "2026-11-01");
        assert_eq!(
            Date::parse("x", "2024-02-29")
                .unwrap()
                .add_years(1)
                .to_string(),
            "2025-02-28"
        );
        for bad in [
            "2026-13-01",
            "2026-02-30",
            "26-01-01",
            "2026/01/01",
            "",
            "2026-1-011",
        ] {
            let e = Date::parse("on", bad).unwrap_err();
            assert_eq!(e.field, "on", "{bad}");
        }
    }

    #[test]
    fn instants_normalize() {
        assert_eq!(
            parse_instant("d", "2026-05-20").unwrap(),
            "2026-05-20T00:00:00Z"
        );
        assert_eq!(
            parse_instant("d", "2026-05-20T12:30Z").unwrap(),
            "2026-05-20T12:30:00Z"
        );
        assert_eq!(
            parse_instant("d", "2026-05-20T12:30:05.123456Z").unwrap(),
            "2026-05-20T12:30:05Z"
        );
        for bad in [
            "2026-05-20T25:00Z",
            "2026-05-20 12:00",
            "2026-05-20T12:00",
            "x",
        ] {
            assert!(parse_instant("d", bad).is_err(), "{bad}");
        }
    }
}
