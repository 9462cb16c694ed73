//! The series index: series key → dense series id, and per `(account, region)` postings lists by
//! namespace, metric name, dimension name and dimension name=value, so ListMetrics (and later
//! Insights' WHERE / GROUP BY) start from the smallest matching list instead of scanning every
//! series. Ids are assigned in creation order, so every postings list is sorted.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;
use std::sync::Arc;

use crate::model::{Dim, Dimension, DimensionRef, MetricId, SeriesKey};
use openwatch_types::fxhash::{FxHashMap, FxHasher};

/// A dimension as the index reads it, owned or borrowed.
pub trait DimStr {
    fn name(&self) -> &str;
    fn value(&self) -> &str;
}

impl DimStr for Dimension {
    fn name(&self) -> &str {
        &self.name
    }
    fn value(&self) -> &str {
        &self.value
    }
}

impl DimStr for DimensionRef<'_> {
    fn name(&self) -> &str {
        self.name
    }
    fn value(&self) -> &str {
        self.value
    }
}

impl<T: DimStr + ?Sized> DimStr for &T {
    fn name(&self) -> &str {
        (**self).name()
    }
    fn value(&self) -> &str {
        (**self).value()
    }
}

/// Dense id of a series inside one engine.
pub type SeriesId = u32;

/// A series and what the index tracks about it.
#[derive(Debug, Clone)]
pub struct SeriesMeta {
    pub key: SeriesKey,
    /// Server time of the last PutMetricData that wrote to it (for `RecentlyActive`).
    pub last_ingest: i64,
    /// Entries the series had in the last head partition sealed: the room its list in a new
    /// partition starts with ([`crate::head::Head::add`]).
    pub head_hint: u32,
}

/// Postings keyed by interned strings (shared with the series keys).
#[derive(Debug, Default)]
struct Postings {
    all: Vec<SeriesId>,
    namespace: FxHashMap<Arc<str>, Vec<SeriesId>>,
    metric: FxHashMap<Arc<str>, Vec<SeriesId>>,
    dim_name: FxHashMap<Arc<str>, Vec<SeriesId>>,
    dim_pair: FxHashMap<(Arc<str>, Arc<str>), Vec<SeriesId>>,
}

/// A ListMetrics filter.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub namespace: Option<String>,
    pub metric_name: Option<String>,
    /// Dimension names, each with an optional required value.
    pub dimensions: Vec<(String, Option<String>)>,
    /// Only series written at or after this server time.
    pub active_since: Option<i64>,
}

/// The index. Not synchronized: the engine holds it under its lock.
#[derive(Debug, Default)]
pub struct Index {
    series: Vec<SeriesMeta>,
    /// Key hash → the first series with it; `by_hash_more` holds the others (rare).
    by_hash: FxHashMap<u64, SeriesId>,
    by_hash_more: FxHashMap<u64, Vec<SeriesId>>,
    tenants: HashMap<(Arc<str>, Arc<str>), Postings>,
    interned: HashSet<Arc<str>, BuildHasherDefault<FxHasher>>,
    /// Series by their key as requests order it ([`Index::resolve`]).
    order: order::OrderCache,
}

/// FxHash's multiply-rotate step.
#[inline]
fn mix(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95)
}

/// Adds a string: 8-byte words, then the tail read as (possibly overlapping) fixed-size loads
/// (no variable-length copy), then the length (so `"ab","c"` and `"a","bc"` differ).
#[inline]
fn mix_str(mut h: u64, s: &str) -> u64 {
    let b = s.as_bytes();
    let mut chunks = b.chunks_exact(8);
    for c in &mut chunks {
        let mut w = [0u8; 8];
        w.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(w));
    }
    let r = chunks.remainder();
    let tail = match r.len() {
        0 => 0,
        n @ 1..=3 => u64::from(r[0]) | (u64::from(r[n / 2]) << 8) | (u64::from(r[n - 1]) << 16),
        n => {
            let mut lo = [0u8; 4];
            let mut hi = [0u8; 4];
            lo.copy_from_slice(&r[..4]);
            hi.copy_from_slice(&r[n - 4..]);
            u64::from(u32::from_le_bytes(lo)) | (u64::from(u32::from_le_bytes(hi)) << 32)
        }
    };
    mix(mix(h, tail), b.len() as u64)
}

