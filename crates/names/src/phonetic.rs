//! Consonant skeletons: the key where Latin spellings of one name (and the transliteration of
//! its Arabic-script form, which has no short vowels) meet. محمد, Muhammad, Mohammed and
//! Mohamad all give `mhmd`; Умаров, Umarov and Oumarov give `mrv`.

use crate::translit::latin_forms;

/// Digraphs first (longest first), so that "kh" is not read as k + h.
const DIGRAPHS: [(&str, char); 17] = [
    ("tsch", 'c'),
    ("dsch", 'j'),
    ("sch", 's'),
    ("tch", 'c'),
    ("dzh", 'j'),
    ("ch", 'c'),
    ("sh", 's'),
    ("zh", 'j'),
    ("kh", 'h'),
    ("gh", 'g'),
    ("th", 't'),
    ("dh", 'd'),
    ("ph", 'f'),
    ("ck", 'k'),
    ("dj", 'j'),
    ("tz", 's'),
    ("ts", 's'),
];

/// The consonant skeleton of one lowercase ASCII token: digraphs merged, similar letters
/// merged (q→k, c→k, w→v, x→ks), vowels and y dropped, a final h dropped, doubled letters
/// collapsed. Non-ASCII letters are ignored: transliterate first (see [`phonetic_keys`]).
pub fn skeleton(token: &str) -> String {
    let b = token.as_bytes();
    let mut out = String::with_capacity(b.len());
    let mut i = 0;
    'outer: while i < b.len() {
        let c = b[i].to_ascii_lowercase();
        if !c.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        // Only these letters start a digraph; skipping the table for the others halves the time.
        let starts_digraph = matches!(c, b't' | b'd' | b's' | b'c' | b'z' | b'k' | b'g' | b'p');
        for (d, r) in DIGRAPHS.iter().filter(|_| starts_digraph) {
            let d = d.as_bytes();
            if b.len() - i >= d.len() && b[i..i + d.len()].eq_ignore_ascii_case(d) {
                push_collapsed(&mut out, *r);
                i += d.len();
                continue 'outer;
            }
        }
        match c {
            b'a' | b'e' | b'i' | b'o' | b'u' | b'y' => {}
            b'q' | b'c' => push_collapsed(&mut out, 'k'),
            b'w' => push_collapsed(&mut out, 'v'),
            b'x' => {
                push_collapsed(&mut out, 'k');
                push_collapsed(&mut out, 's');
            }
            // A final h after a vowel is ta marbuta or an English spelling habit (Fatimah).
            b'h' if i + 1 == b.len() || !b[i + 1].is_ascii_alphabetic() => {}
            _ => push_collapsed(&mut out, c as char),
        }
        i += 1;
    }
    out
}

fn push_collapsed(out: &mut String, c: char) {
    if !out.ends_with(c) {
        out.push(c);
    }
}

/// A coarser key than the skeleton: voiced and voiceless pairs merged (b/p, d/t, g/k, z/s,
/// v/f, j/c), for candidate retrieval that must not miss.
pub fn coarse_key(token: &str) -> String {
    let mut out = String::with_capacity(token.len());
    for c in skeleton(token).chars() {
        let m = match c {
            'p' => 'b',
            't' => 'd',
            'k' => 'g',
            's' => 'z',
            'f' => 'v',
            'c' => 'j',
            other => other,
        };
        push_collapsed(&mut out, m);
    }
    out
}

/// Keys for a candidate index: the skeleton and the coarse key of each Latin form of `token`
/// (any script), deduplicated, skeletons first. Empty when the token has no letters.
pub fn phonetic_keys(token: &str) -> Vec<String> {
    let mut keys: Vec<String> = Vec::with_capacity(4);
    let forms: Vec<String> = if token.is_ascii() {
        vec![token.to_ascii_lowercase()]
    } else {
        latin_forms(token)
    };
    for f in &forms {
        let s: String = f.split([' ', '-']).map(skeleton).collect();
        if !s.is_empty() && !keys.contains(&s) {
            keys.push(s);
        }
    }
    for f in &forms {
        let s: String = f.split([' ', '-']).map(coarse_key).collect();
        if !s.is_empty() && !keys.contains(&s) {
            keys.push(s);
        }
    }
    keys
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_meet() {
        for n in ["muhammad", "mohammed", "mohamad", "muhamad", "mohammad"] {
            assert_eq!(skeleton(n), "mhmd", "{n}");
        }
        assert!(phonetic_keys("محمد").contains(&"mhmd".to_string()));
        assert_eq!(skeleton("haqqani"), skeleton("haqani"));
        assert_eq!(skeleton("haqqani"), skeleton("hakkani"));
        assert!(phonetic_keys("حقاني").contains(&skeleton("haqqani")));
        assert_eq!(skeleton("umarov"), skeleton("oumarov"));
        assert!(phonetic_keys("Умаров").contains(&"mrv".to_string()));
        assert_eq!(skeleton("fatimah"), skeleton("fatima"));
        assert_eq!(skeleton("yusuf"), skeleton("iusuf"));
        assert_eq!(skeleton("aleksandr"), skeleton("alexandr"));
        assert_eq!(coarse_key("abdel"), coarse_key("abdul"));
        assert!(phonetic_keys("").is_empty());
        assert!(phonetic_keys("--").is_empty());
    }
}
