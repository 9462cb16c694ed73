//! The index's fast way to a series: its key as the request orders it. Clients resend the same
//! series with their dimensions in the same order, so a known series is found without sorting
//! its dimensions or hashing its sorted key, and verified against one contiguous byte string
//! (the key as it was learned) instead of a string per dimension on the heap. The hash only
//! picks the candidate; the key is compared exactly, so a collision never merges two series (a
//! key whose slot another key holds is found by its sorted key, every time).
//!
//! A series is learned by the orders its datums arrive in, when they are applied; the cache
//! holds at most twice as many orders as there are series (plus [`SPARE_ORDERS`]), so a client
//! that shuffles its dimensions cannot grow it without bound.

use std::sync::Arc;

use openwatch_types::fxhash::FxHashMap;

use super::{DimStr, Index, SeriesId, bytes_eq, datum_hash, key_hash, mix, tenant_hash};
use crate::validate::{DatumView, Prepared, RequestDims, SeriesName, Target, ValidDatum, sorted};

/// Learned keys are appended to chunks of this size (a key never spans two).
const CHUNK_BYTES: usize = 64 * 1024;
/// Orders learned beyond two per series.
const SPARE_ORDERS: usize = 1_024;

/// Learned orders: request-order key hash (with the tenant) → the series and its key's bytes.
#[derive(Default)]
pub(super) struct OrderCache {
    pub(super) slots: FxHashMap<u64, Slot>,
    /// Keys as `u16 n_dims`, then `u16 len` + bytes of the metric name and of every dimension's
    /// name and value, in the learned order.
    chunks: Vec<Vec<u8>>,
    /// `(account, region, namespace)` by the addresses of their interned strings → tenant number.
    tenants: FxHashMap<[usize; 3], u32>,
}

impl std::fmt::Debug for OrderCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OrderCache")
            .field("orders", &self.slots.len())
            .field("chunks", &self.chunks.len())
            .field("tenants", &self.tenants.len())
            .finish()
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) struct Slot {
    pub(super) series: SeriesId,
    pub(super) tenant: u32,
    pub(super) chunk: u32,
    pub(super) offset: u32,
}

impl OrderCache {
    pub(super) fn get(
        &self,
        tenant: u32,
        h: u64,
        metric: &str,
        dims: &[impl DimStr],
    ) -> Option<SeriesId> {
        let s = self.slots.get(&h)?;
        let bytes = self
            .chunks
            .get(s.chunk as usize)?
            .get(s.offset as usize..)?;
        (s.tenant == tenant && key_is(bytes, metric, dims)).then_some(s.series)
    }

    pub(super) fn insert(
        &mut self,
        h: u64,
        slot: impl FnOnce(u32, u32) -> Slot,
        metric: &str,
        dims: &[impl DimStr],
    ) {
        let strings =
            || std::iter::once(metric).chain(dims.iter().flat_map(|d| [d.name(), d.value()]));
        if strings().any(|s| s.len() > usize::from(u16::MAX)) {
            return;
        }
        let len = 2 + strings().map(|s| 2 + s.len()).sum::<usize>();
        if len > CHUNK_BYTES {
            return;
        }
        if self
            .chunks
            .last()
            .is_none_or(|c| c.len() + len > CHUNK_BYTES)
        {
            self.chunks.push(Vec::with_capacity(CHUNK_BYTES));
        }
        let chunk = self.chunks.len() - 1;
        let Some(buf) = self.chunks.last_mut() else {
            return;
        };
        let offset = buf.len();
        let n = |v: usize| u16::try_from(v).unwrap_or(u16::MAX).to_le_bytes();
        buf.extend_from_slice(&n(dims.len()));
        for s in strings() {
            buf.extend_from_slice(&n(s.len()));
            buf.extend_from_slice(s.as_bytes());
        }
        let (Ok(chunk), Ok(offset)) = (u32::try_from(chunk), u32::try_from(offset)) else {
            return;
        };
        self.slots.insert(h, slot(chunk, offset));
    }
}

/// Whether the learned key at the start of `b` is `metric` with `dims`, in this order.
fn key_is(b: &[u8], metric: &str, dims: &[impl DimStr]) -> bool {
    let Some((n, mut b)) = b.split_first_chunk::<2>() else {
        return false;
    };
    if usize::from(u16::from_le_bytes(*n)) != dims.len() {
        return false;
    }
    let mut next = |s: &str| {
        let Some((n, rest)) = b.split_first_chunk::<2>() else {
            return false;
        };
        let Some((x, rest)) = rest.split_at_checked(usize::from(u16::from_le_bytes(*n))) else {
            return false;
        };
        b = rest;
        bytes_eq(x, s.as_bytes())
    };
    next(metric) && dims.iter().all(|d| next(d.name()) && next(d.value()))
}

