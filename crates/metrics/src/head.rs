//! The head: recent samples in memory, grouped by hour-long time partition and series. A
//! partition is sealed into blocks as a whole; each partition remembers the oldest WAL segment
//! that fed it, so the WAL keeps exactly the segments the head still needs.
//!
//! Appends are the hot path (they run under the engine's write lock), so a partition finds a
//! series' samples through a paged table indexed by series id (ids are dense) instead of a hash
//! map, a batch looks its partition up once per run of entries in it, and the common sample (one
//! `Value` with the series' usual unit and resolution) is stored as 12 bytes — its offset in the
//! partition and its value — instead of a 48-byte [`Entry`]. A series' list widens to full
//! entries the first time it gets anything else; reading always yields the same entries.

use std::collections::BTreeMap;

use crate::index::SeriesId;
use crate::model::{Entry, Kind};

/// Length of a time partition (and so of a block).
pub const PARTITION_MILLIS: i64 = 3_600_000;

/// The start of the partition holding `ts`.
pub fn partition_of(ts: i64) -> i64 {
    ts.div_euclid(PARTITION_MILLIS) * PARTITION_MILLIS
}

/// Most entries reserved up front for a series' list in a new partition.
const MAX_RESERVE: usize = 4_096;

/// Series ids per page of a partition's slot table.
const PAGE: usize = 1_024;

/// A single-value sample: milliseconds after its partition's start and the value.
#[derive(Clone, Copy)]
#[repr(C, packed(4))]
struct Point {
    offset: u32,
    value: f64,
}

/// One series' samples in one partition, in arrival order.
#[derive(Debug)]
enum Samples {
    /// Only `Single` entries with count 1, min = max = value, all with this meta (unit and
    /// resolution).
    Points { meta: u8, points: Vec<Point> },
    /// Anything else.
    Entries(Vec<Entry>),
}

impl std::fmt::Debug for Point {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let (offset, value) = (self.offset, self.value);
        write!(f, "+{offset}:{value}")
    }
}

/// Whether `e` is exactly what [`Entry::single`] builds (so a [`Point`] restores it bit for bit).
#[inline]
fn is_point(e: &Entry) -> bool {
    let v = e.value.to_bits();
    e.kind() == Kind::Single
        && e.count.to_bits() == 1f64.to_bits()
        && e.min.to_bits() == v
        && e.max.to_bits() == v
}

impl Samples {
    fn new(start: i64, e: &Entry, hint: u32) -> Samples {
        let room = (hint as usize).clamp(1, MAX_RESERVE);
        if is_point(e) {
            let mut points = Vec::with_capacity(room);
            points.push(Point::of(start, e));
            Samples::Points {
                meta: e.meta,
                points,
            }
        } else {
            let mut v = Vec::with_capacity(room);
            v.push(*e);
            Samples::Entries(v)
        }
    }

    #[inline]
    fn push(&mut self, start: i64, e: &Entry) {
        match self {
            Samples::Points { meta, points } if *meta == e.meta && is_point(e) => {
                points.push(Point::of(start, e));
            }
            Samples::Points { meta, points } => {
                let mut v = Vec::with_capacity(points.capacity().max(points.len() + 1));
                v.extend(points.iter().map(|p| p.entry(start, *meta)));
                v.push(*e);
                *self = Samples::Entries(v);
            }
            Samples::Entries(v) => v.push(*e),
        }
    }

    fn len(&self) -> usize {
        match self {
            Samples::Points { points, .. } => points.len(),
            Samples::Entries(v) => v.len(),
        }
    }

    /// Calls `f` with each entry with `from <= ts < to`, in arrival order.
    #[inline(always)]
    fn for_each<F: FnMut(&Entry)>(&self, start: i64, from: i64, to: i64, f: &mut F) {
        match self {
            Samples::Points { meta, points } => {
                // Compare offsets, not timestamps: the range clipped to this partition.
                let lo = from.saturating_sub(start).clamp(0, PARTITION_MILLIS);
                let hi = to.saturating_sub(start).clamp(0, PARTITION_MILLIS);
                for p in points {
                    let off = i64::from(p.offset);
                    if off >= lo && off < hi {
                        f(&p.entry(start, *meta));
                    }
                }
            }
            Samples::Entries(v) => {
                for e in v {
                    if e.ts >= from && e.ts < to {
                        f(e);
                    }
                }
            }
        }
    }
}

impl Point {
    #[inline]
    fn of(start: i64, e: &Entry) -> Point {
        // `e` is in the partition starting at `start`, so the offset is in [0, 1 h).
        Point {
            offset: (e.ts - start) as u32,
            value: e.value,
        }
    }

    #[inline]
    fn entry(&self, start: i64, meta: u8) -> Entry {
        let value = self.value;
        Entry {
            ts: start + i64::from(self.offset),
            value,
            count: 1.0,
            min: value,
            max: value,
            meta,
        }
    }
}

/// Series id → 1 + the index of its list in `HeadPartition::series` (0: none), in pages of
/// [`PAGE`] ids allocated on first use, so a partition holding a few series of a large index
/// stays small.
#[derive(Debug, Default)]
struct Slots {
    pages: Vec<Option<Box<[u32]>>>,
}

impl Slots {
    #[inline]
    fn get(&self, id: SeriesId) -> u32 {
        let id = id as usize;
        match self.pages.get(id / PAGE) {
            Some(Some(page)) => page[id % PAGE],
            _ => 0,
        }
    }

