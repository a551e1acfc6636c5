//! The candidate index: a read-only snapshot of the register's names with inverted postings,
//! and the screening of one query against it.

use vigil_model::{country, Entity, NameKind, Schema};
use vigil_names::{coarse_key, SchemaKind};

use crate::align::{align, Alignment, Params};
use crate::corroborate::{date_delta, normalize_document, Adjustment, Factor, Facts, QueryDate};
use crate::prep::{
    hash_str, prepare, token_sim, unrelated_latin, whole_name_sim, Method, Prepared, Span, Tok,
};
use crate::{explain, Explanation, Match, Query};
use vigil_names::fx::{map_with_capacity, FxMap};

struct EntityEntry {
    id: String,
    schema: Schema,
    facts: Facts,
    names: std::ops::Range<u32>,
}

struct NameEntry {
    entity: u32,
    value: String,
    kind: SchemaKind,
    weak: bool,
    toks: Vec<u32>,
    spans: Vec<Span>,
    /// `Prepared::coarse`, and whether the name is all Latin.
    coarse: String,
    latin: bool,
    loose: bool,
}

/// A read-only snapshot of a register, built once and shared by every screening thread.
pub struct Index {
    params: Params,
    entities: Vec<EntityEntry>,
    names: Vec<NameEntry>,
    vocab: Vec<Tok>,
    vocab_w: Vec<f32>,
    /// Sum of each name's token weights.
    name_w: Vec<f32>,
    /// Retrieval key of a token → its vocabulary ids, a range of `key_ids` (one flat array:
    /// with two-deletion forms there are over a million keys, too many for a vector each).
    keys: FxMap<u64, (u32, u32)>,
    key_ids: Vec<u32>,
    /// Vocabulary id → names holding it.
    postings: Vec<Vec<u32>>,
    /// Span key → names, packed as `name | len << SPAN_SHIFT`.
    span_postings: FxMap<u64, Vec<u32>>,
    /// Document number → entities.
    doc_postings: FxMap<u64, Vec<u32>>,
    /// Similar vocabulary of every vocabulary token, computed at build: most query tokens are
    /// spellings the register holds, and these need no lock and no similarity at query time.
    known: FxMap<u64, Similar>,
    /// The same for other query tokens, filled as queries meet them.
    cache: std::sync::Mutex<FxMap<u64, Similar>>,
    /// Schemas some entity of the register has: a query prepares and retrieves only for the
    /// kinds of names it could meet (a person query meets organization-kind names only
    /// through LegalEntity records, which most registers lack).
    schemas: Vec<Schema>,
}

const SPAN_SHIFT: u32 = 26;
const NAME_MASK: u32 = (1 << SPAN_SHIFT) - 1;

pub(crate) fn kind_of(s: Schema) -> SchemaKind {
    match s {
        Schema::Person => SchemaKind::Person,
        Schema::Organization | Schema::LegalEntity => SchemaKind::Organization,
        Schema::Vessel | Schema::Aircraft => SchemaKind::Other,
    }
}

fn kind_slot(k: SchemaKind) -> usize {
    match k {
        SchemaKind::Person => 0,
        SchemaKind::Organization => 1,
        SchemaKind::Other => 2,
    }
}

/// Whether a query of schema `q` may match an entity of schema `c`: persons never match
/// organizations, vessels and aircraft only their own kind; an unspecified query matches all.
pub fn compatible(q: Option<Schema>, c: Schema) -> bool {
    match q {
        None => true,
        Some(Schema::Person) => matches!(c, Schema::Person | Schema::LegalEntity),
        Some(Schema::Organization) => matches!(c, Schema::Organization | Schema::LegalEntity),
        Some(Schema::LegalEntity) => matches!(
            c,
            Schema::Person | Schema::Organization | Schema::LegalEntity
        ),
        Some(Schema::Vessel) => c == Schema::Vessel,
        Some(Schema::Aircraft) => c == Schema::Aircraft,
    }
}

