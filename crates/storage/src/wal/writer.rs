//! The write side of the log: the active segment with its in-memory buffer, the sealed segments,
//! appending, flushing, rotation, recovery at open, and `sync_now` (one fsync round).

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::{Mutex, MutexGuard};

use super::commit::{Durability, Stopper};
use super::format::{MAX_RECORD_BYTES, SEGMENT_HEADER_LEN, encode_record, framed_len};
use super::segment::{check_sealed, create_segment, list_segments, recover_last};
use super::{Position, SyncPolicy, WalOptions};
use crate::error::WalError;

/// Buffered bytes that trigger a write to the OS even before the next fsync (1 MiB).
const FLUSH_BYTES: usize = 1024 * 1024;

/// The segment being appended to. `written` bytes are in the file; `buf` holds the rest.
#[derive(Debug)]
pub(crate) struct Active {
    pub(crate) id: u64,
    pub(crate) path: PathBuf,
    pub(crate) file: Arc<File>,
    pub(crate) written: u64,
    pub(crate) buf: Vec<u8>,
}

impl Active {
    /// Logical end of the segment, including buffered bytes.
    pub(crate) fn end(&self) -> u64 {
        self.written + self.buf.len() as u64
    }
}

/// A segment that is complete, fsynced and never written again.
#[derive(Debug, Clone)]
pub(crate) struct Sealed {
    pub(crate) path: PathBuf,
    pub(crate) bytes: u64,
}

/// State guarded by the writer mutex.
#[derive(Debug)]
pub(crate) struct Writer {
    pub(crate) active: Active,
    pub(crate) sealed: BTreeMap<u64, Sealed>,
    pub(crate) closed: bool,
}

impl Writer {
    /// Position just past the last appended byte.
    pub(crate) fn end(&self) -> Position {
        Position {
            segment: self.active.id,
            offset: self.active.end(),
        }
    }
}

/// Everything the `Wal` handle and its committer thread share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) dir: PathBuf,
    pub(crate) opts: WalOptions,
    pub(crate) writer: Mutex<Writer>,
    /// Serializes fsync rounds so that concurrent callers piggyback on one another's fsync.
    sync_lock: Mutex<()>,
    pub(crate) durability: Durability,
    pub(crate) stopper: Stopper,
    pub(crate) fsyncs: AtomicU64,
    pub(crate) appends: AtomicU64,
}

/// Refuses payloads the format cannot hold.
pub(crate) fn check_payload(payload: &[u8]) -> Result<(), WalError> {
    if payload.is_empty() {
        return Err(WalError::EmptyRecord);
    }
    if payload.len() > MAX_RECORD_BYTES {
        return Err(WalError::RecordTooLarge {
            len: payload.len(),
            max: MAX_RECORD_BYTES,
        });
    }
    Ok(())
}

impl Shared {
    /// Opens `dir`, creating the first segment or recovering the existing ones.
    pub(crate) fn open(dir: &Path, opts: WalOptions) -> Result<Shared, WalError> {
        if let SyncPolicy::GroupCommit { interval } | SyncPolicy::OnWait { interval } = opts.sync
            && interval.is_zero()
        {
            return Err(WalError::InvalidOptions(
                "group commit interval must be positive",
            ));
        }
        if opts.segment_bytes <= SEGMENT_HEADER_LEN {
            return Err(WalError::InvalidOptions(
                "segment_bytes must exceed the 16-byte header",
            ));
        }
        fs::create_dir_all(dir).map_err(|e| WalError::io("create WAL directory", dir, e))?;
        let mut segments = list_segments(dir)?;
        let active = match segments.pop() {
            None => {
                let (path, file) = create_segment(dir, 1)?;
                (1, path, file, SEGMENT_HEADER_LEN)
            }
            Some((id, path)) => {
                let (file, valid) = recover_last(dir, &path, id)?;
                (id, path, file, valid)
            }
        };
        let mut sealed = BTreeMap::new();
        for (id, path) in segments {
            let bytes = check_sealed(&path, id)?;
            sealed.insert(id, Sealed { path, bytes });
        }
        let (id, path, file, written) = active;
        tracing::debug!(dir = %dir.display(), segments = sealed.len() + 1, active = id, "opened WAL");
        let writer = Writer {
            active: Active {
                id,
                path,
                file: Arc::new(file),
                written,
                buf: Vec::new(),
            },
            sealed,
            closed: false,
        };
        Ok(Shared {
            dir: dir.to_path_buf(),
            opts,
            durability: Durability::new(writer.end()),
            writer: Mutex::new(writer),
            sync_lock: Mutex::new(()),
            stopper: Stopper::default(),
            fsyncs: AtomicU64::new(0),
            appends: AtomicU64::new(0),
        })
    }

    /// Appends already-checked payloads, calling `on_pos` with each record's position.
    pub(crate) fn append_with(
        &self,
        payloads: &[&[u8]],
        mut on_pos: impl FnMut(Position),
    ) -> Result<Option<Position>, WalError> {
        let mut last = None;
        {
            let mut w = self.writer.lock();
            if w.closed {
                return Err(WalError::Closed);
            }
            self.durability.check_ok()?;
            for payload in payloads {
                let len = framed_len(payload.len());
                let end = w.active.end();
                if end > SEGMENT_HEADER_LEN && end + len > self.opts.segment_bytes {
                    self.rotate_locked(&mut w)?;
                }
                let pos = w.end();
                encode_record(&mut w.active.buf, payload);
                on_pos(pos);
                last = Some(pos);
            }
            let eager = matches!(self.opts.sync, SyncPolicy::Never);
            if eager || w.active.buf.len() >= FLUSH_BYTES {
                self.flush_locked(&mut w)?;
            }
        }
        self.appends
            .fetch_add(payloads.len() as u64, Ordering::Relaxed);
        if let (SyncPolicy::Always, Some(pos)) = (self.opts.sync, last) {
            self.sync_to(pos)?;
        }
        Ok(last)
    }

