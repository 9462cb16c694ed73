//! `MemoryLog`: an in-memory `RecordLog` for tests and throwaway trails (nothing survives a drop).

use std::collections::BTreeMap;

use openwatch_storage::WalError;
use openwatch_storage::wal::Position;
use parking_lot::Mutex;

use super::{LogItem, RecordLog};

/// Offset of the first record in a segment (mirrors the WAL's 16-byte header).
const FIRST_OFFSET: u64 = 16;

#[derive(Debug, Default)]
struct State {
    /// segment id → records (offset, payload), in order.
    segments: BTreeMap<u64, Vec<(u64, Vec<u8>)>>,
    active: u64,
    closed: bool,
}

/// An in-memory segmented log. Offsets advance by payload length, like a real log's.
#[derive(Debug)]
pub struct MemoryLog {
    state: Mutex<State>,
}

impl Default for MemoryLog {
    fn default() -> Self {
        let mut segments = BTreeMap::new();
        segments.insert(1, Vec::new());
        MemoryLog {
            state: Mutex::new(State {
                segments,
                active: 1,
                closed: false,
            }),
        }
    }
}

impl MemoryLog {
    /// An empty log whose first segment is 1.
    pub fn new() -> Self {
        Self::default()
    }
}

impl RecordLog for MemoryLog {
    fn append_batch(&self, payloads: &[&[u8]]) -> Result<Vec<Position>, WalError> {
        let mut s = self.state.lock();
        if s.closed {
            return Err(WalError::Closed);
        }
        let active = s.active;
        let seg = s.segments.entry(active).or_default();
        let mut out = Vec::with_capacity(payloads.len());
        for p in payloads {
            if p.is_empty() {
                return Err(WalError::EmptyRecord);
            }
            let offset = seg
                .last()
                .map_or(FIRST_OFFSET, |(o, prev)| o + 8 + prev.len() as u64);
            seg.push((offset, p.to_vec()));
            out.push(Position {
                segment: active,
                offset,
            });
        }
        Ok(out)
    }

    fn wait_durable(&self, _pos: Position) -> Result<(), WalError> {
        Ok(())
    }

    fn read_at(&self, pos: Position) -> Result<Vec<u8>, WalError> {
        let s = self.state.lock();
        let seg = s
            .segments
            .get(&pos.segment)
            .ok_or(WalError::SegmentNotFound {
                segment: pos.segment,
            })?;
        seg.binary_search_by_key(&pos.offset, |(o, _)| *o)
            .map(|i| seg[i].1.clone())
            .map_err(|_| WalError::InvalidPosition {
                pos,
                reason: "no record starts there",
            })
    }

    fn replay_from(&self, from: Position) -> Box<dyn Iterator<Item = LogItem> + Send + '_> {
        let s = self.state.lock();
        let items: Vec<LogItem> = s
            .segments
            .range(from.segment..)
            .flat_map(|(id, recs)| {
                recs.iter()
                    .filter(move |(o, _)| {
                        Position {
                            segment: *id,
                            offset: *o,
                        } >= from
                    })
                    .map(move |(o, p)| {
                        Ok((
                            Position {
                                segment: *id,
                                offset: *o,
                            },
                            p.clone(),
                        ))
                    })
            })
            .collect();
        Box::new(items.into_iter())
    }

    fn rotate(&self) -> Result<(), WalError> {
        let mut s = self.state.lock();
        if s.closed {
            return Err(WalError::Closed);
        }
        let active = s.active;
        if s.segments.get(&active).is_some_and(|v| !v.is_empty()) {
            s.active = active + 1;
            s.segments.insert(active + 1, Vec::new());
        }
        Ok(())
    }

    fn active_segment(&self) -> u64 {
        self.state.lock().active
    }

    fn remove_segments_before(&self, segment: u64) -> Result<usize, WalError> {
        let mut s = self.state.lock();
        let limit = segment.min(s.active);
        let victims: Vec<u64> = s.segments.range(..limit).map(|(id, _)| *id).collect();
        for id in &victims {
            s.segments.remove(id);
        }
        Ok(victims.len())
    }

    fn close(&self) -> Result<(), WalError> {
        self.state.lock().closed = true;
        Ok(())
    }
}
