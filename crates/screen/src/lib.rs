//! Vigil's screening engine: is this name (with a birth date, a nationality, a document) on the
//! register? No I/O: the caller hands over the register's entities and the queries.
//!
//! * [`compare`] scores two names without any register (built-in variant tables only).
//! * [`Index::build`] takes a snapshot of the register; [`Index::screen`] retrieves a bounded
//!   set of candidates through inverted postings on token keys (spellings, consonant skeletons,
//!   variant groups, one-deletion forms, fused/split span keys) and scores them;
//!   [`Index::screen_exhaustive`] scores every name, to measure what retrieval misses.
//!
//! A name score aligns tokens regardless of order (best pairs first), weighs each token by its
//! rarity in the register, and charges unmatched tokens (a listed token the query lacks costs
//! more than an extra query token). Birth date, nationality and document numbers then adjust
//! it. Persons never match organizations. Every score is in [0, 1] and comes with an
//! [`Explanation`].

mod align;
mod corroborate;
mod index;
mod prep;
mod text;

use serde::Serialize;
use vigil_model::Schema;
use vigil_names::SchemaKind;

pub use align::Params;
pub use corroborate::{Adjustment, DateEvidence, Factor, QueryDate};
pub use index::{compatible, Index};
pub use prep::Method;
pub use text::{jaro_winkler, levenshtein, levenshtein_ratio};

/// The alert threshold chosen on the DEV half of the screening benchmark (docs/SCREENING.md).
pub const DEFAULT_THRESHOLD: f32 = 0.75;

/// Errors of this crate.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScreenError {
    #[error(
        "unknown schema {0:?} (expected Person, Organization, LegalEntity, Vessel or Aircraft)"
    )]
    UnknownSchema(String),
}

/// Reads a schema name as queries give it; an empty one means "unspecified".
pub fn parse_schema(text: &str) -> Result<Option<Schema>, ScreenError> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    Schema::parse(text)
        .map(Some)
        .ok_or_else(|| ScreenError::UnknownSchema(text.to_string()))
}

/// What is screened: a name and what else is known of the person or organization.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Query {
    /// `None`: any schema.
    pub schema: Option<Schema>,
    pub name: String,
    /// `YYYY-MM-DD`, `YYYY-MM` or `YYYY`, read leniently.
    pub birth_date: Option<String>,
    /// An ISO 3166 code or a country name.
    pub nationality: Option<String>,
    /// Passport or identity numbers: one shared with a listed entity is decisive.
    pub documents: Vec<String>,
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    pub id: String,
    pub score: f32,
    /// The listed name that matched best.
    pub name: String,
    pub explanation: Explanation,
}

/// Two tokens (or runs of tokens) the alignment paired.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TokenPair {
    pub query: String,
    pub candidate: String,
    pub similarity: f32,
    pub method: Method,
}

/// What contributed to a score.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Explanation {
    /// The score of the names alone.
    pub name_score: f32,
    pub pairs: Vec<TokenPair>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_query: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unmatched_candidate: Vec<String>,
    /// Corroboration and other changes made to the name score, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub adjustments: Vec<Adjustment>,
}

/// The result of [`compare`].
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scored {
    pub score: f32,
    pub explanation: Explanation,
}

pub(crate) fn explain(al: &align::Alignment, q: &[&str], c: &[&str]) -> Explanation {
    let run = |toks: &[&str], (s, l): (u8, u8)| -> String {
        toks.iter()
            .skip(usize::from(s))
            .take(usize::from(l))
            .copied()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let pairs = al
        .pairs
        .iter()
        .map(|p| TokenPair {
            query: run(q, p.q),
            candidate: run(c, p.c),
            similarity: p.sim,
            method: p.method,
        })
        .collect();
    let unmatched = |toks: &[&str], used: u64| -> Vec<String> {
        toks.iter()
            .enumerate()
            .filter(|(i, _)| *i >= 64 || used & (1u64 << i) == 0)
            .map(|(_, t)| t.to_string())
            .collect()
    };
    if al.whole {
        return Explanation {
            name_score: al.score,
            pairs: vec![TokenPair {
                query: q.join(" "),
                candidate: c.join(" "),
                similarity: al.score,
                method: Method::Phonetic,
            }],
            ..Explanation::default()
        };
    }
    Explanation {
        name_score: al.score,
        pairs,
        unmatched_query: unmatched(q, al.q_used),
        unmatched_candidate: unmatched(c, al.c_used),
        adjustments: Vec::new(),
    }
}

fn schema_kind(schema: Option<Schema>) -> SchemaKind {
    match schema {
        Some(s) => index::kind_of(s),
        None => SchemaKind::Other,
    }
}

/// Scores two names with no register: every token weighs the same (particles less), and the
/// score is symmetric. `schema` decides which words are noise (titles, legal forms).
pub fn compare(name1: &str, name2: &str, schema: Option<Schema>) -> Scored {
    compare_with(name1, name2, schema, &Params::default())
}

pub fn compare_with(name1: &str, name2: &str, schema: Option<Schema>, p: &Params) -> Scored {
    let kind = schema_kind(schema);
    let a = prep::prepare(name1, kind);
    let b = prep::prepare(name2, kind);
    let weights = |x: &prep::Prepared| -> Vec<f32> {
        x.toks
            .iter()
            .map(|t| if t.particle { p.particle_weight } else { 1.0 })
            .collect()
    };
    let (wa, wb) = (weights(&a), weights(&b));
    let beta = p.compare_beta;
    let ab = align::align(
        &wa,
        &wb,
        &a.spans,
        &b.spans,
        |i, j| prep::token_sim(&a.toks[i], &b.toks[j]),
        beta,
        beta,
        p.conflict,
        p,
        &mut Vec::new(),
        true,
    );
    let ba = align::align(
        &wb,
        &wa,
        &b.spans,
        &a.spans,
        |i, j| prep::token_sim(&b.toks[i], &a.toks[j]),
        beta,
        beta,
        p.conflict,
        p,
        &mut Vec::new(),
        true,
    );
    let ta: Vec<&str> = a.toks.iter().map(|t| t.text.as_str()).collect();
    let tb: Vec<&str> = b.toks.iter().map(|t| t.text.as_str()).collect();
    // Both directions, the better kept: greedy alignment breaks ties by position, and the
    // score must not depend on which name came first.
    let explanation = if ba.score > ab.score {
        let mut x = explain(&ba, &tb, &ta);
        for pair in &mut x.pairs {
            std::mem::swap(&mut pair.query, &mut pair.candidate);
        }
        std::mem::swap(&mut x.unmatched_query, &mut x.unmatched_candidate);
        x
    } else {
        explain(&ab, &ta, &tb)
    };
    let mut explanation = explanation;
    let whole = prep::whole_name_sim(a.whole(), b.whole());
    if whole > explanation.name_score {
        explanation = Explanation {
            name_score: whole,
            pairs: vec![TokenPair {
                query: ta.join(" "),
                candidate: tb.join(" "),
                similarity: whole,
                method: Method::Phonetic,
            }],
            ..Explanation::default()
        };
    }
    Scored {
        score: explanation.name_score,
        explanation,
    }
}
