//! String similarity on the lowercase ASCII forms that vigil-names produces. Written here rather
//! than taken from a crate because byte-level versions on stack buffers are several times faster
//! for short tokens, and screening calls them in its innermost loop.

/// Longest token compared character by character; longer ones (never seen in real names) are
/// compared on their first `MAX_LEN` bytes, which keeps the buffers on the stack.
const MAX_LEN: usize = 48;
/// [`MAX_LEN`] for callers that bound these similarities from lengths.
pub const MAX_COMPARED: usize = MAX_LEN;

fn clip(s: &[u8]) -> &[u8] {
    &s[..s.len().min(MAX_LEN)]
}

/// Jaro-Winkler similarity in [0, 1] (prefix scale 0.1, up to 4 prefix bytes).
pub fn jaro_winkler(a: &str, b: &str) -> f32 {
    let (a, b) = (clip(a.as_bytes()), clip(b.as_bytes()));
    if a.is_empty() || b.is_empty() {
        return if a.is_empty() && b.is_empty() {
            1.0
        } else {
            0.0
        };
    }
    if a == b {
        return 1.0;
    }
    let (s, l) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let window = (l.len() / 2).saturating_sub(1);
    let mut l_used = [false; MAX_LEN];
    let mut s_match = [0u8; MAX_LEN];
    let mut s_matched = 0usize;
    let mut s_flags = [false; MAX_LEN];
    for (i, &c) in s.iter().enumerate() {
        let lo = i.saturating_sub(window);
        let hi = (i + window + 1).min(l.len());
        for j in lo..hi {
            if !l_used[j] && l[j] == c {
                l_used[j] = true;
                s_flags[i] = true;
                s_match[s_matched] = c;
                s_matched += 1;
                break;
            }
        }
    }
    if s_matched == 0 {
        return 0.0;
    }
    let mut k = 0usize;
    let mut transpositions = 0usize;
    for (j, &c) in l.iter().enumerate() {
        if l_used[j] {
            if s_match[k] != c {
                transpositions += 1;
            }
            k += 1;
        }
    }
    let m = s_matched as f32;
    let t = (transpositions / 2) as f32;
    let jaro = (m / s.len() as f32 + m / l.len() as f32 + (m - t) / m) / 3.0;
    let prefix = a.iter().zip(b).take(4).take_while(|(x, y)| x == y).count() as f32;
    (jaro + prefix * 0.1 * (1.0 - jaro)).clamp(0.0, 1.0)
}

/// Levenshtein distance (insertions, deletions, substitutions).
pub fn levenshtein(a: &str, b: &str) -> usize {
    let (a, b) = (clip(a.as_bytes()), clip(b.as_bytes()));
    if a.is_empty() {
        return b.len();
    }
    if a.is_ascii() && b.is_ascii() {
        return levenshtein_bits(a, b);
    }
    levenshtein_table(a, b)
}

/// Myers' bit-parallel Levenshtein distance (Hyyrö's formulation) for an ASCII pattern of at
/// most 64 bytes: one column of the table per word operation instead of one cell, several
/// times faster for name tokens; the distance is the same.
fn levenshtein_bits(a: &[u8], b: &[u8]) -> usize {
    let lowercase = |s: &[u8]| s.iter().all(u8::is_ascii_lowercase);
    // Name tokens are lowercase letters: a table of 32 words (a–z fall on distinct slots of
    // `c & 31`) is a quarter of the ASCII one to clear.
    if lowercase(a) && lowercase(b) {
        myers::<32>(a, b, 31)
    } else {
        myers::<128>(a, b, 0x7f)
    }
}

fn myers<const N: usize>(a: &[u8], b: &[u8], mask: u8) -> usize {
    let m = a.len();
    let mut peq = [0u64; N];
    for (i, &c) in a.iter().enumerate() {
        peq[usize::from(c & mask)] |= 1 << i;
    }
    let last = 1u64 << (m - 1);
    let (mut pv, mut mv, mut score) = (!0u64, 0u64, m);
    for &c in b {
        let eq = peq[usize::from(c & mask)];
        let xv = eq | mv;
        let xh = ((eq & pv).wrapping_add(pv) ^ pv) | eq;
        let ph = mv | !(xh | pv);
        let mh = pv & xh;
        if ph & last != 0 {
            score += 1;
        } else if mh & last != 0 {
            score -= 1;
        }
        let ph = (ph << 1) | 1;
        let mh = mh << 1;
        pv = mh | !(xv | ph);
        mv = ph & xv;
    }
    score
}

/// The dynamic-programming table, for any bytes.
fn levenshtein_table(a: &[u8], b: &[u8]) -> usize {
    let mut row = [0usize; MAX_LEN + 1];
    for (j, r) in row.iter_mut().enumerate().take(b.len() + 1) {
        *r = j;
    }
    for (i, &ca) in a.iter().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            let sub = prev + usize::from(ca != cb);
            row[j + 1] = sub.min(cur + 1).min(row[j] + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

/// 1 − distance / longer length, in [0, 1].
pub fn levenshtein_ratio(a: &str, b: &str) -> f32 {
    let longest = a.len().max(b.len()).min(MAX_LEN);
    if longest == 0 {
        return 1.0;
    }
    1.0 - levenshtein(a, b) as f32 / longest as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bit_parallel_levenshtein_agrees_with_the_table() {
        // A fixed pseudo-random walk over short strings of a small alphabet (many repeats,
        // the hard case), plus the clipped maximum length.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let la = 1 + (next() % 12) as usize;
            let lb = (next() % 14) as usize;
            let a: Vec<u8> = (0..la).map(|_| b"abcde"[(next() % 5) as usize]).collect();
            let b: Vec<u8> = (0..lb).map(|_| b"abcde"[(next() % 5) as usize]).collect();
            assert_eq!(
                levenshtein_bits(&a, &b),
                levenshtein_table(&a, &b),
                "{a:?} {b:?}"
            );
        }
        assert_eq!(
            levenshtein_bits(b"ab1-z", b"a1b-"),
            levenshtein_table(b"ab1-z", b"a1b-")
        );
        let a = vec![b'a'; MAX_LEN];
        let b: Vec<u8> = (0..MAX_LEN).map(|i| b"ab"[i % 2]).collect();
        assert_eq!(levenshtein_bits(&a, &b), levenshtein_table(&a, &b));
    }

    #[test]
    fn known_values() {
        assert!((jaro_winkler("martha", "marhta") - 0.961).abs() < 0.01);
        assert!((jaro_winkler("dixon", "dicksonx") - 0.813).abs() < 0.01);
        assert_eq!(jaro_winkler("abc", "xyz"), 0.0);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
        assert_eq!(levenshtein("", "abc"), 3);
        assert!((levenshtein_ratio("haqqani", "haqani") - 6.0 / 7.0).abs() < 1e-6);
        let long = "a".repeat(500);
        assert_eq!(jaro_winkler(&long, &long), 1.0);
        assert!(levenshtein_ratio(&long, "b") >= 0.0);
    }
}
