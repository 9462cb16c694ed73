//! Per-path value index: from one event value to the predicates (distinct matchers) it satisfies,
//! by hash lookups (exact, ignore-case, prefix and suffix by length) rather than by scanning rules.

use crate::cidr::{Ip, parse_ip};
use crate::intervals::Intervals;
use crate::matcher::{AnythingBut, Exact, Leaf, Matcher, fold};
use crate::numeric::{NumKey, Range};
use crate::table::{Table, hash_bytes};
use openwatch_types::fxhash::FxHashMap as FxMap;

pub(crate) type PredId = u32;

/// Affixes (prefixes or suffixes) grouped by byte length. A query walks the value once from its outer
/// end, rolling a hash byte by byte, and probes at each distinct affix length: one integer probe per
/// length, the bytes compared only on a hit.
#[derive(Debug, Default)]
struct Affixes {
    /// Suffixes: hashed from the last byte backwards.
    from_end: bool,
    /// Distinct affix lengths, ascending.
    lens: Vec<usize>,
    /// Affix (under its rolling hash) → predicates.
    map: Table,
}

const AFFIX_SEED: u64 = 0x9E37_79B9_7F4A_7C15;

#[inline]
fn roll(h: u64, b: u8) -> u64 {
    (h.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

impl Affixes {
    fn suffixes() -> Affixes {
        Affixes {
            from_end: true,
            ..Affixes::default()
        }
    }

    fn insert(&mut self, key: &[u8], p: PredId) {
        if let Err(i) = self.lens.binary_search(&key.len()) {
            self.lens.insert(i, key.len());
        }
        let h = if self.from_end {
            key.iter().rev().fold(AFFIX_SEED, |h, b| roll(h, *b))
        } else {
            key.iter().fold(AFFIX_SEED, |h, b| roll(h, *b))
        };
        self.map.insert(h, key, p);
    }

    /// Appends the predicates of every affix of `v` (prefixes, or suffixes for a suffix set).
    #[inline]
    fn collect(&self, v: &[u8], out: &mut Vec<PredId>) {
        let Some(&longest) = self.lens.last() else {
            return;
        };
        let max = longest.min(v.len());
        let mut h = AFFIX_SEED;
        let mut next = 0;
        for n in 0..=max {
            if n > 0 {
                let b = if self.from_end {
                    v[v.len() - n]
                } else {
                    v[n - 1]
                };
                h = roll(h, b);
            }
            if self.lens.get(next) == Some(&n) {
                next += 1;
                let affix = if self.from_end {
                    &v[v.len() - n..]
                } else {
                    &v[..n]
                };
                push_all(out, self.map.get(h, affix));
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
}

/// Appends `ps` (most lists are empty or hold one id: no copy call then).
#[inline]
pub(crate) fn push_all(out: &mut Vec<PredId>, ps: &[PredId]) {
    match ps {
        [] => {}
        [p] => out.push(*p),
        _ => out.extend_from_slice(ps),
    }
}

/// The predicates stored under `k`; an empty map is not hashed into.
#[inline]
fn probe<'m, K, Q>(map: &'m FxMap<K, Vec<PredId>>, k: &Q) -> &'m [PredId]
where
    K: std::borrow::Borrow<Q> + std::hash::Hash + Eq,
    Q: std::hash::Hash + Eq + ?Sized,
{
    if map.is_empty() {
        return &[];
    }
    map.get(k).map_or(&[], |v| v.as_slice())
}

const F_EXISTS: u32 = 1;
const F_STRINGS: u32 = 1 << 1;
const F_PREFIX: u32 = 1 << 2;
const F_SUFFIX: u32 = 1 << 3;
const F_FOLD: u32 = 1 << 4;
const F_WILDCARD: u32 = 1 << 5;
const F_IP: u32 = 1 << 6;
const F_EXCLUDED_STRINGS: u32 = 1 << 7;
const F_NUMBERS: u32 = 1 << 8;
const F_NUMERIC: u32 = 1 << 9;
const F_EXCLUDED_NUMBERS: u32 = 1 << 10;
const F_ANYTHING_BUT: u32 = 1 << 11;
const F_ANYTHING_BUT_OTHER: u32 = 1 << 12;
/// Parts a string value is looked up in.
const F_ANY_STRING: u32 =
    F_STRINGS | F_PREFIX | F_SUFFIX | F_FOLD | F_WILDCARD | F_IP | F_EXCLUDED_STRINGS;

/// All predicates on one path.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    /// `F_*` bits of the non-empty parts (set by [`KeyIndex::build`]).
    flags: u32,
    exists: Vec<PredId>,
    strings: Table,
    ips: FxMap<Ip, Vec<PredId>>,
    numbers: FxMap<NumKey, Vec<PredId>>,
    trues: Vec<PredId>,
    falses: Vec<PredId>,
    nulls: Vec<PredId>,
    prefix: Affixes,
    suffix: Affixes,
    prefix_ic: Affixes,
    suffix_ic: Affixes,
    equals_ic: Table,
    /// Wildcards keyed by their literal prefix, verified after the probe.
    wildcards: Affixes,
    /// `numeric` ranges (built from `ranges` once all predicates are in).
    numeric: Intervals,
    ranges: Vec<(Range, PredId)>,
    cidrs: Vec<PredId>,
    /// Plain `anything-but` predicates and, per excluded value, the predicates that exclude it.
    anything_but: Vec<PredId>,
    excluded_strings: Table,
    excluded_numbers: FxMap<NumKey, Vec<PredId>>,
    /// Nested `anything-but` forms, evaluated one by one.
    anything_but_other: Vec<PredId>,
}

impl KeyIndex {
    /// Builds the index for `preds` (id, matcher).
    pub fn build<'m>(preds: impl Iterator<Item = (PredId, &'m Matcher)>) -> KeyIndex {
        let mut k = KeyIndex {
            suffix: Affixes::suffixes(),
            suffix_ic: Affixes::suffixes(),
            ..KeyIndex::default()
        };
        for (p, m) in preds {
            k.insert(p, m);
        }
        k.numeric = Intervals::build(std::mem::take(&mut k.ranges));
        for t in [&mut k.strings, &mut k.equals_ic, &mut k.excluded_strings] {
            t.seal();
        }
        for a in [
            &mut k.prefix,
            &mut k.suffix,
            &mut k.prefix_ic,
            &mut k.suffix_ic,
            &mut k.wildcards,
        ] {
            a.map.seal();
        }
        k.flags = k.flags();
        k
    }

    fn insert(&mut self, p: PredId, m: &Matcher) {
        match m {
            Matcher::Exists => self.exists.push(p),
            Matcher::Exact(Exact::Str { ip: Some(ip), .. }) => {
                self.ips.entry(*ip).or_default().push(p)
            }
            Matcher::Exact(Exact::Str { text, ip: None }) => {
                let b = text.as_bytes();
                self.strings.insert(hash_bytes(b), b, p)
            }
            Matcher::Exact(Exact::Num(k)) => self.numbers.entry(*k).or_default().push(p),
            Matcher::Exact(Exact::Bool(true)) => self.trues.push(p),
            Matcher::Exact(Exact::Bool(false)) => self.falses.push(p),
            Matcher::Exact(Exact::Null) => self.nulls.push(p),
            Matcher::Prefix(s) => self.prefix.insert(s.as_bytes(), p),
            Matcher::Suffix(s) => self.suffix.insert(s.as_bytes(), p),
            Matcher::PrefixIgnoreCase(s) => self.prefix_ic.insert(s.as_bytes(), p),
            Matcher::SuffixIgnoreCase(s) => self.suffix_ic.insert(s.as_bytes(), p),
            Matcher::EqualsIgnoreCase(s) => {
                let b = s.as_bytes();
                self.equals_ic.insert(hash_bytes(b), b, p)
            }
            Matcher::Wildcard(w) => self.wildcards.insert(w.literal_prefix(), p),
            Matcher::Numeric(r) => self.ranges.push((*r, p)),
            Matcher::Cidr(_) => self.cidrs.push(p),
            Matcher::AnythingBut(ab) => {
                self.anything_but.push(p);
                match ab {
                    AnythingBut::Strings(set) => {
                        for s in set {
                            let b = s.as_bytes();
                            self.excluded_strings.insert(hash_bytes(b), b, p);
                        }
                    }
                    AnythingBut::Numbers(set) => {
                        for n in set {
                            self.excluded_numbers.entry(*n).or_default().push(p);
                        }
                    }
                }
            }
            Matcher::AnythingButPrefix(_)
            | Matcher::AnythingButSuffix(_)
            | Matcher::AnythingButIgnoreCase(_)
            | Matcher::AnythingButWildcard(_) => self.anything_but_other.push(p),
        }
    }

    /// Which parts are non-empty, so matching a value touches only those.
    fn flags(&self) -> u32 {
        let parts = [
            (!self.exists.is_empty(), F_EXISTS),
            (!self.strings.is_empty(), F_STRINGS),
            (!self.prefix.is_empty(), F_PREFIX),
            (!self.suffix.is_empty(), F_SUFFIX),
            (
                !self.prefix_ic.is_empty()
                    || !self.suffix_ic.is_empty()
                    || !self.equals_ic.is_empty(),
                F_FOLD,
            ),
            (!self.wildcards.is_empty(), F_WILDCARD),
            (!self.ips.is_empty() || !self.cidrs.is_empty(), F_IP),
            (!self.excluded_strings.is_empty(), F_EXCLUDED_STRINGS),
            (!self.numbers.is_empty(), F_NUMBERS),
            (!self.numeric.is_empty(), F_NUMERIC),
            (!self.excluded_numbers.is_empty(), F_EXCLUDED_NUMBERS),
            (!self.anything_but.is_empty(), F_ANYTHING_BUT),
            (!self.anything_but_other.is_empty(), F_ANYTHING_BUT_OTHER),
        ];
        parts
            .iter()
            .filter(|(on, _)| *on)
            .fold(0, |f, (_, bit)| f | bit)
    }

    /// Appends every predicate satisfied by `leaf`; `matcher_of` resolves ids needing verification.
    #[inline]
    pub fn collect<'m>(
        &self,
        leaf: &Leaf<'_>,
        matcher_of: impl Fn(PredId) -> &'m Matcher,
        out: &mut Vec<PredId>,
    ) {
        let f = self.flags;
        if f & F_EXISTS != 0 {
            push_all(out, &self.exists);
        }
        let excluded: &[PredId] = match leaf {
            Leaf::Str(s) if f & F_ANY_STRING != 0 => self.collect_str(s, leaf, &matcher_of, out),
            Leaf::Str(_) => &[],
            Leaf::Num(n) => {
                if f & F_NUMBERS != 0 {
                    push_all(out, probe(&self.numbers, &n.key));
                }
                if f & F_NUMERIC != 0 {
                    self.numeric.stab(n.value, out);
                }
                if f & F_EXCLUDED_NUMBERS != 0 {
                    probe(&self.excluded_numbers, &n.key)
                } else {
                    &[]
                }
            }
            Leaf::Bool(true) => {
                push_all(out, &self.trues);
                &[]
            }
            Leaf::Bool(false) => {
                push_all(out, &self.falses);
                &[]
            }
            Leaf::Null => {
                push_all(out, &self.nulls);
                &[]
            }
        };
        if f & F_ANYTHING_BUT != 0 {
            if excluded.is_empty() {
                push_all(out, &self.anything_but);
            } else {
                out.extend(self.anything_but.iter().filter(|p| !excluded.contains(p)));
            }
        }
        if f & F_ANYTHING_BUT_OTHER != 0 {
            for &p in &self.anything_but_other {
                if matcher_of(p).matches(leaf) {
                    out.push(p);
                }
            }
        }
    }

    /// The string part of [`KeyIndex::collect`]; returns the `anything-but` predicates excluding `s`.
    #[inline]
    fn collect_str<'m>(
        &self,
        s: &str,
        leaf: &Leaf<'_>,
        matcher_of: &impl Fn(PredId) -> &'m Matcher,
        out: &mut Vec<PredId>,
    ) -> &[PredId] {
        let f = self.flags;
        let b = s.as_bytes();
        // One hash of the value serves the exact and the exclusion tables.
        let h = if f & (F_STRINGS | F_EXCLUDED_STRINGS) != 0 {
            hash_bytes(b)
        } else {
            0
        };
        if f & F_STRINGS != 0 {
            push_all(out, self.strings.get(h, b));
        }
        if f & F_PREFIX != 0 {
            self.prefix.collect(b, out);
        }
        if f & F_SUFFIX != 0 {
            self.suffix.collect(b, out);
        }
        if f & F_FOLD != 0 {
            let folded = fold(s);
            let fb = folded.as_bytes();
            if !self.equals_ic.is_empty() {
                push_all(out, self.equals_ic.get(hash_bytes(fb), fb));
            }
            self.prefix_ic.collect(fb, out);
            self.suffix_ic.collect(fb, out);
        }
        if f & F_WILDCARD != 0 {
            let start = out.len();
            self.wildcards.collect(b, out);
            let mut i = start;
            while i < out.len() {
                if matcher_of(out[i]).matches(leaf) {
                    i += 1;
                } else {
                    out.swap_remove(i);
                }
            }
        }
        if f & F_IP != 0
            && let Some(ip) = parse_ip(s)
        {
            push_all(out, probe(&self.ips, &ip));
            for &p in &self.cidrs {
                if matches!(matcher_of(p), Matcher::Cidr(c) if c.contains(ip)) {
                    out.push(p);
                }
            }
        }
        if f & F_EXCLUDED_STRINGS != 0 {
            self.excluded_strings.get(h, b)
        } else {
            &[]
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn affixes_agree_with_starts_and_ends_with() {
        let affixes: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"ab",
            b"abc",
            b"b",
            b"bc",
            b"c",
            b"station-1",
            b"station-12",
            b"1",
            b"12",
            b"\xc3\xa9",
        ];
        let mut prefixes = Affixes::default();
        let mut suffixes = Affixes::suffixes();
        for (p, a) in affixes.iter().enumerate() {
            prefixes.insert(a, p as PredId);
            suffixes.insert(a, p as PredId);
        }
        prefixes.map.seal();
        suffixes.map.seal();
        let values: Vec<&[u8]> = vec![
            b"",
            b"a",
            b"abc",
            b"abcabc",
            b"bc",
            b"station-12",
            b"station-123",
            b"x12",
            b"\xc3\xa9",
            b"caf\xc3\xa9",
            b"cab",
        ];
        for v in values {
            let mut got = Vec::new();
            prefixes.collect(v, &mut got);
            got.sort_unstable();
            let want: Vec<PredId> = (0..affixes.len() as PredId)
                .filter(|p| v.starts_with(affixes[*p as usize]))
                .collect();
            assert_eq!(got, want, "prefixes of {v:?}");
            let mut got = Vec::new();
            suffixes.collect(v, &mut got);
            got.sort_unstable();
            let want: Vec<PredId> = (0..affixes.len() as PredId)
                .filter(|p| v.ends_with(affixes[*p as usize]))
                .collect();
            assert_eq!(got, want, "suffixes of {v:?}");
        }
    }
}
