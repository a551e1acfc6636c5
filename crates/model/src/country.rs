//! Country names as lists write them, mapped to ISO 3166-1 alpha-2 codes.

/// (code, names and variants, lowercase). The first name is the short English name.
const COUNTRIES: &[(&str, &[&str])] = &[
    ("AF", &["afghanistan"]),
    ("PK", &["pakistan"]),
    ("RU", &["russia", "russian federation"]),
];

fn fold(text: &str) -> String {
    text.trim()
        .trim_end_matches(['.', ',', ';'])
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The ISO 3166-1 alpha-2 code for a country name, variant or code; `None` when unknown.
pub fn lookup(text: &str) -> Option<&'static str> {
    let key = fold(text);
    if key.is_empty() {
        return None;
    }
    COUNTRIES
        .iter()
        .find(|(code, names)| code.eq_ignore_ascii_case(&key) || names.contains(&key.as_str()))
        .map(|(code, _)| *code)
}

/// The short English name for an ISO code.
pub fn name_of(code: &str) -> Option<&'static str> {
    COUNTRIES
        .iter()
        .find(|(c, _)| c.eq_ignore_ascii_case(code))
        .and_then(|(_, names)| names.first().copied())
}
