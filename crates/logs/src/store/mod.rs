//! The log store: log groups and streams in the catalog, events in a write-ahead log and then in
//! compressed chunk files per group (format: `docs/format/logs.md`).
//!
//! - A PutLogEvents batch is appended to the WAL (one record) and to its group's in-memory *head*;
//!   it is acknowledged once the record is durable.
//! - [`LogStore::flush_due`] turns heads into chunk files (written, fsynced, then registered in the
//!   catalog in one transaction with the group's `flushed_through` WAL position and its streams'
//!   statistics), then removes WAL segments no head needs any more.
//! - At open, the WAL is replayed: records after a group's `flushed_through` refill its head.
//! - Retention hides expired events from every read at once and [`LogStore::run_retention`] deletes
//!   whole chunks whose newest event expired.

mod bucket;
mod cache;
mod catalog;
mod chunk;
mod codec;
mod columns;
mod deliver;
mod destinations;
mod emf;
mod emit;
mod event;
mod export;
mod flush;
mod groups;
mod ingest;
mod metric_filters;
mod prefilter;
mod read;
mod scan;
mod streams;
mod subscriptions;
mod token_filter;

#[cfg(test)]
mod export_tests;
#[cfg(test)]
mod filter_tests;
#[cfg(test)]
mod ingest_tests;
#[cfg(test)]
mod subscription_tests;
#[cfg(test)]
mod test_env;
#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::AtomicBool;

use openwatch_storage::{Catalog, Clock, Position, Wal, WalOptions};
use parking_lot::{Mutex, RwLock};
use redb::ReadableTable;

pub use bucket::{LocalBuckets, ObjectStore, iso8601_millis, valid_bucket_name};
pub use cache::CHUNK_CACHE_BYTES;
pub use chunk::ChunkMeta;
pub use deliver::{
    DELIVERY_BATCH_EVENTS, DELIVERY_MAX_ROUNDS, DeliveryReport, forwarded_stream_name,
};
pub use destinations::{
    Destination, DestinationPage, MAX_ACCESS_POLICY_BYTES, MAX_DESTINATION_NAME_LEN,
};
pub use emf::{
    MAX_EMF_DIMENSION_VALUE_LEN, MAX_EMF_DIMENSIONS, MAX_EMF_METRICS, MAX_EMF_NAMESPACE_LEN,
    MAX_EMF_VALUES, parse_emf,
};
pub use emit::{CLOSED_MINUTES_MEMORY_MS, DEFAULT_CLOSE_DELAY_MS, EmittedMetric, MetricSink};
pub use event::{EventKey, StoredEvent};
pub use export::{
    DEFAULT_EXPORT_PREFIX, EXPORT_FILE_MAX_BYTES, EXPORT_STATUS_CODES, ExportTask, ExportTaskInput,
    ExportTaskPage, WRITE_TEST_CONTENT,
};
pub use flush::{FlushReport, RetentionReport};
pub use groups::GroupQuery;
pub use ingest::InputEvent;
pub use metric_filters::MetricFilterQuery;
pub use read::{FilterQuery, GetQuery};
pub use scan::{FoundEvent, ScanCounts, ScanEvent, ScanSource, ScanUnit};
pub use streams::{StreamOrder, StreamQuery};
pub use subscriptions::{
    DISTRIBUTIONS, MAX_SUBSCRIPTION_FILTERS_PER_GROUP, SubscriptionFilter, SubscriptionFilterInput,
    SubscriptionFilterPage, destination_arn, parse_destination_arn,
};
pub use token_filter::{ChunkScanStats, TokenFilter};

use catalog::{CHUNKS, GROUPS, GroupRecord, STREAMS, StreamRecord, decode};
use codec::WalBatch;

use crate::error::LogsError;

/// WAL segment size of the log store (smaller than the default so flushed data is freed sooner).
pub const LOGS_WAL_SEGMENT_BYTES: u64 = 16 * 1024 * 1024;
/// A group's head is flushed into a chunk once it holds this many message bytes.
pub const CHUNK_TARGET_BYTES: usize = 4 * 1024 * 1024;
/// A group's head is flushed once its oldest event waited this long, whatever its size.
pub const HEAD_MAX_AGE_MS: i64 = 60_000;
/// An async put flushes a head itself (backpressure) once it holds this many chunk targets of
/// message bytes; below that, due flushes run on a blocking thread beside the requests.
pub const HEAD_BACKPRESSURE_TARGETS: usize = 8;
/// Milliseconds in a day.
pub(crate) const DAY_MS: i64 = 86_400_000;

/// Options of [`LogStore::open`].
#[derive(Debug, Clone, Copy)]
pub struct LogStoreOptions {
    /// The WAL's options. By default its group commit is led by waiters
    /// ([`openwatch_storage::SyncPolicy::OnWait`]): a PutLogEvents waits for one fsync round,
    /// not for a timer tick.
    pub wal: WalOptions,
    pub chunk_target_bytes: usize,
    pub head_max_age_ms: i64,
}

