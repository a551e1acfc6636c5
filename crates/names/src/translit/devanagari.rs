//! Devanagari → Latin. Consonants carry an inherent "a" unless a virama or a vowel sign
//! follows. Hindi drops the inherent vowel at the end of a word (राम is "Ram", not "Rama"),
//! so the first form drops it and the second keeps it and spells long ī/ū as "ee"/"oo", the
//! other common Indian spelling.

const VIRAMA: char = '\u{094D}';
const NUKTA: char = '\u{093C}';

fn consonant(c: char) -> Option<&'static str> {
    Some(match c {
        'क' => "k",
        'ख' => "kh",
        'ग' => "g",
        'घ' => "gh",
        'ङ' => "ng",
        'च' => "ch",
        'छ' => "chh",
        'ज' => "j",
        'झ' => "jh",
        'ञ' => "ny",
        'ट' => "t",
        'ठ' => "th",
        'ड' => "d",
        'ढ' => "dh",
        'ण' => "n",
        'त' => "t",
        'थ' => "th",
        'द' => "d",
        'ध' => "dh",
        'न' => "n",
        'प' => "p",
        'फ' => "ph",
        'ब' => "b",
        'भ' => "bh",
        'म' => "m",
        'य' => "y",
        'र' => "r",
        'ल' => "l",
        'ळ' => "l",
        'व' => "v",
        'श' => "sh",
        'ष' => "sh",
        'स' => "s",
        'ह' => "h",
        _ => return None,
    })
}

fn nukta_form(base: &str) -> &'static str {
    match base {
        "k" => "q",
        "kh" => "kh",
        "g" => "gh",
        "j" => "z",
        "d" => "r",
        "dh" => "rh",
        "ph" => "f",
        "y" => "y",
        _ => "",
    }
}

/// (short spelling, long spelling) of an independent vowel or a vowel sign.
fn vowel(c: char) -> Option<(&'static str, &'static str)> {
    Some(match c {
        'अ' => ("a", "a"),
        'आ' | 'ा' => ("a", "a"),
        'इ' | 'ि' => ("i", "i"),
        'ई' | 'ी' => ("i", "ee"),
        'उ' | 'ु' => ("u", "u"),
        'ऊ' | 'ू' => ("u", "oo"),
        'ऋ' | 'ृ' => ("ri", "ri"),
        'ए' | 'े' => ("e", "e"),
        'ऐ' | 'ै' => ("ai", "ai"),
        'ओ' | 'ो' => ("o", "o"),
        'औ' | 'ौ' => ("au", "au"),
        'ऑ' | 'ॉ' => ("o", "o"),
        'ऍ' | 'ॅ' => ("e", "e"),
        _ => return None,
    })
}

fn is_sign(c: char) -> bool {
    matches!(
        c,
        'ा' | 'ि' | 'ी' | 'ु' | 'ू' | 'ृ' | 'े' | 'ै' | 'ो' | 'ौ' | 'ॉ' | 'ॅ'
    )
}

pub(crate) fn forms(word: &str) -> [String; 2] {
    let chars: Vec<char> = word.chars().collect();
    let mut short = String::with_capacity(word.len());
    let mut long = String::with_capacity(word.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if let Some(mut cons) = consonant(c) {
            let mut j = i + 1;
            if chars.get(j) == Some(&NUKTA) {
                let n = nukta_form(cons);
                if !n.is_empty() {
                    cons = n;
                }
                j += 1;
            }
            short.push_str(cons);
            long.push_str(cons);
            match chars.get(j).copied() {
                Some(VIRAMA) => j += 1,
                Some(s) if is_sign(s) => {
                    if let Some((a, b)) = vowel(s) {
                        short.push_str(a);
                        long.push_str(b);
                    }
                    j += 1;
                }
                next => {
                    let word_end = next.is_none_or(|n| {
                        !(consonant(n).is_some()
                            || is_sign(n)
                            || vowel(n).is_some()
                            || is_modifier(n))
                    });
                    // Schwa deletion at the end of the word, except after a cluster (मित्र mitra).
                    let cluster = i >= 2 && chars[i - 1] == VIRAMA;
                    if !word_end || cluster {
                        short.push('a');
                    }
                    long.push('a');
                }
            }
            i = j;
            continue;
        }
        if let Some((a, b)) = vowel(c) {
            short.push_str(a);
            long.push_str(b);
        } else if is_modifier(c) {
            // Anusvara / chandrabindu nasalize, visarga is a breath.
            let s = if c == 'ः' { "h" } else { "n" };
            short.push_str(s);
            long.push_str(s);
        } else if c.is_ascii_alphanumeric() {
            short.push(c);
            long.push(c);
        } else if let Some(d) = devanagari_digit(c) {
            short.push(d);
            long.push(d);
        }
        i += 1;
    }
    [short, long]
}

fn is_modifier(c: char) -> bool {
    matches!(c, 'ं' | 'ँ' | 'ः')
}

fn devanagari_digit(c: char) -> Option<char> {
    let o = c as u32;
    (0x0966..=0x096F)
        .contains(&o)
        .then(|| char::from(b'0' + (o - 0x0966) as u8))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hindi_names() {
        assert_eq!(forms("राम"), ["ram".to_string(), "rama".into()]);
        assert_eq!(forms("सुनील")[0], "sunil");
        assert_eq!(forms("सुनील")[1], "suneela");
        assert_eq!(forms("मित्र")[0], "mitra");
        assert_eq!(forms("अमित")[0], "amit");
        assert_eq!(forms("कृष्ण")[0], "krishna");
    }
}
