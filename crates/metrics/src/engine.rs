//! `Metrics`: the engine's handle. Open (load series, blocks, replay the WAL), `put` (validate,
//! log, apply), `checkpoint` (seal old head partitions into raw and rollup blocks, trim the WAL,
//! apply retention) and `close`. Reads live in `query.rs`.
//!
//! **Invariant**: a batch is appended to the WAL and applied to the head under one write lock,
//! so every WAL record is either wholly in the head or (per partition) covered by a block's
//! `sealed_upto`; `put` returns only after the record is durable.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use openwatch_storage::wal::DEFAULT_GROUP_COMMIT_INTERVAL;
use openwatch_storage::{Clock, Position, SyncPolicy, Wal, WalOptions};
use parking_lot::{Mutex, RwLock};

use crate::block::{self, BlockHeader, Level, RawBlock, RollupBlock};
use crate::error::MetricsError;
use crate::head::{Head, HeadPartition, PARTITION_MILLIS, partition_of};
use crate::index::Index;
use crate::model::{MetricDatum, MetricDatumRef};
use crate::series_file::SeriesFile;
use crate::validate::{DatumView, ValidDatum, validate_put_with};
use crate::walrec;

/// A head partition is sealed once its end is this far in the past (room for stragglers).
pub const DEFAULT_SEAL_DELAY_MILLIS: i64 = 10 * 60_000;

/// Options of [`Metrics::open`].
#[derive(Debug, Clone, Copy)]
pub struct MetricsOptions {
    /// The WAL's options. By default its group commit is led by waiters
    /// ([`SyncPolicy::OnWait`]): a `put` waits for one fsync round, not for a timer tick.
    pub wal: WalOptions,
    pub seal_delay_millis: i64,
}

impl Default for MetricsOptions {
    fn default() -> Self {
        MetricsOptions {
            wal: WalOptions {
                sync: SyncPolicy::OnWait {
                    interval: DEFAULT_GROUP_COMMIT_INTERVAL,
                },
                ..WalOptions::default()
            },
            seal_delay_millis: DEFAULT_SEAL_DELAY_MILLIS,
        }
    }
}

#[derive(Debug)]
pub(crate) struct State {
    pub index: Index,
    pub head: Head,
    /// Partitions taken out of the head and being written as blocks; still read by queries.
    pub sealing: Vec<(i64, Arc<HeadPartition>)>,
    pub sealed_upto: HashMap<i64, Position>,
    pub last_pos: Position,
    pub closed: bool,
}

impl Default for State {
    fn default() -> Self {
        State {
            index: Index::default(),
            head: Head::default(),
            sealing: Vec::new(),
            sealed_upto: HashMap::new(),
            last_pos: Position::START,
            closed: false,
        }
    }
}

#[derive(Debug, Default)]
pub(crate) struct Blocks {
    pub raw: BTreeMap<(i64, u64), Arc<RawBlock>>,
    pub rollups: HashMap<Level, BTreeMap<(i64, u64), Arc<RollupBlock>>>,
}

/// What a checkpoint did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckpointReport {
    pub partitions_sealed: usize,
    pub entries_sealed: usize,
    pub raw_block_bytes: u64,
    pub blocks_written: usize,
    pub blocks_deleted: usize,
    pub wal_segments_removed: usize,
    /// Blocks written by compaction (each replaces every generation of its partition and level).
    pub blocks_compacted: usize,
}

/// Counters for observing the engine.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MetricsStats {
    pub series: usize,
    pub head_entries: usize,
    pub head_partitions: usize,
    pub raw_blocks: usize,
    pub raw_block_bytes: u64,
    pub rollup_blocks: usize,
}

/// The metrics engine. `Send + Sync`; share it as `Arc<Metrics>`.
#[derive(Debug)]
pub struct Metrics {
    dir: PathBuf,
    pub(crate) clock: Arc<dyn Clock>,
    wal: Wal,
    pub(crate) state: RwLock<State>,
    pub(crate) blocks: RwLock<Blocks>,
    series_file: Mutex<SeriesFile>,
    checkpoint_lock: Mutex<()>,
    next_generation: AtomicU64,
    opts: MetricsOptions,
    pub(crate) anomaly: crate::anomaly::AnomalyState,
}

