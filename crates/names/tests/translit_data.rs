//! How well the transliteration tables reproduce real spellings, measured on the development
//! halves (_80) of the Wikidata transliteration pairs and Google's ar2en training pairs. The
//! evaluation halves (_20) and the benchmark are not read here. Skips with a loud line when
//! ../shared is absent.

use std::path::PathBuf;

use vigil_names::{latin_forms, phonetic_keys, skeleton, variant_key};

fn data_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/names");
    if dir.is_dir() {
        Some(dir)
    } else {
        println!(
            "SKIPPED: {} not found; transliteration figures not measured",
            dir.display()
        );
        None
    }
}

fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        cur[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            cur[j] = (prev[j] + 1).min(cur[j - 1] + 1).min(prev[j - 1] + cost);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Rows of `latin<TAB>native characters separated by spaces<TAB>count`.
fn wd_pairs(path: &PathBuf) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .filter_map(|l| {
            let mut f = l.split('\t');
            let latin = f.next()?;
            let native: String = f.next()?.split(' ').collect();
            Some((variant_key(latin), native))
        })
        .collect()
}

#[test]
fn russian_80_reproduction() {
    let Some(dir) = data_dir() else { return };
    let pairs = wd_pairs(&dir.join("wikidata_translit_coling2018/wd_russian_80.tsv"));
    assert!(pairs.len() > 100_000);
    let (mut exact, mut near, mut first_near) = (0usize, 0usize, 0usize);
    for (latin, native) in &pairs {
        let forms = latin_forms(native);
        let best = forms
            .iter()
            .map(|f| edit_distance(f, latin))
            .min()
            .unwrap_or(usize::MAX);
        exact += usize::from(best == 0);
        near += usize::from(best <= 1);
        first_near += usize::from(forms.first().is_some_and(|f| edit_distance(f, latin) <= 1));
    }
    let n = pairs.len() as f64;
    println!(
        "russian_80: {} pairs; any form exact {:.3}, any form within edit distance 1 {:.3}, first form within 1 {:.3}",
        pairs.len(),
        exact as f64 / n,
        near as f64 / n,
        first_near as f64 / n
    );
    assert!(near as f64 / n > 0.6);
}

fn arabic_skeleton_agreement(name: &str, pairs: &[(String, String)]) -> f64 {
    let (mut hit, mut near) = (0usize, 0usize);
    for (latin, native) in pairs {
        let target = skeleton(latin);
        let keys = phonetic_keys(native);
        hit += usize::from(keys.contains(&target));
        near += usize::from(keys.iter().any(|k| edit_distance(k, &target) <= 1));
    }
    let n = pairs.len() as f64;
    println!(
        "{name}: {} pairs; Latin skeleton equals an Arabic-script key {:.3}, within edit distance 1 {:.3}",
        pairs.len(),
        hit as f64 / n,
        near as f64 / n
    );
    near as f64 / n
}

#[test]
fn arabic_80_skeletons() {
    let Some(dir) = data_dir() else { return };
    let pairs = wd_pairs(&dir.join("wikidata_translit_coling2018/wd_arabic_80.tsv"));
    assert!(arabic_skeleton_agreement("arabic_80", &pairs) > 0.5);
}

#[test]
fn google_ar2en_train_skeletons() {
    let Some(dir) = data_dir() else { return };
    let text =
        std::fs::read_to_string(dir.join("google_ar2en/ar2en-train.txt")).unwrap_or_default();
    let pairs: Vec<(String, String)> = text
        .lines()
        .filter_map(|l| {
            let (ar, en) = l.split_once('\t')?;
            Some((variant_key(en), ar.to_string()))
        })
        .collect();
    assert!(pairs.len() > 10_000);
    assert!(arabic_skeleton_agreement("ar2en_train", &pairs) > 0.5);
}
