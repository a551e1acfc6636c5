//! Names prepared for scoring: tokens with every Latin form, their consonant skeletons and
//! variant-group ids computed once, plus the keys of multi-token spans (fused/split spellings).

use serde::Serialize;
use vigil_names::{
    coarse_key, normalize_name, skeleton, variant_groups, CompoundKind, SchemaKind, Script,
};

use crate::text::{jaro_winkler, levenshtein_ratio, MAX_COMPARED};

/// Most tokens of a name that take part in scoring: real names have under a dozen, and a cap
/// keeps hostile 10,000-character input linear (and lets alignment use 64-bit masks).
pub const MAX_TOKENS: usize = 24;

/// One token with what similarity needs precomputed.
#[derive(Debug, Clone)]
pub struct Tok {
    pub text: String,
    /// The canonical text first, then the spellings of other conventions.
    pub forms: Vec<String>,
    /// Hashes of `forms`, for cheap equality tests.
    pub form_hashes: Vec<u64>,
    /// One-word filters of the form hashes, the variant groups and the skeleton hashes (one bit
    /// each): two tokens whose filters share no bit share no form, group or skeleton, which
    /// settles most pairs without reading the lists.
    pub form_bits: u64,
    pub group_bits: u64,
    pub skel_bits: u64,
    /// Consonant skeletons of the forms (distinct, non-empty).
    pub skels: Vec<String>,
    /// Hashes of `skels`, 0 for a skeleton under two letters (which never counts): most
    /// skeleton comparisons differ, and a hash tells so without comparing strings.
    pub skel_hashes: Vec<u64>,
    /// Variant-group ids, sorted.
    pub groups: Vec<u32>,
    /// Written in Latin letters (so its skeleton carries no extra information).
    pub latin: bool,
    pub particle: bool,
    /// Which of the letters a–z the canonical text holds (bit 0 = a).
    pub letters: u32,
    /// The same for each form and each skeleton: across scripts they bound the similarity.
    pub form_letters: Vec<u32>,
    pub skel_letters: Vec<u32>,
}

impl Tok {
    pub fn from_token(t: &vigil_names::Token) -> Tok {
        let mut forms = Vec::with_capacity(1 + t.alts.len());
        forms.push(t.text.clone());
        for a in &t.alts {
            if !a.is_empty() && !forms.contains(a) {
                forms.push(a.clone());
            }
        }
        let mut skels: Vec<String> = Vec::with_capacity(forms.len());
        for f in &forms {
            let s = skeleton(f);
            if !s.is_empty() && !skels.contains(&s) {
                skels.push(s);
            }
        }
        let latin = t.script == Script::Latin;
        let mut groups: Vec<u32> = variant_groups(&t.text).to_vec();
        if let Some(o) = &t.original {
            groups.extend_from_slice(variant_groups(o));
        }
        // The consonant skeleton of an Arabic-script token is no spelling: looking it up would
        // join unrelated groups.
        if t.script != Script::Arabic {
            for a in &t.alts {
                groups.extend_from_slice(variant_groups(a));
            }
        }
        groups.sort_unstable();
        groups.dedup();
        Tok {
            // A single letter is an initial or a connector (the ezafe of Lashkar-e-Taiba):
            // weak evidence either way, weighed like a particle.
            particle: t.particle || t.text.len() == 1,
            text: t.text.clone(),
            form_hashes: forms.iter().map(|f| hash_str(0, f)).collect(),
            form_bits: forms.iter().fold(0, |m, f| m | filter_bit(hash_str(0, f))),
            group_bits: groups.iter().fold(0, |m, g| {
                m | filter_bit(u64::from(*g).wrapping_mul(FILTER_MIX))
            }),
            skel_bits: skels
                .iter()
                .map(|s| skeleton_hash(s))
                .filter(|h| *h != 0)
                .fold(0, |m, h| m | filter_bit(h)),
            form_letters: forms.iter().map(|f| letter_mask(f)).collect(),
            forms,
            letters: letter_mask(&t.text),
            skel_letters: skels.iter().map(|s| letter_mask(s)).collect(),
            skel_hashes: skels.iter().map(|s| skeleton_hash(s)).collect(),
            skels,
            groups,
            latin,
        }
    }
}

