//! A small cache of decompressed chunk blocks (and of chunk layouts: header, index, block
//! filters), so consecutive pages of one query (and repeated tail-style queries) do not decompress
//! the same block again. Chunk ids are never reused, so entries never go stale; the oldest are
//! evicted beyond the byte budget. [`ChunkCache::blocks`] decompresses the blocks a read asks for
//! on several threads at once and hands them back in order.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};

use parking_lot::Mutex;

use super::chunk::blocks::{self, Layout};
use super::chunk::lanes::ALL_LANES;
use super::chunk::{self, RawChunk};
use crate::error::LogsError;

/// Memory the cache may hold.
pub const CHUNK_CACHE_BYTES: usize = 128 * 1024 * 1024;
/// Layouts kept (each a few KiB: mostly block filters).
const MAX_LAYOUTS: usize = 4096;
/// The cache key of a whole chunk (all blocks joined), next to its blocks' keys.
const WHOLE: u32 = u32::MAX;
/// Most threads one read decompresses on (the machine's parallelism caps it further).
pub(crate) const MAX_THREADS: usize = 4;

/// A cache key: chunk id, block ([`WHOLE`] for the whole chunk), lanes decompressed
/// ([`ALL_LANES`] for all).
type Key = (u64, u32, u64);

#[derive(Debug, Default)]
struct Inner {
    /// By (chunk id, block, lane mask).
    map: HashMap<Key, Arc<RawChunk>>,
    order: VecDeque<Key>,
    bytes: usize,
    layouts: HashMap<u64, Arc<Layout>>,
}

impl Inner {
    fn insert(&mut self, key: Key, c: &Arc<RawChunk>) {
        if self.map.insert(key, Arc::clone(c)).is_none() {
            self.bytes += c.bytes();
            self.order.push_back(key);
        }
        while self.bytes > CHUNK_CACHE_BYTES && self.order.len() > 1 {
            let Some(old) = self.order.pop_front() else {
                break;
            };
            if let Some(e) = self.map.remove(&old) {
                self.bytes -= e.bytes();
            }
        }
    }
}

/// One block a read wants: chunk id, its layout, block index, and the lanes it needs (a mask,
/// [`ALL_LANES`] for all: a block with all its lanes serves any read of it).
pub(crate) type BlockRef = (u64, Arc<Layout>, usize, u64);

#[derive(Debug, Default)]
pub(crate) struct ChunkCache {
    inner: Mutex<Inner>,
    /// Chunks reads skipped because their token filter excluded the pattern.
    pub(crate) skipped: AtomicU64,
    /// Chunks asked for (from the cache or decompressed).
    pub(crate) scanned: AtomicU64,
    /// Blocks of opened chunks that reads skipped (block filter or time range).
    pub(crate) blocks_skipped: AtomicU64,
    /// Blocks reads used (from the cache or decompressed).
    pub(crate) blocks_read: AtomicU64,
}

/// Threads a read may decompress on.
fn threads() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
}

impl ChunkCache {
    /// Chunk `id` of the group directory `dir`, decompressed whole (`None` if its file is gone).
    pub(crate) fn get(&self, dir: &Path, id: u64) -> Result<Option<Arc<RawChunk>>, LogsError> {
        self.scanned.fetch_add(1, Ordering::Relaxed);
        if let Some(c) = self.inner.lock().map.get(&(id, WHOLE, ALL_LANES)) {
            return Ok(Some(Arc::clone(c)));
        }
        let Some(c) = chunk::read(dir, id)? else {
            return Ok(None);
        };
        let c = Arc::new(c);
        self.inner.lock().insert((id, WHOLE, ALL_LANES), &c);
        Ok(Some(c))
    }

