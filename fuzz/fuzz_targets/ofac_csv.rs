#![no_main]
//! The OFAC reader on any set of four files: the input is cut at 0xFF bytes (never part of
//! UTF-8 text) into sdn.csv, alt.csv, add.csv and sdn_comments.csv.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let mut parts = data.split(|b| *b == 0xFF);
    let names = ["sdn.csv", "alt.csv", "add.csv", "sdn_comments.csv"];
    let paths: Vec<_> = names
        .iter()
        .map(|name| common::write(name, parts.next().unwrap_or_default()))
        .collect();
    common::read(&paths, Some(vigil_formats::Format::OfacCsv));
});
