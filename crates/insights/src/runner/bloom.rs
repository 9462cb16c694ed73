//! Per-chunk trigram Bloom filters, built the first time a query scans a chunk and kept in memory
//! (chunks are immutable and their ids never reused, so a filter never goes stale). A later
//! query whose `filter` requires literals skips, without reading or decompressing it, every chunk
//! whose filter lacks one of a literal's trigrams.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use parking_lot::Mutex;

/// Bits per filter (64 KiB): a 4 MiB chunk of logs holds some 10⁴–10⁵ distinct trigrams.
const BITS: usize = 1 << 19;
/// Filters kept (oldest dropped first): 4,096 × 64 KiB = 256 MiB at most.
const MAX_FILTERS: usize = 4096;

/// A trigram Bloom filter (two bit positions per trigram).
#[derive(Debug, Clone)]
pub struct Bloom {
    bits: Vec<u64>,
}

fn positions(a: u8, b: u8, c: u8) -> (usize, usize) {
    let x = u64::from(a) | u64::from(b) << 8 | u64::from(c) << 16;
    let h = x.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    ((h >> 40) as usize % BITS, (h >> 13) as usize % BITS)
}

impl Default for Bloom {
    fn default() -> Self {
        Bloom {
            bits: vec![0; BITS / 64],
        }
    }
}

impl Bloom {
    /// Adds every trigram of `text`.
    pub fn add(&mut self, text: &[u8]) {
        for w in text.windows(3) {
            let (p, q) = positions(w[0], w[1], w[2]);
            self.bits[p / 64] |= 1 << (p % 64);
            self.bits[q / 64] |= 1 << (q % 64);
        }
    }

    /// Whether `literal` may occur in the text (always for literals shorter than 3 bytes).
    pub fn may_contain(&self, literal: &[u8]) -> bool {
        literal.windows(3).all(|w| {
            let (p, q) = positions(w[0], w[1], w[2]);
            self.bits[p / 64] & (1 << (p % 64)) != 0 && self.bits[q / 64] & (1 << (q % 64)) != 0
        })
    }
}

/// (group id, chunk id).
type ChunkKey = (u64, u64);

#[derive(Debug, Default)]
struct Filters {
    map: HashMap<ChunkKey, Arc<Bloom>>,
    /// Insertion order, oldest first.
    order: VecDeque<ChunkKey>,
}

/// Filters by chunk.
#[derive(Debug, Default)]
pub struct BloomCache {
    inner: Mutex<Filters>,
}

impl BloomCache {
    /// The filter of a chunk, if built.
    pub fn get(&self, key: (u64, u64)) -> Option<Arc<Bloom>> {
        self.inner.lock().map.get(&key).cloned()
    }

    /// Keeps a chunk's filter.
    pub fn put(&self, key: (u64, u64), bloom: Bloom) {
        let mut g = self.inner.lock();
        if g.map.insert(key, Arc::new(bloom)).is_none() {
            g.order.push_back(key);
        }
        while g.order.len() > MAX_FILTERS {
            if let Some(old) = g.order.pop_front() {
                g.map.remove(&old);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_false_negatives_and_rare_literals_rejected() {
        let mut b = Bloom::default();
        b.add(b"GET /api/v1/items 200 in 12ms");
        assert!(b.may_contain(b"/api/v1"));
        assert!(b.may_contain(b"12ms"));
        assert!(b.may_contain(b"GE"));
        assert!(!b.may_contain(b"Exception"));
    }
}
