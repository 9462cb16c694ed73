//! Per-chunk token filters: a compact hashed set of the byte trigrams of a chunk's messages, so a
//! query can prove that a chunk holds no event containing a literal and skip it without reading or
//! decompressing it.
//!
//! Filter-pattern terms match case-sensitively anywhere in a message (substrings, not words), so
//! the filter indexes every 3-byte window of every message (and, for messages holding a backslash,
//! of their JSON-decoded strings, which JSON patterns compare against). A literal of `n ≥ 3` bytes
//! may occur only if all its `n − 2` trigrams are in the filter; shorter literals are never
//! excluded. Each trigram sets one bit of a bitmap of `2^k` bits, `k` chosen so the bitmap has
//! 2–4 bits per distinct trigram of the chunk (a quarter to 40% of the bits set): a literal is
//! wrongly kept with about the fill ratio to the power of its trigrams missing from the chunk, and
//! never wrongly skipped. Format: `docs/format/logs.md`.

use std::sync::Arc;
use std::sync::atomic::Ordering;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::LogStore;
use super::chunk::ChunkMeta;
use crate::filter_pattern::{Requirement, for_each_json_string};

/// Encoding version of a filter (its first byte): 1 indexes every trigram; 2 (the lanes of
/// version 4 chunks) only those without an ASCII digit.
const FILTER_VERSION: u8 = 1;
/// Version of a filter of digit-free trigrams.
const FILTER_VERSION_NO_DIGITS: u8 = 2;
/// Bitmap bits per distinct trigram (before rounding up to a power of two).
const BITS_PER_GRAM: usize = 2;
/// The same for the filters of a chunk's blocks (stored in the chunk file, so they count against
/// the storage budget; about half their bits end up set, still excluding a literal with `m`
/// trigrams absent from the block but for a chance of about `0.5^m`).
const BLOCK_BITS_PER_GRAM: usize = 1;
/// The same for the filters of version 4 lanes, which index only digit-free trigrams (far fewer:
/// numbers, hex ids and timestamps are left out), so they can afford sparser bitmaps: about a
/// quarter to a third of their bits end up set.
const LANE_BITS_PER_GRAM: usize = 2;
/// Smallest and largest bitmap (`2^k` bits).
const MIN_LOG2_BITS: u8 = 10;
const MAX_LOG2_BITS: u8 = 24;

/// A chunk's trigram filter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TokenFilter {
    log2_bits: u8,
    words: Vec<u64>,
    /// Version 2: trigrams holding an ASCII digit are not indexed (nor tested).
    no_digits: bool,
}

fn has_digit(w: &[u8]) -> bool {
    w.iter().any(u8::is_ascii_digit)
}

fn gram(w: &[u8]) -> u32 {
    u32::from(w[0]) << 16 | u32::from(w[1]) << 8 | u32::from(w[2])
}

