//! Transliteration to Latin: tables for Cyrillic, Arabic script and Devanagari, the `pinyin`
//! crate for Han, `any_ascii` for every other script.

mod arabic;
mod cyrillic;
mod devanagari;
mod han;
mod korean;

use crate::fold::{fold, latin_to_ascii, push_any_ascii};
use crate::script::{script_of, Script};

/// Most forms `latin_forms` returns; conventions beyond the first few add little.
pub const MAX_FORMS: usize = 4;

/// How a Han run is spelled as a person name (surname, given name) or as plain syllables.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum HanMode {
    Person,
    /// A person name that is one Han word: the pinyin reading first, then Korean readings
    /// where the name can be Korean (see `korean::person_forms`).
    PersonKorean,
    Syllables,
    All,
}

/// Latin spellings of `text` under the conventions that differ for its script: lowercase ASCII
/// letters and digits, words separated by single spaces; Arabic articles written "al-".
///
/// * Cyrillic: BGN/PCGN first (the spelling of UN and OFAC lists), then ICAO 9303 (Russian
///   passports since 2013), then a common English spelling (Dmitry, Yury, Maria); Ukrainian,
///   Belarusian, Kazakh, Kyrgyz, Tajik and Uzbek letters included.
/// * Arabic script: a vowelled guess, then the consonant skeleton.
/// * Han: "jin tiesan", "jin tie san", "jintiesan" (surname first, as written).
/// * Devanagari: with and without the final inherent vowel ("ram", "rama").
/// * Latin: diacritics dropped; German umlauts also as ae/oe/ue.
/// * Other scripts: `any_ascii`.
///
/// Returns between 1 and [`MAX_FORMS`] distinct forms, or none when nothing in `text` has a
/// Latin spelling (empty text, only punctuation).
pub fn latin_forms(text: &str) -> Vec<String> {
    let mut folded = String::with_capacity(text.len());
    fold(text, false, &mut folded);
    let mut parts: Vec<Vec<String>> = Vec::new();
    for word in folded.split(|c: char| c.is_whitespace() || c == '.') {
        if word.is_empty() {
            continue;
        }
        let mut forms = Vec::with_capacity(MAX_FORMS);
        word_forms(word, HanMode::All, &mut forms);
        for f in &mut forms {
            tidy_hyphens(f);
        }
        forms.retain(|f| !f.is_empty());
        forms.dedup();
        if !forms.is_empty() {
            parts.push(forms);
        }
    }
    combine(&parts, " ")
}

/// Whether an Arabic-script word holds a letter only Persian, Urdu or Pashto write.
pub(crate) fn is_persian_word(word: &str) -> bool {
    arabic::is_persian_word(word)
}

/// The vowelled reading of an Arabic-script word holding an Arabic kaf (ك), read as gaf (گ);
/// `None` when the word has no kaf or reads as several pieces.
pub(crate) fn kaf_as_gaf(word: &str) -> Option<String> {
    if !word.contains('ك') {
        return None;
    }
    let forms = arabic::forms(&word.replace('ك', "گ"));
    forms
        .into_iter()
        .next()
        .filter(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_lowercase()))
}

/// Drops leading, trailing and repeated hyphens left by punctuation-only pieces.
pub(crate) fn tidy_hyphens(s: &mut String) {
    if !s.contains('-') {
        return;
    }
    let mut out = String::with_capacity(s.len());
    for piece in s.split('-').filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(piece);
    }
    *s = out;
}

/// Joins the parts convention by convention (the k-th form of each part, or its last).
pub(crate) fn combine(parts: &[Vec<String>], sep: &str) -> Vec<String> {
    let n = parts.iter().map(Vec::len).max().unwrap_or(0).min(MAX_FORMS);
    let mut out: Vec<String> = Vec::with_capacity(n);
    for k in 0..n {
        let mut s = String::new();
        for (i, p) in parts.iter().enumerate() {
            if i > 0 {
                s.push_str(sep);
            }
            if let Some(f) = p.get(k).or_else(|| p.last()) {
                s.push_str(f);
            }
        }
        if !out.contains(&s) {
            out.push(s);
        }
    }
    out
}

