//! Whole-group scans for Logs Insights: a [`ScanSource`] snapshot of the chunks (chosen by their
//! time range, so others are never opened) and head events of a group in a time range, scanned
//! unit by unit (so callers can run units in parallel and show partial results); event lookup by
//! key for `@ptr` / GetLogRecord.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use openwatch_storage::{Catalog, Clock};

use super::LogStore;
use super::cache::BlockRef;
use super::chunk::ChunkMeta;
use super::event::{EventKey, StoredEvent};
use crate::error::LogsError;

/// One event as a scan hands it out (the message borrowed from the decompressed chunk).
#[derive(Debug, Clone, Copy)]
pub struct ScanEvent<'a> {
    pub stream: u64,
    pub timestamp: i64,
    pub seq: u64,
    pub ingestion_time: i64,
    pub message: &'a str,
}

/// One unit of a scan: a chunk, or the group's events not yet in a chunk.
#[derive(Debug, Clone)]
pub enum ScanUnit {
    Chunk(ChunkMeta),
    Head,
}

impl ScanUnit {
    /// Uncompressed bytes of the unit (an estimate for the head: its events' message bytes).
    pub fn raw_bytes(&self, src: &ScanSource) -> u64 {
        match self {
            ScanUnit::Chunk(c) => c.raw_bytes,
            ScanUnit::Head => src.head.iter().map(|e| e.message.len() as u64).sum(),
        }
    }
}

/// What one group scan reads, captured under the store's lock.
#[derive(Debug, Clone)]
pub struct ScanSource {
    pub group_id: u64,
    pub group_name: String,
    /// Inclusive time bounds (after retention).
    pub start: i64,
    pub end: i64,
    /// Stream names by id.
    pub streams: HashMap<u64, String>,
    /// Chunks that may hold events in the range, oldest first, then the head.
    pub units: Vec<ScanUnit>,
    dir: PathBuf,
    head: Arc<Vec<StoredEvent>>,
}

/// What scanning one unit read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanCounts {
    /// Events in the time range.
    pub records: u64,
    /// Their message bytes.
    pub bytes: u64,
}

/// An event found by its key, with its group and stream names.
#[derive(Debug, Clone)]
pub struct FoundEvent {
    pub group_name: String,
    pub stream_name: String,
    pub event: StoredEvent,
}

impl LogStore {
    /// The catalog the store keeps its tables in (other Logs features add their own tables).
    pub fn catalog(&self) -> &Arc<Catalog> {
        &self.catalog
    }

    /// The store's clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// Snapshots what a scan of `group` over `[start, end]` (inclusive, epoch ms) must read.
    pub fn scan_source(
        &self,
        account: &str,
        region: &str,
        group: &str,
        start: i64,
        end: i64,
    ) -> Result<ScanSource, LogsError> {
        let now = self.now();
        let state = self.state.read();
        let g = state.group(account, region, group)?;
        let start = start.max(g.retention_cutoff(now));
        let mut chunks: Vec<ChunkMeta> = g
            .chunks
            .values()
            .filter(|c| c.may_hold(None, start, end))
            .cloned()
            .collect();
        chunks.sort_by_key(|c| (c.min_ts, c.id));
        let head: Vec<StoredEvent> = g
            .head
            .iter()
            .filter(|e| e.timestamp >= start && e.timestamp <= end)
            .cloned()
            .collect();
        let mut units: Vec<ScanUnit> = chunks.into_iter().map(ScanUnit::Chunk).collect();
        if !head.is_empty() {
            units.push(ScanUnit::Head);
        }
        Ok(ScanSource {
            group_id: g.rec.id,
            group_name: g.rec.name.clone(),
            start,
            end,
            streams: g
                .streams
                .values()
                .map(|s| (s.rec.id, s.rec.name.clone()))
                .collect(),
            units,
            dir: g.dir(&self.dir),
            head: Arc::new(head),
        })
    }

