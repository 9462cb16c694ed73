//! A segmented, append-only, CRC32C-framed log: the write-ahead log of every engine and the durable
//! log of the audit trail. Format and recovery rules: `docs/format/wal.md`.
//!
//! Recovery policy: a torn or corrupt tail of the **last** segment is truncated at open with a
//! warning (it can only hold records that were never acknowledged). Older segments were fsynced
//! when sealed, so corruption inside them is damage, not a crash artefact: `open` checks only their
//! headers, and `replay`/`read_at` report the first bad record as [`WalError::Corrupt`] naming the
//! file and byte offset. Nothing is skipped silently.

mod commit;
mod format;
mod read;
mod segment;
mod writer;

#[cfg(test)]
mod tests;

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::thread::JoinHandle;
use std::time::Duration;

use parking_lot::Mutex;

pub use format::{
    DecodeEnd, DecodedSegment, FRAME_HEADER_LEN, FrameError, HeaderError, MAX_RECORD_BYTES,
    SEGMENT_HEADER_LEN, SEGMENT_MAGIC, SEGMENT_VERSION, SegmentHeader, decode_records,
    decode_segment, decode_segment_header, encode_segment_header,
};
pub use read::Replay;

use crate::error::WalError;
use writer::{Shared, check_payload};

/// Default segment size before rotation (64 MiB).
pub const DEFAULT_SEGMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Default group-commit interval (10 ms).
pub const DEFAULT_GROUP_COMMIT_INTERVAL: Duration = Duration::from_millis(10);

/// When appended records reach stable storage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SyncPolicy {
    /// Every `append` fsyncs before returning (concurrent appenders share fsyncs).
    Always,
    /// A background thread fsyncs every `interval` while there is unsynced data; waiters block
    /// until the fsync that covers their record.
    GroupCommit { interval: Duration },
    /// Group commit led by its waiters: when a record is waited for and no fsync round is
    /// running, one starts at once — run by a blocking waiter itself, by the committer thread
    /// for an async one; records appended while it runs share the next round, so concurrent
    /// writers share fsyncs without a fixed delay. Records nobody waits for are fsynced every
    /// `interval`.
    OnWait { interval: Duration },
    /// Records are written to the OS on append and fsynced only by `sync`, rotation and `close`;
    /// they survive a process crash but not a machine crash.
    Never,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy::GroupCommit {
            interval: DEFAULT_GROUP_COMMIT_INTERVAL,
        }
    }
}

/// Options of [`Wal::open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalOptions {
    /// Rotate to a new segment once the active one would exceed this many bytes.
    /// A record larger than this gets a segment of its own.
    pub segment_bytes: u64,
    pub sync: SyncPolicy,
}

impl Default for WalOptions {
    fn default() -> Self {
        WalOptions {
            segment_bytes: DEFAULT_SEGMENT_BYTES,
            sync: SyncPolicy::default(),
        }
    }
}

/// Where a record starts: its segment id and byte offset in that segment's file.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug)]
pub struct Position {
    pub segment: u64,
    pub offset: u64,
}

impl Position {
    /// Before every record: `replay_from(Position::START)` replays the whole log.
    pub const START: Position = Position {
        segment: 0,
        offset: 0,
    };
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:016x}:{}", self.segment, self.offset)
    }
}

/// One segment file, as listed by [`Wal::segments`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SegmentInfo {
    pub id: u64,
    pub path: PathBuf,
    /// Bytes in the segment, header and buffered bytes included.
    pub bytes: u64,
    /// Position of the segment's first record (if it has one).
    pub first: Position,
    /// Sealed segments are complete and fsynced; only the last segment is not sealed.
    pub sealed: bool,
}

/// Counters for observing the log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WalStats {
    /// Records appended since open.
    pub appends: u64,
    /// fsyncs of segment data since open (group commit shares one among many appends).
    pub fsyncs: u64,
    /// Every record starting before this position is durable.
    pub synced: Position,
}

