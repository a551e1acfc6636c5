//! Character-level folding shared by normalization, transliteration and variant look-up.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::UnicodeNormalization;

use crate::script::{script_of, Script};

/// Apostrophe-like characters are deleted rather than turned into spaces, so that
/// "Ma'ruf" and "Maruf" (and the ʿayn/hamza transcriptions ʿ ʾ) meet.
pub(crate) fn is_apostrophe(c: char) -> bool {
    matches!(
        c,
        '\'' | '\u{2019}'
            | '\u{2018}'
            | '\u{02BC}'
            | '\u{02BB}'
            | '\u{02BF}'
            | '\u{02BE}'
            | '`'
            | '\u{00B4}'
            | '\u{2032}'
    )
}

/// Arabic short vowels, shadda, sukun, superscript alef, Quranic marks and tatweel: writers add
/// or omit them freely, so they never distinguish two names.
pub(crate) fn is_arabic_ignorable(c: char) -> bool {
    matches!(c as u32, 0x0610..=0x061A | 0x064B..=0x065F | 0x0670 | 0x0640 | 0x06D6..=0x06ED)
}

/// Invisible format characters (bidi marks, zero-width joiners, soft hyphen, BOM) that copy and
/// paste from RTL text leaves behind.
pub(crate) fn is_invisible(c: char) -> bool {
    matches!(
        c as u32,
        0x00AD | 0x061C | 0x180E | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF
    )
}

/// NFKC + lower case, dropping ignorable marks and invisible characters, deleting apostrophes
/// and turning other punctuation into spaces (hyphens and dots survive: the tokenizer needs them
/// for articles and acronyms). `strip_latin` also reduces Latin letters to ASCII.
pub(crate) fn fold(text: &str, strip_latin: bool, out: &mut String) {
    if text.is_ascii() {
        for b in text.bytes() {
            push_ascii(b as char, out);
        }
        return;
    }
    let mut prev_latin = false;
    for c in text.nfkc() {
        for lc in c.to_lowercase() {
            prev_latin = fold_char(lc, strip_latin, prev_latin, out);
        }
    }
}

fn push_ascii(c: char, out: &mut String) {
    if c.is_ascii_alphanumeric() {
        out.push(c.to_ascii_lowercase());
    } else if c == '-' || c == '.' {
        out.push(c);
    } else if is_apostrophe(c) {
    } else {
        out.push(' ');
    }
}

/// Returns whether the character just written was a Latin letter, so that a following
/// free-standing combining mark can be dropped with it.
fn fold_char(c: char, strip_latin: bool, prev_latin: bool, out: &mut String) -> bool {
    if c.is_ascii() {
        push_ascii(c, out);
        return c.is_ascii_alphabetic();
    }
    if is_invisible(c) || is_arabic_ignorable(c) || is_apostrophe(c) {
        return prev_latin;
    }
    if is_combining_mark(c) {
        if prev_latin && strip_latin {
            return true;
        }
        out.push(c);
        return prev_latin;
    }
    match c as u32 {
        0x0660..=0x0669 => {
            out.push(char::from(b'0' + (c as u32 - 0x0660) as u8));
            return false;
        }
        0x06F0..=0x06F9 => {
            out.push(char::from(b'0' + (c as u32 - 0x06F0) as u8));
            return false;
        }
        // Dashes and the Arabic comma family become hyphen / space like their ASCII kin.
        0x2010..=0x2015 | 0x2212 => {
            out.push('-');
            return false;
        }
        _ => {}
    }
    match script_of(c) {
        Script::Latin => {
            if strip_latin {
                latin_to_ascii(c, out);
            } else {
                out.push(c);
            }
            true
        }
        Script::Common => {
            if c.is_alphanumeric() {
                out.push(c);
            } else {
                out.push(' ');
            }
            false
        }
        _ => {
            if c.is_alphanumeric() || is_mark(c) {
                out.push(c);
            } else {
                out.push(' ');
            }
            false
        }
    }
}

/// Devanagari vowel signs and similar spacing marks are not `is_alphanumeric`, yet are part of
/// the word.
fn is_mark(c: char) -> bool {
    is_combining_mark(c) || matches!(c as u32, 0x0900..=0x0903 | 0x093A..=0x094F | 0x0962..=0x0963)
}

/// One Latin letter to ASCII: drop accents by decomposition; letters that do not decompose
/// (ß, æ, ø, ł, đ, ı, þ…) go through any_ascii.
pub(crate) fn latin_to_ascii(c: char, out: &mut String) {
    let start = out.len();
    decompose_canonical(c, |d| {
        if d.is_ascii() {
            out.push(d.to_ascii_lowercase());
        } else if !is_combining_mark(d) {
            push_any_ascii(d, out);
        }
    });
    if out.len() == start {
        push_any_ascii(c, out);
    }
}

pub(crate) fn push_any_ascii(c: char, out: &mut String) {
    for a in any_ascii::any_ascii_char(c).chars() {
        if a.is_ascii_alphanumeric() {
            out.push(a.to_ascii_lowercase());
        } else if a == ' ' || a == '-' {
            out.push(' ');
        }
    }
}

/// The key a single token is looked up under in the variant table: the derivation script
/// (scripts/derive_name_variants.py) applies the same folding to the forms it writes.
pub fn variant_key(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    fold(token, true, &mut out);
    out.retain(|c| c != ' ' && c != '-' && c != '.');
    out
}