    /// Scans one unit of `src`: calls `f` for every event in the time range whose message holds
    /// every literal of `required` (cheap prefiltering before any evaluation); a chunk whose
    /// trigram filter excludes a literal is skipped without being read (and counts nothing). A
    /// chunk deleted meanwhile (retention) reads as empty.
    pub fn scan_unit(
        &self,
        src: &ScanSource,
        unit: &ScanUnit,
        required: &[String],
        f: &mut dyn FnMut(ScanEvent<'_>),
    ) -> Result<ScanCounts, LogsError> {
        let finders: Vec<memchr::memmem::Finder<'_>> = required
            .iter()
            .map(|l| memchr::memmem::Finder::new(l.as_bytes()))
            .collect();
        let holds = |m: &str| finders.iter().all(|x| x.find(m.as_bytes()).is_some());
        let mut counts = ScanCounts::default();
        match unit {
            ScanUnit::Head => {
                for e in src.head.iter() {
                    counts.records += 1;
                    counts.bytes += e.message.len() as u64;
                    if holds(&e.message) {
                        f(ScanEvent {
                            stream: e.stream,
                            timestamp: e.timestamp,
                            seq: e.seq,
                            ingestion_time: e.ingestion_time,
                            message: &e.message,
                        });
                    }
                }
            }
            ScanUnit::Chunk(meta) => {
                // The chunk's trigram filter proves some literal absent: skip it unread.
                let lits: Vec<&str> = required.iter().map(String::as_str).collect();
                if !lits.is_empty() && !meta.may_contain(&lits) {
                    return Ok(counts);
                }
                let Some(layout) = self.cache.layout(&src.dir, meta.id)? else {
                    return Ok(counts);
                };
                // Likewise for the blocks of the chunk, and blocks outside the time range.
                let refs: Vec<BlockRef> = (0..layout.blocks.len())
                    .filter_map(|b| {
                        let info = &layout.blocks[b];
                        if info.max_ts < src.start || info.min_ts > src.end {
                            return None;
                        }
                        let lanes = info.lanes_to_read(|f| f.may_contain_all(&lits))?;
                        Some((meta.id, Arc::clone(&layout), b, lanes))
                    })
                    .collect();
                self.cache
                    .note_blocks_skipped(layout.blocks.len() - refs.len());
                // Callers run units in parallel already: one thread per unit.
                for raw in self.cache.blocks(&src.dir, &refs, 1)?.into_iter().flatten() {
                    // Events of lanes left compressed (none could hold the literals) still count.
                    let el = &raw.elided;
                    let from = el.partition_point(|e| e.0 < src.start);
                    for &(_, len) in el[from..].iter().take_while(|e| e.0 <= src.end) {
                        counts.records += 1;
                        counts.bytes += u64::from(len);
                    }
                    let hs = &raw.headers;
                    let from = hs.partition_point(|h| h.timestamp < src.start);
                    for h in &hs[from..] {
                        if h.timestamp > src.end {
                            break;
                        }
                        let m = raw.message(h);
                        counts.records += 1;
                        counts.bytes += m.len() as u64;
                        if holds(m) {
                            f(ScanEvent {
                                stream: h.stream,
                                timestamp: h.timestamp,
                                seq: h.seq,
                                ingestion_time: h.ingestion_time,
                                message: m,
                            });
                        }
                    }
                }
            }
        }
        Ok(counts)
    }

    /// The event with `key` in the group with id `group_id` of `(account, region)`, if it exists
    /// and has not expired.
    pub fn find_event(
        &self,
        account: &str,
        region: &str,
        group_id: u64,
        key: EventKey,
    ) -> Result<Option<FoundEvent>, LogsError> {
        let now = self.now();
        let (dir, chunks, group_name, streams, in_head) = {
            let state = self.state.read();
            let Some(gk) = state.by_id.get(&group_id) else {
                return Ok(None);
            };
            if gk.0 != account || gk.1 != region {
                return Ok(None);
            }
            let Some(g) = state.groups.get(gk) else {
                return Ok(None);
            };
            if key.timestamp < g.retention_cutoff(now) {
                return Ok(None);
            }
            let in_head = g.head.iter().find(|e| e.key() == key).cloned();
            let chunks: Vec<u64> = g
                .chunks
                .values()
                .filter(|c| {
                    c.min_ts <= key.timestamp
                        && key.timestamp <= c.max_ts
                        && c.min_seq <= key.seq
                        && key.seq <= c.max_seq
                })
                .map(|c| c.id)
                .collect();
            let streams: HashMap<u64, String> = g
                .streams
                .values()
                .map(|s| (s.rec.id, s.rec.name.clone()))
                .collect();
            (
                g.dir(&self.dir),
                chunks,
                g.rec.name.clone(),
                streams,
                in_head,
            )
        };
        let found = match in_head {
            Some(e) => Some(e),
            None => {
                let mut hit = None;
                for id in chunks {
                    if let Some(raw) = self.cache.get(&dir, id)?
                        && let Ok(i) = raw.headers.binary_search_by(|h| h.key().cmp(&key))
                    {
                        hit = Some(raw.event(&raw.headers[i]));
                        break;
                    }
                }
                hit
            }
        };
        Ok(found.and_then(|event| {
            Some(FoundEvent {
                group_name: group_name.clone(),
                stream_name: streams.get(&event.stream)?.clone(),
                event,
            })
        }))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use std::sync::Arc;

    use openwatch_storage::{Catalog, SimClock};

    use super::*;
    use crate::store::{InputEvent, LogStoreOptions};

    const T0: i64 = 1_764_000_000_000;

    fn ev(ts: i64, m: &str) -> InputEvent {
        InputEvent {
            timestamp: ts,
            message: m.to_owned(),
        }
    }

    fn scan_all(store: &LogStore, src: &ScanSource, lits: &[String]) -> (Vec<String>, ScanCounts) {
        let mut out = Vec::new();
        let mut total = ScanCounts::default();
        for u in &src.units {
            let c = store
                .scan_unit(src, u, lits, &mut |e| out.push(e.message.to_owned()))
                .unwrap();
            total.records += c.records;
            total.bytes += c.bytes;
        }
        (out, total)
    }

    #[test]
    fn units_by_time_range_prefilter_and_lookup_by_key() {
        let tmp = tempfile::tempdir().unwrap();
        let clock = Arc::new(SimClock::new(T0));
        let catalog = Arc::new(Catalog::open(&tmp.path().join("c.redb")).unwrap());
        let store = LogStore::open(
            &tmp.path().join("logs"),
            catalog,
            clock.clone(),
            LogStoreOptions::default(),
        )
        .unwrap();
        store
            .create_log_group("a", "r", "g", None, Default::default(), None)
            .unwrap();
        store.create_log_stream("a", "r", "g", "s").unwrap();
        let put = |evs: Vec<InputEvent>| {
            store
                .put_log_events_blocking("a", "r", "g", "s", evs)
                .unwrap();
        };
        put(vec![ev(T0 - 9000, "old one"), ev(T0 - 8000, "old two")]);
        store.flush_all().unwrap();
        put(vec![ev(T0 - 2000, "new one"), ev(T0 - 1000, "new two")]);
        store.flush_all().unwrap();
        put(vec![ev(T0 - 500, "head one")]);

        let all = store.scan_source("a", "r", "g", 0, T0).unwrap();
        assert_eq!(all.units.len(), 3);
        assert!(matches!(all.units[2], ScanUnit::Head));
        let (msgs, counts) = scan_all(&store, &all, &[]);
        assert_eq!(
            msgs,
            ["old one", "old two", "new one", "new two", "head one"]
        );
        assert_eq!(counts.records, 5);

        // The old chunk is not part of a scan of the last 3 seconds.
        let recent = store.scan_source("a", "r", "g", T0 - 3000, T0).unwrap();
        assert_eq!(recent.units.len(), 2);
        let (msgs, counts) = scan_all(&store, &recent, &["one".to_owned()]);
        assert_eq!(msgs, ["new one", "head one"]);
        assert_eq!(counts.records, 3);

        // Chunks whose trigram filter lacks a literal are not read: only the head counts.
        let (msgs, counts) = scan_all(&store, &all, &["absent literal".to_owned()]);
        assert!(msgs.is_empty());
        assert_eq!(counts.records, 1);

        // Inclusive bounds inside a chunk.
        let exact = store
            .scan_source("a", "r", "g", T0 - 8000, T0 - 2000)
            .unwrap();
        assert_eq!(scan_all(&store, &exact, &[]).0, ["old two", "new one"]);

        // Lookup by key, in a chunk and in the head; not from another account.
        let key = |ts: i64, seq: u64| EventKey { timestamp: ts, seq };
        let found = store
            .find_event("a", "r", all.group_id, key(T0 - 8000, 2))
            .unwrap()
            .unwrap();
        assert_eq!(found.event.message, "old two");
        assert_eq!(
            (found.group_name.as_str(), found.stream_name.as_str()),
            ("g", "s")
        );
        let head = store
            .find_event("a", "r", all.group_id, key(T0 - 500, 5))
            .unwrap()
            .unwrap();
        assert_eq!(head.event.message, "head one");
        assert!(
            store
                .find_event("b", "r", all.group_id, key(T0 - 8000, 2))
                .unwrap()
                .is_none()
        );
        assert!(
            store
                .find_event("a", "r", all.group_id, key(T0 - 8000, 3))
                .unwrap()
                .is_none()
        );
        assert!(store.scan_source("a", "r", "nope", 0, T0).is_err());
    }
}
