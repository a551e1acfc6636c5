#![no_main]
//! STIX 2.1 bundle import (`POST /api/v1/stix`, `vigil message import`).

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = vigil_exchange::stix::read_bundle(text);
    }
});