impl TokenFilter {
    fn slot(&self, g: u32) -> usize {
        (u64::from(g).wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - u32::from(self.log2_bits)))
            as usize
    }

    fn has(&self, g: u32) -> bool {
        let s = self.slot(g);
        self.words[s / 64] & (1 << (s % 64)) != 0
    }

    /// Whether an event may contain every one of `literals` ([`TokenFilter::may_contain`] each).
    pub fn may_contain_all(&self, literals: &[&str]) -> bool {
        literals.iter().all(|l| self.may_contain(l.as_bytes()))
    }

    /// Whether `literal` may occur in a message of the chunk (`false` proves it does not).
    pub fn may_contain(&self, literal: &[u8]) -> bool {
        literal
            .windows(3)
            .all(|w| (self.no_digits && has_digit(w)) || self.has(gram(w)))
    }

    /// Whether an event satisfying `req` may occur (every clause has a literal not excluded).
    pub(crate) fn may_satisfy(&self, req: &Requirement) -> bool {
        req.clauses
            .iter()
            .all(|c| c.iter().any(|l| self.may_contain(l.as_bytes())))
    }

    /// Bytes of the encoded filter.
    pub fn encoded_len(&self) -> usize {
        2 + 8 * self.words.len()
    }

    /// The share of bits set (for sizing reports).
    pub fn fill_ratio(&self) -> f64 {
        let set: u32 = self.words.iter().map(|w| w.count_ones()).sum();
        f64::from(set) / (self.words.len() * 64) as f64
    }

    /// `version u8 | log2_bits u8 | 2^log2_bits / 64 × u64 words`.
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.encoded_len());
        out.push(if self.no_digits {
            FILTER_VERSION_NO_DIGITS
        } else {
            FILTER_VERSION
        });
        out.push(self.log2_bits);
        for w in &self.words {
            out.extend_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Decodes a filter; `None` for an unknown version or a wrong length.
    pub(crate) fn decode(b: &[u8]) -> Option<TokenFilter> {
        let (&[version, log2_bits], rest) = b.split_first_chunk::<2>()?;
        let no_digits = match version {
            FILTER_VERSION => false,
            FILTER_VERSION_NO_DIGITS => true,
            _ => return None,
        };
        if !(MIN_LOG2_BITS..=MAX_LOG2_BITS).contains(&log2_bits) {
            return None;
        }
        if rest.len() != (1usize << log2_bits) / 8 {
            return None;
        }
        let words = rest
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap_or_default()))
            .collect();
        Some(TokenFilter {
            log2_bits,
            words,
            no_digits,
        })
    }
}

/// Collects the distinct trigrams of a chunk's messages exactly (a 2 MiB bitmap), then folds them
/// into a [`TokenFilter`] sized for their number.
pub(crate) struct FilterBuilder {
    seen: Vec<u64>,
    /// For a builder reused block after block: the bitmap words set since the last reset.
    touched: Option<Vec<u32>>,
    /// Which trigrams it keeps.
    grams: Grams,
}

/// The trigrams a [`FilterBuilder`] keeps.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Grams {
    All,
    /// Lanes (filter version 2): trigrams without a digit.
    WithoutDigits,
    /// The rest of a version 4 block filter, whose digit-free trigrams come from its lanes
    /// ([`FilterBuilder::finish_and_reset_adding_to`]).
    WithDigits,
}

impl FilterBuilder {
    pub(crate) fn new() -> Self {
        FilterBuilder {
            seen: vec![0; (1 << 24) / 64],
            touched: None,
            grams: Grams::All,
        }
    }

    /// A builder for many small filters in turn ([`FilterBuilder::finish_and_reset`]), which
    /// remembers the words it set so that finishing costs what was added, not the whole bitmap.
    pub(crate) fn new_small() -> Self {
        FilterBuilder {
            seen: vec![0; (1 << 24) / 64],
            touched: Some(Vec::new()),
            grams: Grams::All,
        }
    }

    /// Like [`FilterBuilder::new_small`], for the filters of lanes (digit-free trigrams only).
    pub(crate) fn new_lanes() -> Self {
        FilterBuilder {
            grams: Grams::WithoutDigits,
            ..FilterBuilder::new_small()
        }
    }

    /// Like [`FilterBuilder::new_small`], for a version 4 block filter built from the trigrams
    /// with a digit added here and its lanes' trigrams (each without a digit) merged in with
    /// [`FilterBuilder::finish_and_reset_adding_to`]: every trigram of a message is set in one
    /// bitmap only, and the block's filter is the same as adding every trigram to it.
    pub(crate) fn new_digit_grams() -> Self {
        FilterBuilder {
            grams: Grams::WithDigits,
            ..FilterBuilder::new_small()
        }
    }

