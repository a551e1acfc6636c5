//! Sino-Korean readings of Han personal names (金铁三 → Kim Cholsam), for Korean names that are
//! written in Han characters but listed in Latin letters: North Korean names as UN and OFAC
//! lists spell them (McCune–Reischauer without diacritics, ㅈ as j: Kim, Ri, Pak, Choe, Jong,
//! Chol, Hyok, Ryong) and South Korean ones (Revised Romanization plus the usual surname
//! spellings: Lee, Park, Choi, Jeong, Cheol).
//!
//! Characters are read through `data/hanja_readings.tsv` (derived from the `hanja` package, see
//! data/README.md), one hangul syllable per character, which is romanized here from its jamo.

use std::collections::HashMap;
use std::sync::OnceLock;

/// Common Korean surnames (traditional and simplified characters) with their Latin spellings:
/// the North Korean (list) spelling first, then South Korean ones. Only names starting with
/// one of these get Korean readings: a Chinese name read the Korean way is noise.
const SURNAMES: &[(&str, &[&str])] = &[
    ("金", &["kim", "gim"]),
    ("李", &["ri", "lee", "yi", "rhee"]),
    ("朴", &["pak", "park", "bak"]),
    ("崔", &["choe", "choi"]),
    ("鄭郑丁", &["jong", "jeong", "chung", "chong"]),
    ("姜康", &["kang", "gang"]),
    ("趙赵", &["jo", "cho"]),
    ("張张蔣蒋", &["jang", "chang"]),
    ("尹", &["yun", "yoon"]),
    ("林任", &["rim", "lim", "im"]),
    ("韓韩", &["han"]),
    ("吳吴", &["o", "oh"]),
    ("徐", &["so", "seo", "suh"]),
    ("申", &["sin", "shin"]),
    ("權权", &["kwon", "gwon"]),
    ("黃黄", &["hwang"]),
    ("安", &["an", "ahn"]),
    ("宋", &["song"]),
    ("成", &["song", "seong", "sung"]),
    ("柳劉刘", &["ryu", "yu", "yoo"]),
    ("全田", &["jon", "jeon", "chon", "chun"]),
    ("洪", &["hong"]),
    ("高", &["ko", "go"]),
    ("文", &["mun", "moon"]),
    ("梁", &["ryang", "yang"]),
    ("孫孙", &["son"]),
    ("裵裴", &["pae", "bae"]),
    ("白", &["paek", "baek", "paik"]),
    ("許许", &["ho", "heo", "hur"]),
    ("南", &["nam"]),
    ("沈", &["sim", "shim"]),
    ("盧卢魯鲁", &["ro", "no", "roh"]),
    ("河", &["ha"]),
    ("郭", &["kwak", "gwak"]),
    ("車车", &["cha"]),
    ("朱周", &["ju", "joo", "chu"]),
    ("禹", &["u", "woo"]),
    ("具", &["ku", "koo"]),
    ("閔闵", &["min"]),
    ("羅罗", &["ra", "na"]),
    ("池", &["ji", "chi"]),
    ("嚴严", &["om", "eom"]),
    ("蔡", &["chae"]),
    ("元", &["won"]),
    ("千", &["chon", "cheon"]),
    ("方", &["pang", "bang"]),
    ("孔", &["kong", "gong"]),
    ("玄", &["hyon", "hyeon", "hyun"]),
    ("咸", &["ham"]),
    ("卞邊边", &["pyon", "byeon", "byun"]),
    ("廉", &["yom", "yeom"]),
    ("呂吕", &["ryo", "yeo"]),
    ("秋", &["chu"]),
    ("都", &["to", "do"]),
    ("石", &["sok", "seok"]),
    ("蘇苏", &["so"]),
    ("薛", &["sol", "seol"]),
    ("宣", &["son", "seon", "sun"]),
    ("馬马", &["ma"]),
    ("吉", &["kil", "gil"]),
    ("延", &["yon", "yeon"]),
    ("魏", &["wi"]),
    ("表", &["pyo"]),
    ("明", &["myong", "myeong"]),
    ("奇", &["ki", "gi"]),
    ("王", &["wang"]),
    ("琴", &["kum", "geum"]),
    ("玉", &["ok"]),
    ("陸陆", &["ryuk", "yuk"]),
    ("孟", &["maeng"]),
    ("卓", &["thak", "tak"]),
    ("太", &["thae", "tae"]),
    ("桂", &["kye", "gye"]),
    ("片", &["phyon", "pyeon"]),
    ("奉", &["pong", "bong"]),
    ("楊杨", &["yang"]),
    ("陳陈", &["jin", "chin"]),
    ("董", &["tong", "dong"]),
    ("慶庆", &["kyong", "gyeong"]),
    ("龍龙", &["ryong", "yong"]),
    ("睦", &["mok"]),
];

