//! Development aid: prints transliteration misses on a _80 file. `cargo run -p vigil-names --example misses -- FILE N`
fn main() {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_default();
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(50);
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let mut shown = 0;
    for l in text.lines() {
        let f: Vec<&str> = l.split('\t').collect();
        if f.len() < 3 || f[2].parse::<u32>().unwrap_or(0) < 3 {
            continue;
        }
        let latin = vigil_names::variant_key(f[0]);
        let native: String = f[1].split(' ').collect();
        let forms = vigil_names::latin_forms(&native);
        if !forms.iter().any(|x| x == &latin) {
            println!("{latin}\t{native}\t{forms:?}");
            shown += 1;
            if shown >= n {
                break;
            }
        }
    }
}
