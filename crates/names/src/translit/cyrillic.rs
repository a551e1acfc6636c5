//! Cyrillic → Latin in three conventions: BGN/PCGN (the usual spelling on UN and OFAC lists),
//! ICAO 9303 (Russian passports since 2013) and a "common" English spelling (Dmitry, Yury).

/// Index of each convention in the returned array.
const BGN: usize = 0;
const ICAO: usize = 1;
const COMMON: usize = 2;
const SIMPLE: usize = 3;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Russian,
    Ukrainian,
    Belarusian,
}

fn lang_of(word: &str) -> Lang {
    let mut ukr = false;
    let mut bel = false;
    let mut central_asian = false;
    for c in word.chars() {
        match c {
            'і' | 'ї' | 'є' | 'ґ' => ukr = true,
            'ў' => bel = true,
            'ә' | 'ғ' | 'қ' | 'ң' | 'ө' | 'ұ' | 'ү' | 'һ' | 'ҳ' | 'ҷ' | 'ӣ' | 'ӯ' => {
                central_asian = true
            }
            _ => {}
        }
    }
    if central_asian {
        Lang::Russian
    } else if bel {
        Lang::Belarusian
    } else if ukr {
        Lang::Ukrainian
    } else {
        Lang::Russian
    }
}

fn is_vowel(c: char) -> bool {
    matches!(
        c,
        'а' | 'е'
            | 'ё'
            | 'и'
            | 'о'
            | 'у'
            | 'ы'
            | 'э'
            | 'ю'
            | 'я'
            | 'і'
            | 'ї'
            | 'є'
            | 'ә'
            | 'ө'
            | 'ұ'
            | 'ү'
            | 'ӣ'
            | 'ӯ'
            | 'ў'
    )
}

