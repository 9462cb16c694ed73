//! Byte-string lookup tables for the value index: open addressing on a 64-bit hash the caller computes
//! (once per event value, or rolled byte by byte for affixes), keys compared a word at a time. Built
//! once per path index and only read while matching, so there is no removal.

/// A table from byte strings to lists of `u32` (predicate ids). Compact, so the tables of a path stay
/// in cache while events stream through: a slot holds the high half of the key's hash beside the entry
/// index (a probe that misses reads only the slot array), keys and lists live in two shared arenas.
#[derive(Debug, Default)]
pub(crate) struct Table {
    /// `(hash >> 32) << 32 | (entry + 1)` per slot (0 = empty); a power of two at least twice the
    /// entries, or empty.
    slots: Vec<u64>,
    /// `log2(slots.len())`.
    bits: u32,
    entries: Vec<Entry>,
    keys: Vec<u8>,
    /// Each entry's list, contiguous once [`Table::seal`] has run.
    lists: Vec<u32>,
    /// Lists while building (moved into `lists` by [`Table::seal`]).
    pending: Vec<Vec<u32>>,
    /// Each entry's full hash, to re-place entries when the slots grow.
    hashes: Vec<u64>,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    key: (u32, u32),
    list: (u32, u32),
}

impl Table {
    /// Whether the table has no entries.
    #[inline]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Home slot of `hash` (multiply-shift: rolled hashes have weak low bits).
    #[inline]
    fn home(&self, hash: u64) -> usize {
        (hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - self.bits)) as usize
    }

    /// The list stored under `key`, whose hash is `hash` (empty when absent).
    #[inline]
    pub fn get(&self, hash: u64, key: &[u8]) -> &[u32] {
        if self.entries.is_empty() {
            return &[];
        }
        let mask = self.slots.len() - 1;
        let high = hash & !0xFFFF_FFFF;
        let mut s = self.home(hash);
        loop {
            let slot = self.slots[s];
            if slot == 0 {
                return &[];
            }
            if slot & !0xFFFF_FFFF == high {
                let e = self.entries[(slot as u32 - 1) as usize];
                let k = &self.keys[e.key.0 as usize..(e.key.0 + e.key.1) as usize];
                if bytes_eq(k, key) {
                    return &self.lists[e.list.0 as usize..(e.list.0 + e.list.1) as usize];
                }
            }
            s = (s + 1) & mask;
        }
    }

    /// Adds `value` to the list under `key` (hash `hash`), unless it is there already. Lookups see it
    /// after [`Table::seal`].
    pub fn insert(&mut self, hash: u64, key: &[u8], value: u32) {
        let i = match self.find(hash, key) {
            Some(i) => i,
            None => {
                let key_at = self.keys.len() as u32;
                self.keys.extend_from_slice(key);
                self.entries.push(Entry {
                    key: (key_at, key.len() as u32),
                    list: (0, 0),
                });
                self.pending.push(Vec::new());
                self.hashes.push(hash);
                let n = self.entries.len();
                if self.slots.len() < 2 * n {
                    // Doubled whenever the load would pass one half: between 2 and 4 slots per entry.
                    self.bits = (4 * n).next_power_of_two().trailing_zeros();
                    self.slots = vec![0; 1 << self.bits];
                    for i in 0..n {
                        self.place(i, self.hashes[i]);
                    }
                } else {
                    self.place(n - 1, hash);
                }
                n - 1
            }
        };
        if let Some(list) = self.pending.get_mut(i)
            && !list.contains(&value)
        {
            list.push(value);
        }
    }

    /// Moves the lists built by [`Table::insert`] into the shared arena.
    pub fn seal(&mut self) {
        for (e, list) in self.entries.iter_mut().zip(self.pending.drain(..)) {
            e.list = (self.lists.len() as u32, list.len() as u32);
            self.lists.extend_from_slice(&list);
        }
    }

    /// The entry under `key` (hash `hash`), looked up while building.
    fn find(&self, hash: u64, key: &[u8]) -> Option<usize> {
        if self.entries.is_empty() {
            return None;
        }
        let mask = self.slots.len() - 1;
        let mut s = self.home(hash);
        loop {
            let slot = self.slots[s];
            let i = (slot as u32 as usize).checked_sub(1)?;
            let e = self.entries[i];
            if slot & !0xFFFF_FFFF == hash & !0xFFFF_FFFF
                && self.keys[e.key.0 as usize..(e.key.0 + e.key.1) as usize] == *key
            {
                return Some(i);
            }
            s = (s + 1) & mask;
        }
    }

    /// Puts entry `i` (hash `hash`) into the slots.
    fn place(&mut self, i: usize, hash: u64) {
        let mask = self.slots.len() - 1;
        let mut s = self.home(hash);
        while self.slots[s] != 0 {
            s = (s + 1) & mask;
        }
        self.slots[s] = (hash & !0xFFFF_FFFF) | (i as u64 + 1);
    }
}