    fn add_bytes(&mut self, b: &[u8]) {
        let [b0, b1, rest @ ..] = b else {
            return;
        };
        // The trigram ending at each byte, and which of its three bytes are digits, kept rolling.
        let mut g = u32::from(*b0) << 8 | u32::from(*b1);
        let mut digits = u32::from(b0.is_ascii_digit()) << 1 | u32::from(b1.is_ascii_digit());
        let grams = self.grams;
        for &c in rest {
            g = (g << 8 | u32::from(c)) & 0xFF_FFFF;
            digits = (digits << 1 | u32::from(c.is_ascii_digit())) & 0b111;
            let keep = match grams {
                Grams::All => true,
                Grams::WithoutDigits => digits == 0,
                Grams::WithDigits => digits != 0,
            };
            if !keep {
                continue;
            }
            let g = g as usize;
            let word = &mut self.seen[g / 64];
            if *word == 0
                && let Some(touched) = &mut self.touched
            {
                touched.push((g / 64) as u32);
            }
            *word |= 1 << (g % 64);
        }
    }

    /// Like [`FilterBuilder::finish_and_reset`], first adding what was added since the last reset
    /// to `other`, a builder for many small filters (see [`FilterBuilder::new_digit_grams`]).
    pub(crate) fn finish_and_reset_adding_to(&mut self, other: &mut FilterBuilder) -> TokenFilter {
        if let (Some(touched), Some(other_touched)) = (&self.touched, &mut other.touched) {
            for &i in touched {
                let word = &mut other.seen[i as usize];
                if *word == 0 {
                    other_touched.push(i);
                }
                *word |= self.seen[i as usize];
            }
        }
        self.finish_and_reset()
    }

    /// Like [`FilterBuilder::finish_and_reset`], first adding what was added since the last reset
    /// to `chunk` (a builder of every trigram: the same as adding the messages to it again, without
    /// a second pass over them).
    pub(crate) fn finish_and_reset_into(&mut self, chunk: &mut FilterBuilder) -> TokenFilter {
        if let Some(touched) = &self.touched {
            for &i in touched {
                let i = i as usize;
                chunk.seen[i] |= self.seen[i];
            }
        }
        self.finish_and_reset()
    }

    /// The filter of what was added since the last reset; then forgets it.
    pub(crate) fn finish_and_reset(&mut self) -> TokenFilter {
        let mut touched = self.touched.take().unwrap_or_default();
        let words: Vec<(usize, u64)> = touched
            .iter()
            .map(|&i| (i as usize, std::mem::take(&mut self.seen[i as usize])))
            .collect();
        touched.clear();
        self.touched = Some(touched);
        if self.grams == Grams::WithoutDigits {
            let mut f = fold(words.into_iter(), LANE_BITS_PER_GRAM);
            f.no_digits = true;
            f
        } else {
            fold(words.into_iter(), BLOCK_BITS_PER_GRAM)
        }
    }

    /// Adds one message (and its JSON-decoded strings if it holds an escape).
    pub(crate) fn add(&mut self, message: &str) {
        self.add_bytes(message.as_bytes());
        if memchr::memchr(b'\\', message.as_bytes()).is_some() {
            for_each_json_string(message, &mut |s| self.add_bytes(s.as_bytes()));
        }
    }

    /// Adds every trigram `other` holds (for builders of whole chunks, [`FilterBuilder::new`]).
    pub(crate) fn merge(&mut self, other: &FilterBuilder) {
        for (w, o) in self.seen.iter_mut().zip(&other.seen) {
            *w |= o;
        }
    }

    pub(crate) fn finish(self) -> TokenFilter {
        fold(self.seen.iter().copied().enumerate(), BITS_PER_GRAM)
    }
}

/// Folds the exact trigram bitmap's `(index, word)`s into a filter of at least `bits_per_gram`
/// bits per distinct trigram.
fn fold(words: impl Iterator<Item = (usize, u64)> + Clone, bits_per_gram: usize) -> TokenFilter {
    let distinct: usize = words.clone().map(|(_, w)| w.count_ones() as usize).sum();
    let want = (distinct * bits_per_gram).max(1).next_power_of_two();
    let log2_bits = (want.trailing_zeros() as u8).clamp(MIN_LOG2_BITS, MAX_LOG2_BITS);
    let mut f = TokenFilter {
        log2_bits,
        words: vec![0; (1usize << log2_bits) / 64],
        no_digits: false,
    };
    for (i, word) in words {
        let mut w = word;
        while w != 0 {
            let g = (i * 64 + w.trailing_zeros() as usize) as u32;
            let s = f.slot(g);
            f.words[s / 64] |= 1 << (s % 64);
            w &= w - 1;
        }
    }
    f
}