/// Below this a pair of tokens counts as unrelated wherever similarities are used (alignment
/// and retrieval keep pairs from `Params::min_pair`, 0.6 by default; a lower `min_pair` has no
/// effect on spelling similarity): computing it exactly is wasted.
pub const MIN_USEFUL_SIM: f32 = 0.6;

/// How two tokens were found to agree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    /// Same canonical spelling.
    Exact,
    /// Same spelling under another transliteration convention.
    Transliteration,
    /// Known spellings of one name (variant table).
    Variant,
    /// Same consonant skeleton across scripts.
    Phonetic,
    /// An initial and a name starting with it.
    Initial,
    /// Edit similarity (Jaro-Winkler and Levenshtein).
    Fuzzy,
    /// A fused token against split tokens (Abdulrahman / Abdul Rahman).
    Compound,
}

const FILTER_MIX: u64 = 0x9e37_79b9_7f4a_7c15;

fn filter_bit(h: u64) -> u64 {
    1 << (h.wrapping_mul(FILTER_MIX) >> 58)
}

fn shares_form(a: &Tok, b: &Tok) -> bool {
    a.form_bits & b.form_bits != 0 && a.form_hashes.iter().any(|f| b.form_hashes.contains(f))
}

fn shares_group(a: &Tok, b: &Tok) -> bool {
    a.group_bits & b.group_bits != 0 && intersects(&a.groups, &b.groups)
}

fn skeleton_hash(s: &str) -> u64 {
    if s.len() < 2 {
        0
    } else {
        hash_str(SKELETON_TAG, s) | 1
    }
}

/// Whether the tokens share a consonant skeleton of two letters or more.
fn shares_skeleton(a: &Tok, b: &Tok) -> bool {
    a.skel_bits & b.skel_bits != 0
        && a.skel_hashes.iter().zip(&a.skels).any(|(ha, sa)| {
            *ha != 0
                && b.skel_hashes
                    .iter()
                    .zip(&b.skels)
                    .any(|(hb, sb)| ha == hb && sa == sb)
        })
}

/// Whether `token_sim` would find two tokens unrelated by its cheapest test (two Latin
/// tokens whose lengths and letters keep them below [`MIN_USEFUL_SIM`], with nothing else in
/// common): exactly the pairs for which it returns `(0.0, Method::Fuzzy)` before any string
/// comparison, tested in the cheapest order, so that callers can skip memoizing them.
pub fn unrelated_latin(a: &Tok, b: &Tok) -> bool {
    a.latin
        && b.latin
        && a.text.len() > 1
        && b.text.len() > 1
        && spelling_bound(a, b) < MIN_USEFUL_SIM
        && !shares_form(a, b)
        && !shares_group(a, b)
        && !shares_skeleton(a, b)
}

fn letter_mask(s: &str) -> u32 {
    s.bytes()
        .filter(u8::is_ascii_lowercase)
        .fold(0, |m, b| m | 1 << (b - b'a'))
}

/// An upper bound of the spelling similarity of two Latin tokens from their lengths and letter
/// sets, far cheaper than computing it: every letter one token lacks costs at least one edit and
/// at least one unmatched character.
fn spelling_bound(a: &Tok, b: &Tok) -> f32 {
    edit_bound(a.text.len(), b.text.len(), a.letters, b.letters)
}