/// The Latin spellings of a common Korean surname.
fn surname_spellings(c: char) -> Option<&'static [&'static str]> {
    SURNAMES
        .iter()
        .find(|(chars, _)| chars.contains(c))
        .map(|(_, spellings)| *spellings)
}

fn readings() -> &'static HashMap<char, char> {
    static TABLE: OnceLock<HashMap<char, char>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let data = include_str!("../../data/hanja_readings.tsv");
        let mut map = HashMap::with_capacity(21_000);
        for line in data.lines().filter(|l| !l.starts_with('#')) {
            let Some((hangul, chars)) = line.split_once('\t') else {
                continue;
            };
            let Some(h) = hangul.chars().next() else {
                continue;
            };
            for c in chars.chars() {
                map.insert(c, h);
            }
        }
        map
    })
}

/// The Sino-Korean reading of a Han character as one hangul syllable.
pub(crate) fn reading(c: char) -> Option<char> {
    readings().get(&c).copied()
}

/// (initial, medial, final) jamo indices of a precomposed hangul syllable.
fn jamo(syllable: char) -> Option<(usize, usize, usize)> {
    let i = (syllable as u32).checked_sub(0xAC00)? as usize;
    if i >= 19 * 21 * 28 {
        return None;
    }
    Some((i / (21 * 28), (i / 28) % 21, i % 28))
}

/// Initial consonants (ㄱ ㄲ ㄴ ㄷ ㄸ ㄹ ㅁ ㅂ ㅃ ㅅ ㅆ ㅇ ㅈ ㅉ ㅊ ㅋ ㅌ ㅍ ㅎ) as North Korean lists
/// write them at the start of a syllable: McCune–Reischauer without apostrophes (aspirates kh,
/// th, ph), but ㅈ as j (Jong, Ju).
const MR_INITIALS: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th",
    "ph", "h",
];
/// McCune–Reischauer proper, as older OFAC entries write it once breves and apostrophes are
/// gone (YO'N Cho'ng-Nam = yon chong nam): ㅈ as ch where it is not voiced.
const MR_PROPER_INITIALS: [&str; 19] = [
    "k", "kk", "n", "t", "tt", "r", "m", "p", "pp", "s", "ss", "", "ch", "jj", "ch", "kh", "th",
    "ph", "h",
];
/// The same after a voiced sound inside a given name (Kim Jong Gak, Ri Yong Gil, Han Bong Su).
const MR_VOICED: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "kh", "th",
    "ph", "h",
];
const RR_INITIALS: [&str; 19] = [
    "g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p",
    "h",
];
/// Vowels (ㅏ ㅐ ㅑ ㅒ ㅓ ㅔ ㅕ ㅖ ㅗ ㅘ ㅙ ㅚ ㅛ ㅜ ㅝ ㅞ ㅟ ㅠ ㅡ ㅢ ㅣ); McCune–Reischauer's ŏ and ŭ
/// lose their breves as the lists write them (Chol, Un).
const MR_MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "o", "e", "yo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "u", "ui", "i",
];
const RR_MEDIALS: [&str; 21] = [
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we",
    "wi", "yu", "eu", "ui", "i",
];
/// Final consonants as pronounced at the end of a syllable (Sino-Korean readings only use
/// ㄱ ㄴ ㄹ ㅁ ㅂ ㅇ; the rest for completeness).
const FINALS: [&str; 28] = [
    "", "k", "k", "k", "n", "n", "n", "t", "l", "l", "l", "l", "l", "l", "l", "l", "m", "p", "p",
    "t", "t", "ng", "t", "t", "k", "t", "p", "t",
];

/// Whether a final makes the next initial voiced (a vowel, n, l, m, ng).
fn voicing_final(f: usize) -> bool {
    matches!(f, 0 | 4 | 8 | 16 | 21)
}

/// Latin spellings of a Korean given name written in hangul, its syllables joined by `sep`:
/// [North Korean with voicing (Jonggak), North Korean without (Jongkak), McCune–Reischauer
/// proper (Chonggak), Revised Romanization (Jeonggak)], distinct.
fn given_forms(syllables: &[char], sep: &str) -> Option<Vec<String>> {
    let mut voiced = String::with_capacity(4 * syllables.len());
    let mut plain = String::with_capacity(4 * syllables.len());
    let mut mr = String::with_capacity(4 * syllables.len());
    let mut rr = String::with_capacity(5 * syllables.len());
    let mut prev_final: Option<usize> = None;
    for (k, &s) in syllables.iter().enumerate() {
        let (i, m, f) = jamo(s)?;
        if k > 0 {
            for out in [&mut voiced, &mut plain, &mut mr, &mut rr] {
                out.push_str(sep);
            }
        }
        let voice = prev_final.is_some_and(voicing_final);
        voiced.push_str(if voice { MR_VOICED[i] } else { MR_INITIALS[i] });
        plain.push_str(MR_INITIALS[i]);
        mr.push_str(if voice {
            MR_VOICED[i]
        } else {
            MR_PROPER_INITIALS[i]
        });
        rr.push_str(RR_INITIALS[i]);
        for out in [&mut voiced, &mut plain, &mut mr] {
            out.push_str(MR_MEDIALS[m]);
            out.push_str(FINALS[f]);
        }
        rr.push_str(RR_MEDIALS[m]);
        rr.push_str(FINALS[f]);
        prev_final = Some(f);
    }
    let mut out = vec![voiced];
    for f in [plain, mr, rr] {
        if !out.contains(&f) {
            out.push(f);
        }
    }
    Some(out)
}

