#![no_main]
//! The server's TOML settings (`vigil serve --config`) and the list update's TOML
//! (`vigil lists update --config`).

mod common;

libfuzzer_sys::fuzz_target!(|data: &[u8]| {
    let path = common::write("vigil.toml", data);
    let _ = vigil_server::ServeSettings::load(&path);
    let _ = vigil_update::UpdateConfig::load(Some(&path));
});