/// The bound of [`spelling_bound`] for any two strings of these lengths (bytes) and letter sets
/// (`letter_mask`; characters outside a–z only loosen it).
fn edit_bound(la: usize, lb: usize, letters_a: u32, letters_b: u32) -> f32 {
    let (la, lb) = (la as f32, lb as f32);
    let only_a = (letters_a & !letters_b).count_ones() as f32;
    let only_b = (letters_b & !letters_a).count_ones() as f32;
    let longest = la.max(lb);
    let lev = 1.0 - only_a.max(only_b).max((la - lb).abs()) / longest;
    let m = (la - only_a).min(lb - only_b).max(0.0);
    let jaro = (m / la + m / lb + 1.0) / 3.0;
    let jw = jaro + 0.4 * (1.0 - jaro);
    0.5 * jw + 0.5 * lev
}

/// An upper bound of what the spelling and skeleton comparisons of `token_sim` can give a pair
/// in which one token is not Latin (its forms against the other's, three of each, and 0.85 of
/// its skeletons' similarity), from lengths and letter sets alone: most such pairs are
/// unrelated, and the bound tells so without a Jaro-Winkler or a Levenshtein. Infinite where
/// a string is longer than the comparisons look at; the first value reaching
/// [`MIN_USEFUL_SIM`] is returned as it is.
fn cross_script_bound(a: &Tok, b: &Tok) -> f32 {
    let mut ub = 0.0f32;
    for (fa, la) in a.forms.iter().zip(&a.form_letters).take(3) {
        for (fb, lb) in b.forms.iter().zip(&b.form_letters).take(3) {
            let (x, y) = (fa.len().min(fb.len()), fa.len().max(fb.len()));
            if y > MAX_COMPARED || x == 0 {
                return f32::INFINITY;
            }
            if 2 * x >= y {
                ub = ub.max(edit_bound(fa.len(), fb.len(), *la, *lb));
                // Callers only ask whether the pair could be useful.
                if ub >= MIN_USEFUL_SIM {
                    return ub;
                }
            }
        }
    }
    for (sa, la) in a.skels.iter().zip(&a.skel_letters) {
        for (sb, lb) in b.skels.iter().zip(&b.skel_letters) {
            if sa.len() >= 2 && sb.len() >= 2 {
                if sa.len().max(sb.len()) > MAX_COMPARED {
                    return f32::INFINITY;
                }
                ub = ub.max(0.85 * edit_bound(sa.len(), sb.len(), *la, *lb));
            }
        }
    }
    ub
}

/// Similarity of two tokens in [0, 1] and how it was reached. Symmetric.
pub fn token_sim(a: &Tok, b: &Tok) -> (f32, Method) {
    if a.form_hashes.first() == b.form_hashes.first() && a.text == b.text {
        return (1.0, Method::Exact);
    }
    if shares_form(a, b) {
        return (0.97, Method::Transliteration);
    }
    if shares_group(a, b) {
        return (0.95, Method::Variant);
    }
    let (la, lb) = (a.text.len(), b.text.len());
    if la == 1 || lb == 1 {
        // An initial says little: it agrees with a name only by its first letter.
        let same = a.text.as_bytes().first() == b.text.as_bytes().first();
        return if same {
            (0.7, Method::Initial)
        } else {
            (0.0, Method::Initial)
        };
    }
    if a.latin && b.latin && spelling_bound(a, b) < MIN_USEFUL_SIM && !shares_skeleton(a, b) {
        return (0.0, Method::Fuzzy);
    }
    if !(a.latin && b.latin) && cross_script_bound(a, b) < MIN_USEFUL_SIM && !shares_skeleton(a, b)
    {
        return (0.0, Method::Fuzzy);
    }
    let mut best = 0.0f32;
    // Other Latin spellings of a Latin token are rare (umlauts); across scripts the alternative
    // conventions are the point.
    let k = if a.latin && b.latin { 1 } else { 3 };
    for fa in a.forms.iter().take(k) {
        for fb in b.forms.iter().take(k) {
            let (x, y) = (fa.len().min(fb.len()), fa.len().max(fb.len()));
            // Lengths this far apart cannot reach a useful similarity.
            if 2 * x < y {
                continue;
            }
            let jw = jaro_winkler(fa, fb);
            // Levenshtein cannot beat 1 − length difference / longer length: skip it when even
            // that would not make this pair useful or better than one already found.
            let lev_bound = x as f32 / y as f32;
            if 0.5 * jw + 0.5 * lev_bound < best.max(MIN_USEFUL_SIM) {
                continue;
            }
            let s = 0.5 * jw + 0.5 * levenshtein_ratio(fa, fb);
            best = best.max(s);
        }
    }
    if !(a.latin && b.latin) {
        // Across scripts the vowels are guesses (Arabic writes none): the consonant skeletons
        // carry the evidence, so their similarity counts too, a little below the spelling's.
        for sa in &a.skels {
            for sb in &b.skels {
                if sa.len() >= 2 && sb.len() >= 2 && sa != sb {
                    let s = 0.5 * jaro_winkler(sa, sb) + 0.5 * levenshtein_ratio(sa, sb);
                    best = best.max(0.85 * s);
                }
            }
        }
    }
    let skel_equal = shares_skeleton(a, b);
    if skel_equal {
        // Across scripts the skeleton is the strongest evidence there is (Arabic writes no short
        // vowels); between two Latin spellings it also joins different names (Hassan/Hussein).
        let floor = if a.latin && b.latin { 0.75 } else { 0.9 };
        if floor > best {
            return (floor, Method::Phonetic);
        }
    }
    (best, Method::Fuzzy)
}

