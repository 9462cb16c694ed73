//! Turning heads into chunk files, trimming the WAL, and retention by whole chunks.

use openwatch_storage::Position;
use redb::ReadableTable;

use super::catalog::{CHUNKS, GROUPS, STREAMS, encode};
use super::chunk::{self, ChunkMeta};
use super::event::StoredEvent;
use super::{GroupKey, LogStore};
use crate::error::LogsError;

/// What a flush did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FlushReport {
    pub chunks_written: usize,
    pub events_flushed: usize,
    pub wal_segments_removed: usize,
}

/// What a retention run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionReport {
    pub chunks_deleted: usize,
    pub events_deleted: u64,
    pub bytes_freed: u64,
}

/// A head taken for flushing (the head stays readable until the chunk is registered).
struct Snapshot {
    key: GroupKey,
    group_id: u64,
    dir: std::path::PathBuf,
    events: Vec<StoredEvent>,
    records: usize,
    last_pos: Position,
    next_seq: u64,
    cutoff: i64,
    /// Streams that still exist (events of deleted streams are left out of the chunk).
    live: std::collections::HashSet<u64>,
    streams: Vec<(u64, super::catalog::StreamRecord)>,
}

impl LogStore {
    /// Flushes the heads that reached the chunk size or waited long enough, then trims the WAL.
    pub fn flush_due(&self) -> Result<FlushReport, LogsError> {
        let now = self.now();
        let target = self.opts.chunk_target_bytes;
        let max_age = self.opts.head_max_age_ms;
        self.flush_where(|bytes, since| {
            bytes >= target || since.is_some_and(|s| now - s >= max_age)
        })
    }

    /// Flushes every non-empty head (at shutdown, and in tests).
    pub fn flush_all(&self) -> Result<FlushReport, LogsError> {
        self.flush_where(|_, _| true)
    }

    fn flush_where(
        &self,
        due: impl Fn(usize, Option<i64>) -> bool,
    ) -> Result<FlushReport, LogsError> {
        let _maintenance = self.maintenance.lock();
        let now = self.now();
        let keys: Vec<GroupKey> = {
            let state = self.state.read();
            state
                .groups
                .iter()
                .filter(|(_, g)| !g.head.is_empty() && due(g.head_bytes, g.head_since))
                .map(|(k, _)| k.clone())
                .collect()
        };
        let mut report = FlushReport::default();
        for key in keys {
            let Some(snap) = self.snapshot(&key, now) else {
                continue;
            };
            report.events_flushed += snap.events.len();
            if self.flush_snapshot(snap)? {
                report.chunks_written += 1;
            }
        }
        report.wal_segments_removed = self.trim_wal()?;
        Ok(report)
    }

    fn snapshot(&self, key: &GroupKey, now: i64) -> Option<Snapshot> {
        let state = self.state.read();
        let g = state.groups.get(key)?;
        let last_pos = g.head_records.back()?.0;
        Some(Snapshot {
            key: key.clone(),
            group_id: g.rec.id,
            dir: g.dir(&self.dir),
            events: g.head.clone(),
            records: g.head_records.len(),
            last_pos,
            next_seq: g.next_seq,
            cutoff: g.retention_cutoff(now),
            live: g.stream_names.keys().copied().collect(),
            streams: g
                .streams
                .values()
                .filter(|s| s.dirty)
                .map(|s| (s.rec.id, s.rec.clone()))
                .collect(),
        })
    }

