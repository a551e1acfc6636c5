//! Prints what vigil-names makes of each argument: `cargo run -p vigil-names --example show -- NAME…`.
fn main() {
    for a in std::env::args().skip(1) {
        println!("{a}");
        println!("  latin_forms: {:?}", vigil_names::latin_forms(&a));
        let n = vigil_names::normalize_name(&a, vigil_names::SchemaKind::Person);
        for t in &n.tokens {
            println!(
                "  token {:?} alts {:?} orig {:?} article {} particle {} keys {:?}",
                t.text,
                t.alts,
                t.original,
                t.article,
                t.particle,
                vigil_names::phonetic_keys(&t.text)
            );
        }
        println!("  removed {:?} compounds {:?}", n.removed, n.compounds);
    }
}
