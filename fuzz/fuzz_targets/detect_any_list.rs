#![no_main]
//! Format detection and reading of an upload whose format is not given, as `POST /imports`
//! and `vigil import FILE…` see it.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::write("upload", data);
    let options = vigil_formats::ReadOptions::default();
    let _ = vigil_formats::read_all(&[path], None, &options);
});
