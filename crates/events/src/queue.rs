//! The delivery queue: one record per (event, target) still to deliver, kept in a write-ahead log
//! so that an acknowledged PutEvents survives `kill -9`.
//!
//! Records (JSON payloads of WAL frames): `enqueue` (a delivery), `retry` (attempt count and next
//! attempt time after a failure), `done` (delivered), `dropped` (gave up: retries or age exhausted;
//! kept for inspection, bounded). Replay folds them into the pending set. Compaction rotates the log,
//! re-appends the live state into the new segment, syncs it and deletes the older segments; a crash
//! in between leaves both copies, and replay keyed by delivery id makes that harmless.
//! Delivery is at least once: a `done` lost in a crash means one more delivery.

use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::path::Path;

use openwatch_storage::{Position, Wal, WalOptions};
use parking_lot::Mutex;
use serde::{Deserialize, Serialize};

use crate::error::EventsError;

/// Dropped deliveries kept for inspection.
pub const MAX_DROPPED_KEPT: usize = 1000;
/// Records appended since the last compaction that trigger the next one.
pub const COMPACT_AFTER_RECORDS: u64 = 10_000;

/// One delivery of one event to one target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Delivery {
    pub id: u64,
    pub account: String,
    pub region: String,
    pub rule_arn: String,
    pub target_id: String,
    pub target_arn: String,
    pub event_id: String,
    /// What the target receives.
    pub payload: String,
    pub enqueued_millis: i64,
    /// Failed attempts so far.
    pub attempts: u32,
    pub next_attempt_millis: i64,
    pub max_retry_attempts: u32,
    pub max_age_seconds: u32,
    pub dead_letter_arn: Option<String>,
    pub last_error: Option<String>,
}

/// A delivery given up on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dropped {
    pub delivery: Delivery,
    pub reason: String,
    /// Whether the dead-letter target accepted it.
    pub dead_lettered: bool,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Record {
    Enqueue {
        d: Delivery,
    },
    Retry {
        id: u64,
        attempts: u32,
        next: i64,
        error: String,
    },
    Done {
        id: u64,
    },
    Dropped {
        x: Dropped,
    },
}

#[derive(Debug, Default)]
struct QState {
    pending: BTreeMap<u64, Delivery>,
    in_flight: BTreeSet<u64>,
    dropped: VecDeque<Dropped>,
    next_id: u64,
    since_compaction: u64,
}

impl QState {
    fn apply(&mut self, r: Record) {
        match r {
            Record::Enqueue { d } => {
                self.next_id = self.next_id.max(d.id + 1);
                self.pending.insert(d.id, d);
            }
            Record::Retry {
                id,
                attempts,
                next,
                error,
            } => {
                if let Some(d) = self.pending.get_mut(&id) {
                    d.attempts = attempts;
                    d.next_attempt_millis = next;
                    d.last_error = Some(error);
                }
            }
            Record::Done { id } => {
                self.pending.remove(&id);
            }
            Record::Dropped { x } => {
                self.next_id = self.next_id.max(x.delivery.id + 1);
                self.pending.remove(&x.delivery.id);
                if !self.dropped.iter().any(|d| d.delivery.id == x.delivery.id) {
                    self.dropped.push_back(x);
                }
                while self.dropped.len() > MAX_DROPPED_KEPT {
                    self.dropped.pop_front();
                }
            }
        }
    }
}

/// The queue.
#[derive(Debug)]
pub struct Queue {
    wal: Wal,
    state: Mutex<QState>,
}

fn encode(r: &Record) -> Result<Vec<u8>, EventsError> {
    serde_json::to_vec(r).map_err(|e| EventsError::Internal(format!("encode queue record: {e}")))
}

impl Queue {
    /// Opens the queue in `dir`, replaying what is pending.
    pub fn open(dir: &Path, opts: WalOptions) -> Result<Queue, EventsError> {
        let wal = Wal::open(dir, opts)?;
        let mut state = QState::default();
        for item in wal.replay() {
            let (pos, bytes) = item?;
            match serde_json::from_slice::<Record>(&bytes) {
                Ok(r) => state.apply(r),
                Err(e) => {
                    return Err(EventsError::Internal(format!(
                        "delivery queue record at {pos} is not valid: {e}"
                    )));
                }
            }
        }
        if !state.pending.is_empty() {
            tracing::info!(pending = state.pending.len(), "event deliveries recovered");
        }
        Ok(Queue {
            wal,
            state: Mutex::new(state),
        })
    }