/// The log. `Send + Sync`; share it as `Arc<Wal>`. Dropping it closes it.
#[derive(Debug)]
pub struct Wal {
    shared: Arc<Shared>,
    committer: Mutex<Option<JoinHandle<()>>>,
}

impl Wal {
    /// Opens (creating if needed) the log in `dir`, recovering the last segment's tail.
    pub fn open(dir: &Path, opts: WalOptions) -> Result<Wal, WalError> {
        let shared = Arc::new(Shared::open(dir, opts)?);
        let committer = match opts.sync {
            SyncPolicy::GroupCommit { interval } | SyncPolicy::OnWait { interval } => {
                Some(commit::spawn_committer(shared.clone(), interval)?)
            }
            SyncPolicy::Always | SyncPolicy::Never => None,
        };
        Ok(Wal {
            shared,
            committer: Mutex::new(committer),
        })
    }

    /// The directory holding the segments.
    pub fn dir(&self) -> &Path {
        &self.shared.dir
    }

    /// The options the log was opened with.
    pub fn options(&self) -> WalOptions {
        self.shared.opts
    }

    /// Replays every record in order.
    pub fn replay(&self) -> Replay {
        self.shared.replay_from(Position::START)
    }

    /// Replays the records from `from` on. `from` must be a record's position (as returned by
    /// `append` or `replay`) or lie before a segment; if its segment was removed, replay starts at
    /// the next segment that exists.
    pub fn replay_from(&self, from: Position) -> Replay {
        self.shared.replay_from(from)
    }

    /// Appends one record and returns its position. It is durable only per the sync policy:
    /// call [`Wal::wait_durable`] or [`Wal::durable`] before acknowledging it.
    pub fn append(&self, payload: &[u8]) -> Result<Position, WalError> {
        check_payload(payload)?;
        let last = self.shared.append_with(&[payload], |_| {})?;
        last.ok_or(WalError::EmptyRecord)
    }

    /// Appends records contiguously (no other append interleaves). Not atomic across a crash:
    /// a torn tail may keep a prefix of the batch. Nothing is written if any payload is invalid.
    pub fn append_batch(&self, payloads: &[&[u8]]) -> Result<Vec<Position>, WalError> {
        for p in payloads {
            check_payload(p)?;
        }
        let mut out = Vec::with_capacity(payloads.len());
        self.shared.append_with(payloads, |pos| out.push(pos))?;
        Ok(out)
    }

    /// Writes and fsyncs everything appended so far.
    pub fn sync(&self) -> Result<(), WalError> {
        self.shared.sync_now()
    }

    /// Blocks until the record at `pos` is durable: `GroupCommit` waits for the committer's next
    /// fsync, `OnWait` runs a round itself if none is running (else waits for it, and leads the
    /// next if it did not cover `pos`), `Always` fsyncs now if needed, `Never` returns at once.
    pub fn wait_durable(&self, pos: Position) -> Result<(), WalError> {
        if let Some(r) = self.shared.durability.settled(pos) {
            return r;
        }
        self.shared.check_appended(pos)?;
        match self.shared.opts.sync {
            SyncPolicy::Never => Ok(()),
            SyncPolicy::Always => self.shared.sync_to(pos),
            SyncPolicy::GroupCommit { .. } => self.shared.durability.wait(pos),
            SyncPolicy::OnWait { .. } => self.shared.wait_leading(pos),
        }
    }

    /// [`Wal::wait_durable`] for async callers: waits without blocking the runtime's thread
    /// (except under `Always`, where the fsync normally already happened in `append`).
    pub async fn durable(&self, pos: Position) -> Result<(), WalError> {
        if let Some(r) = self.shared.durability.settled(pos) {
            return r;
        }
        self.shared.check_appended(pos)?;
        match self.shared.opts.sync {
            SyncPolicy::Never => Ok(()),
            SyncPolicy::Always => self.shared.sync_to(pos),
            SyncPolicy::GroupCommit { .. } => self.shared.durability.wait_async(pos).await,
            SyncPolicy::OnWait { .. } => {
                self.shared.stopper.kick();
                self.shared.durability.wait_async(pos).await
            }
        }
    }