    /// Writes the buffer to the OS. A failure leaves a partial record in the file, so it poisons the log.
    pub(crate) fn flush_locked(&self, w: &mut Writer) -> Result<(), WalError> {
        if w.active.buf.is_empty() {
            return Ok(());
        }
        if let Err(e) = (&*w.active.file).write_all(&w.active.buf) {
            let err = WalError::io("write WAL segment", &w.active.path, e);
            self.durability.fail(err.to_string());
            return Err(err);
        }
        w.active.written += w.active.buf.len() as u64;
        w.active.buf.clear();
        if w.active.buf.capacity() > 2 * FLUSH_BYTES {
            w.active.buf.shrink_to(FLUSH_BYTES);
        }
        Ok(())
    }

    /// Seals the active segment (flush + fsync) and starts the next one.
    pub(crate) fn rotate_locked(&self, w: &mut Writer) -> Result<(), WalError> {
        self.flush_locked(w)?;
        let old_end = w.end();
        if let Err(e) = w.active.file.sync_data() {
            let err = WalError::io("fsync WAL segment", &w.active.path, e);
            self.durability.fail(err.to_string());
            return Err(err);
        }
        self.fsyncs.fetch_add(1, Ordering::Relaxed);
        let Some(next_id) = w.active.id.checked_add(1) else {
            return Err(WalError::InvalidOptions("segment ids exhausted"));
        };
        let (path, file) = create_segment(&self.dir, next_id).inspect_err(|e| {
            self.durability.fail(e.to_string());
        })?;
        let old = std::mem::replace(
            &mut w.active,
            Active {
                id: next_id,
                path,
                file: Arc::new(file),
                written: SEGMENT_HEADER_LEN,
                buf: Vec::new(),
            },
        );
        w.sealed.insert(
            old.id,
            Sealed {
                path: old.path,
                bytes: old.written,
            },
        );
        self.durability.publish(old_end);
        tracing::debug!(sealed = old.id, active = next_id, "rotated WAL segment");
        Ok(())
    }

    /// One fsync round: writes buffered bytes to the OS and fsyncs them, unless already durable.
    /// Callers that arrive while another round runs wait for it and then usually find nothing to do.
    pub(crate) fn sync_now(&self) -> Result<(), WalError> {
        self.round(self.sync_lock.lock())
    }

    /// [`Shared::sync_now`] holding the sync lock (`round`). A successful round — one with
    /// nothing to fsync too — lets the lock go before it publishes (which wakes every blocking
    /// waiter), so that a waiter who saw it running and was not covered finds no round running
    /// and leads the next one at once ([`Shared::wait_leading`]). A failed one poisons the log
    /// first, so that no later round can report data durable past an fsync that failed (a leader
    /// whose own round fails gets that round's I/O error, as under `Always`).
    fn round(&self, round: MutexGuard<'_, ()>) -> Result<(), WalError> {
        self.durability.check_ok()?;
        let (file, path, end) = {
            let mut w = self.writer.lock();
            self.flush_locked(&mut w)?;
            (w.active.file.clone(), w.active.path.clone(), w.end())
        };
        if self.durability.synced() >= end {
            // Nothing new to fsync; but a waiter may have appended after `end` was read and
            // seen this round running: it waits for a publish, so wake it (publishing is
            // monotonic; this one changes nothing) to lead the next round.
            drop(round);
            self.durability.publish(end);
            return Ok(());
        }
        match file.sync_data() {
            Ok(()) => {
                drop(round);
                self.fsyncs.fetch_add(1, Ordering::Relaxed);
                self.durability.publish(end);
                Ok(())
            }
            Err(e) => {
                let err = WalError::io("fsync WAL segment", path, e);
                self.durability.fail(err.to_string());
                Err(err)
            }
        }
    }

    /// Blocks until `pos` is durable, leading group commit: a caller that finds no fsync round
    /// running runs one itself (covering every record appended so far); one that finds a round
    /// running waits for its publish, and leads the next round if that one did not cover it.
    /// No thread is woken to fsync for a caller that would only wait for it.
    pub(crate) fn wait_leading(&self, pos: Position) -> Result<(), WalError> {
        self.durability
            .wait_leading(pos, || self.sync_lock.try_lock(), |r| self.round(r))
    }

    /// Makes `pos` durable now, sharing an fsync round with concurrent callers where possible.
    pub(crate) fn sync_to(&self, pos: Position) -> Result<(), WalError> {
        if let Some(r) = self.durability.settled(pos) {
            return r;
        }
        self.sync_now()?;
        self.durability
            .settled(pos)
            .unwrap_or(Err(WalError::InvalidPosition {
                pos,
                reason: "not appended yet",
            }))
    }

    /// Refuses positions at or beyond the end of the log (they would never become durable).
    pub(crate) fn check_appended(&self, pos: Position) -> Result<(), WalError> {
        if pos >= self.writer.lock().end() {
            return Err(WalError::InvalidPosition {
                pos,
                reason: "not appended yet",
            });
        }
        Ok(())
    }
}
