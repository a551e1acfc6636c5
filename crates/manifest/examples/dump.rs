//! Prints every record of a manifest file as a JSON line: `cargo run --example dump FILE`.
fn main() {
    for path in std::env::args().skip(1) {
        let file = match std::fs::File::open(&path) {
            Ok(f) => f,
            Err(e) => {
                eprintln!("{path}: {e}");
                continue;
            }
        };
        match vigil_manifest::ManifestReader::new(file, vigil_manifest::Options::default()) {
            Ok(reader) => {
                for record in reader {
                    println!("{}", serde_json::to_string(&record).unwrap_or_default());
                }
            }
            Err(e) => eprintln!("{path}: {e}"),
        }
    }
}