/// Byte equality of two (short) strings with inline word loads instead of a call into libc's
/// `memcmp`: series keys are compared on every datum, and their strings are mostly < 32 bytes.
#[inline]
pub(crate) fn str_eq(a: &str, b: &str) -> bool {
    bytes_eq(a.as_bytes(), b.as_bytes())
}

/// [`str_eq`] of byte strings.
#[inline]
pub(crate) fn bytes_eq(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    if n != b.len() {
        return false;
    }
    let word = |s: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&s[at..at + 8]);
        u64::from_ne_bytes(w)
    };
    let half = |s: &[u8], at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&s[at..at + 4]);
        u32::from_ne_bytes(w)
    };
    match n {
        0 => true,
        1..=3 => a[0] == b[0] && a[n / 2] == b[n / 2] && a[n - 1] == b[n - 1],
        4..=8 => half(a, 0) == half(b, 0) && half(a, n - 4) == half(b, n - 4),
        _ => {
            let mut i = 0;
            while i + 8 < n {
                if word(a, i) != word(b, i) {
                    return false;
                }
                i += 8;
            }
            // The last (possibly overlapping) word.
            word(a, n - 8) == word(b, n - 8)
        }
    }
}

/// Hash of a series' metric name and dimensions (sorted by name). Validation computes it outside
/// the engine's lock; `key_hash` adds the tenant and namespace. In memory only (the index is
/// rebuilt at open), so the function may change between versions.
pub fn datum_hash<'a>(name: &str, dims: impl ExactSizeIterator<Item = (&'a str, &'a str)>) -> u64 {
    // Every string hashed on its own, seeded by its position (so order matters), and the
    // hashes summed: the CPU hashes the strings side by side instead of one after another.
    let mut acc = str_hash(0, name) ^ dims.len() as u64;
    for (i, (n, v)) in dims.enumerate() {
        let seed = 2 * i as u64 + 1;
        acc = acc
            .wrapping_add(str_hash(seed, n))
            .wrapping_add(str_hash(seed + 1, v));
    }
    fold_mul(acc ^ 0x2d35_8dcc_aa6c_78a5, 0x8bb8_4b93_962e_acc9)
}

/// The high and low halves of a full 64×64-bit product, folded: every input bit reaches every
/// output bit (the low bits pick a hash map's bucket).
#[inline]
fn fold_mul(a: u64, b: u64) -> u64 {
    let p = u128::from(a) * u128::from(b);
    (p as u64) ^ ((p >> 64) as u64)
}

