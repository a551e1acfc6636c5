#![no_main]
//! The Ftm reader on any bytes: an error or a list, never a panic.

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::write("list.ftm.json", data);
    common::read(&[path], Some(vigil_formats::Format::Ftm));
});
