//! Order-independent alignment of two names and the name score.

use serde::{Deserialize, Serialize};

use crate::prep::{Method, Span};

/// Tunable weights of the scorer; `Params::default()` holds the values chosen on the DEV half
/// of the screening benchmark (docs/SCREENING.md).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct Params {
    /// Cost of a query token left unmatched, relative to a matched one. Queries often carry
    /// a middle name or patronym the list does not have, so this is below `beta_candidate`.
    pub beta_query: f32,
    /// Cost of a listed token the query does not contain.
    pub beta_candidate: f32,
    /// Cost of a token left unmatched on either side in `compare`, where neither name is the
    /// listed one. Lower than the screening costs: a name contained in a longer one ("Putin" /
    /// "Putin, Vladimir") is largely the same name when two names are compared on their own,
    /// while the conflict term still charges names that disagree. Chosen on the DEV pair sets
    /// (docs/SCREENING.md).
    pub compare_beta: f32,
    /// Extra cost when both names keep unmatched tokens (Han Bong Su / Han Jang Su): a token
    /// that disagrees is stronger evidence than one that is merely absent. In `compare`.
    pub conflict: f32,
    /// The same in screening, where listed spelling variants often disagree in one token.
    pub screen_conflict: f32,
    /// Token pairs less similar than this are not paired at all.
    pub min_pair: f32,
    /// Exponent applied to a pair's similarity: above 1 it punishes near-misses harder.
    pub sim_power: f32,
    /// Weight of particles (bin, abu, ul) relative to other tokens of the same rarity.
    pub particle_weight: f32,
    /// Upper bound of a token's rarity weight (its inverse document frequency).
    pub max_idf: f32,
    /// Factor applied to the score of a low-quality alias.
    pub weak_alias_factor: f32,
    pub dob_exact: f32,
    pub dob_swapped: f32,
    pub dob_year: f32,
    pub dob_range: f32,
    pub dob_near: f32,
    pub dob_conflict: f32,
    pub nationality_match: f32,
    pub nationality_conflict: f32,
    /// Score given to an entity sharing a document number with the query.
    pub document_score: f32,
    /// Corroboration only applies to names scoring at least this much: a shared birth year
    /// does not make a stranger a match.
    pub corroboration_floor: f32,
    /// Token pairs at least this similar count in the retrieval estimate.
    pub retrieval_min_sim: f32,
    /// Candidate names fully scored per query, best retrieval estimates first.
    pub max_candidates: usize,
    /// Retrieval keeps a name only when its estimate (matched weight over both names' weight)
    /// reaches this.
    pub min_estimate: f32,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            beta_query: 0.5,
            beta_candidate: 0.8,
            compare_beta: 0.35,
            conflict: 0.5,
            screen_conflict: 0.0,
            min_pair: 0.6,
            sim_power: 2.0,
            particle_weight: 0.3,
            max_idf: 8.0,
            weak_alias_factor: 0.92,
            dob_exact: 0.06,
            dob_swapped: 0.04,
            dob_year: 0.03,
            dob_range: 0.02,
            dob_near: 0.0,
            dob_conflict: -0.10,
            nationality_match: 0.02,
            nationality_conflict: -0.03,
            document_score: 0.98,
            corroboration_floor: 0.6,
            retrieval_min_sim: 0.70,
            max_candidates: 128,
            min_estimate: 0.35,
        }
    }
}

/// One aligned pair: a run of query tokens against a run of candidate tokens (single tokens
/// except for compounds).
#[derive(Debug, Clone, Copy)]
pub struct Paired {
    pub q: (u8, u8),
    pub c: (u8, u8),
    pub sim: f32,
    pub method: Method,
}

pub struct Alignment {
    pub score: f32,
    /// The score is the whole-name phonetic similarity, not a token alignment.
    pub whole: bool,
    pub pairs: Vec<Paired>,
    pub q_used: u64,
    pub c_used: u64,
}

