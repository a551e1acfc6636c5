//! Which writing system a name is in, as an ISO 15924 code.

use unicode_script::{Script, UnicodeScript};

/// The script most letters of `text` belong to (`Latn`, `Cyrl`, `Arab`, `Hani`, `Deva`...);
/// `Zyyy` (common) when the text has no letters.
pub fn dominant_script(text: &str) -> &'static str {
    let mut counts: Vec<(Script, usize)> = Vec::new();
    for c in text.chars().filter(|c| c.is_alphabetic()) {
        let s = c.script();
        if matches!(s, Script::Common | Script::Inherited | Script::Unknown) {
            continue;
        }
        match counts.iter_mut().find(|(k, _)| *k == s) {
            Some((_, n)) => *n += 1,
            None => counts.push((s, 1)),
        }
    }
    counts
        .into_iter()
        .max_by_key(|(_, n)| *n)
        .map(|(s, _)| s.short_name())
        .unwrap_or("Zyyy")
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn detects_scripts() {
        assert_eq!(dominant_script("Jalaluddin Haqqani"), "Latn");
        assert_eq!(dominant_script("محمد ابراهیم عمری"), "Arab");
        assert_eq!(dominant_script("Амир Хазмат"), "Cyrl");
        assert_eq!(dominant_script("穆罕默德"), "Hani");
        assert_eq!(dominant_script("--- 123"), "Zyyy");
    }
}