/// Korean readings of a Han personal name of 2–4 characters whose first character is a common
/// Korean surname, as "surname given" with the given name's syllables joined by `sep`: every
/// surname spelling and every given-name spelling appears in some form, the North Korean ones
/// first (金铁三 → "kim cholsam", "gim cheolsam" with an empty `sep`). Empty for anything else,
/// including characters without a reading.
pub(crate) fn person_forms(run: &str, sep: &str) -> Vec<String> {
    let mut chars = run.chars();
    let Some(first) = chars.next() else {
        return Vec::new();
    };
    let Some(surnames) = surname_spellings(first) else {
        return Vec::new();
    };
    let mut given: Vec<char> = Vec::with_capacity(3);
    for c in chars {
        if given.len() == 3 {
            return Vec::new();
        }
        let Some(h) = reading(c) else {
            return Vec::new();
        };
        given.push(h);
    }
    if given.is_empty() {
        return Vec::new();
    }
    let Some(givens) = given_forms(&given, sep) else {
        return Vec::new();
    };
    // The North Korean given name goes with the North Korean surname spelling, the Revised
    // Romanization with the South Korean ones (Lee Myeongbak); each form ends up giving every
    // token its spellings, so the pairing only matters for whole-name forms.
    let (north, south) = surnames.split_at(1);
    let rr = givens.last().map_or("", String::as_str);
    let mut out: Vec<String> = Vec::with_capacity(surnames.len() + givens.len());
    let mut push = |f: String| {
        if !out.contains(&f) {
            out.push(f);
        }
    };
    for s in north {
        for g in &givens {
            push(format!("{s} {g}"));
        }
    }
    for s in south {
        push(format!("{s} {rr}"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_reads_simplified_and_traditional() {
        assert_eq!(reading('铁'), Some('철'));
        assert_eq!(reading('鐵'), Some('철'));
        assert_eq!(reading('龍'), Some('룡'));
        assert_eq!(reading('a'), None);
        // Simplified forms the source read as an unrelated older character (derivation script).
        assert_eq!(reading('胜'), Some('승'));
        assert_eq!(reading('荣'), Some('영'));
    }

    #[test]
    fn north_korean_spellings() {
        let f = person_forms("金铁三", "");
        assert_eq!(f[0], "kim cholsam");
        assert!(f.contains(&"gim cheolsam".to_string()));
        assert_eq!(person_forms("金鐵三", "")[0], "kim cholsam");
        assert_eq!(person_forms("金鐵三", " ")[0], "kim chol sam");
        assert_eq!(person_forms("金正覺", " ")[0], "kim jong gak");
        assert_eq!(person_forms("李成日", "")[0], "ri songil");
        assert_eq!(person_forms("朴哲南", "")[0], "pak cholnam");
        assert_eq!(person_forms("崔春植", "")[0], "choe chunsik");
        assert_eq!(person_forms("鄭明學", "")[0], "jong myonghak");
        assert_eq!(person_forms("金正恩", "")[0], "kim jongun");
        assert_eq!(person_forms("崔龍海", "")[0], "choe ryonghae");
        assert_eq!(person_forms("太永浩", "")[0], "thae yongho");
        assert_eq!(person_forms("金正覺", "")[0], "kim jonggak");
        assert!(person_forms("金正覺", "").contains(&"kim jongkak".to_string()));
        // Older OFAC entries: McCune–Reischauer proper (YO'N, Cho'ng-Nam).
        assert!(person_forms("延正南", " ").contains(&"yon chong nam".to_string()));
    }

    #[test]
    fn south_korean_spellings() {
        let f = person_forms("李明博", "");
        assert!(f.iter().any(|s| s == "lee myeongbak"), "{f:?}");
        let f = person_forms("朴槿惠", "");
        assert!(f.iter().any(|s| s.starts_with("park ")), "{f:?}");
        let f = person_forms("崔哲", "");
        assert!(f.contains(&"choi cheol".to_string()), "{f:?}");
    }

    #[test]
    fn only_short_names_with_a_korean_surname() {
        assert!(person_forms("金", "").is_empty());
        assert!(person_forms("金日成日成", "").is_empty());
        assert!(person_forms("欧阳修", "").is_empty());
        assert!(person_forms("", "").is_empty());
        assert!(person_forms("金a", "").is_empty());
    }
}
