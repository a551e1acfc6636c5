//! Where parse time goes: the segment scan alone, then the whole reader.
//! `cargo run --release -p vigil-manifest --example scan FILE`
use std::time::Instant;

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("usage: scan FILE");
        return;
    };
    let bytes = std::fs::read(&path).unwrap_or_default();
    let mb = bytes.len() as f64 / 1e6;
    let started = Instant::now();
    let mut segments = 0u64;
    if let Ok(mut r) = vigil_manifest::SegmentReader::new(&bytes[..]) {
        let mut seg = vigil_manifest::Segment::default();
        while let Ok(true) = r.read_into(&mut seg) {
            segments += 1;
        }
    }
    let scan = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let records =
        vigil_manifest::ManifestReader::new(&bytes[..], vigil_manifest::Options::default())
            .map(|r| r.count())
            .unwrap_or(0);
    let all = started.elapsed().as_secs_f64();
    println!(
        "{{\"segments\":{segments},\"scan_mb_per_second\":{:.1},\"records\":{records},\"reader_mb_per_second\":{:.1}}}",
        mb / scan,
        mb / all
    );
}