    #[inline]
    fn slot_mut(&mut self, id: SeriesId) -> &mut u32 {
        let id = id as usize;
        let p = id / PAGE;
        if p >= self.pages.len() {
            self.pages.resize_with(p + 1, || None);
        }
        let page = self.pages[p].get_or_insert_with(|| vec![0; PAGE].into_boxed_slice());
        &mut page[id % PAGE]
    }
}

/// The samples of one partition not yet sealed.
#[derive(Debug)]
pub struct HeadPartition {
    /// The partition's start (a multiple of [`PARTITION_MILLIS`]).
    start: i64,
    /// Oldest WAL segment holding a record with samples in this partition.
    pub first_segment: u64,
    slots: Slots,
    /// Each series' id and samples, in order of first sample.
    series: Vec<(SeriesId, Samples)>,
    pub entries: usize,
}

impl HeadPartition {
    fn new(start: i64, first_segment: u64) -> HeadPartition {
        HeadPartition {
            start,
            first_segment,
            slots: Slots::default(),
            series: Vec::new(),
            entries: 0,
        }
    }

    /// Adds `e` (in this partition) to series `id`, whose list starts with room for `hint`.
    #[inline]
    fn push(&mut self, id: SeriesId, hint: u32, e: &Entry) {
        let slot = self.slots.slot_mut(id);
        match *slot {
            0 => {
                self.series.push((id, Samples::new(self.start, e, hint)));
                // At most one list per id, and ids are u32, so the count fits.
                *slot = self.series.len() as u32;
            }
            s => self.series[s as usize - 1].1.push(self.start, e),
        }
        self.entries += 1;
    }

    /// Calls `f` with each entry of `id` with `start <= ts < end`, in no particular order.
    #[inline]
    pub fn for_each<F: FnMut(&Entry)>(&self, id: SeriesId, start: i64, end: i64, f: &mut F) {
        if let Some(s) = self.samples(id) {
            s.for_each(self.start, start, end, f);
        }
    }

    #[inline]
    fn samples(&self, id: SeriesId) -> Option<&Samples> {
        match self.slots.get(id) {
            0 => None,
            s => self.series.get(s as usize - 1).map(|(_, s)| s),
        }
    }

    /// Each series of the partition with its entry count.
    pub fn series_lens(&self) -> impl Iterator<Item = (SeriesId, usize)> + '_ {
        self.series.iter().map(|(id, s)| (*id, s.len()))
    }

    /// Every series' entries sorted by timestamp (stable: equal timestamps keep arrival order),
    /// as a block is written.
    pub fn sorted(&self) -> BTreeMap<SeriesId, Vec<Entry>> {
        self.series
            .iter()
            .map(|(id, s)| {
                let mut v = Vec::with_capacity(s.len());
                s.for_each(self.start, i64::MIN, i64::MAX, &mut |e| v.push(*e));
                if !v.is_sorted_by_key(|e| e.ts) {
                    v.sort_by_key(|e| e.ts);
                }
                (*id, v)
            })
            .collect()
    }
}

/// Every unsealed partition.
#[derive(Debug, Default)]
pub struct Head {
    pub partitions: BTreeMap<i64, HeadPartition>,
}

impl Head {
    /// Adds each `(series, hint, entry)` of a batch logged in WAL segment `segment`. A series'
    /// list in a partition starts with room for `hint` entries (what it held in its last sealed
    /// partition, at most [`MAX_RESERVE`]), so a steady series never regrows (and copies) its
    /// list while the engine's write lock is held. The partition is looked up once per run of
    /// entries that fall in it, not per entry.
    pub fn add_all<'e>(
        &mut self,
        segment: u64,
        items: impl IntoIterator<Item = (SeriesId, u32, &'e Entry)>,
    ) {
        let mut items = items.into_iter();
        let Some((id, hint, e)) = items.next() else {
            return;
        };
        let mut part = self.partition(partition_of(e.ts), segment);
        part.push(id, hint, e);
        for (id, hint, e) in items {
            if e.ts < part.start || e.ts >= part.start + PARTITION_MILLIS {
                part = self.partition(partition_of(e.ts), segment);
            }
            part.push(id, hint, e);
        }
    }

    /// Adds `e` to series `id` (see [`Head::add_all`]).
    pub fn add(&mut self, id: SeriesId, e: &Entry, segment: u64, hint: u32) {
        self.add_all(segment, [(id, hint, e)]);
    }

    /// The partition starting at `start`, created if new, noting that `segment` feeds it.
    fn partition(&mut self, start: i64, segment: u64) -> &mut HeadPartition {
        let p = self
            .partitions
            .entry(start)
            .or_insert_with(|| HeadPartition::new(start, segment));
        p.first_segment = p.first_segment.min(segment);
        p
    }

    /// Entries of `id` with `start <= ts < end`, in no particular order.
    #[inline]
    pub fn for_each<F: FnMut(&Entry)>(&self, id: SeriesId, start: i64, end: i64, f: &mut F) {
        if start >= end {
            return;
        }
        for (_, p) in self.partitions.range(partition_of(start)..end) {
            p.for_each(id, start, end, f);
        }
    }

    pub fn entries(&self) -> usize {
        self.partitions.values().map(|p| p.entries).sum()
    }

    /// The oldest WAL segment any unsealed partition needs.
    pub fn oldest_segment(&self) -> Option<u64> {
        self.partitions.values().map(|p| p.first_segment).min()
    }
}

#[cfg(test)]
#[path = "head_tests.rs"]
mod tests;
