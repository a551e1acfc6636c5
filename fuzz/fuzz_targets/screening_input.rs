#![no_main]
//! Screening queries as `vigil screen --input` and `POST /api/v1/screen/batch` read them, as
//! JSON Lines and as CSV.

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let _ = vigil_server::queries::jsonl_queries(data);
    let _ = vigil_server::queries::csv_queries(data);
});