/// Transliterates one Cyrillic run; returns [BGN as the lists use it, ICAO, common English
/// spelling with strict-BGN ye after vowels, the common spelling with х → h and дж → j].
pub(crate) fn forms(word: &str) -> [String; 4] {
    let lang = lang_of(word);
    let mut out: [String; 4] = Default::default();
    let chars: Vec<char> = word.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        let prev = if i == 0 { None } else { Some(chars[i - 1]) };
        let next = chars.get(i + 1).copied();
        // "Word start" for the y- spellings of е/ё/ю/я: after a vowel or a hard/soft sign too.
        // BGN/PCGN writes ye/yo/yu/ya after vowels too (Nikolayevich); the lists mostly write
        // it only at the start and after the hard/soft signs (Byutukaev), which is form 0.
        let start = match prev {
            None => true,
            Some(p) => matches!(p, 'ь' | 'ъ') || !p.is_alphabetic(),
        };
        let after_vowel = prev.is_some_and(is_vowel);
        let at_end = next.is_none_or(|n| !n.is_alphabetic());
        let t: [&str; 3] = match c {
            'а' => ["a", "a", "a"],
            'б' => ["b", "b", "b"],
            'в' => ["v", "v", "v"],
            'г' if lang != Lang::Russian => ["h", "h", "h"],
            'г' => ["g", "g", "g"],
            'ґ' => ["g", "g", "g"],
            'д' => ["d", "d", "d"],
            'е' if start => ["ye", "e", "ye"],
            'е' if after_vowel => ["e", "e", "ye"],
            'е' => ["e", "e", "e"],
            'ё' if start => ["yo", "e", "yo"],
            'ё' => ["e", "e", "yo"],
            'ж' => ["zh", "zh", "zh"],
            'з' => ["z", "z", "z"],
            'и' if lang == Lang::Ukrainian => ["y", "y", "y"],
            // -ий / -ый endings: Dmitriy (BGN), Dmitrii (ICAO), Dmitry (common).
            'и' | 'ы'
                if next == Some('й') && chars.get(i + 2).is_none_or(|n| !n.is_alphabetic()) =>
            {
                if c == 'и' {
                    ["i", "i", ""]
                } else {
                    ["y", "y", ""]
                }
            }
            'и' => ["i", "i", "i"],
            'й' if at_end && prev.is_some_and(|p| p == 'и' || p == 'ы') => ["y", "i", "y"],
            'й' => ["y", "i", "y"],
            'і' => ["i", "i", "i"],
            'ї' => ["yi", "i", "yi"],
            'є' if start => ["ye", "ie", "ye"],
            'є' => ["ie", "ie", "e"],
            'к' => ["k", "k", "k"],
            'л' => ["l", "l", "l"],
            'м' => ["m", "m", "m"],
            'н' => ["n", "n", "n"],
            'о' => ["o", "o", "o"],
            'п' => ["p", "p", "p"],
            'р' => ["r", "r", "r"],
            'с' => ["s", "s", "s"],
            'т' => ["t", "t", "t"],
            'у' => ["u", "u", "u"],
            'ў' => ["w", "u", "u"],
            'ф' => ["f", "f", "f"],
            'х' => ["kh", "kh", "kh"],
            'ц' => ["ts", "ts", "ts"],
            'ч' => ["ch", "ch", "ch"],
            'ш' => ["sh", "sh", "sh"],
            'щ' => ["shch", "shch", "shch"],
            'ъ' => ["", "ie", ""],
            'ы' => ["y", "y", "y"],
            'ь' => ["", "", ""],
            'э' => ["e", "e", "e"],
            'ю' if start => ["yu", "iu", "yu"],
            'ю' => ["yu", "iu", "yu"],
            'я' if start => ["ya", "ia", "ya"],
            // Mariya (BGN) / Mariia (ICAO) / Maria (common).
            'я' if prev == Some('и') => ["ya", "ia", "a"],
            'я' => ["ya", "ia", "ya"],
            // Kazakh, Kyrgyz, Tajik, Uzbek, Bashkir/Tatar letters.
            'ә' => ["a", "a", "ae"],
            'ғ' => ["gh", "g", "g"],
            'қ' => ["q", "k", "k"],
            'ң' => ["ng", "n", "ng"],
            'ө' => ["o", "o", "o"],
            'ұ' => ["u", "u", "u"],
            'ү' => ["u", "u", "u"],
            'һ' | 'ҳ' => ["h", "h", "kh"],
            'ҷ' => ["j", "j", "dzh"],
            'ӣ' => ["i", "i", "i"],
            'ӯ' => ["u", "u", "u"],
            'ҕ' => ["gh", "g", "g"],
            'ҙ' => ["z", "z", "z"],
            'ҫ' => ["s", "s", "s"],
            'ӏ' | 'Ӏ' => ["", "", ""],
            'ј' => ["j", "j", "y"],
            'љ' => ["lj", "lj", "ly"],
            'њ' => ["nj", "nj", "ny"],
            'ђ' => ["dj", "dj", "dj"],
            'ћ' => ["c", "c", "ch"],
            'џ' => ["dz", "dz", "dzh"],
            'ѕ' => ["dz", "dz", "dz"],
            'ѓ' => ["gj", "gj", "g"],
            'ќ' => ["kj", "kj", "k"],
            _ => {
                if c.is_ascii() {
                    for o in out.iter_mut() {
                        o.push(c);
                    }
                } else {
                    let mut s = String::new();
                    crate::fold::push_any_ascii(c, &mut s);
                    for o in &mut out {
                        o.push_str(&s);
                    }
                }
                continue;
            }
        };
        out[BGN].push_str(t[BGN]);
        out[ICAO].push_str(t[ICAO]);
        out[COMMON].push_str(t[COMMON]);
        // The simple form is the common one with х → h and дж → j, as Central Asian and
        // Caucasian names are often written in English (Jamshed, Hasan).
        match (c, next) {
            ('х', _) => out[SIMPLE].push('h'),
            ('д', Some('ж')) => {}
            ('ж', _) if prev == Some('д') => out[SIMPLE].push('j'),
            _ => out[SIMPLE].push_str(t[COMMON]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn russian_conventions() {
        assert_eq!(
            forms("юрий")[..3],
            ["yuriy".to_string(), "iurii".into(), "yury".into()]
        );
        assert_eq!(forms("джамшед")[3], "jamshed");
        assert_eq!(forms("хасан")[3], "hasan");
        assert_eq!(forms("умаров")[0], "umarov");
        assert_eq!(forms("хаматович")[0], "khamatovich");
        assert_eq!(forms("бютукаев")[0], "byutukaev");
        assert_eq!(forms("бютукаев")[1], "biutukaev");
        assert_eq!(forms("николаевич")[2], "nikolayevich");
        assert_eq!(forms("евгений")[0], "yevgeniy");
        assert_eq!(forms("евгений")[1], "evgenii");
        assert_eq!(forms("щукин")[0], "shchukin");
        assert_eq!(
            forms("мария")[..3],
            ["mariya".to_string(), "mariia".into(), "maria".into()]
        );
    }

    #[test]
    fn other_languages() {
        assert_eq!(forms("григорій")[0], "hryhoriy");
        assert_eq!(forms("қасым")[1], "kasym");
        assert_eq!(forms("ҷамшед")[0], "jamshed");
    }
}