impl Default for LogStoreOptions {
    fn default() -> Self {
        LogStoreOptions {
            wal: WalOptions {
                segment_bytes: LOGS_WAL_SEGMENT_BYTES,
                sync: openwatch_storage::SyncPolicy::OnWait {
                    interval: openwatch_storage::wal::DEFAULT_GROUP_COMMIT_INTERVAL,
                },
            },
            chunk_target_bytes: CHUNK_TARGET_BYTES,
            head_max_age_ms: HEAD_MAX_AGE_MS,
        }
    }
}

/// `(account, region, group name)`.
pub(crate) type GroupKey = (String, String, String);

/// A stream in memory: its catalog record plus whether its statistics changed since the last flush.
#[derive(Debug, Clone)]
pub(crate) struct Stream {
    pub rec: StreamRecord,
    pub dirty: bool,
}

/// A group in memory.
#[derive(Debug)]
pub(crate) struct Group {
    pub rec: GroupRecord,
    pub streams: BTreeMap<String, Stream>,
    pub stream_names: HashMap<u64, String>,
    /// Flushed chunks, by id (ids increase with flush order).
    pub chunks: BTreeMap<u64, ChunkMeta>,
    /// Events not yet in a chunk, in arrival order.
    pub head: Vec<StoredEvent>,
    pub head_bytes: usize,
    /// The WAL records whose events are in `head`, oldest first: (position, event count).
    pub head_records: VecDeque<(Position, usize)>,
    /// When the oldest head event arrived.
    pub head_since: Option<i64>,
    pub next_seq: u64,
}

impl Group {
    pub(crate) fn retention_cutoff(&self, now: i64) -> i64 {
        self.rec
            .retention_days
            .map_or(i64::MIN, |d| now - i64::from(d) * DAY_MS)
    }

    pub(crate) fn dir(&self, root: &Path) -> PathBuf {
        root.join("groups").join(format!("{:016x}", self.rec.id))
    }
}

#[derive(Debug, Default)]
pub(crate) struct State {
    pub groups: BTreeMap<GroupKey, Group>,
    pub by_id: HashMap<u64, GroupKey>,
}

