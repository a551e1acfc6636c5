//! Which writing system a character belongs to, as far as transliteration cares.

/// The scripts that vigil-names transliterates with its own tables (or the pinyin crate);
/// everything else is `Other` and goes through `any_ascii`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Script {
    Latin,
    Cyrillic,
    Arabic,
    Han,
    Devanagari,
    Other,
    /// Digits, marks and anything that takes the script of its neighbours.
    Common,
}

/// Classifies one (already NFKC-normalized, lower-cased) character.
pub fn script_of(c: char) -> Script {
    let o = c as u32;
    if c.is_ascii() {
        return if c.is_ascii_alphabetic() {
            Script::Latin
        } else {
            Script::Common
        };
    }
    match o {
        0x00C0..=0x024F | 0x1E00..=0x1EFF | 0x2C60..=0x2C7F | 0xA720..=0xA7FF | 0x0250..=0x02AF => {
            if c.is_alphabetic() {
                Script::Latin
            } else {
                Script::Common
            }
        }
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF => Script::Common,
        0x0400..=0x052F | 0x1C80..=0x1C8F | 0x2DE0..=0x2DFF | 0xA640..=0xA69F => Script::Cyrillic,
        0x0600..=0x06FF | 0x0750..=0x077F | 0x08A0..=0x08FF | 0xFB50..=0xFDFF | 0xFE70..=0xFEFF => {
            if (0x0660..=0x0669).contains(&o) || (0x06F0..=0x06F9).contains(&o) {
                Script::Common
            } else {
                Script::Arabic
            }
        }
        0x0900..=0x097F | 0xA8E0..=0xA8FF => Script::Devanagari,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x3134F => Script::Han,
        _ => {
            if c.is_alphabetic() {
                Script::Other
            } else {
                Script::Common
            }
        }
    }
}
