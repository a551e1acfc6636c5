//! Word lists: titles, particles, articles, connectors, compound roots, organization words.

use std::sync::OnceLock;

use crate::fx::{FxMap, FxSet};

/// Titles and honorifics that are not also common given names: removed wherever they stand,
/// as long as a name token remains.
pub(crate) const TITLES: &[&str] = &[
    "mullah",
    "mulla",
    "mullo",
    "molla",
    "mollah",
    "mola",
    "maulvi",
    "maulavi",
    "mawlawi",
    "mawlavi",
    "moulvi",
    "molvi",
    "mowlawi",
    "maulana",
    "mawlana",
    "moulana",
    "molana",
    "haji",
    "hajji",
    "haj",
    "hajj",
    "hadji",
    "hadj",
    "hajiji",
    "alhaj",
    "alhajj",
    "alhadj",
    "elhadj",
    "elhaj",
    "khadzhi",
    "hadzhi",
    "sheikh",
    "shaykh",
    "sheik",
    "shaikh",
    "cheikh",
    "sheykh",
    "shekh",
    "shaikhul",
    "mufti",
    "ustad",
    "ustadh",
    "ustaz",
    "dr",
    "doctor",
    "mr",
    "mrs",
    "ms",
    "mme",
    "mister",
    "madam",
    "prof",
    "professor",
    "gen",
    "general",
    "col",
    "colonel",
    "maj",
    "major",
    "capt",
    "captain",
    "cpt",
    "lt",
    "lieutenant",
    "sgt",
    "sergeant",
    "brig",
    "brigadier",
    // Not "adm": آدم (Adam) reads "adm" and no list writes "Adm." before a name.
    "admiral",
    "cmdr",
    "commander",
    "sir",
    "hon",
    "rev",
    "eng",
    "engr",
    "engineer",
    "mawlavi",
];

/// Titles that are also given names (Amir, Sayed, Hafiz, Qari): removed only at the start of
/// the name and only when two name tokens remain, so "Amir Khazmat" keeps its Amir.
pub(crate) const AMBIGUOUS_TITLES: &[&str] = &[
    "amir", "emir", "ameer", "sayed", "sayyid", "sayyed", "syed", "seyed", "seyyed", "sayid",
    "hafiz", "hafez", "hafeez", "qari", "qary", "kari", "imam", "akhund", "akhond", "pir", "sahib",
    "saheb",
];

/// The same titles written in Arabic script (checked on the original token, before
/// transliteration blurs them).
pub(crate) const TITLES_ARABIC: &[&str] = &[
    "ملا",
    "ملاّ",
    "مولوی",
    "مولوي",
    "مولانا",
    "حاجی",
    "حاجي",
    "حاج",
    "الحاج",
    "شيخ",
    "شیخ",
    "الشيخ",
    "مفتی",
    "مفتي",
    "دكتور",
    "استاد",
    "мулла",
    "шейх",
    "хаджи",
    "муфтий",
];

/// Name particles: kept (they help when both names have them) but weigh little.
pub(crate) const PARTICLES: &[&str] = &[
    "bin", "ibn", "ben", "bint", "binti", "bte", "ibni", "ibnu", "bn", "ould", "wuld", "walad",
    "abu", "abou", "abo", "umm", "um", "oum", "bent", "ait",
];

/// Function words of organization names ("Bank of China", "Front for the Liberation of …"):
/// kept, but weighed like particles, since a translation or another word order drops or adds
/// them freely.
pub(crate) const ORG_PARTICLES: &[&str] = &["of", "for", "in", "on", "at", "to", "by", "with"];

/// Connectors of compound names ("Siraj ud Din", "Habib ur Rahman", "Zia ul Haq").
pub(crate) const CONNECTORS: &[&str] = &[
    "ul", "ud", "ur", "us", "uz", "ush", "ut", "un", "ud", "ad", "ed", "ur", "ar",
];

/// Arabic articles, assimilated or not; only read as articles when hyphen-joined to the next
/// word (al-Nusra, ash-Sham), except al/el which are also read when standing alone.
pub(crate) const ARTICLES: &[&str] = &[
    "al", "el", "ad", "ed", "ash", "as", "at", "az", "an", "ar", "ath", "adh", "ul", "ud", "ur",
    "us", "uz", "ush", "ut", "un", "ez", "es", "er", "et", "en", "il",
];

/// Spellings of the prefix of ʿAbd-compounds (ʿAbd al-Rahman = Abdulrahman = Abdel Rahman).
pub(crate) const ABD_PREFIXES: &[&str] = &[
    "abd", "abdu", "abdul", "abdel", "abdal", "abdol", "abdil", "abdur", "abdus", "abdush",
    "abdou", "abdoul", "abdulla",
];
pub(crate) const ABU_PREFIXES: &[&str] = &["abu", "abou", "abo", "aboo"];

