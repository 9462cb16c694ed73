//! A small cache of decompressed chunks, so consecutive pages of one query (and repeated tail-style
//! queries) do not decompress the same chunk again. Chunk ids are never reused, so entries never go
//! stale; the oldest are evicted beyond the byte budget.

use std::collections::{HashMap, VecDeque};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use parking_lot::Mutex;

use super::chunk::{self, RawChunk};
use crate::error::LogsError;

/// Memory the cache may hold.
pub const CHUNK_CACHE_BYTES: usize = 128 * 1024 * 1024;

#[derive(Debug, Default)]
struct Inner {
    map: HashMap<u64, Arc<RawChunk>>,
    order: VecDeque<u64>,
    bytes: usize,
}

#[derive(Debug, Default)]
pub(crate) struct ChunkCache {
    inner: Mutex<Inner>,
    /// Chunks reads skipped because their token filter excluded the pattern.
    pub(crate) skipped: AtomicU64,
    /// Chunks asked for (from the cache or decompressed).
    pub(crate) scanned: AtomicU64,
}

impl ChunkCache {
    /// Chunk `id` of the group directory `dir`, decompressed (`None` if its file is gone).
    pub(crate) fn get(&self, dir: &Path, id: u64) -> Result<Option<Arc<RawChunk>>, LogsError> {
        self.scanned.fetch_add(1, Ordering::Relaxed);
        if let Some(c) = self.inner.lock().map.get(&id) {
            return Ok(Some(Arc::clone(c)));
        }
        let Some(c) = chunk::read(dir, id)? else {
            return Ok(None);
        };
        let c = Arc::new(c);
        let mut inner = self.inner.lock();
        if inner.map.insert(id, Arc::clone(&c)).is_none() {
            inner.bytes += c.bytes();
            inner.order.push_back(id);
        }
        while inner.bytes > CHUNK_CACHE_BYTES && inner.order.len() > 1 {
            let Some(old) = inner.order.pop_front() else {
                break;
            };
            if let Some(e) = inner.map.remove(&old) {
                inner.bytes -= e.bytes();
            }
        }
        Ok(Some(c))
    }

    /// Counts a chunk a read skipped thanks to its token filter.
    pub(crate) fn note_skipped(&self) {
        self.skipped.fetch_add(1, Ordering::Relaxed);
    }

    /// Drops a chunk (deleted by retention).
    pub(crate) fn forget(&self, id: u64) {
        let mut inner = self.inner.lock();
        if let Some(e) = inner.map.remove(&id) {
            inner.bytes -= e.bytes();
            inner.order.retain(|x| *x != id);
        }
    }
}