/// One string's hash, independent of the other strings of a key; `seed` is its position. Up to
/// 16 bytes (most names and values) take one multiplication.
#[inline]
fn str_hash(seed: u64, s: &str) -> u64 {
    const K1: u64 = 0xa076_1d64_78bd_642f;
    const K2: u64 = 0xe703_7ed1_a0b4_28db;
    let b = s.as_bytes();
    let n = b.len();
    let word = |at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&b[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let half = |at: usize| {
        let mut w = [0u8; 4];
        w.copy_from_slice(&b[at..at + 4]);
        u64::from(u32::from_le_bytes(w))
    };
    let seed = seed.wrapping_mul(K1) ^ n as u64;
    let (h, lo, hi) = match n {
        0 => (seed, 0, 0),
        1..=3 => (
            seed,
            u64::from(b[0]) | (u64::from(b[n / 2]) << 8) | (u64::from(b[n - 1]) << 16),
            0,
        ),
        4..=7 => (seed, half(0), half(n - 4)),
        8..=16 => (seed, word(0), word(n - 8)),
        _ => {
            let mut h = seed;
            let mut at = 0;
            while at + 16 < n {
                h = fold_mul(word(at) ^ K1, word(at + 8) ^ h ^ K2);
                at += 16;
            }
            (h, word(n - 16), word(n - 8))
        }
    };
    fold_mul(lo ^ K1 ^ h, hi ^ K2)
}

/// Hash of a series key's tenant and namespace (the same for every datum of a batch).
#[inline]
fn tenant_hash(account: &str, region: &str, ns: &str) -> u64 {
    mix_str(mix_str(mix_str(0, account), region), ns)
}

/// Hash of a whole series key from its parts.
fn key_hash(account: &str, region: &str, ns: &str, datum_hash: u64) -> u64 {
    mix(tenant_hash(account, region, ns), datum_hash)
}

impl Index {
    pub fn len(&self) -> usize {
        self.series.len()
    }

    pub fn is_empty(&self) -> bool {
        self.series.is_empty()
    }

    pub fn get(&self, id: SeriesId) -> Option<&SeriesMeta> {
        self.series.get(id as usize)
    }

    pub fn get_mut(&mut self, id: SeriesId) -> Option<&mut SeriesMeta> {
        self.series.get_mut(id as usize)
    }

    /// Records an ingestion of series `id` at `ingest` (ms) and returns its head-size hint
    /// (`SeriesMeta::head_hint`; 0 for an unknown id).
    pub fn touch(&mut self, id: SeriesId, ingest: i64) -> u32 {
        self.get_mut(id).map_or(0, |s| {
            s.last_ingest = s.last_ingest.max(ingest);
            s.head_hint
        })
    }

    /// Shares one allocation per distinct account and region string.
    pub fn intern(&mut self, s: &str) -> Arc<str> {
        if let Some(a) = self.interned.get(s) {
            return a.clone();
        }
        let a: Arc<str> = Arc::from(s);
        self.interned.insert(a.clone());
        a
    }

    /// The id of a series, if it exists. `dims` must be sorted by name.
    pub fn find(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[impl DimStr],
    ) -> Option<SeriesId> {
        let dh = datum_hash(metric_name, dims.iter().map(|d| (d.name(), d.value())));
        let h = key_hash(account, region, namespace, dh);
        self.find_hashed(account, region, namespace, metric_name, dims, h)
    }

    /// [`Index::find`] with the key's hash `h` ([`key_hash`]) already computed.
    fn find_hashed(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[impl DimStr],
        h: u64,
    ) -> Option<SeriesId> {
        let is = |id: SeriesId| {
            let k = &self.series[id as usize].key;
            str_eq(&k.metric_name, metric_name)
                && k.dimensions.len() == dims.len()
                && k.dimensions
                    .iter()
                    .zip(dims)
                    .all(|(a, b)| str_eq(&a.value, b.value()) && str_eq(&a.name, b.name()))
                && str_eq(&k.namespace, namespace)
                && str_eq(&k.account, account)
                && str_eq(&k.region, region)
        };
        let first = *self.by_hash.get(&h)?;
        if is(first) {
            return Some(first);
        }
        self.by_hash_more
            .get(&h)?
            .iter()
            .copied()
            .find(|id| is(*id))
    }

    /// The id of a series, created if new. `dims` must be sorted by name.
    pub fn get_or_create(
        &mut self,
        account: &str,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[impl DimStr],
    ) -> SeriesId {
        if let Some(id) = self.find(account, region, namespace, metric_name, dims) {
            return id;
        }
        self.create(account, region, namespace, metric_name, dims)
    }

    /// Creates a series known not to exist.
    fn create(
        &mut self,
        account: &str,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[impl DimStr],
    ) -> SeriesId {
        let dimensions = dims
            .iter()
            .map(|d| Dim {
                name: self.intern(d.name()),
                value: self.intern(d.value()),
            })
            .collect();
        let key = SeriesKey {
            account: self.intern(account),
            region: self.intern(region),
            namespace: self.intern(namespace),
            metric_name: self.intern(metric_name),
            dimensions,
        };
        self.insert(key, i64::MIN)
    }

    /// Adds a series known to be new (also used when loading blocks).
    pub fn insert(&mut self, key: SeriesKey, last_ingest: i64) -> SeriesId {
        debug_assert!(key.dimensions.windows(2).all(|w| w[0].name < w[1].name));
        let id = SeriesId::try_from(self.series.len()).unwrap_or(SeriesId::MAX);
        let h = key_hash(
            &key.account,
            &key.region,
            &key.namespace,
            datum_hash(
                &key.metric_name,
                key.dimensions.iter().map(|d| (&*d.name, &*d.value)),
            ),
        );
        match self.by_hash.entry(h) {
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(id);
            }
            std::collections::hash_map::Entry::Occupied(_) => {
                self.by_hash_more.entry(h).or_default().push(id);
            }
        }
        let p = self
            .tenants
            .entry((key.account.clone(), key.region.clone()))
            .or_default();
        p.all.push(id);
        p.namespace
            .entry(key.namespace.clone())
            .or_default()
            .push(id);
        p.metric
            .entry(key.metric_name.clone())
            .or_default()
            .push(id);
        for d in &key.dimensions {
            p.dim_name.entry(d.name.clone()).or_default().push(id);
            p.dim_pair
                .entry((d.name.clone(), d.value.clone()))
                .or_default()
                .push(id);
        }
        self.series.push(SeriesMeta {
            key,
            last_ingest,
            head_hint: 0,
        });
        id
    }

    /// Series of `(account, region)` matching `filter`, in id order, starting after `after`, at
    /// most `limit`. Starts from the shortest postings list of the filter's terms.
    pub fn list(
        &self,
        account: &str,
        region: &str,
        filter: &ListFilter,
        after: Option<SeriesId>,
        limit: usize,
    ) -> Vec<SeriesId> {
        let Some(p) = self.tenants.get(&(Arc::from(account), Arc::from(region))) else {
            return Vec::new();
        };
        let empty: &[SeriesId] = &[];
        let mut lists: Vec<&[SeriesId]> = vec![&p.all];
        if let Some(ns) = &filter.namespace {
            lists.push(p.namespace.get(ns.as_str()).map_or(empty, Vec::as_slice));
        }
        if let Some(m) = &filter.metric_name {
            lists.push(p.metric.get(m.as_str()).map_or(empty, Vec::as_slice));
        }
        for (name, value) in &filter.dimensions {
            let l = match value {
                Some(v) => p
                    .dim_pair
                    .get(&(Arc::from(name.as_str()), Arc::from(v.as_str()))),
                None => p.dim_name.get(name.as_str()),
            };
            lists.push(l.map_or(empty, Vec::as_slice));
        }
        let shortest = lists
            .iter()
            .copied()
            .min_by_key(|l| l.len())
            .unwrap_or(empty);
        let start = match after {
            Some(a) => shortest.partition_point(|id| *id <= a),
            None => 0,
        };
        shortest[start..]
            .iter()
            .copied()
            .filter(|id| self.matches(*id, filter))
            .take(limit)
            .collect()
    }

    fn matches(&self, id: SeriesId, f: &ListFilter) -> bool {
        let s = &self.series[id as usize];
        let k = &s.key;
        f.namespace.as_ref().is_none_or(|ns| *k.namespace == **ns)
            && f.metric_name.as_ref().is_none_or(|m| *k.metric_name == **m)
            && f.active_since.is_none_or(|t| s.last_ingest >= t)
            && f.dimensions.iter().all(|(name, value)| {
                k.dimensions
                    .iter()
                    .any(|d| *d.name == **name && value.as_ref().is_none_or(|v| *d.value == **v))
            })
    }

    /// The metric a series is, as ListMetrics shows it.
    pub fn metric_id(&self, id: SeriesId) -> Option<MetricId> {
        self.get(id).map(|s| MetricId {
            namespace: s.key.namespace.to_string(),
            metric_name: s.key.metric_name.to_string(),
            dimensions: s
                .key
                .dimensions
                .iter()
                .map(|d| Dimension::new(&*d.name, &*d.value))
                .collect(),
        })
    }
}

#[path = "index_order.rs"]
mod order;

#[cfg(test)]
#[path = "index_tests.rs"]
mod tests;
