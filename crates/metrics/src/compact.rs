//! The set of sealed blocks: loading them at open, and block-generation compaction.
//!
//! A partition is sealed again when late samples (CloudWatch takes them up to two weeks back)
//! reach a partition already sealed, so one (level, partition) can have several generations.
//! Compaction merges them into one block with a new generation and the `compacted` header flag,
//! crash-safely: the new file is made durable (temp file, fsync, rename, directory fsync), then
//! swapped in memory, then the old files are deleted. A crash in between leaves the old files
//! beside the compacted one; opening sees the flag and deletes every lower generation of that
//! partition and level instead of loading it, so no sample is counted twice or lost.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use openwatch_storage::Position;
use parking_lot::RwLock;

use crate::block::{self, BlockHeader, Level, RawBlock, RollupBlock};
use crate::engine::{Blocks, State};
use crate::error::MetricsError;
use crate::index::SeriesId;
use crate::model::Entry;

/// A block of either kind, as loaded.
enum Loaded {
    Raw(RawBlock),
    Rollup(RollupBlock),
}

impl Loaded {
    fn header(&self) -> &BlockHeader {
        match self {
            Loaded::Raw(b) => &b.header,
            Loaded::Rollup(b) => &b.header,
        }
    }

    fn last_ingest(&self) -> &[(SeriesId, i64)] {
        match self {
            Loaded::Raw(b) => &b.last_ingest,
            Loaded::Rollup(b) => &b.last_ingest,
        }
    }
}

/// Loads every block under `dir/blocks` into `blocks`, updating the series' last ingest times
/// and the sealed positions of `state`; deletes temp files and generations a compacted block
/// replaces. Returns the highest generation seen.
pub(crate) fn load(
    dir: &Path,
    state: &mut State,
    blocks: &mut Blocks,
) -> Result<u64, MetricsError> {
    let mut max_gen = 0;
    for level in Level::ALL {
        let ldir = dir.join("blocks").join(level.dir_name());
        std::fs::create_dir_all(&ldir).map_err(|e| MetricsError::io("create", &ldir, e))?;
        let rd = std::fs::read_dir(&ldir).map_err(|e| MetricsError::io("list", &ldir, e))?;
        let mut found: BTreeMap<(i64, u64), (PathBuf, Loaded)> = BTreeMap::new();
        for ent in rd {
            let ent = ent.map_err(|e| MetricsError::io("list", &ldir, e))?;
            let name = ent.file_name().to_string_lossy().into_owned();
            let path = ent.path();
            if name.ends_with(".tmp") {
                let _ = std::fs::remove_file(&path);
                continue;
            }
            let Some(key) = block::parse_file_name(&name) else {
                continue;
            };
            max_gen = max_gen.max(key.1);
            let bytes =
                std::fs::read(&path).map_err(|e| MetricsError::io("read block", &path, e))?;
            let b = if level == Level::Raw {
                Loaded::Raw(RawBlock::parse(bytes)?)
            } else {
                Loaded::Rollup(RollupBlock::parse(&bytes)?)
            };
            found.insert(key, (path, b));
        }
        // The newest compacted generation of each partition replaces every lower one.
        let mut replaced_below: HashMap<i64, u64> = HashMap::new();
        for ((p, g), (_, b)) in &found {
            if b.header().compacted {
                let e = replaced_below.entry(*p).or_insert(0);
                *e = (*e).max(*g);
            }
        }
        let mut obsolete = false;
        for ((p, g), (path, b)) in found {
            if replaced_below.get(&p).is_some_and(|below| g < *below) {
                tracing::info!(path = %path.display(), "deleting a block replaced by compaction");
                remove(&path)?;
                obsolete = true;
                continue;
            }
            for (id, t) in b.last_ingest() {
                let s = state.index.get_mut(*id).ok_or_else(|| {
                    MetricsError::corrupt(path.display().to_string(), "unknown series")
                })?;
                s.last_ingest = s.last_ingest.max(*t);
            }
            let upto = state.sealed_upto.entry(p).or_insert(Position::START);
            *upto = (*upto).max(b.header().sealed_upto);
            match b {
                Loaded::Raw(b) => {
                    blocks.raw.insert((p, g), Arc::new(b));
                }
                Loaded::Rollup(b) => {
                    blocks
                        .rollups
                        .entry(level)
                        .or_default()
                        .insert((p, g), Arc::new(b));
                }
            }
        }
        if obsolete {
            block::sync_dir(&ldir)?;
        }
    }
    Ok(max_gen)
}

fn remove(path: &Path) -> Result<(), MetricsError> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            Err(MetricsError::io("delete block", path, e))
        }
        _ => Ok(()),
    }
}

/// The generations of one partition, oldest first.
type Generations<B> = Vec<(u64, Arc<B>)>;

/// The partitions with more than one generation in `map`, with those generations.
fn multi_generation<B>(map: &BTreeMap<(i64, u64), Arc<B>>) -> Vec<(i64, Generations<B>)> {
    let mut by_partition: BTreeMap<i64, Generations<B>> = BTreeMap::new();
    for ((p, g), b) in map {
        by_partition.entry(*p).or_default().push((*g, b.clone()));
    }
    by_partition
        .into_iter()
        .filter(|(_, v)| v.len() > 1)
        .collect()
}

