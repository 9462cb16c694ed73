//! Where audit records live: the `RecordLog` trait (an append-only, segmented log), implemented by
//! the storage crate's write-ahead log and by an in-memory log for tests; the payload codec; and
//! the in-memory index rebuilt from the log at open.

pub(crate) mod codec;
pub(crate) mod index;
mod intern;
mod memory;

use std::fmt::Debug;

use openwatch_storage::WalError;
use openwatch_storage::wal::{Position, Wal};

pub use memory::MemoryLog;

/// One stored record as the log replays it.
pub type LogItem = Result<(Position, Vec<u8>), WalError>;

/// An append-only log of records in numbered segments. Positions increase in append order.
/// Retention deletes whole segments. Implemented by [`Wal`] and by [`MemoryLog`].
pub trait RecordLog: Send + Sync + Debug + 'static {
    /// Appends records contiguously and returns their positions.
    fn append_batch(&self, payloads: &[&[u8]]) -> Result<Vec<Position>, WalError>;
    /// Blocks until the record at `pos` is durable.
    fn wait_durable(&self, pos: Position) -> Result<(), WalError>;
    /// Reads the record at `pos` (not yet durable records included).
    fn read_at(&self, pos: Position) -> Result<Vec<u8>, WalError>;
    /// Reads several records; results in the order of `positions`. Logs that can read a
    /// stretch of a segment faster than record by record override this.
    fn read_many(&self, positions: &[Position]) -> Vec<Result<Vec<u8>, WalError>> {
        positions.iter().map(|p| self.read_at(*p)).collect()
    }
    /// Replays every record from `from` on, in order; the iterator ends after an error.
    fn replay_from(&self, from: Position) -> Box<dyn Iterator<Item = LogItem> + Send + '_>;
    /// Seals the active segment and starts a new one (no-op when it is empty).
    fn rotate(&self) -> Result<(), WalError>;
    /// The id of the segment being appended to.
    fn active_segment(&self) -> u64;
    /// Deletes every sealed segment whose id is below `segment`; returns how many.
    fn remove_segments_before(&self, segment: u64) -> Result<usize, WalError>;
    /// Makes everything durable and refuses further appends.
    fn close(&self) -> Result<(), WalError>;
}

impl RecordLog for Wal {
    fn append_batch(&self, payloads: &[&[u8]]) -> Result<Vec<Position>, WalError> {
        Wal::append_batch(self, payloads)
    }

    fn wait_durable(&self, pos: Position) -> Result<(), WalError> {
        Wal::wait_durable(self, pos)
    }

    fn read_at(&self, pos: Position) -> Result<Vec<u8>, WalError> {
        Wal::read_at(self, pos)
    }

    fn read_many(&self, positions: &[Position]) -> Vec<Result<Vec<u8>, WalError>> {
        read_clustered(self, positions)
    }

    fn replay_from(&self, from: Position) -> Box<dyn Iterator<Item = LogItem> + Send + '_> {
        Box::new(Wal::replay_from(self, from))
    }

    fn rotate(&self) -> Result<(), WalError> {
        Wal::rotate(self)
    }

    fn active_segment(&self) -> u64 {
        self.segments().last().map_or(0, |s| s.id)
    }

    fn remove_segments_before(&self, segment: u64) -> Result<usize, WalError> {
        Wal::remove_segments_before(self, segment)
    }

    fn close(&self) -> Result<(), WalError> {
        Wal::close(self)
    }
}

/// Records closer together than this in one segment are read in one sequential pass.
const READ_SPAN_BYTES: u64 = 1024 * 1024;

/// `read_many` for the WAL: positions that cluster within [`READ_SPAN_BYTES`] of one segment are
/// read by one replay pass (one file open, sequential reads) instead of one `read_at` each.
fn read_clustered(wal: &Wal, positions: &[Position]) -> Vec<Result<Vec<u8>, WalError>> {
    let mut out: Vec<Option<Result<Vec<u8>, WalError>>> = positions.iter().map(|_| None).collect();
    let mut order: Vec<usize> = (0..positions.len()).collect();
    order.sort_by_key(|&i| positions[i]);
    let mut k = 0;
    while k < order.len() {
        let first = positions[order[k]];
        let mut end = k + 1;
        while end < order.len() {
            let p = positions[order[end]];
            if p.segment != first.segment || p.offset - first.offset > READ_SPAN_BYTES {
                break;
            }
            end += 1;
        }
        let mut want = k;
        if end - k > 1 {
            for item in Wal::replay_from(wal, first) {
                let Ok((pos, bytes)) = item else { break };
                if pos.segment != first.segment {
                    break;
                }
                // Positions that are not record starts are left for `read_at` to report.
                while want < end && positions[order[want]] < pos {
                    want += 1;
                }
                if want < end && positions[order[want]] == pos {
                    out[order[want]] = Some(Ok(bytes));
                    want += 1;
                }
                if want >= end {
                    break;
                }
            }
        }
        for &i in &order[k..end] {
            if out[i].is_none() {
                out[i] = Some(wal.read_at(positions[i]));
            }
        }
        k = end;
    }
    out.into_iter()
        .map(|o| o.unwrap_or(Err(WalError::Closed)))
        .collect()
}
