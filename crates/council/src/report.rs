//! The report to the Council of Heads of State: its content (assembled by the caller from the
//! store), rendered to Markdown, and a PDF 1.4 writer for plain text pages in a standard Type1
//! font (Helvetica, WinAnsi encoding: characters outside Latin-1 print as `?`).

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportDecision {
    pub number: String,
    pub title: String,
    pub status: String,
    pub adopted_on: Option<String>,
    pub procedure: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportTask {
    pub decision: String,
    pub description: String,
    pub authority: String,
    pub due: String,
    pub status: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    pub year: i64,
    pub period_from: String,
    pub period_to: String,
    /// Chairs during the period: (state, from, to).
    pub chairs: Vec<(String, String, String)>,
    pub meetings: Vec<String>,
    pub decisions: Vec<ReportDecision>,
    pub tasks: Vec<ReportTask>,
    /// `screen` entries of the audit log in the period.
    pub screenings: i64,
    /// Messages exchanged between competent authorities in the period.
    pub exchanges: ExchangeStats,
    /// The year's budget, when one is recorded.
    pub budget: Option<ReportBudget>,
    /// Steps of the unified search register recorded in the period.
    #[serde(default)]
    pub search_notices: SearchNoticeStats,
}

/// Search notices declared, persons located, detained, and searches withdrawn in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchNoticeStats {
    pub declared: i64,
    pub located: i64,
    pub detained: i64,
    pub withdrawn: i64,
}

/// The exchange's messages sent in the period: how many, by kind and by priority, and how
/// many of them are answered and overdue (as the store holds them when the report is made).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExchangeStats {
    pub messages: i64,
    /// (kind, count), every kind listed, in the order request, alert, notification, reply.
    pub by_kind: Vec<(String, i64)>,
    /// (priority, count), every priority listed, in the order routine, urgent, immediate.
    pub by_priority: Vec<(String, i64)>,
    /// Messages with at least one reply.
    pub answered: i64,
    /// Messages past their due time and unanswered (requests) or unread (others).
    pub overdue: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportBudget {
    pub total: String,
    pub currency: String,
    /// (state, due, paid, arrears).
    pub lines: Vec<(String, String, String, String)>,
}

fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

pub fn markdown(r: &Report) -> String {
    let mut o = String::new();
    o.push_str(&format!(
        "# Report of the RATS Council to the Council of Heads of State, {}\n\n",
        r.year
    ));
    o.push_str(&format!(
        "Period: {} to {}.\n\n",
        r.period_from, r.period_to
    ));
    o.push_str("## Chairmanship\n\n");
    for (state, from, to) in &r.chairs {
        o.push_str(&format!("- {state}: {from} to {to}\n"));
    }
    o.push_str("\n## Meetings\n\n");
    if r.meetings.is_empty() {
        o.push_str("No meetings in the period.\n");
    }
    for m in &r.meetings {
        o.push_str(&format!("- {}\n", m.replace('\n', " ")));
    }
    o.push_str("\n## Decisions\n\n| Number | Title | Procedure | Status | Adopted |\n|---|---|---|---|---|\n");
    for d in &r.decisions {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&d.number),
            cell(&d.title),
            d.procedure,
            d.status,
            d.adopted_on.as_deref().unwrap_or("-")
        ));
    }
    let done = r.tasks.iter().filter(|t| t.status == "done").count();
    o.push_str(&format!(
        "\n## Implementation\n\n{} tasks, {} done, {} open.\n\n| Decision | Task | Responsible | Due | Status |\n|---|---|---|---|---|\n",
        r.tasks.len(),
        done,
        r.tasks.len() - done
    ));
    for t in &r.tasks {
        o.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            cell(&t.decision),
            cell(&t.description),
            cell(&t.authority),
            t.due,
            t.status
        ));
    }
    o.push_str("\n## Screening and exchange\n\n");
    o.push_str(&format!(
        "- Screening requests recorded in the audit log: {}\n",
        r.screenings
    ));
    let x = &r.exchanges;
    let list = |pairs: &[(String, i64)]| {
        pairs
            .iter()
            .map(|(k, n)| format!("{k} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    o.push_str(&format!(
        "- Messages exchanged between competent authorities: {}\n",
        x.messages
    ));
    o.push_str(&format!("  - by kind: {}\n", list(&x.by_kind)));
    o.push_str(&format!("  - by priority: {}\n", list(&x.by_priority)));
    o.push_str(&format!(
        "  - answered: {}; overdue: {}\n",
        x.answered, x.overdue
    ));
    let n = &r.search_notices;
    o.push_str(&format!(
        "- Unified search register: {} searches declared, {} persons located, {} detained, {} searches withdrawn\n",
        n.declared, n.located, n.detained, n.withdrawn
    ));
    if let Some(ReportBudget {
        total,
        currency,
        lines,
    }) = &r.budget
    {
        o.push_str(&format!(
            "\n## Budget of the Executive Committee\n\nBudget {total} {currency}.\n\n| State | Due | Paid | Arrears |\n|---|---|---|---|\n"
        ));
        for (s, due, paid, arrears) in lines {
            o.push_str(&format!("| {s} | {due} | {paid} | {arrears} |\n"));
        }
    }
    o
}

/// Text to WinAnsi bytes, escaped for a PDF string literal.
fn pdf_string(text: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 2);
    out.push(b'(');
    for c in text.chars() {
        let b = match c {
            '(' | ')' | '\\' => {
                out.push(b'\\');
                c as u8
            }
            c if (' '..='~').contains(&c) => c as u8,
            c if ('\u{a0}'..='\u{ff}').contains(&c) => c as u32 as u8,
            '\t' => b' ',
            _ => b'?',
        };
        out.push(b);
    }
    out.push(b')');
    out
}

