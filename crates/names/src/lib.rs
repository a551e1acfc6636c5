//! Vigil's name knowledge for screening: normalization, transliteration to Latin, name-variant
//! equivalence and phonetic keys. No I/O: the only data are tables embedded in the binary.
//!
//! The pipeline a scorer uses:
//! 1. [`normalize_name`] turns a name in any script into Latin [`Token`]s (with other
//!    conventions in [`Token::alts`]), drops titles or legal forms, marks articles and
//!    particles, and adds [`Compound`] keys for fused/split spellings (Abdulrahman /
//!    Abdul Rahman / عبدالرحمن);
//! 2. [`are_variants`] / [`variant_groups`] say whether two tokens are known spellings of one
//!    name (Wikidata via OpenSanctions' rigour: muhammad = mohammed = محمد = Мухаммад);
//! 3. [`phonetic_keys`] / [`skeleton`] give keys for a candidate index and a cheap phonetic
//!    agreement test, where Arabic-script forms (written without short vowels) meet their Latin
//!    spellings.
//!
//! Nothing here panics on any input.

mod fold;
pub mod fx;
mod lexicon;
mod normalize;
mod org_words;
mod phonetic;
mod script;
mod translit;
mod variants;

pub use fold::variant_key;
pub use normalize::{normalize_name, Compound, CompoundKind, NormalizedName, SchemaKind, Token};
pub use phonetic::{coarse_key, phonetic_keys, skeleton};
pub use script::{script_of, Script};
pub use translit::{latin_forms, MAX_FORMS};
pub use variants::{are_variants, variant_groups, variant_table, VariantTable};

/// Errors of this crate; today only the embedded table can fail (a corrupt build).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NamesError {
    #[error("embedded name-variant table is unreadable: {0}")]
    VariantTable(String),
}
