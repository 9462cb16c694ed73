//! The in-memory index of audit records, rebuilt at open by replaying the log.
//!
//! Records are partitioned by (recipient account, region), as CloudTrail's event history is.
//! A partition keeps its entries in log order (which the writer keeps in event-time order, up to
//! records that were queued a few milliseconds apart): per entry only the event time (8 bytes)
//! and the log position (8 bytes). Lookup attributes live in postings, one `u32` entry number per
//! (attribute, interned value), so a lookup by any attribute visits only matching entries; event
//! ids live in a hash map keyed by a 64-bit hash of the id. About 60–90 bytes per record in all.
//!
//! Time ranges are found without scanning: per block of `BLOCK` entries the partition keeps the
//! running maximum of event times (non-decreasing) and the minimum over that block and every later
//! one (non-decreasing too), so binary searches bound the entries that can fall in a range even
//! when times are slightly out of order.

use std::collections::{BTreeMap, HashMap};

use openwatch_storage::wal::Position;

use super::codec::StoredRecord;
pub(crate) use super::intern::hash_event_id;
use super::intern::{Interner, PreHashedMap};
use crate::record::resource_short_name;

/// Entries per time summary block.
const BLOCK: usize = 128;

/// The lookup attributes kept in postings (`EventId` has its own map).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum AttrKey {
    EventName,
    EventSource,
    ReadOnly,
    Username,
    ResourceType,
    ResourceName,
    AccessKeyId,
}

/// What a lookup selects within a partition.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Filter {
    All,
    Posting(AttrKey, u32),
    EventId(u64),
    /// A value that no record has.
    Nothing,
}

/// A log position in 8 bytes (segment ids and offsets stay far below 2^32 with the options the
/// trail accepts; anything larger is refused at insert).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct CompactPos {
    segment: u32,
    offset: u32,
}

impl CompactPos {
    fn new(p: Position) -> Option<Self> {
        Some(CompactPos {
            segment: u32::try_from(p.segment).ok()?,
            offset: u32::try_from(p.offset).ok()?,
        })
    }

