//! Archives: the events a bus received that an archive's pattern selected, kept in their own
//! write-ahead log (`<events>/archive`) so replays can send them again.
//!
//! Each WAL record is one archived event: `{"a": [account, region, archive], "t": event time ms,
//! "i": archived-at ms, "e": event}`. An in-memory index per archive (built by replaying the log at
//! open) keeps each event's time, size and log position; replays read events back by position.
//! Events archived before an archive's creation time belong to an earlier archive of the same name
//! and are ignored. Retention is applied to the index (expired events are never replayed or
//! counted) and, physically, by deleting the oldest segments once everything in them has expired
//! for the archive that wrote it.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use openwatch_storage::{Position, Wal, WalOptions};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::EventsError;

/// `(account, region, archive name)`.
pub type ArchiveKey = (String, String, String);

const DAY_MS: i64 = 86_400_000;

#[derive(Debug, Serialize, Deserialize)]
struct Record {
    a: (String, String, String),
    t: i64,
    i: i64,
    e: Value,
}

/// One archived event in the index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub event_millis: i64,
    pub archived_millis: i64,
    pub bytes: u64,
    pub pos: Position,
}

#[derive(Debug, Default)]
struct Index {
    entries: HashMap<ArchiveKey, Vec<Entry>>,
    /// Per segment, the latest time at which something in it is still retained (`i64::MAX`:
    /// kept indefinitely).
    segment_expiry: BTreeMap<u64, i64>,
}

/// The archive log.
#[derive(Debug)]
pub struct ArchiveLog {
    wal: Wal,
    index: Mutex<Index>,
}

/// When an event archived at `archived` under `retention_days` (0: indefinitely) expires.
pub fn expiry(archived: i64, retention_days: u32) -> i64 {
    if retention_days == 0 {
        i64::MAX
    } else {
        archived.saturating_add(i64::from(retention_days) * DAY_MS)
    }
}

impl ArchiveLog {
    /// Opens the log in `dir` and indexes what it holds. `retention` gives an archive's retention
    /// in days (`None`: the archive no longer exists).
    pub fn open(
        dir: &Path,
        opts: WalOptions,
        retention: impl Fn(&ArchiveKey) -> Option<u32>,
    ) -> Result<ArchiveLog, EventsError> {
        let wal = Wal::open(dir, opts)?;
        let mut index = Index::default();
        for item in wal.replay() {
            let (pos, bytes) = item?;
            let r: Record = serde_json::from_slice(&bytes).map_err(|e| {
                EventsError::Internal(format!("archive record at {pos} is not valid: {e}"))
            })?;
            let key = (r.a.0, r.a.1, r.a.2);
            let days = retention(&key).unwrap_or(1);
            let exp = index.segment_expiry.entry(pos.segment).or_insert(i64::MIN);
            *exp = (*exp).max(expiry(r.i, days));
            index.entries.entry(key).or_default().push(Entry {
                event_millis: r.t,
                archived_millis: r.i,
                bytes: bytes.len() as u64,
                pos,
            });
        }
        Ok(ArchiveLog {
            wal,
            index: Mutex::new(index),
        })
    }

    /// Appends events to archives; returns the position to wait on for durability.
    pub fn append(
        &self,
        items: Vec<(ArchiveKey, u32, i64, Value)>,
        now: i64,
    ) -> Result<Option<Position>, EventsError> {
        if items.is_empty() {
            return Ok(None);
        }
        let mut index = self.index.lock();
        let encoded = items
            .iter()
            .map(|(k, _, t, e)| {
                serde_json::to_vec(&Record {
                    a: k.clone(),
                    t: *t,
                    i: now,
                    e: e.clone(),
                })
                .map_err(|e| EventsError::Internal(format!("encode archive record: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        let positions = self.wal.append_batch(&refs)?;
        for ((k, days, t, _), (pos, bytes)) in items.into_iter().zip(positions.iter().zip(&encoded))
        {
            let exp = index.segment_expiry.entry(pos.segment).or_insert(i64::MIN);
            *exp = (*exp).max(expiry(now, days));
            index.entries.entry(k).or_default().push(Entry {
                event_millis: t,
                archived_millis: now,
                bytes: bytes.len() as u64,
                pos: *pos,
            });
        }
        Ok(positions.last().copied())
    }

    /// Waits until everything up to `pos` is durable.
    pub async fn durable(&self, pos: Position) -> Result<(), EventsError> {
        Ok(self.wal.durable(pos).await?)
    }

    /// The live entries of an archive created at `created` with `retention_days`, at `now`.
    pub fn entries(
        &self,
        key: &ArchiveKey,
        created: i64,
        retention_days: u32,
        now: i64,
    ) -> Vec<Entry> {
        let index = self.index.lock();
        index
            .entries
            .get(key)
            .map(|v| {
                v.iter()
                    .filter(|e| {
                        e.archived_millis >= created
                            && expiry(e.archived_millis, retention_days) > now
                    })
                    .copied()
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Reads an archived event back.
    pub fn read(&self, entry: &Entry) -> Result<Value, EventsError> {
        let bytes = self.wal.read_at(entry.pos)?;
        let r: Record = serde_json::from_slice(&bytes)
            .map_err(|e| EventsError::Internal(format!("archive record is not valid: {e}")))?;
        Ok(r.e)
    }

    /// Forgets an archive's entries (the archive was deleted).
    pub fn forget(&self, key: &ArchiveKey) {
        self.index.lock().entries.remove(key);
    }

    /// Drops expired entries from the index and deletes the oldest segments whose every event
    /// has expired. Returns how many segments were deleted.
    pub fn run_retention(
        &self,
        now: i64,
        retention: impl Fn(&ArchiveKey) -> Option<(i64, u32)>,
    ) -> Result<usize, EventsError> {
        let cutoff = {
            let mut index = self.index.lock();
            index.entries.retain(|k, v| match retention(k) {
                None => false,
                Some((created, days)) => {
                    v.retain(|e| {
                        e.archived_millis >= created && expiry(e.archived_millis, days) > now
                    });
                    !v.is_empty()
                }
            });
            let active = self.wal.segments().last().map_or(0, |s| s.id);
            let cutoff = index
                .segment_expiry
                .iter()
                .find(|(id, exp)| **id >= active || **exp > now)
                .map_or(active, |(id, _)| *id);
            index.segment_expiry.retain(|id, _| *id >= cutoff);
            cutoff
        };
        Ok(self.wal.remove_segments_before(cutoff)?)
    }

    /// Flushes and closes the log.
    pub fn close(&self) -> Result<(), EventsError> {
        Ok(self.wal.close()?)
    }
}
