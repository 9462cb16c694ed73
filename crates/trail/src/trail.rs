//! `Trail`: the audit trail's handle: open (replaying the log into the index), `record` on the
//! request path, `flush`, `close`, LookupEvents and the retention job.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use openwatch_storage::wal::{Position, SyncPolicy, Wal, WalOptions};
use openwatch_storage::{Clock, WalError};
use parking_lot::{Mutex, RwLock};

use crate::error::{LookupError, TrailError};
use crate::lookup::{LookupPage, LookupQuery};
use crate::record::{CloudTrailRecord, RecordInput};
use crate::retention::{self, DAY_MILLIS, RetentionReport};
use crate::store::RecordLog;
use crate::store::codec;
use crate::store::index::Index;
use crate::writer::{self, Queue};

/// Records the request path may queue ahead of the writer before `record` waits.
pub const RECORD_QUEUE_CAPACITY: usize = 65_536;
/// How long `record` waits for room in a full queue before dropping the record.
pub const ENQUEUE_TIMEOUT: Duration = Duration::from_millis(20);
/// Most records the writer appends in one batch.
pub const WRITER_MAX_BATCH: usize = 4_096;
/// Default size of a log segment before rotation (segments also rotate every UTC day).
pub const DEFAULT_SEGMENT_BYTES: u64 = 64 * 1024 * 1024;
/// Largest segment size the index's 32-bit offsets can address.
pub const MAX_SEGMENT_BYTES: u64 = u32::MAX as u64;

/// Options of [`Trail::open`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TrailOptions {
    pub segment_bytes: u64,
    /// When appended records are fsynced (default: group commit every 10 ms).
    pub sync: SyncPolicy,
    pub queue_capacity: usize,
    pub enqueue_timeout: Duration,
    pub max_batch: usize,
}

impl Default for TrailOptions {
    fn default() -> Self {
        TrailOptions {
            segment_bytes: DEFAULT_SEGMENT_BYTES,
            sync: SyncPolicy::default(),
            queue_capacity: RECORD_QUEUE_CAPACITY,
            enqueue_timeout: ENQUEUE_TIMEOUT,
            max_batch: WRITER_MAX_BATCH,
        }
    }
}

/// Counters for observing the trail.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TrailStats {
    /// Records appended to the log since open.
    pub recorded: u64,
    /// Records dropped: queue full past the timeout, trail closed, or too large.
    pub dropped: u64,
    /// Records lost to a failed append.
    pub failed: u64,
    /// Records waiting in the queue.
    pub queued: usize,
    /// Records in the index (all retained records).
    pub indexed: usize,
    /// Approximate heap bytes of the index.
    pub index_bytes: usize,
}

#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub recorded: AtomicU64,
    pub dropped: AtomicU64,
    pub failed: AtomicU64,
}

/// State shared by the handle and the writer thread.
#[derive(Debug)]
pub(crate) struct Shared {
    pub log: Arc<dyn RecordLog>,
    pub clock: Arc<dyn Clock>,
    pub index: RwLock<Index>,
    /// Held while a batch is appended and indexed, and by retention.
    pub append_lock: Mutex<()>,
    pub queue: Queue,
    pub stats: Counters,
    pub opts: TrailOptions,
    writer_done: std::sync::atomic::AtomicBool,
}

impl Shared {
    pub(crate) fn writer_gone(&self) -> bool {
        self.writer_done.load(Ordering::Acquire)
    }

    /// The UTC day of the newest record in the active segment, if it has any.
    pub(crate) fn initial_day(&self) -> Option<i64> {
        let active = self.log.active_segment();
        self.index
            .read()
            .segments()
            .get(&active)
            .map(|s| s.max_time.div_euclid(DAY_MILLIS))
    }
}

/// The audit trail. `Send + Sync`; share it behind an `Arc`. Dropping it closes it.
#[derive(Debug)]
pub struct Trail {
    shared: Arc<Shared>,
    writer: Mutex<Option<JoinHandle<()>>>,
}

impl Trail {
    /// Opens (creating if needed) the trail stored in `dir` (its log lives in `dir/wal`),
    /// rebuilding the index from the log, and starts the writer thread.
    pub fn open(
        dir: &Path,
        clock: Arc<dyn Clock>,
        opts: TrailOptions,
    ) -> Result<Trail, TrailError> {
        if opts.segment_bytes > MAX_SEGMENT_BYTES {
            return Err(TrailError::InvalidOptions(
                "segment_bytes must not exceed 4 GiB",
            ));
        }
        let wal = Wal::open(
            &dir.join("wal"),
            WalOptions {
                segment_bytes: opts.segment_bytes,
                sync: opts.sync,
            },
        )?;
        Trail::with_log(Arc::new(wal), clock, opts)
    }