/// The header of the block merging `headers`.
fn merged_header<'a>(
    level: Level,
    partition: i64,
    headers: impl Iterator<Item = &'a BlockHeader>,
) -> BlockHeader {
    BlockHeader {
        level,
        partition,
        sealed_upto: headers
            .map(|h| h.sealed_upto)
            .max()
            .unwrap_or(Position::START),
        compacted: true,
    }
}

/// Latest ingest time of each series over `lists`.
fn merged_last_ingest<'a>(
    lists: impl Iterator<Item = &'a [(SeriesId, i64)]>,
) -> HashMap<SeriesId, i64> {
    let mut out: HashMap<SeriesId, i64> = HashMap::new();
    for (id, t) in lists.flatten() {
        let e = out.entry(*id).or_insert(i64::MIN);
        *e = (*e).max(*t);
    }
    out
}

/// What one compaction pass did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Compacted {
    pub written: usize,
    pub deleted: usize,
}

/// Merges every (level, partition) that has several generations into one block. Callers hold
/// the engine's checkpoint lock, so no block is sealed meanwhile.
pub(crate) fn compact(
    dir: &Path,
    blocks: &RwLock<Blocks>,
    next_generation: &AtomicU64,
) -> Result<Compacted, MetricsError> {
    let mut done = Compacted::default();
    let raw_groups = multi_generation(&blocks.read().raw);
    for (partition, olds) in raw_groups {
        let header = merged_header(Level::Raw, partition, olds.iter().map(|(_, b)| &b.header));
        let last = merged_last_ingest(olds.iter().map(|(_, b)| b.last_ingest.as_slice()));
        let mut series: BTreeMap<SeriesId, Vec<Entry>> = BTreeMap::new();
        for (_, b) in &olds {
            for (id, entries) in b.all_entries()? {
                series.entry(id).or_default().extend(entries);
            }
        }
        for v in series.values_mut() {
            // Stable: equal timestamps keep generation order.
            v.sort_by_key(|e| e.ts);
        }
        let bytes = block::encode_raw(&header, &series, |id| {
            last.get(&id).copied().unwrap_or(i64::MIN)
        })?;
        let generation = next_generation.fetch_add(1, Ordering::Relaxed);
        let new = Arc::new(RawBlock::parse(bytes.clone())?);
        write(dir, Level::Raw, partition, generation, &bytes)?;
        {
            let mut bl = blocks.write();
            for (g, _) in &olds {
                bl.raw.remove(&(partition, *g));
            }
            bl.raw.insert((partition, generation), new);
        }
        done.written += 1;
        done.deleted += delete_old(dir, Level::Raw, partition, &olds)?;
    }
    for level in Level::ROLLUPS {
        let groups = blocks
            .read()
            .rollups
            .get(&level)
            .map(multi_generation)
            .unwrap_or_default();
        for (partition, olds) in groups {
            let header = merged_header(level, partition, olds.iter().map(|(_, b)| &b.header));
            let last = merged_last_ingest(olds.iter().map(|(_, b)| b.last_ingest.as_slice()));
            let mut ids: Vec<SeriesId> = olds
                .iter()
                .flat_map(|(_, b)| b.series.keys().copied())
                .collect();
            ids.sort_unstable();
            ids.dedup();
            let series: BTreeMap<SeriesId, Vec<block::Bucket>> = ids
                .into_iter()
                .map(|id| {
                    let lists = olds
                        .iter()
                        .filter_map(|(_, b)| b.series.get(&id).map(Vec::as_slice));
                    (id, block::merge_buckets(lists))
                })
                .collect();
            let bytes = block::encode_rollup(&header, &series, |id| {
                last.get(&id).copied().unwrap_or(i64::MIN)
            })?;
            let generation = next_generation.fetch_add(1, Ordering::Relaxed);
            let new = Arc::new(RollupBlock::parse(&bytes)?);
            write(dir, level, partition, generation, &bytes)?;
            {
                let mut bl = blocks.write();
                let map = bl.rollups.entry(level).or_default();
                for (g, _) in &olds {
                    map.remove(&(partition, *g));
                }
                map.insert((partition, generation), new);
            }
            done.written += 1;
            done.deleted += delete_old(dir, level, partition, &olds)?;
        }
    }
    Ok(done)
}

fn level_dir(dir: &Path, level: Level) -> PathBuf {
    dir.join("blocks").join(level.dir_name())
}

fn write(
    dir: &Path,
    level: Level,
    partition: i64,
    generation: u64,
    bytes: &[u8],
) -> Result<(), MetricsError> {
    block::write_file(
        &level_dir(dir, level),
        &block::file_name(partition, generation),
        bytes,
    )?;
    Ok(())
}

/// Deletes the files a durable compacted block replaced.
fn delete_old<B>(
    dir: &Path,
    level: Level,
    partition: i64,
    olds: &[(u64, Arc<B>)],
) -> Result<usize, MetricsError> {
    let ldir = level_dir(dir, level);
    for (g, _) in olds {
        remove(&ldir.join(block::file_name(partition, *g)))?;
    }
    block::sync_dir(&ldir)?;
    Ok(olds.len())
}
