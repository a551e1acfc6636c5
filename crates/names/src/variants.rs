//! Given-name and surname equivalence across scripts and spellings, from a table derived from
//! Wikidata by OpenSanctions (rigour, MIT); see data/README.md for provenance.

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::io::Read;
use std::sync::OnceLock;

use crate::fold::variant_key;
use crate::fx::FxHasher;
use crate::NamesError;

static TABLE_GZ: &[u8] = include_bytes!("../data/name_variants.tsv.gz");

/// A form's group id, or (with the top bit set) the index of its list of ids in `multi`:
/// most forms belong to one group, and a 4-byte value keeps the map small enough to build fast.
const MULTI: u32 = 1 << 31;

/// Form → ids of the groups it belongs to. A group id is the line number in the table.
pub struct VariantTable {
    map: HashMap<&'static str, u32, BuildHasherDefault<FxHasher>>,
    multi: Vec<Vec<u32>>,
    groups: usize,
}

static TABLE: OnceLock<Result<VariantTable, NamesError>> = OnceLock::new();

impl VariantTable {
    fn load() -> Result<VariantTable, NamesError> {
        let mut text = String::with_capacity(TABLE_GZ.len() * 3);
        flate2::read::GzDecoder::new(TABLE_GZ)
            .read_to_string(&mut text)
            .map_err(|e| NamesError::VariantTable(e.to_string()))?;
        // Loaded once per process and kept for its lifetime; leaking lets the map borrow the
        // forms instead of allocating 400,000 small strings.
        let text: &'static str = Box::leak(text.into_boxed_str());
        let mut multi: Vec<Vec<u32>> = Vec::new();
        let mut map: HashMap<&'static str, u32, BuildHasherDefault<FxHasher>> =
            HashMap::with_capacity_and_hasher(340_000, BuildHasherDefault::default());
        let mut groups = 0usize;
        for (id, line) in text.lines().enumerate() {
            let id = u32::try_from(id)
                .map_err(|_| NamesError::VariantTable("too many groups".into()))?;
            for form in line.split('\t').filter(|f| !f.is_empty()) {
                match map.entry(form) {
                    std::collections::hash_map::Entry::Vacant(v) => {
                        v.insert(id);
                    }
                    std::collections::hash_map::Entry::Occupied(mut o) => {
                        let slot = o.get_mut();
                        if *slot & MULTI != 0 {
                            let ids = &mut multi[(*slot & !MULTI) as usize];
                            if ids.last() != Some(&id) {
                                ids.push(id);
                            }
                        } else if *slot != id {
                            let index = u32::try_from(multi.len()).unwrap_or(u32::MAX) | MULTI;
                            multi.push(vec![*slot, id]);
                            *slot = index;
                        }
                    }
                }
            }
            groups += 1;
        }
        Ok(VariantTable { map, multi, groups })
    }

    /// Number of groups in the table.
    pub fn groups(&self) -> usize {
        self.groups
    }

    /// Number of distinct forms in the table.
    pub fn forms(&self) -> usize {
        self.map.len()
    }

    /// Group ids of `token` (looked up as given, then after folding: lower case, NFKC,
    /// Latin diacritics and Arabic harakat removed).
    pub fn groups_of(&self, token: &str) -> &[u32] {
        if let Some(slot) = self.map.get(token) {
            return self.ids(slot);
        }
        let key = variant_key(token);
        if key != token {
            if let Some(slot) = self.map.get(key.as_str()) {
                return self.ids(slot);
            }
        }
        &[]
    }

    fn ids<'a>(&'a self, slot: &'a u32) -> &'a [u32] {
        if slot & MULTI == 0 {
            std::slice::from_ref(slot)
        } else {
            self.multi
                .get((slot & !MULTI) as usize)
                .map_or(&[], Vec::as_slice)
        }
    }
}

/// The embedded variant table, decompressed and indexed on first use (about 0.1 s in release;
/// call it at start-up to keep that off the first query).
pub fn variant_table() -> Result<&'static VariantTable, NamesError> {
    TABLE
        .get_or_init(VariantTable::load)
        .as_ref()
        .map_err(Clone::clone)
}

/// Ids of the variant groups `token` belongs to (a single name token in any script, e.g.
/// "mohammed", "محمد", "Мухаммад"). Empty when the token is unknown or the table failed to load.
pub fn variant_groups(token: &str) -> &'static [u32] {
    match variant_table() {
        Ok(t) => t.groups_of(token),
        Err(_) => &[],
    }
}

/// Whether two single tokens are known spellings of the same name. Identical folded tokens are
/// variants of each other even when the table does not know them.
pub fn are_variants(a: &str, b: &str) -> bool {
    let (ga, gb) = (variant_groups(a), variant_groups(b));
    if ga.iter().any(|g| gb.binary_search(g).is_ok()) {
        return true;
    }
    let ka = variant_key(a);
    !ka.is_empty() && ka == variant_key(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_loads() {
        let t = variant_table().expect("embedded table decodes");
        assert!(t.groups() > 100_000, "{}", t.groups());
        assert!(t.forms() > 300_000);
    }

    #[test]
    fn known_variants() {
        assert!(are_variants("muhammad", "mohammed"));
        assert!(are_variants("Mohammed", "Мухаммад"));
        assert!(are_variants("haqqani", "حقانی"));
        assert!(are_variants("umarov", "Умаров"));
        assert!(are_variants("jose", "José"));
        assert!(!are_variants("muhammad", "umarov"));
        assert!(!are_variants("", ""));
        assert!(variant_groups("zzzqqq").is_empty());
    }
}