    /// Reads the record that starts at `pos` (buffered records included).
    pub fn read_at(&self, pos: Position) -> Result<Vec<u8>, WalError> {
        self.shared.read_at(pos)
    }

    /// The segments, oldest first; the last one is the active (unsealed) segment.
    pub fn segments(&self) -> Vec<SegmentInfo> {
        let w = self.shared.writer.lock();
        let info = |id: u64, path: &Path, bytes: u64, sealed: bool| SegmentInfo {
            id,
            path: path.to_path_buf(),
            bytes,
            first: Position {
                segment: id,
                offset: SEGMENT_HEADER_LEN,
            },
            sealed,
        };
        let mut out: Vec<SegmentInfo> = w
            .sealed
            .iter()
            .map(|(id, s)| info(*id, &s.path, s.bytes, true))
            .collect();
        out.push(info(w.active.id, &w.active.path, w.active.end(), false));
        out
    }

    /// Deletes every sealed segment whose id is below `segment` (never the active one) and
    /// returns how many were deleted. Used by retention.
    pub fn remove_segments_before(&self, segment: u64) -> Result<usize, WalError> {
        let victims: Vec<(u64, PathBuf)> = {
            let w = self.shared.writer.lock();
            w.sealed
                .range(..segment)
                .map(|(id, s)| (*id, s.path.clone()))
                .collect()
        };
        let mut removed = Vec::with_capacity(victims.len());
        let mut result = Ok(());
        for (id, path) in victims {
            match std::fs::remove_file(&path) {
                Ok(()) => removed.push(id),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => removed.push(id),
                Err(e) => {
                    result = Err(WalError::io("remove WAL segment", &path, e));
                    break;
                }
            }
        }
        {
            let mut w = self.shared.writer.lock();
            for id in &removed {
                w.sealed.remove(id);
            }
        }
        if !removed.is_empty() {
            segment::sync_dir(&self.shared.dir)?;
            tracing::debug!(
                count = removed.len(),
                before = segment,
                "removed WAL segments"
            );
        }
        result.map(|()| removed.len())
    }

    /// Seals the active segment and starts a new one (no-op if the active segment is empty).
    pub fn rotate(&self) -> Result<(), WalError> {
        let mut w = self.shared.writer.lock();
        if w.closed {
            return Err(WalError::Closed);
        }
        self.shared.durability.check_ok()?;
        if w.active.end() == SEGMENT_HEADER_LEN {
            return Ok(());
        }
        self.shared.rotate_locked(&mut w)
    }

    /// Counters: appends, fsyncs, synced position.
    pub fn stats(&self) -> WalStats {
        WalStats {
            appends: self.shared.appends.load(Ordering::Relaxed),
            fsyncs: self.shared.fsyncs.load(Ordering::Relaxed),
            synced: self.shared.durability.synced(),
        }
    }

    /// Refuses further appends, fsyncs what was appended, and stops the committer thread.
    /// Idempotent; also done on drop.
    pub fn close(&self) -> Result<(), WalError> {
        {
            let mut w = self.shared.writer.lock();
            if w.closed {
                return Ok(());
            }
            w.closed = true;
        }
        let result = self.shared.sync_now();
        self.shared.stopper.stop();
        if let Some(handle) = self.committer.lock().take()
            && handle.join().is_err()
        {
            tracing::error!("WAL committer thread panicked");
        }
        result
    }
}

impl Drop for Wal {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            tracing::warn!(error = %e, dir = %self.shared.dir.display(), "closing WAL on drop failed");
        }
    }
}