    /// A trail over any [`RecordLog`] (e.g. [`crate::MemoryLog`] for tests).
    pub fn with_log(
        log: Arc<dyn RecordLog>,
        clock: Arc<dyn Clock>,
        opts: TrailOptions,
    ) -> Result<Trail, TrailError> {
        if opts.queue_capacity == 0 || opts.max_batch == 0 {
            return Err(TrailError::InvalidOptions(
                "queue_capacity and max_batch must be positive",
            ));
        }
        let index = rebuild_index(log.as_ref())?;
        tracing::debug!(records = index.records(), "audit trail index rebuilt");
        let shared = Arc::new(Shared {
            log,
            clock,
            index: RwLock::new(index),
            append_lock: Mutex::new(()),
            queue: Queue::new(),
            stats: Counters::default(),
            opts,
            writer_done: std::sync::atomic::AtomicBool::new(false),
        });
        let for_thread = shared.clone();
        let handle = std::thread::Builder::new()
            .name("openwatch-trail-writer".into())
            .spawn(move || {
                writer::run(for_thread.clone());
                for_thread.writer_done.store(true, Ordering::Release);
                for_thread.queue.close();
            })
            .map_err(TrailError::Spawn)?;
        Ok(Trail {
            shared,
            writer: Mutex::new(Some(handle)),
        })
    }

    /// Records one API call. Called on the request path: queues the input and returns; the
    /// writer thread assigns the event id, serializes and stores it. Returns `false` if the
    /// record was dropped (queue full for longer than `enqueue_timeout`, or trail closed).
    pub fn record(&self, input: RecordInput) -> bool {
        writer::push(&self.shared, CloudTrailRecord::new(input))
    }

    /// Queues a record whose `eventID` the caller already chose (so that copies of the record
    /// sent elsewhere, such as the default event bus, carry the same id).
    pub fn record_event(&self, record: CloudTrailRecord) -> bool {
        writer::push(&self.shared, record)
    }

    /// Waits until every record queued before this call is stored, indexed and durable.
    pub fn flush(&self) -> Result<(), TrailError> {
        writer::flush(&self.shared)
    }

    /// LookupEvents over the event history of `account_id` in `region`.
    pub fn lookup_events(
        &self,
        account_id: &str,
        region: &str,
        query: &LookupQuery,
    ) -> Result<LookupPage, LookupError> {
        crate::lookup::lookup(
            &self.shared.index,
            self.shared.log.as_ref(),
            account_id,
            region,
            query,
            self.shared.clock.now_millis(),
        )
    }

    /// The retention job: deletes the segments whose records are all older than
    /// [`crate::TRAIL_RETENTION_DAYS`]. Run it periodically (e.g. hourly) from the scheduler.
    pub fn run_retention(&self) -> Result<RetentionReport, TrailError> {
        retention::run(&self.shared)
    }

    /// Counters.
    pub fn stats(&self) -> TrailStats {
        let s = &self.shared;
        let index = s.index.read();
        TrailStats {
            recorded: s.stats.recorded.load(Ordering::Relaxed),
            dropped: s.stats.dropped.load(Ordering::Relaxed),
            failed: s.stats.failed.load(Ordering::Relaxed),
            queued: s.queue.len(),
            indexed: index.records(),
            index_bytes: index.approx_bytes(),
        }
    }

    /// Graceful shutdown: stops accepting records, stores everything queued, fsyncs and closes
    /// the log. Idempotent; also done on drop.
    pub fn close(&self) -> Result<(), TrailError> {
        let Some(handle) = self.writer.lock().take() else {
            return Ok(());
        };
        self.shared.queue.close();
        if handle.join().is_err() {
            tracing::error!("audit trail writer thread panicked");
        }
        self.shared.log.close()?;
        Ok(())
    }
}

impl Drop for Trail {
    fn drop(&mut self) {
        if let Err(e) = self.close() {
            tracing::warn!(error = %e, "closing the audit trail on drop failed");
        }
    }
}

/// Replays the log into a fresh index. A corrupt stretch of a sealed segment is reported and
/// skipped (replay resumes at the next segment); an I/O failure fails the open.
fn rebuild_index(log: &dyn RecordLog) -> Result<Index, TrailError> {
    let mut index = Index::default();
    let mut from = Position::START;
    let active = log.active_segment();
    let (mut skipped, mut damaged) = (0u64, 0u64);
    loop {
        let mut last_seg = from.segment;
        let mut failed = false;
        for item in log.replay_from(from) {
            match item {
                Ok((pos, bytes)) => {
                    last_seg = pos.segment;
                    let indexed = codec::decode(&bytes).and_then(|r| index.insert(pos, &r));
                    if let Err(reason) = indexed {
                        skipped += 1;
                        tracing::warn!(position = %pos, reason, "skipping an audit record at open");
                    }
                }
                Err(e @ (WalError::Corrupt { .. } | WalError::SegmentNotFound { .. })) => {
                    damaged += 1;
                    tracing::error!(error = %e, "audit log damaged; skipping to the next segment");
                    failed = true;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if !failed {
            break;
        }
        let mut next = last_seg + 1;
        if next <= from.segment {
            next = from.segment + 1;
        }
        if next > active {
            break;
        }
        from = Position {
            segment: next,
            offset: 0,
        };
    }
    if skipped > 0 || damaged > 0 {
        tracing::warn!(
            skipped,
            damaged,
            "audit trail opened with unreadable records"
        );
    }
    Ok(index)
}
