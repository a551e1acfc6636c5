//! A small fast hasher for the embedded tables and the screening index (keys are embedded words
//! and the register's own names and ids, not chosen by whoever sends a query, so hash flooding
//! is not a concern).

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasherDefault, Hasher};

pub type FxSet<T> = HashSet<T, BuildHasherDefault<FxHasher>>;
pub type FxMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;

/// The Fx hash (as in rustc): the keys are the embedded forms, not attacker-chosen, and SipHash
/// made loading a third slower.
#[derive(Default, Clone, Copy)]
pub struct FxHasher(u64);

impl FxHasher {
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.add(u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(b));
        }
    }
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    fn finish(&self) -> u64 {
        // The multiply leaves the low bits (which pick the bucket) weak; rotating the strong
        // high bits down (as rustc-hash 2 does) removes the collisions that made loading slow.
        self.0.rotate_left(26)
    }
}

pub fn map_with_capacity<K, V>(n: usize) -> FxMap<K, V> {
    HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}
