//! Arabic-script (Arabic, Persian, Urdu, Pashto) → Latin.
//!
//! Short vowels are not written, so no table can recover "muhammad" from محمد. Two forms are
//! produced instead: a vowelled guess (long vowels from the letters, `a` between consonants) and
//! the consonant skeleton. Matching against Latin spellings is meant to go through
//! [`crate::skeleton`], where محمد, Muhammad, Mohammed and Mohamad all become `mhmd`.

#[derive(Clone, Copy, PartialEq, Eq)]
enum Unit {
    /// A consonant with its Latin spelling.
    Cons(&'static str),
    /// Alef and its hamza forms, ta marbuta, alef maqsura: always a vowel.
    Vowel(&'static str),
    /// و / ي and their Persian/Urdu kin: a vowel between consonants, a consonant elsewhere.
    Semi {
        vowel: &'static str,
        cons: &'static str,
    },
    /// ʿayn: Latin spellings usually show only the vowel around it.
    Ayn,
    /// Hamza on the line: nothing in Latin.
    Silent,
}

/// Letters only Persian, Urdu or Pashto write: a word holding one is read the Persian way.
fn is_persian_letter(c: char) -> bool {
    matches!(
        c,
        'ی' | 'ک'
            | 'گ'
            | 'پ'
            | 'چ'
            | 'ژ'
            | 'ۀ'
            | 'ے'
            | 'ں'
            | 'ٹ'
            | 'ڈ'
            | 'ڑ'
            | 'ہ'
            | 'ھ'
            | 'ۍ'
            | 'ې'
    )
}

pub(crate) fn is_persian_word(word: &str) -> bool {
    word.chars().any(is_persian_letter)
}

/// Where Persian, Urdu and Pashto read a letter unlike Arabic (فیض is Faiz, not Faid).
fn persian_unit(c: char) -> Option<Unit> {
    match c {
        'ض' | 'ذ' | 'ظ' => Some(Unit::Cons("z")),
        'ث' => Some(Unit::Cons("s")),
        _ => unit(c),
    }
}

fn unit(c: char) -> Option<Unit> {
    use Unit::*;
    Some(match c {
        'ب' => Cons("b"),
        'ت' | 'ط' | 'ٹ' | 'ټ' => Cons("t"),
        'ث' => Cons("th"),
        'ج' => Cons("j"),
        'ح' | 'ه' | 'ھ' | 'ہ' => Cons("h"),
        'خ' => Cons("kh"),
        'د' | 'ض' | 'ڈ' | 'ډ' => Cons("d"),
        'ذ' => Cons("dh"),
        'ر' | 'ڑ' | 'ړ' => Cons("r"),
        'ز' | 'ظ' | 'ځ' => Cons("z"),
        'س' | 'ص' | 'څ' => Cons("s"),
        'ش' | 'ښ' => Cons("sh"),
        'غ' => Cons("gh"),
        'ف' => Cons("f"),
        'ق' => Cons("q"),
        'ك' | 'ک' => Cons("k"),
        'گ' | 'ګ' | 'ڨ' | 'ڭ' => Cons("g"),
        'ل' => Cons("l"),
        'م' => Cons("m"),
        'ن' | 'ں' | 'ڼ' => Cons("n"),
        'پ' => Cons("p"),
        'چ' => Cons("ch"),
        'ژ' | 'ږ' => Cons("zh"),
        'ڤ' => Cons("v"),
        'ا' | 'آ' | 'أ' | 'ٱ' | 'ة' | 'ۀ' | 'ى' => Vowel("a"),
        'إ' => Vowel("i"),
        'ئ' => Vowel("i"),
        'ؤ' => Vowel("u"),
        'ې' | 'ے' => Vowel("e"),
        'ۍ' => Vowel("ai"),
        'و' => Semi {
            vowel: "u",
            cons: "w",
        },
        'ي' | 'ی' => Semi {
            vowel: "i",
            cons: "y",
        },
        'ع' => Ayn,
        'ء' => Silent,
        _ => return None,
    })
}

const ALEF: char = 'ا';

/// Roots that are written fused with the article in compound names (نورالدين, عبدالله):
/// splitting them lets the normalizer see "nur al-din" like the Latin "Nur al-Din".
const FUSED_ROOTS: [&str; 6] = ["الدين", "الله", "الرحمن", "الحق", "الاسلام", "الزمان"];

/// Splits a word into pieces: (text, preceded by the article).
fn pieces(word: &str) -> Vec<(&str, bool)> {
    let mut out = Vec::with_capacity(2);
    let mut rest = word;
    let mut article = false;
    if let Some(r) = rest.strip_prefix("عبد") {
        if r.starts_with("ال") && r.chars().count() > 3 {
            out.push(("عبد", false));
            rest = &r["ال".len()..];
            article = true;
        }
    }
    if !article {
        if let Some(r) = rest.strip_prefix("ال") {
            if r.chars().count() >= 2 {
                rest = r;
                article = true;
            }
        }
    }
    for root in FUSED_ROOTS {
        if let Some(prefix) = rest.strip_suffix(root) {
            if prefix.chars().count() >= 2 {
                out.push((prefix, article));
                out.push((&root["ال".len()..], true));
                return out;
            }
        }
    }
    out.push((rest, article));
    out
}

const ALLAH: &str = "الله";

/// Returns the vowelled guess, the consonant skeleton and, for a word ending in ta marbuta,
/// its construct-state reading (عصبة الأنصار is Usbat al-Ansar: "-at" before a noun); articles
/// are written "al-" so that the normalizer marks them.
pub(crate) fn forms(word: &str) -> Vec<String> {
    // The name of God is a word of its own, not the article and "lah".
    if word == ALLAH {
        return vec!["allah".to_string(), "llh".to_string()];
    }
    let persian = word.chars().any(is_persian_letter);
    let unit_of: fn(char) -> Option<Unit> = if persian { persian_unit } else { unit };
    let mut vowelled = String::with_capacity(word.len());
    let mut skeleton = String::with_capacity(word.len());
    // The same with the diphthong reading of a ye after the first consonant (see below).
    let mut diphthong = String::with_capacity(word.len() + 2);
    let mut has_diphthong = false;
    for (i, (piece, article)) in pieces(word).into_iter().enumerate() {
        if i > 0 {
            vowelled.push('-');
            skeleton.push('-');
            diphthong.push('-');
        }
        if article {
            vowelled.push_str("al-");
            skeleton.push_str("al-");
            diphthong.push_str("al-");
        }
        let start = vowelled.len();
        piece_forms(piece, unit_of, &mut vowelled, &mut skeleton);
        let read = &vowelled[start..];
        match diphthong_reading(piece, unit_of, read) {
            Some(d) => {
                diphthong.push_str(&d);
                has_diphthong = true;
            }
            None => diphthong.push_str(read),
        }
    }
    let mut out = vec![vowelled, skeleton];
    if has_diphthong {
        out.push(diphthong);
    }
    if let Some(maqsura) = maqsura_reading(word, &out[0]) {
        out.push(maqsura);
    }
    if word.ends_with('ة') && out[0].ends_with('a') {
        let construct = format!("{}t", out[0]);
        out.push(construct);
    }
    if !persian {
        if let Some(french) = french_reading(&out[0]) {
            out.push(french);
        }
    }
    if final_heh_is_vowel(word) && out[0].ends_with("ah") {
        // Persian writes a final e/a with heh (زاده = Zada, Zadeh; خواجه = Khwaja): the vowel is
        // the first reading, the written h the other.
        let written = out[0].clone();
        out[0].pop();
        out.push(written);
    }
    out
}

/// The French convention of Maghreb names (Algeria, Morocco, Tunisia, Mauritania; the UN and
/// OFAC lists keep it: Cherif, Bouchaib, Djamel, Achour): ش as ch, ج as dj, the vowel و as ou.
/// `None` when the word has none of them.
fn french_reading(vowelled: &str) -> Option<String> {
    if !vowelled.contains(['j', 'u']) && !vowelled.contains("sh") {
        return None;
    }
    let french = vowelled
        .replace("sh", "ch")
        .replace('j', "dj")
        .replace('u', "ou");
    (french != vowelled).then_some(french)
}

/// A ye right after the first consonant of a piece, before another consonant or at its end,
/// is read "i" but is as often the diphthong "ai" (فیض = Faiz, خير = Khair, زيد = Zaid, الحی =
/// al-Hai): the piece's reading with "ai" there, if the pattern holds.
fn diphthong_reading(piece: &str, unit: fn(char) -> Option<Unit>, read: &str) -> Option<String> {
    let mut chars = piece.chars();
    let first = unit(chars.next()?)?;
    let Unit::Cons(latin) = first else {
        return None;
    };
    if !matches!(chars.next()?, 'ي' | 'ی') {
        return None;
    }
    match chars.next() {
        None => {}
        Some(c) if matches!(unit(c), Some(Unit::Cons(_))) => {}
        Some(_) => return None,
    }
    let rest = read.strip_prefix(latin)?.strip_prefix('i')?;
    Some(format!("{latin}ai{rest}"))
}

/// Persian writes the Arabic alef maqsura (final ā) with its own ye: عیسی is Isa like عيسى,
/// موسی Musa, مصطفی Mustafa. A word of four letters or more ending in ی after a consonant
/// letter also reads with a final "a" (the first reading keeps "i", as in the nisba حقانی;
/// the commonest short word so spelled, علی, is Ali).
fn maqsura_reading(word: &str, read: &str) -> Option<String> {
    let mut rev = word.chars().rev();
    let (Some('ی'), Some(before)) = (rev.next(), rev.next()) else {
        return None;
    };
    if word.chars().count() < 4 || !matches!(unit(before), Some(Unit::Cons(_))) {
        return None;
    }
    let stem = read.strip_suffix('i')?;
    Some(format!("{stem}a"))
}

/// A word of three letters or more ending in heh after a consonant letter, not the name of God
/// (خيرالله) whose h is pronounced.
fn final_heh_is_vowel(word: &str) -> bool {
    let mut rev = word.chars().rev();
    let (Some(last), Some(before)) = (rev.next(), rev.next()) else {
        return false;
    };
    matches!(last, 'ه' | 'ھ' | 'ہ')
        && word.chars().count() >= 3
        && before != 'ل'
        && matches!(unit(before), Some(Unit::Cons(_)))
}

fn is_consonantal(u: Option<Unit>) -> bool {
    matches!(u, Some(Unit::Cons(_)))
}

fn piece_forms(
    piece: &str,
    unit: fn(char) -> Option<Unit>,
    vowelled: &mut String,
    skeleton: &mut String,
) {
    let units: Vec<Option<Unit>> = piece.chars().map(unit).collect();
    let chars: Vec<char> = piece.chars().collect();
    let n_cons = units.iter().filter(|u| is_consonantal(**u)).count();
    // What each position finally is, after deciding و/ي: true = consonant.
    let mut resolved: Vec<Option<(bool, &'static str)>> = Vec::with_capacity(units.len());
    for (i, u) in units.iter().enumerate() {
        let prev_cons = i > 0 && resolved[i - 1].is_some_and(|(c, _)| c);
        let next = units.get(i + 1).copied().flatten();
        let r = match u {
            None => None,
            Some(Unit::Cons(s)) => Some((true, *s)),
            Some(Unit::Vowel(s)) => Some((false, *s)),
            Some(Unit::Semi { vowel, cons }) => {
                let next_is_vowel = matches!(next, Some(Unit::Vowel(_)));
                // A ye after a word-initial ʿayn, before a consonant, is the vowel ī (عيسى Isa,
                // عيد Eid), not a y.
                let after_initial_ayn = i == 1
                    && units[0] == Some(Unit::Ayn)
                    && *vowel == "i"
                    && matches!(next, Some(Unit::Cons(_)));
                if after_initial_ayn {
                    Some((false, *vowel))
                } else if i == 0 || !prev_cons || next_is_vowel {
                    Some((true, *cons))
                } else {
                    Some((false, *vowel))
                }
            }
            Some(Unit::Ayn) => Some((false, "")),
            Some(Unit::Silent) => Some((false, "")),
        };
        resolved.push(r);
    }
    let len = resolved.len();
    for i in 0..len {
        let Some((is_cons, s)) = resolved[i] else {
            // Not an Arabic letter (a digit, a stray mark): keep what ASCII it has.
            if chars[i].is_ascii_alphanumeric() {
                vowelled.push(chars[i]);
                skeleton.push(chars[i]);
            }
            continue;
        };
        let next = resolved.get(i + 1).copied().flatten();
        if is_cons {
            vowelled.push_str(s);
            skeleton.push_str(s);
            let next_cons = next.is_some_and(|(c, _)| c);
            // A consonant cluster at the end of a short word (عبد abd, عمرو amr) is usually real;
            // not before a final heh, which mostly writes a vowel (Persian زاده = zadah/zada).
            let final_heh = i + 2 == len && matches!(chars[len - 1], 'ه' | 'ھ' | 'ہ');
            let final_cluster = i + 2 == len
                && n_cons <= 3
                && !final_heh
                && i > 0
                && resolved[i - 1].is_some_and(|(c, _)| !c);
            if next_cons && !final_cluster {
                vowelled.push('a');
            }
        } else if units[i] == Some(Unit::Ayn) {
            // ʿayn shows as the vowel it carries: "a" unless a vowel letter follows; before ī
            // at the start of a word it is usually written e (Eid, Eisa).
            let next_vowel = next.is_some_and(|(c, _)| !c);
            if i == 0 && next == Some((false, "i")) {
                vowelled.push('e');
            } else if !next_vowel && !vowelled.ends_with('a') {
                vowelled.push('a');
            }
        } else {
            // Alef after a consonant already followed by an inserted "a" must not double it.
            if s == "a"
                && chars[i] == ALEF
                && vowelled.ends_with('a')
                && i > 0
                && resolved[i - 1].is_some_and(|(c, _)| !c)
            {
                continue;
            }
            vowelled.push_str(s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_convention_of_maghreb_names() {
        assert!(forms("شريف").contains(&"charif".to_string()));
        assert!(forms("بوشعيب").iter().any(|f| f.starts_with("bouch")));
        assert!(forms("جمال").contains(&"djamal".to_string()));
        // Nothing to add where the word has none of the letters; Persian words keep their own.
        assert!(!forms("علي")
            .iter()
            .any(|f| f.contains("ou") || f.contains("dj")));
        assert!(!forms("پاشا").iter().any(|f| f.contains("ch")));
    }

    #[test]
    fn common_names() {
        assert_eq!(forms("محمد")[1], "mhmd");
        assert_eq!(forms("حقاني")[0], "haqani");
        assert_eq!(forms("حقانی")[0], "haqani");
        assert_eq!(forms("علي")[0], "ali");
        assert_eq!(forms("عبد")[0], "abd");
        assert_eq!(forms("جلال")[0], "jalal");
        assert_eq!(forms("سراج")[0], "saraj");
        assert_eq!(forms("کریم")[0], "karim");
        assert_eq!(forms("يوسف")[0], "yusf");
        assert_eq!(forms("الله")[0], "allah");
        // Persian reads ض as z; Arabic as d.
        assert_eq!(forms("فیض")[0], "fiz");
        assert_eq!(forms("فيض")[0], "fid");
        assert_eq!(forms("عصبة")[2], "asabat");
        // A final heh after a consonant is a vowel, not a cluster: زاده is zadah (Zada, Zadeh).
        assert_eq!(forms("زاده"), ["zada", "zdh", "zadah"]);
        assert_eq!(forms("خيرالله")[0], "khir-al-lah");
        assert_eq!(forms("طه")[0], "tah");
        // A ye after the first consonant may be the diphthong ai.
        assert_eq!(forms("فیض"), ["fiz", "fz", "faiz"]);
        assert_eq!(forms("عبدالحی")[2], "abd-al-hai");
        assert_eq!(forms("کریم").len(), 2);
        // ʿayn + ī at the start: عيسى is eisa, not ayasa; the Persian spelling عیسی also reads
        // with the alef maqsura's a.
        assert_eq!(forms("عيسى")[0], "eisa");
        assert_eq!(forms("عیسی"), ["eisi", "s", "eisa"]);
        assert_eq!(forms("حقانی")[0], "haqani");
        assert_eq!(forms("حقانی")[2], "haqana");
        assert_eq!(forms("علی").len(), 2);
        assert_eq!(forms("شاه")[0], "shah");
    }

    #[test]
    fn articles_and_fused_roots() {
        assert_eq!(forms("الدين")[0], "al-din");
        assert_eq!(forms("الرحمن")[1], "al-rhmn");
        assert_eq!(forms("عبدالرحمن")[1], "bd-al-rhmn");
        assert_eq!(forms("نورالدين")[0], "nur-al-din");
        assert_eq!(forms("خيرالله")[1], "khr-al-lh");
    }
}