impl Metrics {
    /// Opens (creating if needed) the engine stored in `dir`: loads the series file and every
    /// block, then replays the WAL records not yet covered by blocks.
    pub fn open(
        dir: &Path,
        clock: Arc<dyn Clock>,
        opts: MetricsOptions,
    ) -> Result<Metrics, MetricsError> {
        std::fs::create_dir_all(dir).map_err(|e| MetricsError::io("create", dir, e))?;
        let mut state = State::default();
        let series_file = SeriesFile::open(&dir.join("series.dat"), &mut state.index)?;
        let mut blocks = Blocks::default();
        let max_gen = crate::compact::load(dir, &mut state, &mut blocks)?;
        let anomaly = crate::anomaly::AnomalyState::open(dir)?;
        let wal = Wal::open(&dir.join("wal"), opts.wal)?;
        let mut replayed = 0usize;
        for rec in wal.replay() {
            let (pos, payload) = rec?;
            replay(&mut state, pos, &walrec::decode(&payload)?)?;
            state.last_pos = pos;
            replayed += 1;
        }
        tracing::debug!(
            series = state.index.len(),
            replayed,
            raw_blocks = blocks.raw.len(),
            "metrics engine opened"
        );
        Ok(Metrics {
            dir: dir.to_path_buf(),
            clock,
            wal,
            state: RwLock::new(state),
            blocks: RwLock::new(blocks),
            series_file: Mutex::new(series_file),
            checkpoint_lock: Mutex::new(()),
            next_generation: AtomicU64::new(max_gen + 1),
            opts,
            anomaly,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn now(&self) -> i64 {
        self.clock.now_millis()
    }

    fn append<D: DatumView>(
        &self,
        account: &str,
        region: &str,
        namespace: Option<&str>,
        data: &[D],
    ) -> Result<Position, MetricsError> {
        let now = self.clock.now_millis();
        let ns = namespace.unwrap_or_default();
        // Series lookups under the read lock, in parallel, before validation (a known series'
        // key is valid): the write lock only logs and applies.
        let valid = validate_put_with(namespace, data, now, |data, prepared| {
            (self.state.read().index).resolve(account, region, ns, data, prepared);
        })?;
        let namespace = ns;
        // Known series are logged by id; new ones by key (replay creates them in log order).
        let record = walrec::encode(now, account, region, namespace, &valid);
        let mut st = self.state.write();
        if st.closed {
            return Err(MetricsError::Closed);
        }
        let pos = self.wal.append(&record)?;
        apply(&mut st, pos, now, account, region, namespace, &valid);
        st.last_pos = pos;
        Ok(pos)
    }

    /// PutMetricData for other domains (metric filters, the agent): validates every datum,
    /// logs the batch, applies it and returns once it is durable. Blocks for the group commit.
    pub fn put(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        data: &[MetricDatum],
    ) -> Result<(), MetricsError> {
        let pos = self.append(account, region, Some(namespace), data)?;
        self.wal.wait_durable(pos)?;
        Ok(())
    }

    /// [`Metrics::put`] for async callers: waits for durability without blocking the thread.
    /// `namespace` is optional so that its absence gets AWS's message.
    pub async fn put_async(
        &self,
        account: &str,
        region: &str,
        namespace: Option<&str>,
        data: &[MetricDatum],
    ) -> Result<(), MetricsError> {
        let pos = self.append(account, region, namespace, data)?;
        self.wal.durable(pos).await?;
        Ok(())
    }

    /// [`Metrics::put`] of datums borrowed from a request: the same validation, errors and
    /// durability, without owning the strings.
    pub fn put_refs(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        data: &[MetricDatumRef<'_>],
    ) -> Result<(), MetricsError> {
        let pos = self.append(account, region, Some(namespace), data)?;
        self.wal.wait_durable(pos)?;
        Ok(())
    }

    /// [`Metrics::put_async`] of datums borrowed from a request.
    pub async fn put_refs_async(
        &self,
        account: &str,
        region: &str,
        namespace: Option<&str>,
        data: &[MetricDatumRef<'_>],
    ) -> Result<(), MetricsError> {
        let pos = self.append(account, region, namespace, data)?;
        self.wal.durable(pos).await?;
        Ok(())
    }

    /// Seals every head partition that ended at least the seal delay ago (all of them if
    /// `everything`), writes raw and rollup blocks, trims the WAL and applies retention.
    pub fn checkpoint(&self, everything: bool) -> Result<CheckpointReport, MetricsError> {
        let _one = self.checkpoint_lock.lock();
        let now = self.clock.now_millis();
        let mut report = CheckpointReport::default();
        let (taken, upto, new_series, last_ingest) = {
            let mut st = self.state.write();
            let limit = now - self.opts.seal_delay_millis;
            let keys: Vec<i64> = st
                .head
                .partitions
                .keys()
                .copied()
                .filter(|p| everything || p + PARTITION_MILLIS <= limit)
                .collect();
            let mut taken = Vec::with_capacity(keys.len());
            for k in keys {
                if let Some(p) = st.head.partitions.remove(&k) {
                    // Oldest partition first, so the newest one sets the hint.
                    for (id, len) in p.series_lens() {
                        if let Some(s) = st.index.get_mut(id) {
                            s.head_hint = u32::try_from(len).unwrap_or(u32::MAX);
                        }
                    }
                    let p = Arc::new(p);
                    st.sealing.push((k, p.clone()));
                    taken.push((k, p));
                }
            }
            let new_series = self.unpersisted_series(&st);
            let last_ingest: HashMap<u32, i64> = taken
                .iter()
                .flat_map(|(_, p)| p.series_lens())
                .filter_map(|(id, _)| st.index.get(id).map(|s| (id, s.last_ingest)))
                .collect();
            (taken, st.last_pos, new_series, last_ingest)
        };
        // Series first: blocks refer to them by id.
        self.series_file.lock().append(&new_series)?;

        let mut new_raw = Vec::new();
        let mut new_rollups = Vec::new();
        for (partition, p) in &taken {
            report.partitions_sealed += 1;
            report.entries_sealed += p.entries;
            let series = p.sorted();
            let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
            let name = block::file_name(*partition, generation);
            let end = partition + PARTITION_MILLIS;
            for level in Level::ALL {
                if end + level.retention_millis() <= now {
                    continue;
                }
                let header = BlockHeader {
                    level,
                    partition: *partition,
                    sealed_upto: upto,
                    compacted: false,
                };
                let dir = self.dir.join("blocks").join(level.dir_name());
                if level == Level::Raw {
                    let bytes = block::encode_raw(&header, &series, |id| {
                        last_ingest.get(&id).copied().unwrap_or(i64::MIN)
                    })?;
                    report.raw_block_bytes += bytes.len() as u64;
                    block::write_file(&dir, &name, &bytes)?;
                    new_raw.push(((*partition, generation), Arc::new(RawBlock::parse(bytes)?)));
                } else {
                    let buckets: BTreeMap<u32, Vec<block::Bucket>> = series
                        .iter()
                        .map(|(id, e)| (*id, block::rollup(e, level)))
                        .collect();
                    let bytes = block::encode_rollup(&header, &buckets, |id| {
                        last_ingest.get(&id).copied().unwrap_or(i64::MIN)
                    })?;
                    block::write_file(&dir, &name, &bytes)?;
                    new_rollups.push((
                        level,
                        (*partition, generation),
                        Arc::new(RollupBlock::parse(&bytes)?),
                    ));
                }
                report.blocks_written += 1;
            }
        }
        {
            let mut blocks = self.blocks.write();
            let mut st = self.state.write();
            for (k, b) in new_raw {
                blocks.raw.insert(k, b);
            }
            for (level, k, b) in new_rollups {
                blocks.rollups.entry(level).or_default().insert(k, b);
            }
            for (partition, _) in &taken {
                st.sealing.retain(|(k, _)| k != partition);
                let e = st.sealed_upto.entry(*partition).or_insert(Position::START);
                *e = (*e).max(upto);
            }
        }
        report.wal_segments_removed = self.trim_wal()?;
        report.blocks_deleted = self.apply_retention(now)?;
        let merged = crate::compact::compact(&self.dir, &self.blocks, &self.next_generation)?;
        report.blocks_compacted = merged.written;
        report.blocks_deleted += merged.deleted;
        Ok(report)
    }

    /// Keys of the series created since the series file was last appended to.
    fn unpersisted_series(&self, st: &State) -> Vec<crate::model::SeriesKey> {
        let persisted = self.series_file.lock().count();
        (persisted..st.index.len())
            .filter_map(|i| st.index.get(i as u32).map(|s| s.key.clone()))
            .collect()
    }

    /// Removes the WAL segments the head no longer needs. WAL records name known series by id,
    /// so every series a removed segment created goes to the series file first: the oldest
    /// segment kept and the series count are read together under the write lock (no append
    /// runs meanwhile), so a series created later is created by a record in a kept segment.
    fn trim_wal(&self) -> Result<usize, MetricsError> {
        if self.state.read().head.partitions.is_empty() {
            // Everything is sealed: start a new segment so that the old ones can go.
            self.wal.rotate()?;
        }
        let (keep_from, new_series) = {
            let st = self.state.write();
            let active = self.wal.segments().last().map_or(0, |s| s.id);
            let keep = st.head.oldest_segment().map_or(active, |s| s.min(active));
            (keep, self.unpersisted_series(&st))
        };
        self.series_file.lock().append(&new_series)?;
        Ok(self.wal.remove_segments_before(keep_from)?)
    }

    /// Deletes blocks past their level's retention (CloudWatch's 3 h / 15 d / 63 d / 455 d).
    pub fn apply_retention(&self, now: i64) -> Result<usize, MetricsError> {
        let mut victims: Vec<PathBuf> = Vec::new();
        {
            let mut blocks = self.blocks.write();
            let expired = |partition: i64, level: Level| {
                partition + PARTITION_MILLIS + level.retention_millis() <= now
            };
            let dir = |level: Level| self.dir.join("blocks").join(level.dir_name());
            blocks.raw.retain(|(p, g), _| {
                let keep = !expired(*p, Level::Raw);
                if !keep {
                    victims.push(dir(Level::Raw).join(block::file_name(*p, *g)));
                }
                keep
            });
            for (level, map) in blocks.rollups.iter_mut() {
                map.retain(|(p, g), _| {
                    let keep = !expired(*p, *level);
                    if !keep {
                        victims.push(dir(*level).join(block::file_name(*p, *g)));
                    }
                    keep
                });
            }
        }
        for v in &victims {
            if let Err(e) = std::fs::remove_file(v)
                && e.kind() != std::io::ErrorKind::NotFound
            {
                return Err(MetricsError::io("delete block", v, e));
            }
        }
        Ok(victims.len())
    }

    pub fn stats(&self) -> MetricsStats {
        let blocks = self.blocks.read();
        let st = self.state.read();
        MetricsStats {
            series: st.index.len(),
            head_entries: st.head.entries(),
            head_partitions: st.head.partitions.len(),
            raw_blocks: blocks.raw.len(),
            raw_block_bytes: blocks.raw.values().map(|b| b.bytes_len() as u64).sum(),
            rollup_blocks: blocks.rollups.values().map(BTreeMap::len).sum(),
        }
    }

    /// Refuses further puts and closes the WAL (fsyncing it). Also done on drop.
    pub fn close(&self) -> Result<(), MetricsError> {
        self.state.write().closed = true;
        self.wal.close()?;
        Ok(())
    }
}

/// Applies a validated batch logged at `pos`, creating the series it names by key.
fn apply(
    st: &mut State,
    pos: Position,
    ingest: i64,
    account: &str,
    region: &str,
    namespace: &str,
    data: &[ValidDatum<'_>],
) {
    let index = &mut st.index;
    st.head.add_all(
        pos.segment,
        data.iter().flat_map(|d| {
            let id = index.get_or_create_valid(account, region, namespace, d);
            let hint = index.touch(id, ingest);
            d.entries.iter().map(move |e| (id, hint, e))
        }),
    );
}

/// Applies a batch read back from the WAL at `pos`. Series named by key are found or created in
/// record order, as when the batch was accepted; an id must already exist (the series file or
/// an earlier record holds it). Samples of partitions sealed up to `pos` are skipped (they are
/// in blocks).
fn replay(st: &mut State, pos: Position, batch: &walrec::Batch) -> Result<(), MetricsError> {
    for d in &batch.data {
        let id = match &d.series {
            walrec::SeriesRef::Id(id) => {
                if st.index.get(*id).is_none() {
                    return Err(MetricsError::corrupt(
                        "metrics WAL record",
                        format!("unknown series id {id} at {pos:?}"),
                    ));
                }
                *id
            }
            walrec::SeriesRef::Key {
                metric_name,
                dimensions,
            } => {
                let dims: Vec<&crate::model::Dimension> = dimensions.iter().collect();
                st.index.get_or_create(
                    &batch.account,
                    &batch.region,
                    &batch.namespace,
                    metric_name,
                    &dims,
                )
            }
        };
        let hint = st.index.touch(id, batch.ingest);
        for e in &d.entries {
            if st
                .sealed_upto
                .get(&partition_of(e.ts))
                .is_some_and(|upto| *upto >= pos)
            {
                continue;
            }
            st.head.add(id, e, pos.segment, hint);
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "engine_tests.rs"]
mod tests;
