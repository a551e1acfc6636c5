//! Properties of the scorer on arbitrary strings.

use proptest::prelude::*;
use vigil_model::Schema;
use vigil_screen::compare;

fn name() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Za-z' .,-]{0,40}",
        "\\PC{0,30}",
        "[а-яА-Я ]{0,20}",
        "[\u{0621}-\u{064A} ]{0,20}",
        "(Abdul|Mohammed|al-|bin|Haqqani|Omar|Smith| ){0,6}",
    ]
}

fn schema() -> impl Strategy<Value = Option<Schema>> {
    prop_oneof![
        Just(None),
        Just(Some(Schema::Person)),
        Just(Some(Schema::Organization)),
        Just(Some(Schema::Vessel)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn symmetric_and_bounded(a in name(), b in name(), s in schema()) {
        let ab = compare(&a, &b, s).score;
        let ba = compare(&b, &a, s).score;
        prop_assert!((0.0..=1.0).contains(&ab));
        prop_assert!((ab - ba).abs() < 1e-6, "{} vs {}", ab, ba);
    }

    #[test]
    fn identical_names_score_one(a in name(), s in schema()) {
        let scored = compare(&a, &a, s);
        // A name with nothing to compare (no letters or digits) scores 0 against anything.
        if scored.explanation.pairs.is_empty() && scored.explanation.unmatched_query.is_empty() {
            prop_assert_eq!(scored.score, 0.0);
        } else {
            prop_assert!((scored.score - 1.0).abs() < 1e-6, "{:?}", scored);
        }
    }
}