    /// The layout (header, index, block table) of chunk `id` (`None` if its file is gone); counts
    /// the chunk as scanned.
    pub(crate) fn layout(&self, dir: &Path, id: u64) -> Result<Option<Arc<Layout>>, LogsError> {
        self.scanned.fetch_add(1, Ordering::Relaxed);
        if let Some(l) = self.inner.lock().layouts.get(&id) {
            return Ok(Some(Arc::clone(l)));
        }
        let Some(l) = blocks::read_layout(&dir.join(chunk::file_name(id)))? else {
            return Ok(None);
        };
        let l = Arc::new(l);
        let mut inner = self.inner.lock();
        if inner.layouts.len() >= MAX_LAYOUTS {
            inner.layouts.clear();
        }
        inner.layouts.insert(id, Arc::clone(&l));
        Ok(Some(l))
    }

    /// The blocks `refs` of chunks in `dir`, decompressed (those not cached on up to
    /// `max_threads` threads at once), in the order asked; `None` for a block whose file is gone.
    pub(crate) fn blocks(
        &self,
        dir: &Path,
        refs: &[BlockRef],
        max_threads: usize,
    ) -> Result<Vec<Option<Arc<RawChunk>>>, LogsError> {
        self.blocks_read
            .fetch_add(refs.len() as u64, Ordering::Relaxed);
        let mut out: Vec<Option<Arc<RawChunk>>> = {
            let inner = self.inner.lock();
            refs.iter()
                .map(|(id, _, b, lanes)| {
                    let b = *b as u32;
                    inner
                        .map
                        .get(&(*id, b, ALL_LANES))
                        .or_else(|| {
                            (*lanes != ALL_LANES)
                                .then(|| inner.map.get(&(*id, b, *lanes)))
                                .flatten()
                        })
                        .cloned()
                })
                .collect()
        };
        let missing: Vec<usize> = (0..refs.len()).filter(|&i| out[i].is_none()).collect();
        let read = |i: usize| -> Result<Option<RawChunk>, LogsError> {
            let (id, layout, b, lanes) = &refs[i];
            blocks::read_block(&dir.join(chunk::file_name(*id)), layout, *b, *lanes)
        };
        let n = missing.len().min(max_threads.min(threads())).max(1);
        let decoded: Vec<(usize, Result<Option<RawChunk>, LogsError>)> = if n <= 1 {
            missing.iter().map(|&i| (i, read(i))).collect()
        } else {
            let next = AtomicUsize::new(0);
            let work = || {
                let mut done = Vec::new();
                loop {
                    let k = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&i) = missing.get(k) else {
                        break;
                    };
                    done.push((i, read(i)));
                }
                done
            };
            std::thread::scope(|s| {
                let helpers: Vec<_> = (1..n).map(|_| s.spawn(work)).collect();
                let mut all = work();
                for h in helpers {
                    match h.join() {
                        Ok(d) => all.extend(d),
                        Err(_) => all.push((
                            usize::MAX,
                            Err(LogsError::internal("a decompression thread panicked")),
                        )),
                    }
                }
                all
            })
        };
        let mut inner = self.inner.lock();
        for (i, r) in decoded {
            if let Some(c) = r? {
                let c = Arc::new(c);
                if let Some((id, _, b, lanes)) = refs.get(i) {
                    inner.insert((*id, *b as u32, *lanes), &c);
                }
                if let Some(slot) = out.get_mut(i) {
                    *slot = Some(c);
                }
            }
        }
        Ok(out)
    }

    /// Counts a chunk a read skipped thanks to its token filter.
    pub(crate) fn note_skipped(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts blocks of an opened chunk a read did not need.
    pub(crate) fn note_blocks_skipped(&self, n: usize) {
        self.blocks_skipped.fetch_add(n as u64, Ordering::Relaxed);
    }

    /// Drops a chunk (deleted by retention).
    pub(crate) fn forget(&self, id: u64) {
        let mut inner = self.inner.lock();
        let mut freed = 0;
        inner.map.retain(|k, e| {
            let keep = k.0 != id;
            if !keep {
                freed += e.bytes();
            }
            keep
        });
        inner.bytes -= freed;
        inner.order.retain(|k| k.0 != id);
        inner.layouts.remove(&id);
    }
}
