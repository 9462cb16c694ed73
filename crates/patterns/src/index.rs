//! Per-path value index: from one event value to the predicates (distinct matchers) it satisfies,
//! by hash lookups (exact, ignore-case, prefix and suffix by length) rather than by scanning rules.

use crate::cidr::{Ip, parse_ip};
use crate::intervals::Intervals;
use crate::matcher::{AnythingBut, Exact, Leaf, Matcher, fold};
use crate::numeric::{NumKey, Range};
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
    /// Rolling hash of an affix → (affix, predicate).
    map: FxMap<u64, Vec<AffixEntry>>,
}

/// One affix and the predicate it belongs to.
type AffixEntry = (Box<[u8]>, PredId);

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
        self.map.entry(h).or_default().push((key.into(), p));
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
                if let Some(entries) = self.map.get(&h) {
                    let affix = if self.from_end {
                        &v[v.len() - n..]
                    } else {
                        &v[..n]
                    };
                    for (a, p) in entries {
                        if **a == *affix {
                            out.push(*p);
                        }
                    }
                }
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
}

/// Appends `ps` (most lists are empty: skip the copy call then).
#[inline]
fn push_all(out: &mut Vec<PredId>, ps: &[PredId]) {
    if !ps.is_empty() {
        out.extend_from_slice(ps);
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

/// All predicates on one path.
#[derive(Debug, Default)]
pub(crate) struct KeyIndex {
    exists: Vec<PredId>,
    strings: FxMap<Box<str>, Vec<PredId>>,
    ips: FxMap<Ip, Vec<PredId>>,
    numbers: FxMap<NumKey, Vec<PredId>>,
    trues: Vec<PredId>,
    falses: Vec<PredId>,
    nulls: Vec<PredId>,
    prefix: Affixes,
    suffix: Affixes,
    prefix_ic: Affixes,
    suffix_ic: Affixes,
    equals_ic: FxMap<Box<str>, Vec<PredId>>,
    /// Wildcards keyed by their literal prefix, verified after the probe.
    wildcards: Affixes,
    /// `numeric` ranges (built from `ranges` once all predicates are in).
    numeric: Intervals,
    ranges: Vec<(Range, PredId)>,
    cidrs: Vec<PredId>,
    /// Plain `anything-but` predicates and, per excluded value, the predicates that exclude it.
    anything_but: Vec<PredId>,
    excluded_strings: FxMap<Box<str>, Vec<PredId>>,
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
        k
    }

    fn insert(&mut self, p: PredId, m: &Matcher) {
        match m {
            Matcher::Exists => self.exists.push(p),
            Matcher::Exact(Exact::Str { ip: Some(ip), .. }) => {
                self.ips.entry(*ip).or_default().push(p)
            }
            Matcher::Exact(Exact::Str { text, ip: None }) => self
                .strings
                .entry(text.as_str().into())
                .or_default()
                .push(p),
            Matcher::Exact(Exact::Num(k)) => self.numbers.entry(*k).or_default().push(p),
            Matcher::Exact(Exact::Bool(true)) => self.trues.push(p),
            Matcher::Exact(Exact::Bool(false)) => self.falses.push(p),
            Matcher::Exact(Exact::Null) => self.nulls.push(p),
            Matcher::Prefix(s) => self.prefix.insert(s.as_bytes(), p),
            Matcher::Suffix(s) => self.suffix.insert(s.as_bytes(), p),
            Matcher::PrefixIgnoreCase(s) => self.prefix_ic.insert(s.as_bytes(), p),
            Matcher::SuffixIgnoreCase(s) => self.suffix_ic.insert(s.as_bytes(), p),
            Matcher::EqualsIgnoreCase(s) => {
                self.equals_ic.entry(s.as_str().into()).or_default().push(p)
            }
            Matcher::Wildcard(w) => self.wildcards.insert(w.literal_prefix(), p),
            Matcher::Numeric(r) => self.ranges.push((*r, p)),
            Matcher::Cidr(_) => self.cidrs.push(p),
            Matcher::AnythingBut(ab) => {
                self.anything_but.push(p);
                match ab {
                    AnythingBut::Strings(set) => {
                        for s in set {
                            self.excluded_strings
                                .entry(s.as_str().into())
                                .or_default()
                                .push(p);
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

    fn needs_fold(&self) -> bool {
        !self.prefix_ic.is_empty() || !self.suffix_ic.is_empty() || !self.equals_ic.is_empty()
    }

    /// Appends every predicate satisfied by `leaf`; `matcher_of` resolves ids needing verification.
    pub fn collect<'m>(
        &self,
        leaf: &Leaf<'_>,
        matcher_of: impl Fn(PredId) -> &'m Matcher,
        out: &mut Vec<PredId>,
    ) {
        push_all(out, &self.exists);
        let excluded: &[PredId] = match leaf {
            Leaf::Str(s) => {
                let s: &str = s;
                push_all(out, probe(&self.strings, s));
                let b = s.as_bytes();
                self.prefix.collect(b, out);
                self.suffix.collect(b, out);
                if self.needs_fold() {
                    let f = fold(s);
                    push_all(out, probe(&self.equals_ic, f.as_ref()));
                    self.prefix_ic.collect(f.as_bytes(), out);
                    self.suffix_ic.collect(f.as_bytes(), out);
                }
                if !self.wildcards.is_empty() {
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
                if (!self.ips.is_empty() || !self.cidrs.is_empty())
                    && let Some(ip) = parse_ip(s)
                {
                    push_all(out, probe(&self.ips, &ip));
                    for &p in &self.cidrs {
                        if matches!(matcher_of(p), Matcher::Cidr(c) if c.contains(ip)) {
                            out.push(p);
                        }
                    }
                }
                probe(&self.excluded_strings, s)
            }
            Leaf::Num(n) => {
                push_all(out, probe(&self.numbers, &n.key));
                if !self.numeric.is_empty() {
                    self.numeric.stab(n.value, out);
                }
                probe(&self.excluded_numbers, &n.key)
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
        if excluded.is_empty() {
            push_all(out, &self.anything_but);
        } else {
            out.extend(self.anything_but.iter().filter(|p| !excluded.contains(p)));
        }
        for &p in &self.anything_but_other {
            if matcher_of(p).matches(leaf) {
                out.push(p);
            }
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