/// The address of an interned string: its identity.
fn addr(s: &Arc<str>) -> usize {
    Arc::as_ptr(s).cast::<u8>().addr()
}

impl Index {
    /// Looks up the series of datums before they are validated (a chunk of a batch at a time,
    /// under the engine's read lock, before the write lock of `put`): by the key as the request orders it, then by
    /// the sorted key. Datums of known series skip the checks of their key, and applying them
    /// only creates the new ones. Ids are never reused, so a learned order never goes stale.
    pub fn resolve<D: DatumView>(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        data: &[D],
        prepared: &mut [Prepared],
    ) {
        // The tenant's part of the hash once per call, not per datum.
        let th = tenant_hash(account, region, namespace);
        let tenant = self.order_tenant(account, region, namespace);
        let room = self.order_room();
        for (d, p) in data.iter().zip(prepared).filter(|(_, p)| p.lookup) {
            let (metric, dims) = (d.metric_name().unwrap_or(""), d.dimensions());
            if let Some(t) = tenant
                && let Some(id) = self.order.get(t, mix(th, p.order_hash), metric, dims)
            {
                p.series = Some(id);
                continue;
            }
            let sorted = sorted(dims);
            let dh = datum_hash(metric, sorted.iter().map(|x| (x.name, x.value)));
            let h = mix(th, dh);
            p.series = self.find_hashed(account, region, namespace, metric, &sorted, h);
            p.learn = p.series.is_some() && room;
        }
    }

    /// The id of a validated datum's series: the one validation found, else found by key or
    /// created; learns the order the request gave its dimensions in.
    #[inline]
    pub fn get_or_create_valid(
        &mut self,
        account: &str,
        region: &str,
        namespace: &str,
        d: &ValidDatum<'_>,
    ) -> SeriesId {
        match &d.target {
            Target::Known(id) => *id,
            Target::Learn(id, name) => {
                self.learn(account, region, namespace, name, *id);
                *id
            }
            Target::New(name) => self.get_or_create_new(account, region, namespace, name),
        }
    }

    /// The series of a key validation did not find (another writer may have created it since),
    /// created if new; learns its request order.
    #[inline(never)]
    fn get_or_create_new(
        &mut self,
        account: &str,
        region: &str,
        namespace: &str,
        name: &SeriesName<'_>,
    ) -> SeriesId {
        let h = key_hash(account, region, namespace, name.key_hash);
        let found = self.find_hashed(
            account,
            region,
            namespace,
            name.metric_name,
            &name.dimensions,
            h,
        );
        let id = found.unwrap_or_else(|| {
            self.create(
                account,
                region,
                namespace,
                name.metric_name,
                &name.dimensions,
            )
        });
        self.learn(account, region, namespace, name, id);
        id
    }

    /// Remembers `name`'s request order for series `id`, if there is room and its slot is free.
    #[inline(never)]
    fn learn(
        &mut self,
        account: &str,
        region: &str,
        namespace: &str,
        name: &SeriesName<'_>,
        id: SeriesId,
    ) {
        let Some((dims, order_hash)) = name.request else {
            return;
        };
        let h = mix(tenant_hash(account, region, namespace), order_hash);
        if !self.order_room() || self.order.slots.contains_key(&h) {
            return;
        }
        let key = [account, region, namespace].map(|s| addr(&self.intern(s)));
        let next = u32::try_from(self.order.tenants.len()).unwrap_or(u32::MAX);
        let tenant = *self.order.tenants.entry(key).or_insert(next);
        let slot = |chunk, offset| Slot {
            series: id,
            tenant,
            chunk,
            offset,
        };
        match dims {
            RequestDims::Refs(d) => self.order.insert(h, slot, name.metric_name, d),
            RequestDims::Owned(d) => self.order.insert(h, slot, name.metric_name, d),
        }
    }

    /// The tenant number of `(account, region, namespace)`, if an order was learned for it.
    fn order_tenant(&self, account: &str, region: &str, namespace: &str) -> Option<u32> {
        let a = |s: &str| self.interned.get(s).map(addr);
        let key = [a(account)?, a(region)?, a(namespace)?];
        self.order.tenants.get(&key).copied()
    }

    /// Whether another order may be learned.
    fn order_room(&self) -> bool {
        self.order.slots.len() < self.series.len().saturating_mul(2) + SPARE_ORDERS
    }
}