fn hash_skip(tag: u8, s: &[u8], skip: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(tag);
    for (i, b) in s.iter().enumerate() {
        if i != skip {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

/// Keys under which a token is found: its spellings, skeletons, coarse key, variant groups, and
/// its one-deletion forms (which meet every single substitution, insertion, deletion or swap of
/// neighbours).
///
/// A query token looks up fewer keys than the index holds (`query`): short skeletons and
/// coarse keys of Latin tokens reach hundreds of unrelated names, while the one-deletion forms
/// and variant groups already cover Latin spellings.
fn token_keys(t: &Tok, query: bool, out: &mut Vec<u64>) {
    out.clear();
    for f in &t.forms {
        out.push(hash_str(10, f));
    }
    let broad = !query || !t.latin;
    for s in &t.skels {
        if broad || s.len() >= 3 {
            out.push(hash_str(11, s));
        }
    }
    if broad {
        let c = coarse_key(&t.text);
        if !c.is_empty() {
            out.push(hash_str(14, &c));
        }
    }
    for g in &t.groups {
        out.push(hash_str(12, &g.to_string()));
    }
    let b = t.text.as_bytes();
    if b.len() >= 4 {
        out.push(hash_skip(13, b, usize::MAX));
        for i in 0..b.len().min(32) {
            out.push(hash_skip(13, b, i));
        }
    }
    // Listed tokens also under their two-deletion forms, in the same key space: a query token
    // (or its one-deletion form) then meets listed spellings with two more letters or one more
    // and one other (Yunus / Younous, Hamani / Haqqani). Only the index holds them: a query
    // token looking up all its two-deletion forms costs more than it finds. Between two listed
    // tokens the relation is made symmetric at build (Bagheri / Basher). Only where four
    // letters or more remain: shorter residues are shared by too many unrelated tokens.
    if !query && b.len() >= DEL2_MIN_RESIDUE + 2 && b.len() <= DEL2_MAX_LEN {
        for i in 0..b.len() {
            for j in i + 1..b.len() {
                out.push(hash_skip2(13, b, i, j));
            }
        }
    }
    out.sort_unstable();
    out.dedup();
}

/// Shortest residue of a two-deletion key, and longest token that gets them (a name token is
/// rarely longer; longer ones still have their one-deletion keys).
const DEL2_MIN_RESIDUE: usize = 4;
const DEL2_MAX_LEN: usize = 14;

fn hash_skip2(tag: u8, s: &[u8], skip1: usize, skip2: usize) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ u64::from(tag);
    for (i, b) in s.iter().enumerate() {
        if i != skip1 && i != skip2 {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    h
}

fn idf(df: u32, n: usize, p: &Params) -> f32 {
    let v = (1.0 + n as f32 / df.max(1) as f32).ln();
    v.clamp(1.0, p.max_idf)
}

/// What retrieval accumulates for one name; one record per name, so that crediting a name
/// touches one cache line rather than three arrays.
#[derive(Clone, Copy, Default)]
struct Acc {
    est: f32,
    /// The query token (1-based) that last credited the name.
    last: u16,
    /// Whether a span already credited the name.
    spanned: bool,
    /// Whether the name is in `Scratch::touched`.
    touched: bool,
}

/// Per-thread retrieval accumulators, as long as the index has names: a dense array is much
/// faster than a map, and only the entries a query touched are reset. The other buffers are
/// kept between queries to save their allocation.
#[derive(Default)]
struct Scratch {
    acc: Vec<Acc>,
    touched: Vec<u32>,
    cands: Vec<(u32, f32)>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

type Memo = FxMap<(u32, u32), (f32, Method)>;

thread_local! {
    /// Alignment buffers of finished queries, reused: allocating (and zeroing) a fresh memo
    /// table per query showed in profiles.
    static BUFFERS: std::cell::RefCell<Vec<(Memo, Vec<crate::align::Paired>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// Returns a finished query's buffers for the next query of this thread.
fn recycle(st: QState) {
    let QState {
        mut memo,
        mut items,
        ..
    } = st;
    // A table grown by a hostile query is not kept.
    if memo.capacity() > 4096 {
        return;
    }
    memo.clear();
    items.clear();
    BUFFERS.with(|b| {
        if let Ok(mut b) = b.try_borrow_mut() {
            if b.len() < 8 {
                b.push((memo, items));
            }
        }
    });
}

/// Vocabulary ids with their similarity to one query token, sorted by id.
type Similar = std::sync::Arc<SimilarList>;

/// A token's similar vocabulary: sorted by id for lookups during alignment (it dereferences to
/// that slice), and by similarity (best first, then by id) for the postings walk, sorted once
/// rather than for every query.
struct SimilarList {
    by_id: Box<[(u32, f32, Method)]>,
    by_sim: Box<[(u32, f32)]>,
}

impl SimilarList {
    fn new(by_id: Vec<(u32, f32, Method)>) -> Similar {
        let mut by_sim: Vec<(u32, f32)> = by_id.iter().map(|e| (e.0, e.1)).collect();
        by_sim.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        std::sync::Arc::new(SimilarList {
            by_id: by_id.into_boxed_slice(),
            by_sim: by_sim.into_boxed_slice(),
        })
    }
}

impl std::ops::Deref for SimilarList {
    type Target = [(u32, f32, Method)];

    fn deref(&self) -> &Self::Target {
        &self.by_id
    }
}

/// What identifies a token for its similar vocabulary: its text and every form.
fn similar_key(t: &Tok) -> u64 {
    // A tag of its own: with tag 0 the text's hash would cancel its first form's.
    let mut h = hash_str(100 + u8::from(t.latin), &t.text);
    for f in &t.form_hashes {
        h = (h ^ f).wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Most query tokens whose similar vocabulary is cached (about 100 bytes each plus the list).
const CACHE_ENTRIES: usize = 200_000;

/// The query prepared for one schema kind.
struct QState {
    prep: Prepared,
    weights: Vec<f32>,
    /// Per query token: vocabulary tokens found by retrieval keys with their similarity,
    /// best first.
    similar: Vec<Similar>,
    /// Per query token: a 1,024-bit filter of the vocabulary ids in `similar` (bit id mod
    /// 1,024): most candidate tokens are in no list, and the filter says so without a search.
    in_similar: Vec<[u64; 16]>,
    /// Similarities computed during alignment for pairs retrieval did not meet.
    memo: Memo,
    /// Scratch space of the alignment.
    items: Vec<crate::align::Paired>,
}

impl Index {
    /// Builds the index over the entities' names with the default parameters.
    pub fn build(entities: &[Entity]) -> Index {
        Index::build_with(entities, Params::default())
    }

    pub fn build_with(entities: &[Entity], params: Params) -> Index {
        let mut index = Index {
            params,
            entities: Vec::with_capacity(entities.len()),
            names: Vec::with_capacity(entities.len() * 4),
            vocab: Vec::new(),
            vocab_w: Vec::new(),
            name_w: Vec::new(),
            keys: map_with_capacity(0),
            key_ids: Vec::new(),
            postings: Vec::new(),
            span_postings: map_with_capacity(0),
            doc_postings: map_with_capacity(0),
            known: map_with_capacity(0),
            cache: std::sync::Mutex::new(map_with_capacity(1024)),
            schemas: Vec::new(),
        };
        let mut intern: FxMap<String, u32> = map_with_capacity(64 * 1024);
        let mut seen: Vec<Vec<u32>> = Vec::new();
        for e in entities {
            let entity = index.entities.len() as u32;
            let kind = kind_of(e.schema);
            let first = index.names.len() as u32;
            seen.clear();
            for name in &e.names {
                let prep = prepare(&name.value, kind);
                if prep.toks.is_empty() {
                    continue;
                }
                let mut toks = Vec::with_capacity(prep.toks.len());
                let Prepared {
                    toks: ptoks,
                    spans,
                    coarse,
                    latin,
                    loose,
                } = prep;
                for t in ptoks {
                    let key = if t.latin {
                        t.text.clone()
                    } else {
                        format!("{}\u{1}{}", t.text, t.forms[1..].join("\u{2}"))
                    };
                    let id = match intern.get(&key) {
                        Some(id) => *id,
                        None => {
                            let id = index.vocab.len() as u32;
                            intern.insert(key, id);
                            index.vocab.push(t);
                            id
                        }
                    };
                    toks.push(id);
                }
                // The same name twice (a UN name and its original script often normalize
                // alike) would only be scored twice.
                let weak = name.kind == NameKind::WeakAlias;
                if let Some(pos) = seen.iter().position(|s| *s == toks) {
                    let existing = &mut index.names[first as usize + pos];
                    existing.weak &= weak;
                    continue;
                }
                seen.push(toks.clone());
                index.names.push(NameEntry {
                    entity,
                    value: name.value.clone(),
                    kind,
                    weak,
                    toks,
                    spans,
                    coarse,
                    latin,
                    loose,
                });
            }
            index.entities.push(EntityEntry {
                id: e.id.to_string(),
                schema: e.schema,
                facts: Facts::of(e),
                names: first..index.names.len() as u32,
            });
        }
        index.schemas = Schema::ALL
            .into_iter()
            .filter(|s| index.entities.iter().any(|e| e.schema == *s))
            .collect();
        index.finish();
        index
    }

    fn finish(&mut self) {
        let mut postings: Vec<Vec<u32>> = vec![Vec::new(); self.vocab.len()];
        let mut spans: FxMap<u64, Vec<u32>> = map_with_capacity(self.names.len() * 3);
        for (ni, name) in self.names.iter().enumerate() {
            let ni = ni as u32;
            for &v in &name.toks {
                let p = &mut postings[v as usize];
                if p.last() != Some(&ni) {
                    p.push(ni);
                }
            }
            for s in &name.spans {
                spans
                    .entry(s.key)
                    .or_default()
                    .push(ni | u32::from(s.len) << SPAN_SHIFT);
            }
        }
        let n = self.names.len().max(1);
        self.vocab_w = postings
            .iter()
            .zip(&self.vocab)
            .map(|(p, t)| {
                let w = idf(p.len() as u32, n, &self.params);
                if t.particle {
                    w * self.params.particle_weight
                } else {
                    w
                }
            })
            .collect();
        self.name_w = self
            .names
            .iter()
            .map(|n| n.toks.iter().map(|v| self.vocab_w[*v as usize]).sum())
            .collect();
        let mut pairs: Vec<(u64, u32)> = Vec::with_capacity(self.vocab.len() * 32);
        let mut buf = Vec::with_capacity(128);
        for (v, t) in self.vocab.iter().enumerate() {
            token_keys(t, false, &mut buf);
            pairs.extend(buf.iter().map(|k| (*k, v as u32)));
        }
        pairs.sort_unstable();
        let mut keys: FxMap<u64, (u32, u32)> = map_with_capacity(pairs.len());
        let mut key_ids: Vec<u32> = Vec::with_capacity(pairs.len());
        for group in pairs.chunk_by(|a, b| a.0 == b.0) {
            keys.insert(group[0].0, (key_ids.len() as u32, group.len() as u32));
            key_ids.extend(group.iter().map(|p| p.1));
        }
        drop(pairs);
        self.keys = keys;
        self.key_ids = key_ids;
        let mut docs: FxMap<u64, Vec<u32>> = map_with_capacity(1024);
        for (ei, e) in self.entities.iter().enumerate() {
            for d in &e.facts.documents {
                docs.entry(hash_str(20, d)).or_default().push(ei as u32);
            }
        }
        self.postings = postings;
        self.span_postings = spans;
        self.doc_postings = docs;
        self.known = self.similar_of_vocabulary();
    }

    /// The similar vocabulary of every vocabulary token, on all cores.
    fn similar_of_vocabulary(&self) -> FxMap<u64, Similar> {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let chunk = self.vocab.len().div_ceil(threads).max(1);
        let similar_of = |toks: &[Tok]| {
            let mut keys = Vec::with_capacity(128);
            toks.iter()
                .map(|t| self.find_similar(t, &mut keys).to_vec())
                .collect::<Vec<_>>()
        };
        let parts: Vec<Vec<Vec<(u32, f32, Method)>>> = std::thread::scope(|scope| {
            let workers: Vec<_> = self
                .vocab
                .chunks(chunk)
                .map(|toks| (toks, scope.spawn(move || similar_of(toks))))
                .collect();
            // The lists are matched to the vocabulary by position: a chunk whose worker failed
            // is computed here rather than left out.
            workers
                .into_iter()
                .map(|(toks, w)| w.join().unwrap_or_else(|_| similar_of(toks)))
                .collect()
        });
        // Similarity is symmetric but the keys are not (only listed tokens have two-deletion
        // forms): a listed token that finds another is found by it.
        let mut lists: Vec<Vec<(u32, f32, Method)>> = parts.into_iter().flatten().collect();
        let mut extra: Vec<(u32, u32)> = Vec::new();
        for (v, list) in lists.iter().enumerate() {
            for &(u, _, _) in list {
                if u as usize != v {
                    extra.push((u, v as u32));
                }
            }
        }
        extra.sort_unstable();
        for (u, v) in extra {
            let list = &mut lists[u as usize];
            if list.iter().all(|e| e.0 != v) {
                // Computed again in this direction rather than copied: the score uses exactly
                // what `token_sim` gives for the query token against the listed one.
                let (s, m) = token_sim(&self.vocab[u as usize], &self.vocab[v as usize]);
                list.push((v, s, m));
            }
        }
        let mut known = map_with_capacity(self.vocab.len());
        for (t, mut list) in self.vocab.iter().zip(lists) {
            list.sort_unstable_by_key(|e| e.0);
            list.dedup_by_key(|e| e.0);
            known
                .entry(similar_key(t))
                .or_insert_with(|| SimilarList::new(list));
        }
        known
    }

    pub fn params(&self) -> &Params {
        &self.params
    }

    /// Number of entities and of distinct indexed names.
    pub fn len(&self) -> (usize, usize) {
        (self.entities.len(), self.names.len())
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Screens one query: matches at or above `threshold`, best first, at most `limit`.
    pub fn screen(&self, q: &Query, threshold: f32, limit: usize) -> Vec<Match> {
        self.run(q, threshold, limit, false)
    }

    /// As [`Index::screen`] but scoring every name of a compatible schema: the reference that
    /// retrieval recall is measured against.
    pub fn screen_exhaustive(&self, q: &Query, threshold: f32, limit: usize) -> Vec<Match> {
        self.run(q, threshold, limit, true)
    }

    /// Vocabulary tokens similar to `t` (met through a retrieval key, similarity at least
    /// `min_pair`), sorted by id. Shared through a bounded cache: a batch repeats the same
    /// given names and surnames thousands of times.
    fn similar_for(&self, t: &Tok, keys: &mut Vec<u64>) -> Similar {
        let h = similar_key(t);
        if let Some(hit) = self.known.get(&h) {
            return hit.clone();
        }
        if let Ok(cache) = self.cache.lock() {
            if let Some(hit) = cache.get(&h) {
                return hit.clone();
            }
        }
        let found = self.find_similar(t, keys);
        if let Ok(mut cache) = self.cache.lock() {
            if cache.len() < CACHE_ENTRIES {
                cache.insert(h, found.clone());
            }
        }
        found
    }

    /// Vocabulary tokens met through a retrieval key of `t` with a similarity of at least
    /// `min_pair`, sorted by id.
    fn find_similar(&self, t: &Tok, keys: &mut Vec<u64>) -> Similar {
        token_keys(t, true, keys);
        let mut ids: Vec<u32> = Vec::with_capacity(128);
        for k in keys.iter() {
            if let Some(&(start, len)) = self.keys.get(k) {
                let (start, len) = (start as usize, len as usize);
                ids.extend_from_slice(&self.key_ids[start..start + len]);
            }
        }
        ids.sort_unstable();
        ids.dedup();
        SimilarList::new(
            ids.into_iter()
                .filter_map(|v| {
                    let (s, m) = token_sim(t, &self.vocab[v as usize]);
                    (s >= self.params.min_pair).then_some((v, s, m))
                })
                .collect(),
        )
    }

    fn qstate(&self, name: &str, kind: SchemaKind) -> QState {
        let prep = prepare(name, kind);
        let n = prep.toks.len();
        let mut similar = Vec::with_capacity(n);
        let mut weights = Vec::with_capacity(n);
        let mut keys = Vec::with_capacity(48);
        let nn = self.names.len().max(1);
        for t in &prep.toks {
            let found = self.similar_for(t, &mut keys);
            // A token's rarity is that of the listed token it stands for; a token the register
            // does not know at all is as rare as can be.
            let df = found
                .iter()
                .filter(|e| e.1 >= 0.9)
                .max_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(1, |e| self.postings[e.0 as usize].len() as u32);
            let w = idf(df, nn, &self.params);
            weights.push(if t.particle {
                w * self.params.particle_weight
            } else {
                w
            });
            similar.push(found);
        }
        let (memo, items) = BUFFERS
            .with(|b| b.try_borrow_mut().ok().and_then(|mut b| b.pop()))
            .unwrap_or_else(|| (map_with_capacity(256), Vec::with_capacity(64)));
        let in_similar = similar
            .iter()
            .map(|list| {
                let mut f = [0u64; 16];
                for e in list.iter() {
                    f[(e.0 as usize >> 6) & 15] |= 1 << (e.0 & 63);
                }
                f
            })
            .collect();
        QState {
            prep,
            weights,
            similar,
            in_similar,
            items,
            memo,
        }
    }

    /// Aligns the query with one name.
    fn align_name(
        &self,
        st: &mut QState,
        ni: usize,
        beta: (f32, f32),
        keep_pairs: bool,
    ) -> Alignment {
        let name = &self.names[ni];
        let toks = &name.toks[..name.toks.len().min(64)];
        let mut wbuf = [0f32; 64];
        for (w, v) in wbuf.iter_mut().zip(toks) {
            *w = self.vocab_w[*v as usize];
        }
        let wc = &wbuf[..toks.len()];
        let QState {
            prep,
            weights,
            similar,
            in_similar,
            items,
            memo,
        } = st;
        let vocab = &self.vocab;
        let mut al = align(
            weights,
            wc,
            &prep.spans,
            &name.spans,
            |i, j| {
                let v = toks[j];
                let list = &similar[i];
                let maybe_listed = in_similar[i][(v as usize >> 6) & 15] & (1 << (v & 63)) != 0;
                let found = if maybe_listed {
                    list.binary_search_by_key(&v, |e| e.0)
                } else {
                    Err(0)
                };
                match found {
                    Ok(k) => (list[k].1, list[k].2),
                    // Most pairs that share no key are unrelated, which a cheap test tells
                    // without a memo lookup; spellings three edits apart or transliterated
                    // differently still count once their name was retrieved.
                    Err(_) => {
                        let (a, b) = (&prep.toks[i], &vocab[v as usize]);
                        if unrelated_latin(a, b) {
                            (0.0, Method::Fuzzy)
                        } else {
                            *memo.entry((i as u32, v)).or_insert_with(|| token_sim(a, b))
                        }
                    }
                }
            },
            beta.0,
            beta.1,
            self.params.screen_conflict,
            &self.params,
            items,
            keep_pairs,
        );
        if !(prep.latin && name.latin) {
            let whole = whole_name_sim(prep.whole(), (&name.coarse, name.latin, name.loose));
            if whole > al.score {
                al.score = whole;
                al.pairs.clear();
                al.whole = true;
            }
        }
        al
    }

    /// Names worth scoring for one query state: best retrieval estimates first.
    fn retrieve(&self, st: &QState, kind: SchemaKind, schema: Option<Schema>, out: &mut Vec<u32>) {
        let total: f32 = st.weights.iter().sum();
        if total <= 0.0 {
            return;
        }
        SCRATCH.with(|cell| {
            let Ok(mut scratch) = cell.try_borrow_mut() else {
                return;
            };
            self.retrieve_into(st, kind, schema, total, &mut scratch, out);
        });
    }

    fn retrieve_into(
        &self,
        st: &QState,
        kind: SchemaKind,
        schema: Option<Schema>,
        total: f32,
        scratch: &mut Scratch,
        out: &mut Vec<u32>,
    ) {
        let Scratch {
            acc,
            touched,
            cands,
        } = scratch;
        if acc.len() < self.names.len() {
            acc.resize(self.names.len(), Acc::default());
        }
        touched.clear();
        for (i, found) in st.similar.iter().enumerate() {
            let w = st.weights[i];
            let mark = i as u16 + 1;
            // Best similarity first: a name holding several tokens similar to this query token
            // is credited once, with the best of them.
            let best_first = found
                .by_sim
                .iter()
                .take_while(|e| e.1 >= self.params.retrieval_min_sim);
            for &(v, s) in best_first {
                // Weighed as the score weighs a pair: both tokens' weights.
                let credit = s * s * (w + self.vocab_w[v as usize]);
                for &ni in &self.postings[v as usize] {
                    let a = &mut acc[ni as usize];
                    if a.last != mark {
                        if !a.touched {
                            a.touched = true;
                            touched.push(ni);
                        }
                        a.last = mark;
                        a.est += credit;
                    }
                }
            }
        }
        for sp in &st.prep.spans {
            let Some(list) = self.span_postings.get(&sp.key) else {
                continue;
            };
            let w: f32 = st
                .weights
                .iter()
                .skip(usize::from(sp.start))
                .take(usize::from(sp.len))
                .sum();
            for &packed in list {
                let len = packed >> SPAN_SHIFT;
                if sp.len == 1 && len == 1 {
                    continue;
                }
                let Some(a) = acc.get_mut((packed & NAME_MASK) as usize) else {
                    continue;
                };
                // Once per name: overlapping spans would inflate the estimate. A fused token
                // against its split form adds to what single tokens found (سراج الدين حقاني /
                // Sirajuddin Haqqani: the surname alone does not reach the estimate).
                if a.spanned {
                    continue;
                }
                a.spanned = true;
                if !a.touched {
                    a.touched = true;
                    touched.push(packed & NAME_MASK);
                }
                a.est += 2.0 * w * 0.81;
            }
        }
        let min = self.params.min_estimate;
        cands.clear();
        for &ni in touched.iter() {
            let n = ni as usize;
            // Like the score: matched weight over the weight of both names.
            let e = acc[n].est / (total + self.name_w[n]);
            acc[n] = Acc::default();
            if e >= min {
                let name = &self.names[n];
                if name.kind == kind
                    && compatible(schema, self.entities[name.entity as usize].schema)
                {
                    cands.push((ni, e));
                }
            }
        }
        let k = self.params.max_candidates;
        if cands.len() > k {
            cands.select_nth_unstable_by(k, |a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            cands.truncate(k);
        }
        out.extend(cands.iter().map(|(ni, _)| *ni));
    }

    fn run(&self, q: &Query, threshold: f32, limit: usize, exhaustive: bool) -> Vec<Match> {
        let p = &self.params;
        let beta = (p.beta_query, p.beta_candidate);
        let mut states: [Option<QState>; 3] = [None, None, None];
        let mut kinds: Vec<SchemaKind> = Vec::with_capacity(3);
        for c in &self.schemas {
            let k = kind_of(*c);
            if compatible(q.schema, *c) && !kinds.contains(&k) {
                kinds.push(k);
            }
        }
        for &k in &kinds {
            if states[kind_slot(k)].is_none() {
                states[kind_slot(k)] = Some(self.qstate(&q.name, k));
            }
        }
        let mut cands: Vec<u32> = Vec::new();
        if exhaustive {
            for (ni, name) in self.names.iter().enumerate() {
                if states[kind_slot(name.kind)].is_some()
                    && compatible(q.schema, self.entities[name.entity as usize].schema)
                {
                    cands.push(ni as u32);
                }
            }
        } else {
            for &k in &kinds {
                if let Some(st) = &states[kind_slot(k)] {
                    self.retrieve(st, k, q.schema, &mut cands);
                }
            }
        }
        // Documents: an entity sharing a document number is scored whatever its name.
        let docs: Vec<String> = q
            .documents
            .iter()
            .filter_map(|d| normalize_document(d))
            .collect();
        let mut doc_entities: Vec<u32> = Vec::new();
        for d in &docs {
            if let Some(list) = self.doc_postings.get(&hash_str(20, d)) {
                for &ei in list {
                    let e = &self.entities[ei as usize];
                    if !compatible(q.schema, e.schema) {
                        continue;
                    }
                    doc_entities.push(ei);
                    cands.extend(e.names.clone());
                }
            }
        }
        cands.sort_unstable();
        cands.dedup();
        // entity → (best name score, name index, whether that score is whole-name evidence)
        let mut best: FxMap<u32, (f32, u32, bool)> = map_with_capacity(cands.len());
        for &ni in &cands {
            let name = &self.names[ni as usize];
            let Some(st) = states[kind_slot(name.kind)].as_mut() else {
                continue;
            };
            let al = self.align_name(st, ni as usize, beta, false);
            let mut s = al.score;
            if name.weak {
                s *= p.weak_alias_factor;
            }
            let e = best.entry(name.entity).or_insert((-1.0, ni, false));
            if s > e.0 {
                *e = (s, ni, al.whole);
            }
        }
        let qdate = q.birth_date.as_deref().and_then(QueryDate::parse);
        let qcountry = q.nationality.as_deref().and_then(country::lookup);
        let mut scored: Vec<(f32, u32, u32, Vec<Adjustment>)> = Vec::new();
        for (ei, (name_score, ni, whole)) in best {
            let e = &self.entities[ei as usize];
            let (score, adj) = corroborate(
                name_score,
                whole,
                &e.facts,
                qdate.as_ref(),
                qcountry,
                doc_entities.contains(&ei).then_some(()),
                p,
            );
            if score >= threshold {
                scored.push((score, ei, ni, adj));
            }
        }
        scored.sort_by(|a, b| {
            b.0.total_cmp(&a.0).then_with(|| {
                self.entities[a.1 as usize]
                    .id
                    .cmp(&self.entities[b.1 as usize].id)
            })
        });
        scored.truncate(limit);
        let matches = scored
            .into_iter()
            .map(|(score, ei, ni, adjustments)| {
                let name = &self.names[ni as usize];
                let explanation = match states[kind_slot(name.kind)].as_mut() {
                    Some(st) => {
                        let al = self.align_name(st, ni as usize, beta, true);
                        let mut x = explain(
                            &al,
                            &st.prep
                                .toks
                                .iter()
                                .map(|t| t.text.as_str())
                                .collect::<Vec<_>>(),
                            &name
                                .toks
                                .iter()
                                .map(|v| self.vocab[*v as usize].text.as_str())
                                .collect::<Vec<_>>(),
                        );
                        if name.weak {
                            x.adjustments.push(Adjustment {
                                factor: Factor::WeakAlias,
                                evidence: "low-quality alias".into(),
                                delta: al.score * (p.weak_alias_factor - 1.0),
                            });
                        }
                        x.adjustments.extend(adjustments);
                        x
                    }
                    None => Explanation::default(),
                };
                Match {
                    id: self.entities[ei as usize].id.clone(),
                    score: score.clamp(0.0, 1.0),
                    name: name.value.clone(),
                    explanation,
                }
            })
            .collect();
        for st in states.into_iter().flatten() {
            recycle(st);
        }
        matches
    }
}

/// Adds what the birth date, nationality and document numbers say to a name score. A
/// whole-name phonetic resemblance (`whole_name`) is a ranking signal, kept below the alert
/// threshold where its key is short: facts may lower it but not lift it into an alert, since a
/// birth year and a country shared with a stranger whose name merely sounds alike (淑娟 蔡 /
/// "Shi Zhang") would.
fn corroborate(
    name_score: f32,
    whole_name: bool,
    facts: &Facts,
    qdate: Option<&QueryDate>,
    qcountry: Option<&str>,
    document: Option<()>,
    p: &Params,
) -> (f32, Vec<Adjustment>) {
    let mut adj = Vec::new();
    let mut score = name_score;
    if document.is_some() && p.document_score > score {
        adj.push(Adjustment {
            factor: Factor::Document,
            evidence: "same document number".into(),
            delta: p.document_score - score,
        });
        score = p.document_score;
    }
    if name_score >= p.corroboration_floor {
        if let Some(ev) = qdate.and_then(|d| facts.date_evidence(d)) {
            let delta = date_delta(ev, p);
            let delta = if whole_name { delta.min(0.0) } else { delta };
            if delta != 0.0 {
                score += delta;
                adj.push(Adjustment {
                    factor: Factor::BirthDate,
                    evidence: format!("{ev:?}").to_lowercase(),
                    delta,
                });
            }
        }
        if let Some(c) = qcountry {
            if !facts.countries.is_empty() {
                let (delta, evidence) = if facts.countries.contains(&c) {
                    (p.nationality_match, "same country")
                } else {
                    (p.nationality_conflict, "other country")
                };
                let delta = if whole_name { delta.min(0.0) } else { delta };
                if delta != 0.0 {
                    score += delta;
                    adj.push(Adjustment {
                        factor: Factor::Nationality,
                        evidence: evidence.into(),
                        delta,
                    });
                }
            }
        }
    }
    // Not clamped: two perfect names are still told apart by their corroboration when ranked;
    // the caller clamps what it reports.
    (score, adj)
}

impl std::fmt::Debug for Index {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Index")
            .field("entities", &self.entities.len())
            .field("names", &self.names.len())
            .field("vocabulary", &self.vocab.len())
            .finish()
    }
}
