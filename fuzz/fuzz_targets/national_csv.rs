#![no_main]
//! The NationalCsv reader on any bytes: an error or a list, never a panic.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::write("national.csv", data);
    common::read(&[path], Some(vigil_formats::Format::NationalCsv));
});