impl ChunkMeta {
    /// Whether the chunk may hold an event containing every one of `literals` (each somewhere in
    /// one event's message, or in its JSON-decoded strings). `false` proves no event of the chunk
    /// contains them all, so a scan looking for them can skip the chunk unread; `true` for chunks
    /// written without a filter. Literals shorter than 3 bytes never exclude a chunk.
    pub fn may_contain(&self, literals: &[&str]) -> bool {
        match &self.filter {
            Some(f) => f.may_contain_all(literals),
            None => true,
        }
    }

    /// Whether the chunk may hold an event satisfying `req` (every clause has a literal the filter
    /// does not exclude).
    pub fn may_satisfy(&self, req: &Requirement) -> bool {
        match &self.filter {
            Some(f) => f.may_satisfy(req),
            None => true,
        }
    }
}

/// How many chunks reads skipped thanks to their token filter, and how many they scanned.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ChunkScanStats {
    /// Chunks a FilterLogEvents read left unread because their filter excluded the pattern.
    pub skipped: u64,
    /// Chunks reads opened (their layout read or found in the cache).
    pub scanned: u64,
    /// Blocks of opened chunks that reads left undecompressed (block filter or time range).
    pub blocks_skipped: u64,
    /// Blocks reads scanned (decompressed or found in the cache).
    pub blocks_read: u64,
}