    /// Writes the snapshot's chunk and registers it; returns whether a chunk was written.
    fn flush_snapshot(&self, mut snap: Snapshot) -> Result<bool, LogsError> {
        // The snapshot owns its copy of the head: filter it in place rather than copying again.
        let snapshot_len = snap.events.len();
        let mut events = std::mem::take(&mut snap.events);
        events.retain(|e| e.timestamp >= snap.cutoff && snap.live.contains(&e.stream));
        events.sort_by_key(StoredEvent::key);
        let tx = self.catalog.db().begin_write()?;
        let mut written: Option<ChunkMeta> = None;
        {
            let mut groups = tx.open_table(GROUPS)?;
            let Some(rec) = groups.get(snap.group_id)?.map(|v| v.value().to_vec()) else {
                return Ok(false); // deleted meanwhile
            };
            let mut rec: super::catalog::GroupRecord = super::catalog::decode(&rec)?;
            if !events.is_empty() {
                let id = super::catalog::next_ids(&tx, 1)?;
                let (bytes, meta) = chunk::encode(id, &events)?;
                chunk::write_file(&snap.dir, id, &bytes)?;
                tx.open_table(CHUNKS)?
                    .insert((snap.group_id, id), encode(&meta)?.as_slice())?;
                written = Some(meta);
            }
            rec.flushed_through = Some((snap.last_pos.segment, snap.last_pos.offset));
            rec.next_seq = snap.next_seq;
            groups.insert(snap.group_id, encode(&rec)?.as_slice())?;
            let mut streams = tx.open_table(STREAMS)?;
            for (sid, srec) in &snap.streams {
                if streams.get((snap.group_id, *sid))?.is_some() {
                    streams.insert((snap.group_id, *sid), encode(srec)?.as_slice())?;
                }
            }
        }
        if let Err(e) = tx.commit() {
            if let Some(meta) = &written {
                let _ = std::fs::remove_file(snap.dir.join(chunk::file_name(meta.id)));
            }
            return Err(e.into());
        }
        let mut state = self.state.write();
        if let Some(g) = state.groups.get_mut(&snap.key)
            && g.rec.id == snap.group_id
        {
            g.head.drain(..snapshot_len.min(g.head.len()));
            g.head_bytes = g.head.iter().map(|e| e.message.len()).sum();
            for _ in 0..snap.records {
                g.head_records.pop_front();
            }
            g.head_since = if g.head.is_empty() {
                None
            } else {
                g.head.first().map(|e| e.ingestion_time)
            };
            g.rec.flushed_through = Some((snap.last_pos.segment, snap.last_pos.offset));
            g.rec.next_seq = snap.next_seq;
            for (_, srec) in &snap.streams {
                if let Some(s) = g.streams.get_mut(&srec.name)
                    && s.rec == *srec
                {
                    s.dirty = false;
                }
            }
            if let Some(meta) = &written {
                g.chunks.insert(meta.id, meta.clone());
            }
        }
        Ok(written.is_some())
    }

    /// Removes WAL segments that hold no record a head still needs.
    fn trim_wal(&self) -> Result<usize, LogsError> {
        let oldest = {
            let state = self.state.read();
            state
                .groups
                .values()
                .filter_map(|g| g.head_records.front().map(|(p, _)| *p))
                .min()
        };
        let before = match oldest {
            Some(p) => p.segment,
            None => u64::MAX,
        };
        Ok(self.wal.remove_segments_before(before)?)
    }

    /// Deletes every chunk whose newest event is past its group's retention. (Reads never return
    /// expired events, whether or not this ran.)
    pub fn run_retention(&self) -> Result<RetentionReport, LogsError> {
        let _maintenance = self.maintenance.lock();
        let now = self.now();
        let victims: Vec<(GroupKey, u64, std::path::PathBuf, ChunkMeta)> = {
            let state = self.state.read();
            state
                .groups
                .iter()
                .flat_map(|(k, g)| {
                    let cutoff = g.retention_cutoff(now);
                    let dir = g.dir(&self.dir);
                    g.chunks
                        .values()
                        .filter(move |c| c.max_ts < cutoff)
                        .map(move |c| (k.clone(), g.rec.id, dir.clone(), c.clone()))
                })
                .collect()
        };
        let mut report = RetentionReport::default();
        if victims.is_empty() {
            return Ok(report);
        }
        let tx = self.catalog.db().begin_write()?;
        {
            let mut chunks = tx.open_table(CHUNKS)?;
            for (_, gid, _, meta) in &victims {
                chunks.remove((*gid, meta.id))?;
            }
        }
        tx.commit()?;
        {
            let mut state = self.state.write();
            for (key, gid, _, meta) in &victims {
                if let Some(g) = state.groups.get_mut(key)
                    && g.rec.id == *gid
                {
                    g.chunks.remove(&meta.id);
                }
            }
        }
        for (_, _, dir, meta) in victims {
            self.cache.forget(meta.id);
            match std::fs::remove_file(dir.join(chunk::file_name(meta.id))) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e.into()),
            }
            report.chunks_deleted += 1;
            report.events_deleted += u64::from(meta.events);
            report.bytes_freed += meta.file_bytes;
        }
        Ok(report)
    }
}