/// Wraps `text` to lines of at most `width` characters at spaces.
fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    for para in text.lines() {
        let mut line = String::new();
        for word in para.split(' ') {
            let word_len = word.chars().count();
            let line_len = line.chars().count();
            if line_len > 0 && line_len + 1 + word_len > width {
                lines.push(std::mem::take(&mut line));
            }
            if word_len > width {
                let chars: Vec<char> = word.chars().collect();
                for chunk in chars.chunks(width) {
                    if !line.is_empty() {
                        lines.push(std::mem::take(&mut line));
                    }
                    line = chunk.iter().collect();
                }
                continue;
            }
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(word);
        }
        lines.push(line);
    }
    lines
}

const LINES_PER_PAGE: usize = 60;
const WIDTH: usize = 95;

/// A PDF 1.4 document of `text` in 9-point Helvetica on A4 pages.
pub fn pdf(text: &str) -> Vec<u8> {
    let lines = wrap(text, WIDTH);
    let pages: Vec<&[String]> = if lines.is_empty() {
        vec![&[]]
    } else {
        lines.chunks(LINES_PER_PAGE).collect()
    };
    // Objects: 1 catalog, 2 pages, 3 font, then a page and its content stream per page.
    let mut objects: Vec<Vec<u8>> = Vec::new();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 4 + 2 * i))
        .collect();
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    for (i, page) in pages.iter().enumerate() {
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                5 + 2 * i
            )
            .into_bytes(),
        );
        let mut stream = b"BT /F1 9 Tf 12 TL 50 800 Td\n".to_vec();
        for line in page.iter() {
            stream.extend(pdf_string(line));
            stream.extend(b" Tj T*\n");
        }
        stream.extend(
            format!(
                "({}) Tj\n",
                format_args!("page {} of {}", i + 1, pages.len())
            )
            .as_bytes(),
        );
        stream.extend(b"ET");
        let mut obj = format!("<< /Length {} >>\nstream\n", stream.len()).into_bytes();
        obj.extend(stream);
        obj.extend(b"\nendstream");
        objects.push(obj);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::with_capacity(objects.len());
    for (i, obj) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend(obj);
        out.extend(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for off in offsets {
        out.extend(format!("{off:010} 00000 n \n").as_bytes());
    }
    out.extend(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Report {
        Report {
            year: 2026,
            period_from: "2026-01-01".into(),
            period_to: "2026-12-31".into(),
            chairs: vec![("IN".into(), "2026-10-28".into(), "2027-10-28".into())],
            meetings: vec!["Council (regular), New Delhi, 2026-05-17 to 2026-05-20".into()],
            decisions: vec![ReportDecision {
                number: "RATS-C/2026/1".into(),
                title: "Report | to heads of state".into(),
                status: "adopted".into(),
                adopted_on: Some("2026-05-20".into()),
                procedure: "meeting".into(),
            }],
            tasks: vec![ReportTask {
                decision: "RATS-C/2026/1".into(),
                description: "Transmit".into(),
                authority: "RATS-EC".into(),
                due: "2026-06-30".into(),
                status: "done".into(),
            }],
            screenings: 12,
            search_notices: SearchNoticeStats {
                declared: 4,
                located: 2,
                detained: 1,
                withdrawn: 1,
            },
            exchanges: ExchangeStats {
                messages: 3,
                by_kind: vec![("request".into(), 2), ("alert".into(), 1)],
                by_priority: vec![("routine".into(), 1), ("urgent".into(), 2)],
                answered: 1,
                overdue: 1,
            },
            budget: None,
        }
    }

    #[test]
    fn markdown_has_every_section() {
        let md = markdown(&sample());
        assert!(md.starts_with("# Report of the RATS Council"));
        assert!(md.contains(
            "| RATS-C/2026/1 | Report \\| to heads of state | meeting | adopted | 2026-05-20 |"
        ));
        assert!(md.contains("1 tasks, 1 done, 0 open."));
        assert!(md.contains("Screening requests recorded in the audit log: 12"));
        assert!(md.contains("Messages exchanged between competent authorities: 3\n"));
        assert!(md.contains("  - by kind: request 2, alert 1\n"));
        assert!(md.contains("  - by priority: routine 1, urgent 2\n"));
        assert!(md.contains("  - answered: 1; overdue: 1\n"));
    }

    #[test]
    fn pdf_is_well_formed() {
        let text = (0..130)
            .map(|i| format!("line {i} (x) \\ é Ж"))
            .collect::<Vec<_>>()
            .join("\n");
        let bytes = pdf(&text);
        assert!(bytes.starts_with(b"%PDF-1.4\n"));
        assert!(bytes.ends_with(b"%%EOF\n"));
        let s = String::from_utf8_lossy(&bytes);
        assert!(s.contains("/Count 3"), "130 lines make three pages");
        assert!(s.contains("(line 0 \\(x\\) \\\\ \u{fffd} ?) Tj"));
        // The xref offsets point at the objects.
        let xref_at: usize = s
            .rsplit("startxref\n")
            .next()
            .unwrap()
            .lines()
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert_eq!(&bytes[xref_at..xref_at + 4], b"xref");
        let table = String::from_utf8_lossy(&bytes[xref_at..]);
        let offsets: Vec<usize> = table
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().unwrap())
            .collect();
        assert_eq!(offsets.len(), 3 + 2 * 3);
        for (i, off) in offsets.iter().enumerate() {
            assert!(bytes[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
        assert!(wrap(&"a".repeat(200), 95)
            .iter()
            .all(|l| l.chars().count() <= 95));
    }
}