/// Latin forms of one whitespace-free folded word, which may still mix scripts and hyphens.
pub(crate) fn word_forms(word: &str, han: HanMode, out: &mut Vec<String>) {
    out.clear();
    if word.is_ascii() {
        let mut s = String::with_capacity(word.len());
        for c in word.chars() {
            if c.is_ascii_alphanumeric() || c == '-' {
                s.push(c.to_ascii_lowercase());
            }
        }
        out.push(s);
        return;
    }
    let mut parts: Vec<Vec<String>> = Vec::with_capacity(2);
    let mut run_start = 0;
    let mut run_script = Script::Common;
    for (i, c) in word.char_indices() {
        let s = script_of(c);
        if s == Script::Common || s == run_script {
            continue;
        }
        if run_script != Script::Common && i > run_start {
            parts.push(run_forms(&word[run_start..i], run_script, han));
            run_start = i;
        }
        run_script = s;
    }
    parts.push(run_forms(&word[run_start..], run_script, han));
    parts.retain(|p| !p.is_empty());
    if han == HanMode::PersonKorean && parts.len() == 1 {
        // Every surname and given-name spelling is wanted, beyond MAX_FORMS: they end up as
        // per-token alternative forms, not as whole-name forms.
        for f in parts.swap_remove(0) {
            if !out.contains(&f) {
                out.push(f);
            }
        }
        return;
    }
    *out = combine(&parts, "");
}

fn run_forms(run: &str, script: Script, han: HanMode) -> Vec<String> {
    match script {
        Script::Latin | Script::Common => latin_run(run),
        Script::Cyrillic => cyrillic::forms(run).into_iter().collect(),
        Script::Arabic => arabic::forms(run).into_iter().collect(),
        Script::Devanagari => devanagari::forms(run).into_iter().collect(),
        Script::Han => match han {
            HanMode::All => han::forms(run),
            HanMode::Person => han::forms(run).into_iter().take(1).collect(),
            HanMode::PersonKorean => {
                // Korean names are listed syllable by syllable (KIM CHOL SAM), and a token's
                // alternative forms must split like its primary form: so where a Korean reading
                // exists the pinyin is split the same way (jin tie san), which the scorer
                // still matches against a fused pinyin given name (Jin Tiesan).
                let korean = korean::person_forms(run, " ");
                let mut forms = han::forms(run);
                if korean.is_empty() {
                    forms.truncate(1);
                    return forms;
                }
                let mut out: Vec<String> = forms.into_iter().skip(1).take(1).collect();
                out.extend(korean);
                out
            }
            HanMode::Syllables => han::forms(run).into_iter().skip(1).take(1).collect(),
        },
        Script::Other => {
            let mut s = String::with_capacity(run.len());
            for c in run.chars() {
                if c.is_ascii_alphanumeric() || c == '-' {
                    s.push(c);
                } else {
                    push_any_ascii(c, &mut s);
                }
            }
            vec![s]
        }
    }
}

fn latin_run(run: &str) -> Vec<String> {
    let mut plain = String::with_capacity(run.len());
    let mut umlaut = String::new();
    let has_umlaut = run.contains(['ä', 'ö', 'ü']);
    for c in run.chars() {
        if c.is_ascii() {
            if c.is_ascii_alphanumeric() || c == '-' {
                plain.push(c);
                if has_umlaut {
                    umlaut.push(c);
                }
            }
            continue;
        }
        if unicode_normalization::char::is_combining_mark(c) {
            continue;
        }
        latin_to_ascii(c, &mut plain);
        if has_umlaut {
            match c {
                'ä' => umlaut.push_str("ae"),
                'ö' => umlaut.push_str("oe"),
                'ü' => umlaut.push_str("ue"),
                _ => latin_to_ascii(c, &mut umlaut),
            }
        }
    }
    if has_umlaut && umlaut != plain {
        vec![plain, umlaut]
    } else {
        vec![plain]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scripts() {
        assert_eq!(
            latin_forms("Умаров Доку Хаматович")[0],
            "umarov doku khamatovich"
        );
        assert_eq!(
            latin_forms("金铁三"),
            vec!["jin tiesan", "jin tie san", "jintiesan"]
        );
        assert_eq!(
            latin_forms("Jin Tiesan (金铁三)")[0],
            "jin tiesan jin tiesan"
        );
        assert_eq!(
            latin_forms("José Müller"),
            vec!["jose muller", "jose mueller"]
        );
        assert!(latin_forms("محمد عمر").contains(&"mhmd mr".to_string()));
        assert_eq!(latin_forms("Ελένη")[0], "eleni");
        assert!(latin_forms("").is_empty());
        assert!(latin_forms("?!…").is_empty());
    }

    #[test]
    fn at_most_four_distinct() {
        for t in [
            "Юрий Щукин",
            "سراج الدين حقانى",
            "राम",
            "x",
            "Юрий 金铁三 محمد",
        ] {
            let f = latin_forms(t);
            assert!(!f.is_empty() && f.len() <= MAX_FORMS, "{t}: {f:?}");
            let mut d = f.clone();
            d.dedup();
            assert_eq!(d.len(), f.len());
            assert!(f.iter().all(|s| s.is_ascii()));
        }
    }
}
