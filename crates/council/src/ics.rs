//! iCalendar (RFC 5545) output: text values escaped (§3.3.11) and content lines folded at 75
//! octets (§3.1) without splitting a UTF-8 character; lines end in CRLF.

use crate::Date;

/// An all-day event: `starts` to `ends` inclusive.
pub struct Event<'a> {
    pub uid: String,
    pub summary: &'a str,
    pub location: &'a str,
    pub description: &'a str,
    pub starts: Date,
    pub ends: Date,
    pub categories: &'a str,
}

/// Escapes a TEXT value: backslash, semicolon, comma and newlines.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// One content line, folded: at most 75 octets per physical line, continuations starting with
/// a space.
pub fn fold(line: &str) -> String {
    let mut out = String::with_capacity(line.len() + line.len() / 70 * 3 + 2);
    let mut used = 0;
    let mut limit = 75;
    for c in line.chars() {
        let n = c.len_utf8();
        if used + n > limit {
            out.push_str("\r\n ");
            used = 0;
            limit = 74; // the leading space counts
        }
        out.push(c);
        used += n;
    }
    out.push_str("\r\n");
    out
}

/// A calendar of `events`; `stamp` is DTSTAMP (`YYYYMMDDTHHMMSSZ`).
pub fn calendar(events: &[Event], stamp: &str) -> String {
    let mut out = String::new();
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Vigil//Council//EN",
        "CALSCALE:GREGORIAN",
    ] {
        out.push_str(&fold(l));
    }
    for e in events {
        out.push_str(&fold("BEGIN:VEVENT"));
        out.push_str(&fold(&format!("UID:{}", escape(&e.uid))));
        out.push_str(&fold(&format!("DTSTAMP:{stamp}")));
        out.push_str(&fold(&format!("DTSTART;VALUE=DATE:{}", e.starts.compact())));
        // DTEND of an all-day event is exclusive.
        out.push_str(&fold(&format!(
            "DTEND;VALUE=DATE:{}",
            e.ends.add_days(1).compact()
        )));
        out.push_str(&fold(&format!("SUMMARY:{}", escape(e.summary))));
        if !e.location.is_empty() {
            out.push_str(&fold(&format!("LOCATION:{}", escape(e.location))));
        }
        if !e.description.is_empty() {
            out.push_str(&fold(&format!("DESCRIPTION:{}", escape(e.description))));
        }
        if !e.categories.is_empty() {
            out.push_str(&fold(&format!("CATEGORIES:{}", escape(e.categories))));
        }
        out.push_str(&fold("END:VEVENT"));
    }
    out.push_str(&fold("END:VCALENDAR"));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped() {
        assert_eq!(escape("a;b,c\\d\ne\r"), "a\\;b\\,c\\\\d\\ne");
    }

    #[test]
    fn long_lines_fold_at_75_octets_without_splitting_characters() {
        let line = format!("SUMMARY:{}", "Совет РАТС ШОС ".repeat(12));
        let folded = fold(&line);
        assert!(folded.ends_with("\r\n"));
        let physical: Vec<&str> = folded.trim_end_matches("\r\n").split("\r\n").collect();
        assert!(physical.len() > 3);
        for (i, p) in physical.iter().enumerate() {
            assert!(p.len() <= 75, "line {i} has {} octets", p.len());
            if i > 0 {
                assert!(p.starts_with(' '));
            }
        }
        let unfolded: String = folded.trim_end_matches("\r\n").split("\r\n ").collect();
        assert_eq!(unfolded, line);
        assert_eq!(fold("SHORT"), "SHORT\r\n");
    }

    #[test]
    fn a_calendar_has_its_events() {
        let d = |s| Date::parse("d", s).unwrap();
        let ics = calendar(
            &[Event {
                uid: "meeting-1@vigil".into(),
                summary: "Council, 45th meeting",
                location: "New Delhi, India",
                description: "1. Report; 2. Budget",
                starts: d("2026-05-17"),
                ends: d("2026-05-20"),
                categories: "regular",
            }],
            "20260101T000000Z",
        );
        assert!(ics.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(ics.contains("DTSTART;VALUE=DATE:20260517\r\n"));
        assert!(ics.contains("DTEND;VALUE=DATE:20260521\r\n"));
        assert!(ics.contains("LOCATION:New Delhi\\, India\r\n"));
        assert!(ics.contains("DESCRIPTION:1. Report\\; 2. Budget\r\n"));
        assert!(ics.ends_with("END:VCALENDAR\r\n"));
    }
}