/// Second halves of compound names, whole-token spellings → canonical root.
pub(crate) const ROOTS: &[(&str, &str)] = &[
    ("din", "din"),
    ("deen", "din"),
    ("dine", "din"),
    ("eddin", "din"),
    ("uddin", "din"),
    ("eddine", "din"),
    ("addin", "din"),
    ("uddeen", "din"),
    ("udin", "din"),
    ("edin", "din"),
    ("aldin", "din"),
    ("eldin", "din"),
    ("uldin", "din"),
    ("oddin", "din"),
    ("iddin", "din"),
    ("allah", "lah"),
    ("ullah", "lah"),
    ("ollah", "lah"),
    ("ulla", "lah"),
    ("ulah", "lah"),
    ("illah", "lah"),
    ("olla", "lah"),
    ("alla", "lah"),
    ("lah", "lah"),
    ("llah", "lah"),
    ("rahman", "rahman"),
    // How the Arabic-script reading spells الرحمن (no short vowels written: r-h-m-n).
    ("rahaman", "rahman"),
    ("rehman", "rahman"),
    ("rahmon", "rahman"),
    ("rakhman", "rahman"),
    ("urrahman", "rahman"),
    ("urrehman", "rahman"),
    ("arrahman", "rahman"),
    ("errahman", "rahman"),
    ("ulrahman", "rahman"),
    ("alrahman", "rahman"),
    ("urahman", "rahman"),
    ("haq", "haq"),
    ("haque", "haq"),
    ("huq", "haq"),
    ("ulhaq", "haq"),
    ("ulhaque", "haq"),
    ("ulhak", "haq"),
    ("ulhuq", "haq"),
    ("alhaq", "haq"),
    ("elhaq", "haq"),
    ("islam", "islam"),
    ("ulislam", "islam"),
    ("alislam", "islam"),
    ("zaman", "zaman"),
    ("uzzaman", "zaman"),
    ("uzaman", "zaman"),
    ("alzaman", "zaman"),
    ("azzaman", "zaman"),
];

/// Suffixes by which a fused token ends in a compound root (Sirajuddin, Hizbullah), longest
/// first so that "uddin" wins over "din".
pub(crate) const FUSED_SUFFIXES: &[(&str, &str)] = &[
    ("urrahman", "rahman"),
    ("urrehman", "rahman"),
    ("arrahman", "rahman"),
    ("errahman", "rahman"),
    ("ulrahman", "rahman"),
    ("alrahman", "rahman"),
    ("urahman", "rahman"),
    ("uzzaman", "zaman"),
    ("azzaman", "zaman"),
    ("alzaman", "zaman"),
    ("ulislam", "islam"),
    ("alislam", "islam"),
    ("ulhaque", "haq"),
    ("uddeen", "din"),
    ("eddine", "din"),
    ("uzaman", "zaman"),
    ("uddin", "din"),
    ("oddin", "din"),
    ("eddin", "din"),
    ("addin", "din"),
    ("iddin", "din"),
    ("aldin", "din"),
    ("eldin", "din"),
    ("uldin", "din"),
    ("ullah", "lah"),
    ("ollah", "lah"),
    ("allah", "lah"),
    ("illah", "lah"),
    ("ulhaq", "haq"),
    ("ulhak", "haq"),
    ("ulhuq", "haq"),
    ("alhaq", "haq"),
    ("elhaq", "haq"),
    ("udin", "din"),
    ("edin", "din"),
    ("ulla", "lah"),
    ("olla", "lah"),
    ("ulah", "lah"),
];

/// Generic words of organization names, removed like legal forms (rigour's list supplies the
/// legal forms of many countries; these are the ones it lacks).
pub(crate) const ORG_GENERIC: &[&str] = &[
    // Arabic, Persian and Urdu spellings of "limited" and "company" (راحت لمتد = Rahat Ltd.).
    "لمتد",
    "ليمتد",
    "لمیتد",
    "لمیٹڈ",
    "شركة",
    "شرکت",
    "کمپنی",
    "كمباني",
    "the",
    "co",
    "company",
    "companies",
    "corp",
    "corporation",
    "inc",
    "incorporated",
    "ltd",
    "limited",
    "llc",
    "plc",
    "gmbh",
    "ooo",
    "zao",
    "oao",
    "pao",
    "jsc",
    "cjsc",
    "ojsc",
    "pjsc",
    "sa",
    "ag",
    "establishment",
    "est",
    "trading",
    "general trading",
    "and",
    "&",
    "llp",
    "lp",
    "bv",
    "nv",
    "srl",
    "sarl",
    "spa",
    "fze",
    "fzco",
    "fzc",
    "fzle",
    "dmcc",
    "pte",
    "pvt",
    "private",
    "sdn bhd",
    "bhd",
    "tov",
    "ao",
    "pao",
    "ooo",
    "co ltd",
];

pub(crate) fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// The word lists as hash sets, built on first use: linear scans of ~100 titles per token cost
/// more than the rest of normalization.
pub(crate) struct Lexicon {
    pub titles: FxSet<&'static str>,
    pub ambiguous_titles: FxSet<&'static str>,
    /// With every final ye spelled ي, ی and ى (حاجی = حاجي = حاجى: keyboards and writers mix
    /// them).
    pub titles_arabic: FxSet<String>,
    pub particles: FxSet<&'static str>,
    pub org_particles: FxSet<&'static str>,
    pub articles: FxSet<&'static str>,
    pub roots: FxMap<&'static str, &'static str>,
}

pub(crate) fn lexicon() -> &'static Lexicon {
    static LEX: OnceLock<Lexicon> = OnceLock::new();
    LEX.get_or_init(|| Lexicon {
        titles: TITLES.iter().copied().collect(),
        ambiguous_titles: AMBIGUOUS_TITLES.iter().copied().collect(),
        titles_arabic: TITLES_ARABIC
            .iter()
            .flat_map(|t| {
                ['ي', 'ی', 'ى'].map(|ye| t.replace(['ي', 'ی', 'ى'], ye.encode_utf8(&mut [0; 4])))
            })
            .collect(),
        particles: PARTICLES.iter().chain(CONNECTORS).copied().collect(),
        org_particles: ORG_PARTICLES.iter().copied().collect(),
        articles: ARTICLES.iter().copied().collect(),
        roots: ROOTS.iter().copied().collect(),
    })
}
