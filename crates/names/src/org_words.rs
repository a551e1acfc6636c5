//! English readings of organization words written in Arabic script, Chinese or Russian.
//!
//! Lists often give an organization only under its English translation (جبهة فتح الشام is
//! listed as "Front for the Conquest of the Levant", 國際海運 as "International Shipping"), and
//! no transliteration reaches a translation. `data/org_words.tsv` is a small bilingual table
//! of the words organizations are named with; a token found in it gets the English words as
//! extra alternative forms, which the scorer treats like any other convention. Persons' names
//! are never translated: only organization names are looked up.

use std::sync::OnceLock;

use crate::fold::fold;
use crate::fx::FxMap;
use crate::script::{script_of, Script};

/// The table: lookup key (see [`arabic_key`] / the folded word) → English readings.
struct OrgWords {
    words: FxMap<String, Vec<&'static str>>,
    /// Longest Han entry in characters, to bound segmentation.
    longest_han: usize,
}

fn table() -> &'static OrgWords {
    static TABLE: OnceLock<OrgWords> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut words: FxMap<String, Vec<&'static str>> = FxMap::default();
        let mut longest_han = 0;
        let data = include_str!("../data/org_words.tsv");
        for line in data.lines() {
            let line = line.trim_end();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((word, readings)) = line.split_once('\t') else {
                continue;
            };
            let key = lookup_key(word);
            if key.is_empty() {
                continue;
            }
            if key.chars().all(is_han) {
                longest_han = longest_han.max(key.chars().count());
            }
            let entry = words.entry(key).or_default();
            for r in readings.split_whitespace() {
                if !entry.contains(&r) {
                    entry.push(r);
                }
            }
        }
        OrgWords { words, longest_han }
    })
}

fn is_han(c: char) -> bool {
    script_of(c) == Script::Han
}

/// Folds a word as tokens are folded, then the Arabic-script letters that writers interchange
/// (hamza seats, alef maqsura and Persian ye, Persian kaf and heh, ta marbuta).
fn lookup_key(word: &str) -> String {
    let mut folded = String::with_capacity(word.len());
    fold(word, false, &mut folded);
    folded
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            'أ' | 'إ' | 'آ' | 'ٱ' => 'ا',
            'ى' | 'ی' | 'ئ' | 'ې' => 'ي',
            'ک' => 'ك',
            'ھ' | 'ہ' | 'ة' | 'ۀ' => 'ه',
            'ؤ' => 'و',
            _ => c,
        })
        .collect()
}

/// Prefixes Arabic writes fused to a noun: "and", "for", "by/with", the article, and their
/// combinations (والشام, للصرافة, بالعراق); the longest that leaves a word is stripped first.
const ARABIC_PREFIXES: [&str; 9] = ["وال", "بال", "فال", "لل", "ال", "و", "ل", "ب", "ف"];

/// English readings of one word of an organization name as written (folded), if the table
/// knows the word. Arabic-script words are also tried without a fused prefix.
pub(crate) fn readings(original: &str) -> Option<&'static [&'static str]> {
    let t = table();
    let key = lookup_key(original);
    if let Some(r) = t.words.get(&key) {
        return Some(r);
    }
    if !key
        .chars()
        .next()
        .is_some_and(|c| script_of(c) == Script::Arabic)
    {
        return None;
    }
    for p in ARABIC_PREFIXES {
        if let Some(rest) = key.strip_prefix(p) {
            // A stem of two letters is too short to tell a prefix from the word's own letter.
            if rest.chars().count() >= 2 {
                if let Some(r) = t.words.get(rest) {
                    return Some(r);
                }
            }
        }
    }
    None
}

/// Splits a run of Han characters at the table's words, longest first: (segment, its English
/// readings when it is a table word). Chinese writes no spaces, so 沈忠國際海運 becomes
/// 沈忠 | 國際 (international) | 海運 (shipping).
pub(crate) fn segment_han(word: &str) -> Vec<(&str, Option<&'static [&'static str]>)> {
    let t = table();
    let chars: Vec<(usize, char)> = word.char_indices().collect();
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let mut found = None;
        if is_han(chars[i].1) {
            let max = t.longest_han.min(chars.len() - i);
            for len in (2..=max).rev() {
                let end = chars.get(i + len).map_or(word.len(), |c| c.0);
                let seg = &word[chars[i].0..end];
                if !seg.chars().all(is_han) {
                    continue;
                }
                if let Some(r) = t.words.get(seg) {
                    found = Some((len, end, r));
                    break;
                }
            }
        }
        match found {
            Some((len, end, r)) => {
                if chars[plain_start].0 < chars[i].0 {
                    out.push((&word[chars[plain_start].0..chars[i].0], None));
                }
                out.push((&word[chars[i].0..end], Some(&r[..])));
                i += len;
                plain_start = i;
            }
            None => i += 1,
        }
    }
    if plain_start < chars.len() {
        out.push((&word[chars[plain_start].0..], None));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_words_with_prefixes_and_letter_variants() {
        assert_eq!(readings("جبهة"), Some(&["front"][..]));
        // The article and "for" fused: لل + صرافة.
        assert_eq!(readings("للصرافة"), Some(&["exchange"][..]));
        // "and" + article: والشام.
        assert!(readings("والشام").is_some_and(|r| r.contains(&"levant")));
        // Hamza seat and ta marbuta written as heh: الإسلاميه.
        assert_eq!(readings("الإسلاميه"), Some(&["islamic"][..]));
        // Persian ye and heh doachashmee: مھاجرین.
        assert!(readings("المھاجرین").is_some_and(|r| r.contains(&"emigrants")));
        // Not an organization word.
        assert_eq!(readings("حنيفة"), None);
        // A one-letter remainder is not read as prefix + word.
        assert_eq!(readings("لل"), None);
    }

    #[test]
    fn russian_and_chinese_words() {
        assert_eq!(readings("Армия"), Some(&["army"][..]));
        assert_eq!(readings("國際"), Some(&["international"][..]));
        assert_eq!(readings("Umarov"), None);
    }

    #[test]
    fn han_segmentation() {
        let segs = segment_han("沈忠國際海運");
        let texts: Vec<&str> = segs.iter().map(|s| s.0).collect();
        assert_eq!(texts, ["沈忠", "國際", "海運"]);
        assert!(segs[0].1.is_none());
        assert_eq!(segs[2].1, Some(&["shipping"][..]));
        assert_eq!(segment_han("金铁三").len(), 1);
        assert!(segment_han("").is_empty());
    }

    #[test]
    fn readings_are_single_ascii_tokens() {
        for r in table().words.values().flatten() {
            assert!(
                !r.is_empty() && r.bytes().all(|b| b.is_ascii_lowercase()),
                "{r}"
            );
        }
    }

    #[test]
    fn no_han_word_splits_a_legal_form() {
        // Legal forms are removed by their syllables (有限公司 = you xian gong si): a table
        // word inside one would split it and keep it from being removed.
        let forms = include_str!("../data/org_legal_forms.txt");
        for line in forms.lines().filter(|l| l.chars().any(is_han)) {
            for key in table().words.keys().filter(|k| k.chars().all(is_han)) {
                assert!(!line.contains(key.as_str()), "{key} in {line}");
            }
        }
    }
}
