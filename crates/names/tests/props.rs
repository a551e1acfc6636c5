//! Property tests: no panic on any input, bounded and ASCII outputs, idempotent normalization.

use proptest::prelude::*;
use vigil_names::{
    are_variants, latin_forms, normalize_name, phonetic_keys, SchemaKind, MAX_FORMS,
};

const KINDS: [SchemaKind; 3] = [
    SchemaKind::Person,
    SchemaKind::Organization,
    SchemaKind::Other,
];

/// Pieces that exercise the interesting paths: titles, articles, particles, compounds, legal
/// forms, several scripts, invisible and combining characters.
fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("al-".to_string()),
        Just("Al ".to_string()),
        Just("ash-".to_string()),
        Just("abd".to_string()),
        Just("Abdul".to_string()),
        Just("ud".to_string()),
        Just("din".to_string()),
        Just("ullah".to_string()),
        Just("bin".to_string()),
        Just("Mullah".to_string()),
        Just("Sayed".to_string()),
        Just("Ltd.".to_string()),
        Just("S.A.".to_string()),
        Just("ООО".to_string()),
        Just("عبدالرحمن".to_string()),
        Just("ال".to_string()),
        Just("ملا".to_string()),
        Just("金铁三".to_string()),
        Just("सुनील".to_string()),
        Just("\u{200f}".to_string()),
        Just("\u{200d}".to_string()),
        Just("\u{0301}".to_string()),
        Just("\u{064e}".to_string()),
        Just("-".to_string()),
        Just(".".to_string()),
        Just("'".to_string()),
        Just(" ".to_string()),
        "[a-zA-Z]{1,8}",
        "[а-яА-ЯёЁ]{1,8}",
        "[\u{0621}-\u{064a}]{1,6}",
        "\\PC{1,4}",
    ]
}

fn name() -> impl Strategy<Value = String> {
    prop::collection::vec(piece(), 0..10).prop_map(|v| v.concat())
}

fn check_name(s: &str) -> Result<(), TestCaseError> {
    for kind in KINDS {
        let n = normalize_name(s, kind);
        for t in &n.tokens {
            prop_assert!(!t.text.is_empty());
            prop_assert!(
                t.text
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()),
                "{:?}",
                t.text
            );
        }
        for c in &n.compounds {
            prop_assert!(c.len >= 1 && c.start + c.len <= n.tokens.len());
        }
        let text = n.text();
        let again = normalize_name(&text, kind);
        prop_assert_eq!(again.text(), text, "not idempotent on {:?}", s);
    }
    let forms = latin_forms(s);
    prop_assert!(forms.len() <= MAX_FORMS);
    for (i, f) in forms.iter().enumerate() {
        prop_assert!(f.is_ascii() && !f.is_empty());
        prop_assert!(!forms[..i].contains(f));
    }
    for k in phonetic_keys(s) {
        prop_assert!(k.bytes().all(|b| b.is_ascii_lowercase()), "{:?}", k);
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn any_string(s in "\\PC*") {
        check_name(&s)?;
    }

    #[test]
    fn any_unicode_including_controls(s in any::<String>()) {
        check_name(&s)?;
    }

    #[test]
    fn name_like(s in name()) {
        check_name(&s)?;
    }

    /// One-word Han names that can be read as Korean (common surnames first), with characters
    /// that have no reading and stray Latin letters mixed in.
    #[test]
    fn korean_readings(s in "[金李朴崔鄭郑林][铁鐵三成日龍正恩哲南\u{4e00}-\u{9fff}\u{3400}-\u{3405}a\u{20000}]{0,5}") {
        check_name(&s)?;
        let n = normalize_name(&s, SchemaKind::Person);
        for t in &n.tokens {
            for a in &t.alts {
                prop_assert!(!a.is_empty() && a.bytes().all(|b| b.is_ascii_lowercase()), "{:?}", a);
            }
        }
    }

    #[test]
    fn variants_symmetric(a in name(), b in name()) {
        prop_assert_eq!(are_variants(&a, &b), are_variants(&b, &a));
        prop_assert!(a.trim().is_empty() || vigil_names::variant_key(&a).is_empty() || are_variants(&a, &a));
    }
}

#[test]
fn huge_inputs() {
    let long = "Muhammad-ال ".repeat(1000);
    assert!(long.chars().count() >= 10_000);
    check_name(&long).unwrap();
    check_name(&"ـ".repeat(10_000)).unwrap();
    check_name(&"\u{0301}".repeat(10_000)).unwrap();
    check_name(&"金".repeat(10_000)).unwrap();
    check_name(&"a".repeat(10_000)).unwrap();
}