fn intersects(a: &[u32], b: &[u32]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    false
}

/// A key for a run of tokens that is equal for fused and split spellings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: u8,
    pub len: u8,
    pub key: u64,
    /// Keyed by consonant skeleton: weaker evidence than the spelling.
    pub skeleton: bool,
}

/// A normalized name: tokens (at most [`MAX_TOKENS`]) and span keys.
#[derive(Debug, Clone)]
pub struct Prepared {
    pub toks: Vec<Tok>,
    pub spans: Vec<Span>,
    /// Coarse phonetic key of the whole name (tokens in written order), compared across
    /// scripts where token boundaries disagree (迪沙哥耶夫 = di shageyefu ~ Dzagoev).
    pub coarse: String,
    /// Every token was written in Latin letters.
    pub latin: bool,
    /// Token boundaries say little: one name token, or Han script.
    pub loose: bool,
}

impl Prepared {
    pub fn whole(&self) -> (&str, bool, bool) {
        (&self.coarse, self.latin, self.loose)
    }
}

/// Similarity of two whole names by their coarse keys, scaled below token evidence; only
/// used when at least one name was written in another script.
pub fn whole_name_sim(a: (&str, bool, bool), b: (&str, bool, bool)) -> f32 {
    let ((ca, latin_a, loose_a), (cb, latin_b, loose_b)) = (a, b);
    if (latin_a && latin_b) || ca.len() < 2 || cb.len() < 2 {
        return 0.0;
    }
    // Only where token boundaries cannot be trusted (`Prepared::loose`): between multi-token
    // names the coarse keys of different people share too much (mhmd…).
    if !loose_a && !loose_b {
        return 0.0;
    }
    let (x, y) = (ca.len().min(cb.len()), ca.len().max(cb.len()));
    if 2 * x < y {
        return 0.0;
    }
    // Short coarse keys collide by chance: two or three Chinese syllables reduce to three to
    // five letters (曾淑華 = shuhua zeng and "Su Hsing" share theirs), so up to five letters
    // they rank candidates but never reach an alert on their own.
    let scale = match x {
        2 => 0.6,
        3 => 0.68,
        4 | 5 => 0.74,
        _ => 0.8,
    };
    scale * (0.5 * jaro_winkler(ca, cb) + 0.5 * levenshtein_ratio(ca, cb))
}

