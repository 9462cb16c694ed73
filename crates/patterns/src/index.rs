//! Per-path value index: from one event value to the predicates (distinct matchers) it satisfies,
//! by hash lookups (exact, ignore-case, prefix and suffix by length) rather than by scanning rules.

use crate::cidr::{Ip, parse_ip};
use crate::matcher::{AnythingBut, Exact, Leaf, Matcher, fold};
use crate::numeric::{NumKey, Range};
use openwatch_types::fxhash::FxHashMap as FxMap;

pub(crate) type PredId = u32;

/// Affixes grouped by byte length: one hash probe per distinct length.
#[derive(Debug, Default)]
struct Affixes {
    lens: Vec<usize>,
    map: FxMap<Box<[u8]>, Vec<PredId>>,
}

impl Affixes {
    fn insert(&mut self, key: &[u8], p: PredId) {
        if let Err(i) = self.lens.binary_search(&key.len()) {
            self.lens.insert(i, key.len());
        }
        self.map.entry(key.into()).or_default().push(p);
    }

    fn collect_prefixes(&self, v: &[u8], out: &mut Vec<PredId>) {
        for &l in &self.lens {
            if l > v.len() {
                break;
            }
            if let Some(ps) = self.map.get(&v[..l]) {
                out.extend_from_slice(ps);
            }
        }
    }

    fn collect_suffixes(&self, v: &[u8], out: &mut Vec<PredId>) {
        for &l in &self.lens {
            if l > v.len() {
                break;
            }
            if let Some(ps) = self.map.get(&v[v.len() - l..]) {
                out.extend_from_slice(ps);
            }
        }
    }

    fn is_empty(&self) -> bool {
        self.lens.is_empty()
    }
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
    /// Sorted by lower bound.
    numeric: Vec<(Range, PredId)>,
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
        let mut k = KeyIndex::default();
        for (p, m) in preds {
            k.insert(p, m);
        }
        k.numeric
            .sort_by(|a, b| a.0.lower_value().total_cmp(&b.0.lower_value()));
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
            Matcher::Numeric(r) => self.numeric.push((*r, p)),
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
        out.extend_from_slice(&self.exists);
        let excluded: &[PredId] = match leaf {
            Leaf::Str(s) => {
                let s: &str = s;
                if let Some(ps) = self.strings.get(s) {
                    out.extend_from_slice(ps);
                }
                let b = s.as_bytes();
                self.prefix.collect_prefixes(b, out);
                self.suffix.collect_suffixes(b, out);
                if self.needs_fold() {
                    let f = fold(s);
                    if let Some(ps) = self.equals_ic.get(f.as_ref()) {
                        out.extend_from_slice(ps);
                    }
                    self.prefix_ic.collect_prefixes(f.as_bytes(), out);
                    self.suffix_ic.collect_suffixes(f.as_bytes(), out);
                }
                if !self.wildcards.is_empty() {
                    let start = out.len();
                    self.wildcards.collect_prefixes(b, out);
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
                    if let Some(ps) = self.ips.get(&ip) {
                        out.extend_from_slice(ps);
                    }
                    for &p in &self.cidrs {
                        if matches!(matcher_of(p), Matcher::Cidr(c) if c.contains(ip)) {
                            out.push(p);
                        }
                    }
                }
                self.excluded_strings.get(s).map_or(&[], |v| v.as_slice())
            }
            Leaf::Num(n) => {
                if let Some(ps) = self.numbers.get(&n.key) {
                    out.extend_from_slice(ps);
                }
                for (r, p) in &self.numeric {
                    if r.lower_value() > n.value {
                        break;
                    }
                    if r.contains(n.value) {
                        out.push(*p);
                    }
                }
                self.excluded_numbers
                    .get(&n.key)
                    .map_or(&[], |v| v.as_slice())
            }
            Leaf::Bool(true) => {
                out.extend_from_slice(&self.trues);
                &[]
            }
            Leaf::Bool(false) => {
                out.extend_from_slice(&self.falses);
                &[]
            }
            Leaf::Null => {
                out.extend_from_slice(&self.nulls);
                &[]
            }
        };
        if excluded.is_empty() {
            out.extend_from_slice(&self.anything_but);
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