fn span_mask(start: u8, len: u8) -> u64 {
    let len = u32::from(len).min(63);
    ((1u64 << len) - 1) << start.min(63)
}

/// Aligns `n` query tokens with `m` candidate tokens (both at most 64): best pairs first,
/// each token used once, fused/split runs matched by equal span keys.
#[allow(clippy::too_many_arguments)]
pub fn align(
    wq: &[f32],
    wc: &[f32],
    sq: &[Span],
    sc: &[Span],
    mut sim: impl FnMut(usize, usize) -> (f32, Method),
    beta_q: f32,
    beta_c: f32,
    conflict: f32,
    p: &Params,
    items: &mut Vec<Paired>,
    keep_pairs: bool,
) -> Alignment {
    let (n, m) = (wq.len().min(64), wc.len().min(64));
    items.clear();
    for i in 0..n {
        for j in 0..m {
            let (s, method) = sim(i, j);
            if s >= p.min_pair {
                items.push(Paired {
                    q: (i as u8, 1),
                    c: (j as u8, 1),
                    sim: s,
                    method,
                });
            }
        }
    }
    // Most span pairs differ: a one-word filter of the candidate's keys skips them cheaply.
    let bit = |key: u64| 1u64 << (key & 63);
    let c_keys = sc.iter().fold(0u64, |m, b| m | bit(b.key));
    for a in sq {
        if c_keys & bit(a.key) == 0 {
            continue;
        }
        for b in sc {
            if a.key == b.key && (a.len > 1 || b.len > 1) && a.len <= 3 && b.len <= 3 {
                items.push(Paired {
                    q: (a.start, a.len),
                    c: (b.start, b.len),
                    sim: if a.skeleton { 0.9 } else { 0.95 },
                    method: Method::Compound,
                });
            }
        }
    }
    // Best first; among equals the longer run, then the lower positions, so the result does not
    // depend on how the items were collected.
    items.sort_by(|x, y| {
        y.sim
            .total_cmp(&x.sim)
            .then((y.q.1 + y.c.1).cmp(&(x.q.1 + x.c.1)))
            .then(x.q.0.cmp(&y.q.0))
            .then(x.c.0.cmp(&y.c.0))
    });
    let (mut q_used, mut c_used) = (0u64, 0u64);
    let mut pairs = Vec::new();
    let (mut num, mut den) = (0.0f32, 0.0f32);
    let sum = |w: &[f32], (s, l): (u8, u8)| -> f32 {
        w.iter().skip(usize::from(s)).take(usize::from(l)).sum()
    };
    for &it in items.iter() {
        let (qm, cm) = (span_mask(it.q.0, it.q.1), span_mask(it.c.0, it.c.1));
        if usize::from(it.q.0) + usize::from(it.q.1) > n
            || usize::from(it.c.0) + usize::from(it.c.1) > m
            || q_used & qm != 0
            || c_used & cm != 0
        {
            continue;
        }
        q_used |= qm;
        c_used |= cm;
        let w = sum(wq, it.q) + sum(wc, it.c);
        // The default exponent, squared directly: powf showed in profiles.
        let power = if p.sim_power == 2.0 {
            it.sim * it.sim
        } else {
            it.sim.powf(p.sim_power)
        };
        num += power * w;
        den += w;
        if keep_pairs {
            pairs.push(it);
        }
    }
    let (mut uq, mut uc) = (0.0f32, 0.0f32);
    for (i, w) in wq.iter().enumerate().take(n) {
        if q_used & (1u64 << i) == 0 {
            uq += w;
        }
    }
    for (j, w) in wc.iter().enumerate().take(m) {
        if c_used & (1u64 << j) == 0 {
            uc += w;
        }
    }
    den += 2.0 * (beta_q * uq + beta_c * uc + conflict * uq.min(uc));
    let score = if den > 0.0 && num > 0.0 {
        (num / den).clamp(0.0, 1.0)
    } else {
        0.0
    };
    Alignment {
        score,
        whole: false,
        pairs,
        q_used,
        c_used,
    }
}
