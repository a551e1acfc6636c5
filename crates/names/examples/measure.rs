//! Prints load and normalization timings; run in release:
//! `cargo run --release -p vigil-names --example measure`.
use std::hint::black_box;
use std::time::Instant;

use vigil_names::{latin_forms, normalize_name, phonetic_keys, variant_table, SchemaKind};

/// CPU time of this thread in seconds (utime + stime from /proc, 10 ms resolution): the machine
/// is shared, and wall time would count other processes' turns.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|s| s.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Returns (wall ns per call, CPU ns per call).
fn per_call_ns(names: &[&str], rounds: usize, f: impl Fn(&str)) -> String {
    let start = Instant::now();
    let cpu = cpu_seconds();
    for _ in 0..rounds {
        for n in names {
            f(black_box(n));
        }
    }
    let calls = (rounds * names.len()) as f64;
    let wall = start.elapsed().as_nanos() as f64 / calls;
    let cpu = (cpu_seconds() - cpu) * 1e9 / calls;
    format!("{wall:.0} ns wall, {cpu:.0} ns CPU")
}

fn main() {
    println!("gzip decompression alone: {:.1} ms", decompress_only());
    let start = Instant::now();
    let table = variant_table();
    let load = start.elapsed();
    match table {
        Ok(t) => println!(
            "variant table: {} groups, {} forms, loaded in {:.1} ms",
            t.groups(),
            t.forms(),
            load.as_secs_f64() * 1e3
        ),
        Err(e) => println!("variant table failed: {e}"),
    }
    let latin = [
        "Sirajuddin Jallaloudine Haqqani",
        "Mohammed Omar",
        "Abdul Ghani Baradar",
        "Doku Khamatovich Umarov",
        "Mullah Muhammad Hasan Akhund",
        "José Müller-Lüdenscheidt",
    ];
    let other = [
        "سراج الدين جلال الدين حقانى",
        "Умаров Доку Хаматович",
        "金铁三",
        "सुनील कुमार",
    ];
    let _ = normalize_name("warm up the organization list", SchemaKind::Organization);
    let rounds = 100_000;
    println!(
        "normalize_name, typical Latin name: {}",
        per_call_ns(&latin, rounds, |n| {
            black_box(normalize_name(n, SchemaKind::Person));
        })
    );
    println!(
        "normalize_name, Arabic/Cyrillic/Han/Devanagari: {}",
        per_call_ns(&other, rounds, |n| {
            black_box(normalize_name(n, SchemaKind::Person));
        })
    );
    println!(
        "normalize_name, organization: {}",
        per_call_ns(
            &["Al-Rashid Trading Company Ltd.", "Haqqani Network"],
            rounds,
            |n| {
                black_box(normalize_name(n, SchemaKind::Organization));
            }
        )
    );
    println!(
        "latin_forms, non-Latin names: {}",
        per_call_ns(&other, rounds, |n| {
            black_box(latin_forms(n));
        })
    );
    println!(
        "phonetic_keys, Latin token: {}",
        per_call_ns(&["haqqani", "mohammed", "umarov"], rounds, |n| {
            black_box(phonetic_keys(n));
        })
    );
    println!(
        "variant_groups, token: {}",
        per_call_ns(
            &["mohammed", "umarov", "zzzz", "Мухаммад"],
            rounds,
            |n| {
                black_box(vigil_names::variant_groups(n));
            }
        )
    );
}

fn decompress_only() -> f64 {
    use std::io::Read;
    let gz = include_bytes!("../data/name_variants.tsv.gz");
    let start = Instant::now();
    let mut s = String::new();
    let _ = flate2::read::GzDecoder::new(&gz[..]).read_to_string(&mut s);
    black_box(&s);
    start.elapsed().as_secs_f64() * 1e3
}