pub fn hash_str(tag: u8, s: &str) -> u64 {
    // FNV-1a: stable and fast for short keys; collisions only add candidates.
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(tag);
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Span key tag of consonant skeletons: fused and split spellings whose vowels differ
/// (Sirajuddin / سراج الدين read "saraj din").
pub const SKELETON_TAG: u8 = 3;

fn push_skeleton_span(spans: &mut Vec<Span>, start: usize, len: usize, text: &str, min_len: usize) {
    let sk = skeleton(text);
    // Short skeletons are shared by too many unrelated names to say anything (a compound of a
    // name and a known root, Faiz+ullah = fzl, is specific with one letter less).
    if sk.len() >= min_len {
        spans.push(Span {
            start: start as u8,
            len: len as u8,
            key: hash_str(SKELETON_TAG, &sk),
            skeleton: true,
        });
    }
}

/// Normalizes and prepares a name.
pub fn prepare(name: &str, kind: SchemaKind) -> Prepared {
    let n = normalize_name(name, kind);
    let toks: Vec<Tok> = n
        .tokens
        .iter()
        .take(MAX_TOKENS)
        .map(Tok::from_token)
        .collect();
    let mut spans = Vec::new();
    for c in &n.compounds {
        if c.start + c.len > toks.len() || c.len == 0 {
            continue;
        }
        // A token without its fused article is the same token: token similarity covers it.
        let tag = match c.kind {
            CompoundKind::Fused => 1,
            CompoundKind::WithoutArticle => 1,
        };
        spans.push(Span {
            start: c.start as u8,
            len: c.len as u8,
            key: hash_str(tag, &c.key),
            skeleton: false,
        });
        push_skeleton_span(&mut spans, c.start, c.len, &c.key, 3);
    }
    // Plain concatenation of neighbours (Mohammedali / Mohammed Ali), and each single token
    // under the same tag, so that a fused token meets its split form.
    for i in 0..toks.len() {
        spans.push(Span {
            start: i as u8,
            len: 1,
            key: hash_str(2, &toks[i].text),
            skeleton: false,
        });
        let mut joined = toks[i].text.clone();
        for len in 2..=3 {
            let Some(next) = toks.get(i + len - 1) else {
                break;
            };
            joined.push_str(&next.text);
            spans.push(Span {
                start: i as u8,
                len: len as u8,
                key: hash_str(2, &joined),
                skeleton: false,
            });
            push_skeleton_span(&mut spans, i, len, &joined, 4);
        }
        if toks[i].text.len() >= 6 {
            push_skeleton_span(&mut spans, i, 1, &toks[i].text, 4);
        }
    }
    let mut coarse = String::new();
    for t in toks.iter().filter(|t| !t.particle) {
        coarse.push_str(&coarse_key(&t.text));
    }
    let latin = toks.iter().all(|t| t.latin);
    // A Chinese personal name (two or three characters) is aligned syllable by syllable; longer
    // Han runs are mostly foreign names written phonetically, whose syllables fall anywhere.
    let han_chars: usize = n
        .tokens
        .iter()
        .filter(|t| t.script == Script::Han)
        .map(|t| t.original.as_deref().map_or(1, |o| o.chars().count()))
        .sum();
    let loose = toks.iter().filter(|t| !t.particle).count() <= 1 || han_chars >= 4;
    Prepared {
        toks,
        spans,
        coarse,
        latin,
        loose,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tok(s: &str) -> Tok {
        let p = prepare(s, SchemaKind::Person);
        p.toks.into_iter().next().expect("a token")
    }

    #[test]
    fn similarities() {
        assert_eq!(token_sim(&tok("Mohammed"), &tok("Mohammed")).0, 1.0);
        assert!(token_sim(&tok("Mohammed"), &tok("Muhammad")).0 >= 0.9);
        assert!(token_sim(&tok("Умаров"), &tok("Umarov")).0 >= 0.95);
        assert!(token_sim(&tok("Haqqani"), &tok("Haqani")).0 >= 0.9);
        assert!(token_sim(&tok("Smith"), &tok("Umarov")).0 < 0.5);
        assert_eq!(token_sim(&tok("J"), &tok("John")).1, Method::Initial);
    }
}
