//! Han → Hanyu Pinyin through the `pinyin` crate, tones dropped. Chinese names put the surname
//! first; the order is kept.

use pinyin::ToPinyin;

/// Two-character surnames, which would otherwise be split as surname + given name.
const COMPOUND_SURNAMES: [&str; 24] = [
    "欧阳", "歐陽", "司马", "司馬", "诸葛", "諸葛", "上官", "东方", "東方", "皇甫", "尉迟", "尉遲",
    "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕", "軒轅", "令狐", "端木",
];

/// Characters whose surname reading differs from the reading the dictionary gives first.
fn surname_reading(c: char) -> Option<&'static str> {
    Some(match c {
        '单' | '單' => "shan",
        '曾' => "zeng",
        '解' => "xie",
        '区' | '區' => "ou",
        '仇' => "qiu",
        '查' => "zha",
        '朴' => "piao",
        '覃' => "qin",
        '乐' | '樂' => "yue",
        '翟' => "zhai",
        '盖' | '蓋' => "ge",
        '缪' | '繆' => "miao",
        '柏' => "bai",
        '种' | '種' => "chong",
        _ => return None,
    })
}

/// Pinyin syllables of a run of Han characters (characters without a reading are skipped).
pub(crate) fn syllables(run: &str) -> Vec<String> {
    let mut out = Vec::with_capacity(run.chars().count());
    for (i, (c, p)) in run.chars().zip(run.to_pinyin()).enumerate() {
        if i == 0 {
            if let Some(s) = surname_reading(c) {
                out.push(s.to_string());
                continue;
            }
        }
        if let Some(p) = p {
            // Plain pinyin still writes ü (lü, nü); passports and lists write u.
            out.push(p.plain().replace('ü', "u"));
        }
    }
    out
}

/// Number of leading syllables that make up the surname.
pub(crate) fn surname_len(run: &str) -> usize {
    if COMPOUND_SURNAMES.iter().any(|s| run.starts_with(s)) {
        2
    } else {
        1
    }
}

/// [surname + joined given name, all syllables separated, all joined].
pub(crate) fn forms(run: &str) -> Vec<String> {
    let syl = syllables(run);
    if syl.is_empty() {
        return Vec::new();
    }
    let s = surname_len(run).min(syl.len());
    let mut person = syl[..s].concat();
    if s < syl.len() {
        person.push(' ');
        person.push_str(&syl[s..].concat());
    }
    vec![person, syl.join(" "), syl.concat()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn person_name() {
        assert_eq!(
            forms("金铁三"),
            vec![
                "jin tiesan".to_string(),
                "jin tie san".into(),
                "jintiesan".into()
            ]
        );
        assert_eq!(forms("欧阳修")[0], "ouyang xiu");
        assert_eq!(forms("单田芳")[0], "shan tianfang");
    }
}
