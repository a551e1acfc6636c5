//! Wall-clock helpers without a date-time dependency: the register stores UTC timestamps as
//! RFC 3339 text, which sorts chronologically and reads the same in SQLite and PostgreSQL.

use std::time::{SystemTime, UNIX_EPOCH};

use crate::PartialDate;

fn civil_from_days(days: i64) -> (i32, u8, u8) {
    // Howard Hinnant's days-from-civil inverse; exact for the proleptic Gregorian calendar.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    ((if m <= 2 { y + 1 } else { y }) as i32, m, d)
}

fn now_secs() -> (i64, u32) {
    let d = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    (d.as_secs() as i64, d.subsec_micros())
}

/// The current UTC time as `YYYY-MM-DDTHH:MM:SS.ffffffZ`.
pub fn utc_now_rfc3339() -> String {
    let (secs, micros) = now_secs();
    rfc3339(secs, micros)
}

/// The UTC time `offset_secs` from now (negative: in the past), in the same format.
pub fn utc_rfc3339_from_now(offset_secs: i64) -> String {
    let (secs, micros) = now_secs();
    rfc3339(secs.saturating_add(offset_secs), micros)
}

fn rfc3339(secs: i64, micros: u32) -> String {
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    let s = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{micros:06}Z",
        s / 3600,
        (s / 60) % 60,
        s % 60
    )
}

/// Today's UTC date.
pub fn today() -> PartialDate {
    let (secs, _) = now_secs();
    let (y, m, d) = civil_from_days(secs.div_euclid(86_400));
    PartialDate {
        year: y,
        month: Some(m),
        day: Some(d),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn civil_dates() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(civil_from_days(11_016), (2000, 2, 29));
        assert_eq!(utc_now_rfc3339().len(), 27);
    }
}
