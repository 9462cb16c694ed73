//! The head: recent samples in memory, grouped by hour-long time partition and series. A
//! partition is sealed into blocks as a whole; each partition remembers the oldest WAL segment
//! that fed it, so the WAL keeps exactly the segments the head still needs.

use std::collections::BTreeMap;

use openwatch_types::fxhash::FxHashMap;

use crate::index::SeriesId;
use crate::model::Entry;

/// Length of a time partition (and so of a block).
pub const PARTITION_MILLIS: i64 = 3_600_000;

/// The start of the partition holding `ts`.
pub fn partition_of(ts: i64) -> i64 {
    ts.div_euclid(PARTITION_MILLIS) * PARTITION_MILLIS
}

/// The samples of one partition not yet sealed.
#[derive(Debug, Default)]
pub struct HeadPartition {
    /// Oldest WAL segment holding a record with samples in this partition.
    pub first_segment: u64,
    pub series: FxHashMap<SeriesId, Vec<Entry>>,
    pub entries: usize,
}

/// Every unsealed partition.
#[derive(Debug, Default)]
pub struct Head {
    pub partitions: BTreeMap<i64, HeadPartition>,
}

/// Most entries reserved up front for a series' list in a new partition.
const MAX_RESERVE: usize = 4_096;

impl Head {
    /// Adds `e` to series `id`. A series' list in a partition starts with room for `hint`
    /// entries (what it held in its last sealed partition, at most [`MAX_RESERVE`]), so a steady
    /// series never regrows (and copies) its list while the engine's write lock is held.
    pub fn add(&mut self, id: SeriesId, e: Entry, segment: u64, hint: u32) {
        let p = self
            .partitions
            .entry(partition_of(e.ts))
            .or_insert_with(|| HeadPartition {
                first_segment: segment,
                ..HeadPartition::default()
            });
        p.first_segment = p.first_segment.min(segment);
        p.series
            .entry(id)
            .or_insert_with(|| Vec::with_capacity((hint as usize).min(MAX_RESERVE)))
            .push(e);
        p.entries += 1;
    }

    /// Entries of `id` with `start <= ts < end`, in no particular order.
    pub fn for_each(&self, id: SeriesId, start: i64, end: i64, mut f: impl FnMut(&Entry)) {
        for (_, p) in self
            .partitions
            .range(partition_of(start) - PARTITION_MILLIS + 1..end)
        {
            if let Some(v) = p.series.get(&id) {
                v.iter()
                    .filter(|e| e.ts >= start && e.ts < end)
                    .for_each(&mut f);
            }
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