    fn position(self) -> Position {
        Position {
            segment: u64::from(self.segment),
            offset: u64::from(self.offset),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Block {
    /// Minimum event time over this block and every later one.
    suffix_min: i64,
    /// Maximum event time over this block and every earlier one.
    running_max: i64,
}

/// The records of one (account, region).
#[derive(Debug, Default)]
pub(crate) struct Partition {
    times: Vec<i64>,
    positions: Vec<CompactPos>,
    blocks: Vec<Block>,
    postings: HashMap<(AttrKey, u32), Vec<u32>>,
    event_ids: PreHashedMap<u32>,
    /// Entries whose event-id hash collided with an earlier entry's.
    event_id_dups: PreHashedMap<Vec<u32>>,
}

impl Partition {
    fn push(&mut self, time: i64, pos: CompactPos) -> u32 {
        let idx = self.times.len();
        self.times.push(time);
        self.positions.push(pos);
        if idx.is_multiple_of(BLOCK) {
            let prev = self.blocks.last().map_or(i64::MIN, |b| b.running_max);
            self.blocks.push(Block {
                suffix_min: i64::MAX,
                running_max: prev.max(time),
            });
        } else if let Some(last) = self.blocks.last_mut() {
            last.running_max = last.running_max.max(time);
        }
        for b in self.blocks.iter_mut().rev() {
            if b.suffix_min <= time {
                break;
            }
            b.suffix_min = time;
        }
        // Entry numbers fit u32: a partition holds at most 90 days of records.
        u32::try_from(idx).unwrap_or(u32::MAX)
    }

    fn post(&mut self, key: AttrKey, value: u32, idx: u32) {
        let list = self.postings.entry((key, value)).or_default();
        if list.last() != Some(&idx) {
            list.push(idx);
        }
    }

    fn rebuild_blocks(&mut self) {
        self.blocks.clear();
        let mut running = i64::MIN;
        for chunk in self.times.chunks(BLOCK) {
            let max = chunk.iter().copied().max().unwrap_or(i64::MIN);
            running = running.max(max);
            let min = chunk.iter().copied().min().unwrap_or(i64::MAX);
            self.blocks.push(Block {
                suffix_min: min,
                running_max: running,
            });
        }
        let mut suffix = i64::MAX;
        for b in self.blocks.iter_mut().rev() {
            suffix = suffix.min(b.suffix_min);
            b.suffix_min = suffix;
        }
    }

    /// Drops the entries stored in segments below `segment`; returns how many.
    fn remove_before(&mut self, segment: u32) -> usize {
        let cut = self.positions.partition_point(|p| p.segment < segment);
        if cut == 0 {
            return 0;
        }
        let cut32 = u32::try_from(cut).unwrap_or(u32::MAX);
        self.times.drain(..cut);
        self.positions.drain(..cut);
        self.rebuild_blocks();
        self.postings.retain(|_, list| {
            let keep = list.partition_point(|&i| i < cut32);
            list.drain(..keep);
            list.iter_mut().for_each(|i| *i -= cut32);
            list.shrink_to_fit();
            !list.is_empty()
        });
        self.event_ids.retain(|_, i| {
            let keep = *i >= cut32;
            *i = i.wrapping_sub(cut32);
            keep
        });
        self.event_id_dups.retain(|_, list| {
            list.retain(|&i| i >= cut32);
            list.iter_mut().for_each(|i| *i -= cut32);
            !list.is_empty()
        });
        cut
    }

    /// Number of entries.
    pub(crate) fn len(&self) -> usize {
        self.times.len()
    }

    /// Positions of up to `limit` entries matching `filter` with event time in `[start, end]`
    /// and stored before `before`, newest first; and whether more matching entries remain.
    pub(crate) fn scan(
        &self,
        filter: Filter,
        start: i64,
        end: i64,
        before: Option<Position>,
        limit: usize,
    ) -> (Vec<Position>, bool) {
        let n = self.times.len();
        let hi_block = self.blocks.partition_point(|b| b.suffix_min <= end);
        let lo_block = self.blocks.partition_point(|b| b.running_max < start);
        let mut hi = (hi_block * BLOCK).min(n);
        let lo = (lo_block * BLOCK).min(n);
        if let Some(before) = before {
            hi = hi.min(self.positions.partition_point(|p| p.position() < before));
        }
        let mut out = Vec::new();
        let mut more = false;
        if lo >= hi {
            return (out, more);
        }
        let mut visit = |i: usize| -> bool {
            let t = self.times[i];
            if t < start || t > end {
                return true;
            }
            if out.len() == limit {
                more = true;
                return false;
            }
            out.push(self.positions[i].position());
            true
        };
        match filter {
            Filter::Nothing => {}
            Filter::All => {
                for i in (lo..hi).rev() {
                    if !visit(i) {
                        break;
                    }
                }
            }
            Filter::Posting(key, value) => {
                if let Some(list) = self.postings.get(&(key, value)) {
                    let a = list.partition_point(|&i| (i as usize) < lo);
                    let b = list.partition_point(|&i| (i as usize) < hi);
                    for &i in list[a..b].iter().rev() {
                        if !visit(i as usize) {
                            break;
                        }
                    }
                }
            }
            Filter::EventId(h) => {
                let mut hits: Vec<usize> = self
                    .event_ids
                    .get(&h)
                    .map(|&i| i as usize)
                    .into_iter()
                    .collect();
                if let Some(dups) = self.event_id_dups.get(&h) {
                    hits.extend(dups.iter().map(|&i| i as usize));
                }
                hits.sort_unstable();
                for i in hits.into_iter().rev().filter(|&i| i >= lo && i < hi) {
                    if !visit(i) {
                        break;
                    }
                }
            }
        }
        (out, more)
    }

    /// Approximate heap bytes held by this partition.
    fn approx_bytes(&self) -> usize {
        let postings: usize = self.postings.values().map(|l| l.capacity() * 4 + 48).sum();
        self.times.capacity() * 8
            + self.positions.capacity() * 8
            + self.blocks.capacity() * 16
            + postings
            + self.event_ids.capacity() * 13
            + self.event_id_dups.capacity() * 33
    }
}

/// Per log segment: the newest event time it holds (retention deletes a segment once that is
/// older than the retention period) and how many records it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentSummary {
    pub max_time: i64,
    pub records: u64,
}

/// The index over every partition.
#[derive(Debug, Default)]
pub(crate) struct Index {
    interner: Interner,
    partitions: HashMap<(u32, u32), Partition>,
    segments: BTreeMap<u64, SegmentSummary>,
    records: usize,
}

/// Event times are indexed at CloudTrail's precision: whole seconds (kept in milliseconds).
pub(crate) fn index_time(millis: i64) -> i64 {
    millis.div_euclid(1000) * 1000
}

impl Index {
    /// Adds the record stored at `pos`. Refuses positions beyond 2^32 (segment or offset).
    pub(crate) fn insert(
        &mut self,
        pos: Position,
        rec: &StoredRecord<'_>,
    ) -> Result<(), &'static str> {
        let cpos = CompactPos::new(pos).ok_or("log position exceeds the index's 32-bit range")?;
        let time = index_time(rec.time_millis);
        let Index {
            interner,
            partitions,
            segments,
            records,
        } = self;
        let key = (interner.intern(rec.account), interner.intern(rec.region));
        let part = partitions.entry(key).or_default();
        let idx = part.push(time, cpos);
        let mut post = |k: AttrKey, v: &str| {
            let id = interner.intern(v);
            part.post(k, id, idx);
        };
        post(AttrKey::EventName, rec.event_name);
        post(AttrKey::EventSource, rec.event_source);
        post(
            AttrKey::ReadOnly,
            if rec.read_only { "true" } else { "false" },
        );
        if let Some(u) = rec.username {
            post(AttrKey::Username, u);
        }
        if let Some(k) = rec.access_key_id {
            post(AttrKey::AccessKeyId, k);
        }
        for (type_, arn) in &rec.resources {
            if !type_.is_empty() {
                post(AttrKey::ResourceType, type_);
            }
            post(AttrKey::ResourceName, arn);
            post(AttrKey::ResourceName, resource_short_name(arn));
        }
        let h = hash_event_id(rec.event_id);
        if let Some(&first) = part.event_ids.get(&h) {
            if first != idx {
                part.event_id_dups.entry(h).or_default().push(idx);
            }
        } else {
            part.event_ids.insert(h, idx);
        }
        let seg = segments.entry(pos.segment).or_insert(SegmentSummary {
            max_time: i64::MIN,
            records: 0,
        });
        seg.max_time = seg.max_time.max(rec.time_millis);
        seg.records += 1;
        *records += 1;
        Ok(())
    }

    /// The partition of (account, region), if it has records.
    pub(crate) fn partition(&self, account: &str, region: &str) -> Option<&Partition> {
        let key = (self.interner.get(account)?, self.interner.get(region)?);
        self.partitions.get(&key)
    }

    /// The interned id of an attribute value, if any record has it.
    pub(crate) fn value_id(&self, value: &str) -> Option<u32> {
        self.interner.get(value)
    }

    /// Per-segment summaries, by segment id.
    pub(crate) fn segments(&self) -> &BTreeMap<u64, SegmentSummary> {
        &self.segments
    }

    /// Records in the index.
    pub(crate) fn records(&self) -> usize {
        self.records
    }

    /// Forgets every record in segments below `segment`; returns how many.
    pub(crate) fn remove_segments_before(&mut self, segment: u64) -> usize {
        let seg32 = u32::try_from(segment).unwrap_or(u32::MAX);
        let mut removed = 0;
        self.partitions.retain(|_, p| {
            removed += p.remove_before(seg32);
            p.len() > 0
        });
        self.segments = self.segments.split_off(&segment);
        self.records -= removed.min(self.records);
        removed
    }

    /// Approximate heap bytes held by the index (the interner excluded).
    pub(crate) fn approx_bytes(&self) -> usize {
        self.partitions.values().map(Partition::approx_bytes).sum()
    }
}