const K: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// Hash of a whole byte string, read a word at a time (the tail as at most two overlapping loads).
#[inline]
pub(crate) fn hash_bytes(b: &[u8]) -> u64 {
    let mut h = (b.len() as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    let mut rest = b;
    while let Some((w, tail)) = rest.split_first_chunk::<8>() {
        h = fold_mul(h ^ u64::from_le_bytes(*w), K);
        rest = tail;
    }
    if !rest.is_empty() {
        h = fold_mul(h ^ short_word(rest), K);
    }
    h
}

/// The 128-bit product of `a` and `b`, its halves XORed: every input bit reaches every output bit (a
/// plain multiply only carries upwards, so differences in a word's top bits could cancel out).
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// The bytes of a slice shorter than eight bytes as a word, zero-padded, from two overlapping loads.
#[inline]
pub(crate) fn short_word(b: &[u8]) -> u64 {
    let n = b.len();
    match (b.first_chunk::<4>(), b.last_chunk::<4>()) {
        (Some(lo), Some(hi)) => {
            u64::from(u32::from_le_bytes(*lo))
                | (u64::from(u32::from_le_bytes(*hi)) << (8 * (n - 4)))
        }
        _ => match (b.first_chunk::<2>(), b.last_chunk::<2>()) {
            (Some(lo), Some(hi)) => {
                u64::from(u16::from_le_bytes(*lo))
                    | (u64::from(u16::from_le_bytes(*hi)) << (8 * (n - 2)))
            }
            _ => b.first().map_or(0, |x| u64::from(*x)),
        },
    }
}

/// Byte equality a word at a time (values and affixes are short: a comparison call costs more).
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let (mut x, mut y) = (a, b);
    while let (Some((wa, ta)), Some((wb, tb))) =
        (x.split_first_chunk::<8>(), y.split_first_chunk::<8>())
    {
        if wa != wb {
            return false;
        }
        x = ta;
        y = tb;
    }
    short_word(x) == short_word(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_words_and_equality_agree_with_bytes() {
        let text = b"abcdefghijklmnopqrstu";
        for n in 0..8 {
            let mut padded = [0u8; 8];
            padded[..n].copy_from_slice(&text[..n]);
            assert_eq!(short_word(&text[..n]), u64::from_le_bytes(padded));
        }
        for n in 0..text.len() {
            let a = &text[..n];
            let mut b = a.to_vec();
            assert!(bytes_eq(a, &b));
            assert_eq!(hash_bytes(a), hash_bytes(&b));
            for i in 0..n {
                b[i] ^= 0x20;
                assert!(!bytes_eq(a, &b), "{n} {i}");
                b[i] ^= 0x20;
            }
            b.push(0);
            assert!(!bytes_eq(a, &b));
        }
    }

    #[test]
    fn tables_find_what_was_inserted() {
        let mut t = Table::default();
        assert!(t.get(hash_bytes(b"x"), b"x").is_empty());
        let keys: Vec<Vec<u8>> = (0..500u32)
            .map(|i| format!("value-{i}").into_bytes())
            .chain([Vec::new(), b"value-1\0".to_vec()])
            .collect();
        for (i, k) in keys.iter().enumerate() {
            t.insert(hash_bytes(k), k, i as u32);
            t.insert(hash_bytes(k), k, i as u32);
            // Same hash, different key: a forced collision is told apart by the bytes.
            t.insert(hash_bytes(k), b"collision", u32::MAX - i as u32);
        }
        t.seal();
        for (i, k) in keys.iter().enumerate() {
            assert_eq!(t.get(hash_bytes(k), k), &[i as u32][..]);
            assert_eq!(
                t.get(hash_bytes(k), b"collision"),
                &[u32::MAX - i as u32][..]
            );
        }
        assert!(t.get(hash_bytes(b"value-500"), b"value-500").is_empty());
        assert!(!t.is_empty());
    }
}