impl State {
    pub(crate) fn group(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<&Group, LogsError> {
        self.groups
            .get(&(account.to_owned(), region.to_owned(), name.to_owned()))
            .ok_or_else(LogsError::group_not_found)
    }

    pub(crate) fn group_mut(
        &mut self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<&mut Group, LogsError> {
        self.groups
            .get_mut(&(account.to_owned(), region.to_owned(), name.to_owned()))
            .ok_or_else(LogsError::group_not_found)
    }
}

/// The CloudWatch Logs store of one server. `Send + Sync`; share it as `Arc<LogStore>`.
#[derive(Debug)]
pub struct LogStore {
    catalog: Arc<Catalog>,
    clock: Arc<dyn Clock>,
    dir: PathBuf,
    wal: Wal,
    opts: LogStoreOptions,
    state: RwLock<State>,
    /// Serialises flushes and retention runs.
    maintenance: Mutex<()>,
    /// Set by an async put that left a head due for flushing (see `ingest.rs`).
    flush_wanted: AtomicBool,
    /// Whether [`LogStore::run_wanted_flushes`] is running.
    flushing: AtomicBool,
    cache: cache::ChunkCache,
    /// Metric filters' sink, compiled patterns and open minutes.
    emitter: emit::Emitter,
    /// Where export tasks' buckets are (default `<dir>/../buckets`).
    bucket_root: RwLock<PathBuf>,
    /// The object store export tasks write into, when not the local buckets.
    object_store: RwLock<Option<Arc<dyn bucket::ObjectStore>>>,
    /// Serialises export runs.
    exporting: Mutex<()>,
}

impl LogStore {
    /// Opens the store in `dir` (chunk files and the WAL) over the catalog, replaying the WAL.
    pub fn open(
        dir: &Path,
        catalog: Arc<Catalog>,
        clock: Arc<dyn Clock>,
        opts: LogStoreOptions,
    ) -> Result<LogStore, LogsError> {
        std::fs::create_dir_all(dir.join("groups"))?;
        let wal = Wal::open(&dir.join("wal"), opts.wal)?;
        let mut state = load_catalog(&catalog)?;
        let replayed = replay(&wal, &mut state)?;
        let store = LogStore {
            catalog,
            clock,
            dir: dir.to_path_buf(),
            wal,
            opts,
            state: RwLock::new(state),
            maintenance: Mutex::new(()),
            flush_wanted: AtomicBool::new(false),
            flushing: AtomicBool::new(false),
            cache: cache::ChunkCache::default(),
            emitter: emit::Emitter::default(),
            bucket_root: RwLock::new(
                dir.parent()
                    .map_or_else(|| dir.join("buckets"), |p| p.join("buckets")),
            ),
            exporting: Mutex::new(()),
            object_store: RwLock::new(None),
        };
        store.remove_orphan_files()?;
        tracing::info!(replayed, "log store opened");
        Ok(store)
    }

    pub(crate) fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    /// Sets the directory holding export buckets (`<root>/<bucket>/<key>`); the server sets
    /// `<data-dir>/buckets`.
    pub fn set_bucket_root(&self, root: &Path) {
        *self.bucket_root.write() = root.to_path_buf();
    }

    /// The directory holding export buckets.
    pub fn bucket_root(&self) -> PathBuf {
        self.bucket_root.read().clone()
    }

    /// Makes export tasks write into `store` instead of the local buckets.
    pub fn set_object_store(&self, store: Arc<dyn bucket::ObjectStore>) {
        *self.object_store.write() = Some(store);
    }

    pub(crate) fn object_store(&self) -> Arc<dyn bucket::ObjectStore> {
        match &*self.object_store.read() {
            Some(s) => Arc::clone(s),
            None => Arc::new(bucket::LocalBuckets {
                root: self.bucket_root(),
            }),
        }
    }

    /// Flushes every head into chunks and closes the WAL. Idempotent.
    pub fn close(&self) -> Result<(), LogsError> {
        self.flush_all()?;
        self.wal.close()?;
        Ok(())
    }

    /// Deletes chunk files and group directories the catalog does not know (left by a crash
    /// between writing a chunk and registering it, or after deleting a group).
    fn remove_orphan_files(&self) -> Result<(), LogsError> {
        let state = self.state.read();
        let groups_dir = self.dir.join("groups");
        for entry in std::fs::read_dir(&groups_dir)? {
            let entry = entry?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            let group = u64::from_str_radix(&name, 16)
                .ok()
                .and_then(|id| state.by_id.get(&id))
                .and_then(|k| state.groups.get(k));
            match group {
                None => {
                    tracing::warn!(dir = %entry.path().display(), "removing orphan log group directory");
                    std::fs::remove_dir_all(entry.path())?;
                }
                Some(g) => {
                    for f in std::fs::read_dir(entry.path())? {
                        let f = f?;
                        let fname = f.file_name();
                        let fname = fname.to_string_lossy();
                        let known = fname
                            .strip_suffix(".chunk")
                            .and_then(|s| u64::from_str_radix(s, 16).ok())
                            .is_some_and(|id| g.chunks.contains_key(&id));
                        if !known {
                            tracing::warn!(file = %f.path().display(), "removing orphan chunk file");
                            std::fs::remove_file(f.path())?;
                        }
                    }
                }
            }
        }
        Ok(())
    }
}

fn load_catalog(catalog: &Catalog) -> Result<State, LogsError> {
    let mut state = State::default();
    let tx = catalog.db().begin_read()?;
    let groups = match tx.open_table(GROUPS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(state),
        Err(e) => return Err(e.into()),
    };
    for row in groups.iter()? {
        let (_, v) = row?;
        let rec: GroupRecord = decode(v.value())?;
        let key = (rec.account.clone(), rec.region.clone(), rec.name.clone());
        state.by_id.insert(rec.id, key.clone());
        let next_seq = rec.next_seq.max(1);
        state.groups.insert(
            key,
            Group {
                rec,
                streams: BTreeMap::new(),
                stream_names: HashMap::new(),
                chunks: BTreeMap::new(),
                head: Vec::new(),
                head_bytes: 0,
                head_records: VecDeque::new(),
                head_since: None,
                next_seq,
            },
        );
    }
    if let Ok(streams) = tx.open_table(STREAMS) {
        for row in streams.iter()? {
            let (k, v) = row?;
            let (gid, _) = k.value();
            let rec: StreamRecord = decode(v.value())?;
            if let Some(g) = state.by_id.get(&gid).and_then(|k| state.groups.get_mut(k)) {
                g.stream_names.insert(rec.id, rec.name.clone());
                g.streams
                    .insert(rec.name.clone(), Stream { rec, dirty: false });
            }
        }
    }
    if let Ok(chunks) = tx.open_table(CHUNKS) {
        for row in chunks.iter()? {
            let (k, v) = row?;
            let (gid, cid) = k.value();
            let meta: ChunkMeta = decode(v.value())?;
            if let Some(g) = state.by_id.get(&gid).and_then(|k| state.groups.get_mut(k)) {
                g.next_seq = g.next_seq.max(meta.max_seq + 1);
                g.chunks.insert(cid, meta);
            }
        }
    }
    Ok(state)
}

/// Replays the WAL into the heads; returns how many records were applied.
fn replay(wal: &Wal, state: &mut State) -> Result<usize, LogsError> {
    let mut applied = 0;
    for item in wal.replay() {
        let (pos, payload) = item?;
        let Some(batch) = WalBatch::decode(&payload) else {
            tracing::warn!(%pos, "skipping an unreadable log WAL record");
            continue;
        };
        let Some(group) = state
            .by_id
            .get(&batch.group)
            .and_then(|k| state.groups.get_mut(k))
        else {
            continue; // the group was deleted
        };
        if group.rec.flushed_through.is_some_and(|(s, o)| {
            Position {
                segment: s,
                offset: o,
            } >= pos
        }) {
            continue;
        }
        let Some(name) = group.stream_names.get(&batch.stream).cloned() else {
            continue; // the stream was deleted
        };
        ingest::apply(group, &name, pos, batch);
        applied += 1;
    }
    Ok(applied)
}