    fn append(
        &self,
        state: &mut QState,
        records: &[Record],
    ) -> Result<Option<Position>, EventsError> {
        if records.is_empty() {
            return Ok(None);
        }
        let encoded = records.iter().map(encode).collect::<Result<Vec<_>, _>>()?;
        let refs: Vec<&[u8]> = encoded.iter().map(Vec::as_slice).collect();
        let positions = self.wal.append_batch(&refs)?;
        state.since_compaction += records.len() as u64;
        Ok(positions.last().copied())
    }

    /// Appends deliveries (their ids are assigned here) and returns the position to wait on for
    /// durability. Nothing is queued if the append fails.
    pub fn enqueue(&self, mut deliveries: Vec<Delivery>) -> Result<Option<Position>, EventsError> {
        let mut state = self.state.lock();
        let first = state.next_id;
        for (i, d) in deliveries.iter_mut().enumerate() {
            d.id = first + i as u64;
        }
        let records: Vec<Record> = deliveries
            .into_iter()
            .map(|d| Record::Enqueue { d })
            .collect();
        let pos = self.append(&mut state, &records)?;
        state.next_id = first + records.len() as u64;
        for r in records {
            state.apply(r);
        }
        Ok(pos)
    }

    /// Waits until everything up to `pos` is durable.
    pub async fn durable(&self, pos: Position) -> Result<(), EventsError> {
        Ok(self.wal.durable(pos).await?)
    }

    /// Blocks until everything up to `pos` is durable.
    pub fn wait_durable(&self, pos: Position) -> Result<(), EventsError> {
        Ok(self.wal.wait_durable(pos)?)
    }

    /// The id the next enqueued delivery will get.
    pub fn next_id(&self) -> u64 {
        self.state.lock().next_id
    }

    /// Claims up to `max` deliveries due at `now` with an id below `before` (not already being
    /// attempted).
    pub fn take_due(&self, now: i64, max: usize, before: u64) -> Vec<Delivery> {
        let mut state = self.state.lock();
        let due: Vec<Delivery> = state
            .pending
            .range(..before)
            .map(|(_, d)| d)
            .filter(|d| d.next_attempt_millis <= now && !state.in_flight.contains(&d.id))
            .take(max)
            .cloned()
            .collect();
        for d in &due {
            state.in_flight.insert(d.id);
        }
        due
    }

    fn finish(&self, id: u64, record: Record) -> Result<(), EventsError> {
        let mut state = self.state.lock();
        state.in_flight.remove(&id);
        let r = self.append(&mut state, std::slice::from_ref(&record));
        state.apply(record);
        r.map(|_| ())
    }

    /// Records a successful delivery.
    pub fn done(&self, id: u64) -> Result<(), EventsError> {
        self.finish(id, Record::Done { id })
    }

    /// Records a failed attempt and when to try again.
    pub fn retry(
        &self,
        id: u64,
        attempts: u32,
        next: i64,
        error: String,
    ) -> Result<(), EventsError> {
        self.finish(
            id,
            Record::Retry {
                id,
                attempts,
                next,
                error,
            },
        )
    }

    /// Records that a delivery was given up on.
    pub fn drop_delivery(&self, x: Dropped) -> Result<(), EventsError> {
        self.finish(x.delivery.id, Record::Dropped { x })
    }

    /// Deliveries waiting (including those being attempted).
    pub fn pending(&self) -> Vec<Delivery> {
        self.state.lock().pending.values().cloned().collect()
    }

    /// Deliveries given up on, oldest first.
    pub fn dropped(&self) -> Vec<Dropped> {
        self.state.lock().dropped.iter().cloned().collect()
    }

    /// Rewrites the live state into a fresh segment and deletes older segments, once enough
    /// records have accumulated (or always with `force`). Returns whether it compacted.
    pub fn compact(&self, force: bool) -> Result<bool, EventsError> {
        let mut state = self.state.lock();
        if !force && state.since_compaction < COMPACT_AFTER_RECORDS {
            return Ok(false);
        }
        self.wal.rotate()?;
        let active = self
            .wal
            .segments()
            .last()
            .map(|s| s.id)
            .ok_or_else(|| EventsError::Internal("delivery queue has no segment".into()))?;
        let mut records: Vec<Record> = state
            .pending
            .values()
            .cloned()
            .map(|d| Record::Enqueue { d })
            .collect();
        records.extend(state.dropped.iter().cloned().map(|x| Record::Dropped { x }));
        self.append(&mut state, &records)?;
        self.wal.sync()?;
        self.wal.remove_segments_before(active)?;
        state.since_compaction = 0;
        Ok(true)
    }

    /// Flushes and closes the log.
    pub fn close(&self) -> Result<(), EventsError> {
        Ok(self.wal.close()?)
    }
}