impl LogStore {
    /// Counts of chunks skipped by token filters and scanned, since the store opened.
    pub fn chunk_scan_stats(&self) -> ChunkScanStats {
        ChunkScanStats {
            skipped: self.cache.skipped.load(Ordering::Relaxed),
            scanned: self.cache.scanned.load(Ordering::Relaxed),
            blocks_skipped: self.cache.blocks_skipped.load(Ordering::Relaxed),
            blocks_read: self.cache.blocks_read.load(Ordering::Relaxed),
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for c in b.chunks(3) {
        let n = u32::from(c[0]) << 16
            | u32::from(*c.get(1).unwrap_or(&0)) << 8
            | u32::from(*c.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= c.len() {
                out.push(B64[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.as_bytes();
    if !s.len().is_multiple_of(4) {
        return None;
    }
    let val = |c: u8| B64.iter().position(|&x| x == c).map(|p| p as u32);
    let mut out = Vec::with_capacity(s.len() / 4 * 3);
    for (i, q) in s.chunks(4).enumerate() {
        let last = i + 1 == s.len() / 4;
        let pad = q.iter().rev().take_while(|&&c| c == b'=').count();
        if pad > 2 || (pad > 0 && !last) {
            return None;
        }
        let mut n = 0u32;
        for &c in &q[..4 - pad] {
            n = n << 6 | val(c)?;
        }
        n <<= 6 * pad as u32;
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..3 - pad]);
    }
    Some(out)
}

/// Serde for `ChunkMeta::filter`: the encoded filter as base64 text; absent for chunks without one.
pub(crate) mod serde_filter {
    use super::*;

    pub(crate) fn serialize<S: Serializer>(
        f: &Option<Arc<TokenFilter>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        f.as_ref().map(|f| b64_encode(&f.encode())).serialize(s)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Arc<TokenFilter>>, D::Error> {
        let text: Option<String> = Option::deserialize(d)?;
        match text {
            None => Ok(None),
            Some(t) => b64_decode(&t)
                .and_then(|b| TokenFilter::decode(&b))
                .map(|f| Some(Arc::new(f)))
                .ok_or_else(|| serde::de::Error::custom("invalid token filter")),
        }
    }
}

#[cfg(test)]
fn build(msgs: &[&str]) -> TokenFilter {
    let mut b = FilterBuilder::new();
    for m in msgs {
        b.add(m);
    }
    b.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn present_literals_are_kept_absent_ones_mostly_excluded() {
        let f = build(&["GET /index.html 200", "user=alice action=login"]);
        for lit in ["GET", "index.html", "alice", "action=login", "x", "ab", ""] {
            assert!(f.may_contain(lit.as_bytes()), "{lit}");
        }
        assert!(!f.may_contain(b"OutOfMemoryError"));
        assert!(!f.may_contain(b"get /index"), "case-sensitive");
    }

    #[test]
    fn lane_filters_leave_out_and_never_test_digit_trigrams() {
        let mut b = FilterBuilder::new_lanes();
        b.add("job 4711 failed: ERROR x9y");
        let f = b.finish_and_reset();
        assert!(f.may_contain(b"ERROR"));
        assert!(f.may_contain(b"job 4711 fail"));
        assert!(
            f.may_contain(b"4711"),
            "no digit-free window: never excluded"
        );
        assert!(f.may_contain(b"x9y"));
        assert!(!f.may_contain(b"WARN"));
        assert!(!f.may_contain(b"9 WARN"));
        let back = TokenFilter::decode(&f.encode()).expect("decodes");
        assert_eq!(back, f);
        assert_eq!(f.encode()[0], 2);
        assert!(back.may_contain(b"1234") && !back.may_contain(b"WARN"));
    }

    #[test]
    fn json_escapes_are_indexed_decoded() {
        let f = build(&[r#"{"level":"\u0045RROR","path":"a\/b"}"#]);
        assert!(f.may_contain(b"ERROR"));
        assert!(f.may_contain(b"a/b"));
    }

    #[test]
    fn encoding_round_trips_and_rejects_garbage() {
        let f = build(&["hello world"]);
        let bytes = f.encode();
        assert_eq!(bytes.len(), f.encoded_len());
        assert_eq!(TokenFilter::decode(&bytes), Some(f.clone()));
        assert_eq!(TokenFilter::decode(&bytes[..bytes.len() - 1]), None);
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert_eq!(TokenFilter::decode(&bad), None);
        for n in 0..12 {
            let b: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
            assert_eq!(b64_decode(&b64_encode(&b)), Some(b));
        }
        assert_eq!(b64_decode("ab="), None);
        assert_eq!(b64_decode("a=bc"), None);
    }
}

#[cfg(test)]
mod proptests {
    use proptest::prelude::*;

    use super::*;

    proptest! {
        /// No false negatives: any substring of any message is never excluded.
        #[test]
        fn substrings_of_messages_are_never_excluded(
            msgs in proptest::collection::vec("[a-zA-Z0-9 =:/.é{}\"\\\\-]{0,60}", 1..30),
            pick in any::<prop::sample::Index>(),
            a in any::<prop::sample::Index>(),
            b in any::<prop::sample::Index>(),
        ) {
            let refs: Vec<&str> = msgs.iter().map(String::as_str).collect();
            let f = build(&refs);
            let m = pick.get(&msgs).as_bytes();
            let (i, j) = (a.index(m.len() + 1), b.index(m.len() + 1));
            let (i, j) = (i.min(j), i.max(j));
            prop_assert!(f.may_contain(&m[i..j]));
        }

        /// A version 4 block filter (trigrams with a digit, plus its lanes' merged in) is the
        /// filter of every trigram, block after block of the same builders.
        #[test]
        fn digit_grams_plus_lanes_is_every_gram(
            blocks in proptest::collection::vec(
                proptest::collection::vec(("[a-z0-9 =:{}\"\\\\]{0,40}", 0..3u8), 1..20),
                1..4,
            ),
        ) {
            let (mut all, mut block, mut lane) =
                (FilterBuilder::new_small(), FilterBuilder::new_digit_grams(), FilterBuilder::new_lanes());
            for msgs in &blocks {
                for (m, _) in msgs {
                    all.add(m);
                    block.add(m);
                }
                for k in 0..3u8 {
                    for (m, _) in msgs.iter().filter(|(_, l)| *l == k) {
                        lane.add(m);
                    }
                    lane.finish_and_reset_adding_to(&mut block);
                }
                prop_assert_eq!(block.finish_and_reset(), all.finish_and_reset());
            }
        }
    }
}
