#![no_main]
//! The manifest reader, PAXLST and PNRGOV alike (the type comes from the UNH): any byte string
//! is read to the end and every record serialized; only a panic fails.

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for strict in [false, true] {
        let options = vigil_manifest::Options {
            strict,
            current_year: Some(2026),
        };
        if let Ok(reader) = vigil_manifest::ManifestReader::new(data, options) {
            for record in reader {
                let _ = serde_json::to_string(&record);
            }
        }
    }
});
