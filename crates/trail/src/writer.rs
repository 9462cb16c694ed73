//! The asynchronous writer: a bounded queue filled on the request path and drained by one
//! background thread that stamps event ids, serializes, appends in batches and indexes.
//!
//! Backpressure choice: `record` never waits on storage while the queue has room (a push is a
//! mutex-protected `VecDeque::push_back`). When the queue is full (storage is far behind), it
//! waits at most `enqueue_timeout` for room, then drops the record, counts it and warns (at the
//! 1st, 2nd, 4th, 8th… drop). Stalling every API call behind a dead disk would turn an audit
//! problem into an outage; the drop counter makes the loss visible.

use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Instant;

use openwatch_storage::wal::{MAX_RECORD_BYTES, Position};
use parking_lot::{Condvar, Mutex};

use crate::record::CloudTrailRecord;
use crate::retention::DAY_MILLIS;
use crate::store::codec;
use crate::trail::Shared;

#[derive(Debug, Default)]
struct QueueState {
    items: VecDeque<CloudTrailRecord>,
    /// Records accepted since open.
    enqueued: u64,
    closed: bool,
}

/// How far the writer got: records handled (stored or failed) and the last stored position.
#[derive(Debug, Default)]
struct Progress {
    handled: u64,
    last_pos: Option<Position>,
    failure: Option<String>,
}

/// The bounded queue between request threads and the writer thread.
#[derive(Debug)]
pub(crate) struct Queue {
    state: Mutex<QueueState>,
    not_empty: Condvar,
    not_full: Condvar,
    progress: Mutex<Progress>,
    progressed: Condvar,
}

impl Queue {
    pub(crate) fn new() -> Self {
        Queue {
            state: Mutex::new(QueueState::default()),
            not_empty: Condvar::new(),
            not_full: Condvar::new(),
            progress: Mutex::new(Progress::default()),
            progressed: Condvar::new(),
        }
    }

    /// Records waiting for the writer.
    pub(crate) fn len(&self) -> usize {
        self.state.lock().items.len()
    }

    /// Marks the queue closed and wakes everyone; the writer drains what is queued and exits.
    pub(crate) fn close(&self) {
        self.state.lock().closed = true;
        self.not_empty.notify_all();
        self.not_full.notify_all();
    }
}

/// Queues `input` for the writer; `false` if it was dropped (full past the timeout, or closed).
pub(crate) fn push(shared: &Shared, input: CloudTrailRecord) -> bool {
    let q = &shared.queue;
    let mut s = q.state.lock();
    if s.items.len() >= shared.opts.queue_capacity && !s.closed {
        let deadline = Instant::now() + shared.opts.enqueue_timeout;
        while s.items.len() >= shared.opts.queue_capacity && !s.closed {
            if q.not_full.wait_until(&mut s, deadline).timed_out() {
                break;
            }
        }
    }
    if s.closed || s.items.len() >= shared.opts.queue_capacity {
        let closed = s.closed;
        drop(s);
        count_drop(
            shared,
            if closed {
                "the trail is closed"
            } else {
                "the queue is full"
            },
        );
        return false;
    }
    s.items.push_back(input);
    s.enqueued += 1;
    if s.items.len() == 1 {
        q.not_empty.notify_one();
    }
    true
}

fn count_drop(shared: &Shared, why: &'static str) {
    let n = shared.stats.dropped.fetch_add(1, Ordering::Relaxed) + 1;
    if n.is_power_of_two() {
        tracing::warn!(dropped_total = n, why, "audit record dropped");
    }
}

/// Waits until every record queued before the call is stored and durable.
pub(crate) fn flush(shared: &Shared) -> Result<(), crate::TrailError> {
    let target = {
        let s = shared.queue.state.lock();
        shared.queue.not_empty.notify_one();
        s.enqueued
    };
    let (last_pos, failure) = {
        let mut p = shared.queue.progress.lock();
        while p.handled < target {
            if shared.writer_gone() {
                return Err(crate::TrailError::Closed);
            }
            shared
                .queue
                .progressed
                .wait_for(&mut p, std::time::Duration::from_millis(100));
        }
        (p.last_pos, p.failure.take())
    };
    if let Some(pos) = last_pos {
        shared.log.wait_durable(pos)?;
    }
    match failure {
        Some(f) => Err(crate::TrailError::WriterFailed(f)),
        None => Ok(()),
    }
}

/// The writer thread's loop: runs until the queue is closed and empty.
pub(crate) fn run(shared: Arc<Shared>) {
    let mut day = shared.initial_day();
    loop {
        let batch: Vec<CloudTrailRecord> = {
            let mut s = shared.queue.state.lock();
            while s.items.is_empty() && !s.closed {
                shared.queue.not_empty.wait(&mut s);
            }
            if s.items.is_empty() {
                break; // closed and drained
            }
            let n = s.items.len().min(shared.opts.max_batch);
            s.items.drain(..n).collect()
        };
        shared.queue.not_full.notify_all();
        write_batch(&shared, batch, &mut day);
    }
}

fn write_batch(shared: &Shared, mut batch: Vec<CloudTrailRecord>, day: &mut Option<i64>) {
    let n = batch.len() as u64;
    // Keep the log in event-time order as far as one batch allows.
    batch.sort_by_key(|r| r.input.event_time_millis);
    let mut payloads: Vec<Vec<u8>> = Vec::with_capacity(batch.len());
    for input in batch {
        let mut buf = Vec::with_capacity(1024);
        codec::encode(&input, &mut buf);
        if buf.len() > MAX_RECORD_BYTES {
            count_drop(shared, "the record exceeds the log's record size limit");
            continue;
        }
        payloads.push(buf);
    }
    let refs: Vec<&[u8]> = payloads.iter().map(Vec::as_slice).collect();
    let result = {
        let _appending = shared.append_lock.lock();
        rotate_daily(shared, day);
        shared.log.append_batch(&refs).map(|positions| {
            let mut index = shared.index.write();
            for (pos, bytes) in positions.iter().zip(&payloads) {
                let indexed = codec::decode(bytes).and_then(|rec| index.insert(*pos, &rec));
                if let Err(reason) = indexed {
                    tracing::error!(position = %pos, reason, "audit record stored but not indexed");
                }
            }
            positions.last().copied()
        })
    };
    let mut p = shared.queue.progress.lock();
    p.handled += n;
    match result {
        Ok(last) => {
            shared
                .stats
                .recorded
                .fetch_add(refs.len() as u64, Ordering::Relaxed);
            if last.is_some() {
                p.last_pos = last;
            }
        }
        Err(e) => {
            shared
                .stats
                .failed
                .fetch_add(refs.len() as u64, Ordering::Relaxed);
            tracing::error!(error = %e, records = refs.len(), "appending audit records failed");
            p.failure = Some(e.to_string());
        }
    }
    drop(p);
    shared.queue.progressed.notify_all();
}

/// Starts a new segment at each UTC day boundary, so retention deletes whole days.
fn rotate_daily(shared: &Shared, day: &mut Option<i64>) {
    let today = shared.clock.now_millis().div_euclid(DAY_MILLIS);
    if let Some(d) = *day
        && d != today
        && let Err(e) = shared.log.rotate()
    {
        tracing::warn!(error = %e, "daily rotation of the audit log failed");
    }
    *day = Some(today);
}
