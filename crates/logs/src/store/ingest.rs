//! PutLogEvents: validation with AWS's limits, rejection of too-old/too-new/expired events, the WAL
//! append and the head.
//!
//! Flushing a head that grew past twice the chunk target is left to a blocking thread the async
//! caller starts ([`LogStore::run_wanted_flushes`]), so compression never holds a request worker,
//! except as backpressure when a head exceeds [`HEAD_BACKPRESSURE_TARGETS`] chunk targets.

use std::sync::atomic::Ordering;

use openwatch_storage::Position;

use super::codec::{WalBatch, encode_events, set_batch_ids};
use super::flush::FlushReport;
use super::streams::sequence_token;
use super::{Group, GroupKey, HEAD_BACKPRESSURE_TARGETS, LogStore};
use crate::error::LogsError;
use crate::limits::{
    EVENT_OVERHEAD_BYTES, MAX_BATCH_BYTES, MAX_BATCH_EVENTS, MAX_BATCH_SPAN_MS, MAX_EVENT_BYTES,
    MAX_FUTURE_MS, MAX_PAST_MS,
};
use crate::model::{MetricFilter, PutResult, RejectedInfo};
use crate::names::{validate_group_name, validate_stream_name};

/// An event as PutLogEvents receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputEvent {
    pub timestamp: i64,
    pub message: String,
}

/// Checks the request-level limits that fail the whole call.
fn validate_batch(events: &[InputEvent]) -> Result<(), LogsError> {
    if events.is_empty() {
        return Err(LogsError::invalid(
            "1 validation error detected: Value '[]' at 'logEvents' failed to satisfy constraint: Member must have length greater than or equal to 1",
        ));
    }
    if events.len() > MAX_BATCH_EVENTS {
        return Err(LogsError::invalid(format!(
            "1 validation error detected: Value at 'logEvents' failed to satisfy constraint: Member must have length less than or equal to {MAX_BATCH_EVENTS}"
        )));
    }
    let mut total = 0usize;
    for (i, e) in events.iter().enumerate() {
        if e.message.is_empty() {
            return Err(LogsError::invalid(format!(
                "1 validation error detected: Value '' at 'logEvents.{}.member.message' failed to satisfy constraint: Member must have length greater than or equal to 1",
                i + 1
            )));
        }
        if e.timestamp < 0 {
            return Err(LogsError::invalid(format!(
                "1 validation error detected: Value '{}' at 'logEvents.{}.member.timestamp' failed to satisfy constraint: Member must have value greater than or equal to 0",
                e.timestamp,
                i + 1
            )));
        }
        if e.message.len() > MAX_EVENT_BYTES {
            return Err(LogsError::invalid(format!(
                "Log event too large: {} bytes exceeds limit of {MAX_EVENT_BYTES}",
                e.message.len()
            )));
        }
        total += e.message.len() + EVENT_OVERHEAD_BYTES;
    }
    if total > MAX_BATCH_BYTES {
        return Err(LogsError::invalid(format!(
            "Upload too large: {total} bytes exceeds limit of {MAX_BATCH_BYTES}"
        )));
    }
    if events.windows(2).any(|w| w[1].timestamp < w[0].timestamp) {
        return Err(LogsError::invalid(
            "Log events in a single PutLogEvents request must be in chronological order.",
        ));
    }
    Ok(())
}

/// Splits a chronological batch into (too old, expired, accepted, too new) by index.
fn classify(
    events: &[InputEvent],
    now: i64,
    retention_cutoff: i64,
) -> (RejectedInfo, usize, usize) {
    let too_old_end = events.partition_point(|e| e.timestamp < now - MAX_PAST_MS);
    let expired_end = events.partition_point(|e| e.timestamp < retention_cutoff);
    let too_new_start = events.partition_point(|e| e.timestamp <= now + MAX_FUTURE_MS);
    let start = too_old_end.max(expired_end).min(too_new_start);
    let info = RejectedInfo {
        too_new_start_index: (too_new_start < events.len()).then_some(too_new_start as i32),
        too_old_end_index: (too_old_end > 0).then_some(too_old_end as i32),
        expired_end_index: (expired_end > 0).then_some(expired_end as i32),
    };
    (info, start, too_new_start)
}

/// Adds one WAL record's events to a group's head and its stream's statistics.
pub(crate) fn apply(group: &mut Group, stream_name: &str, pos: Position, batch: WalBatch) {
    let n = batch.events.len();
    let ingestion = batch.ingestion_time;
    group.next_seq = group.next_seq.max(batch.first_seq + n as u64);
    if let Some(s) = group.streams.get_mut(stream_name) {
        for (ts, msg) in &batch.events {
            s.rec.first_event = Some(s.rec.first_event.map_or(*ts, |f| f.min(*ts)));
            s.rec.last_event = Some(s.rec.last_event.map_or(*ts, |l| l.max(*ts)));
            s.rec.stored_bytes += msg.len() as u64;
        }
        s.rec.last_ingestion = Some(s.rec.last_ingestion.map_or(ingestion, |l| l.max(ingestion)));
        s.dirty = true;
    }
    for e in batch.into_events() {
        group.head_bytes += e.message.len();
        group.head.push(e);
    }
    group.head_records.push_back((pos, n));
    group.head_since.get_or_insert(ingestion);
}

/// What a put leaves for the group's head once its batch is durable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FlushNeed {
    /// Nothing: the head is below twice the chunk target.
    None,
    /// A flush is due; the caller is async, so it is only flagged for a background run
    /// ([`LogStore::flush_wanted`]).
    Wanted,
    /// Flush now, on this thread: a blocking caller, or a head past the backpressure limit.
    Now,
}

/// Who is putting: decides whether a due flush runs on the caller's thread.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Caller {
    /// An async request handler: flushes only under backpressure, otherwise flags them.
    Async,
    /// A synchronous caller on a thread of its own: flushes when due.
    Blocking,
}

/// A batch appended to the WAL, not yet known durable.
struct Appended {
    pos: Option<Position>,
    result: PutResult,
    flush: FlushNeed,
    /// The accepted events' range in the request.
    accepted: std::ops::Range<usize>,
    /// The group and its metric filters, when there is something to emit.
    emit: Option<(GroupKey, u64, Vec<MetricFilter>)>,
    /// `(account, region)` for Embedded Metric Format extraction, when a sink is set.
    emf: Option<(String, String)>,
}

impl LogStore {
    /// Stores a batch of events in a stream. Fails as a whole on request-level limits; events that
    /// are too old, expired or too new are reported in the result and the rest stored. Returns once
    /// the accepted events are durable; their metric filters' values are then handed to the
    /// [`super::MetricSink`] (which queues them).
    ///
    /// A head that reached twice the chunk target is not flushed here (that would hold an async
    /// worker for the compression): the put flags it, and the caller runs
    /// [`LogStore::run_wanted_flushes`] on a blocking thread when [`LogStore::flush_wanted`]
    /// says so. Only a head past [`HEAD_BACKPRESSURE_TARGETS`] chunk targets (flushes falling
    /// behind, or nobody running them) is flushed by the put itself.
    pub async fn put_log_events(
        &self,
        account: &str,
        region: &str,
        group: &str,
        stream: &str,
        events: Vec<InputEvent>,
    ) -> Result<PutResult, LogsError> {
        let appended =
            self.append_events(account, region, group, stream, &events, Caller::Async)?;
        if let Some(pos) = appended.pos {
            self.wal.durable(pos).await?;
        }
        Ok(self.after_durable(appended, &events))
    }

    /// [`LogStore::put_log_events`] for synchronous callers in other domains (EventBridge
    /// targets): blocks the thread until the events are durable, and flushes due heads itself.
    pub fn put_log_events_blocking(
        &self,
        account: &str,
        region: &str,
        group: &str,
        stream: &str,
        events: Vec<InputEvent>,
    ) -> Result<PutResult, LogsError> {
        let appended =
            self.append_events(account, region, group, stream, &events, Caller::Blocking)?;
        if let Some(pos) = appended.pos {
            self.wal.wait_durable(pos)?;
        }
        Ok(self.after_durable(appended, &events))
    }

    /// [`LogStore::put_log_events_blocking`] for events a subscription forwards: their Embedded
    /// Metric Format metrics were already emitted in the source group's account, so they are not
    /// extracted again (the target group's metric filters do apply).
    pub(crate) fn put_forwarded_blocking(
        &self,
        account: &str,
        region: &str,
        group: &str,
        stream: &str,
        events: Vec<InputEvent>,
    ) -> Result<PutResult, LogsError> {
        let mut appended =
            self.append_events(account, region, group, stream, &events, Caller::Blocking)?;
        appended.emf = None;
        if let Some(pos) = appended.pos {
            self.wal.wait_durable(pos)?;
        }
        Ok(self.after_durable(appended, &events))
    }

    /// Whether a put left a head due for flushing and no [`LogStore::run_wanted_flushes`] is
    /// running: an async caller should then start one on a blocking thread.
    pub fn flush_wanted(&self) -> bool {
        self.flush_wanted.load(Ordering::Acquire) && !self.flushing.load(Ordering::Acquire)
    }

    /// Flushes the due heads puts asked for ([`LogStore::flush_due`]), again while puts keep
    /// asking; returns at once if another call is already doing it. Blocks (compression and
    /// file writes): run it on a blocking thread.
    pub fn run_wanted_flushes(&self) -> Result<FlushReport, LogsError> {
        let mut total = FlushReport::default();
        if self.flushing.swap(true, Ordering::AcqRel) {
            return Ok(total);
        }
        loop {
            self.flush_wanted.store(false, Ordering::Release);
            let report = self.flush_due();
            self.flushing.store(false, Ordering::Release);
            let report = report?;
            total.chunks_written += report.chunks_written;
            total.events_flushed += report.events_flushed;
            total.wal_segments_removed += report.wal_segments_removed;
            if !self.flush_wanted.load(Ordering::Acquire)
                || self.flushing.swap(true, Ordering::AcqRel)
            {
                return Ok(total);
            }
        }
    }

    /// Emits what durable events produce and flushes (or flags) a due head. A failed flush is
    /// logged, not returned: the batch is durable and acknowledged, and its events stay in the
    /// head (and the WAL) for the next flush.
    fn after_durable(&self, appended: Appended, events: &[InputEvent]) -> PutResult {
        let accepted = &events[appended.accepted.clone()];
        if let Some((key, group_id, filters)) = &appended.emit {
            self.emit_metrics(key, *group_id, filters, accepted);
        }
        if let Some((account, region)) = &appended.emf {
            self.emit_emf(account, region, accepted);
        }
        match appended.flush {
            FlushNeed::None => {}
            FlushNeed::Wanted => self.flush_wanted.store(true, Ordering::Release),
            FlushNeed::Now => {
                if let Err(e) = self.flush_due() {
                    tracing::warn!(error = %e, "flushing log heads after a put failed");
                }
            }
        }
        appended.result
    }

    /// Validates and appends the accepted events to the WAL and the group's head.
    fn append_events(
        &self,
        account: &str,
        region: &str,
        group: &str,
        stream: &str,
        events: &[InputEvent],
        caller: Caller,
    ) -> Result<Appended, LogsError> {
        validate_group_name(group)?;
        validate_stream_name(stream)?;
        validate_batch(events)?;
        let sink = self.emitter.active();
        let now = self.now();
        // Copying the messages and encoding the WAL record take most of a put's time in the
        // store: both happen before the lock, which every put of every group takes. The head
        // gets copies, not the request's strings: the copies are allocated together, while the
        // request's strings sit among the many short-lived allocations of decoding. Keeping those
        // alive until the flush fragmented the heap so badly that every allocation of the request
        // path got slower: moving them instead of copying doubled the CPU time per ingested MB
        // (openwatch-bench logs, docs/BENCHMARKS.md).
        let mut copies: Vec<(i64, String)> = events
            .iter()
            .map(|e| (e.timestamp, e.message.clone()))
            .collect();
        let mut record = encode_events(now, &copies);
        let mut state = self.state.write();
        let g = state.group_mut(account, region, group)?;
        let stream_id = g
            .streams
            .get(stream)
            .map(|s| s.rec.id)
            .ok_or_else(LogsError::stream_not_found)?;
        let (rejected, start, end) = classify(events, now, g.retention_cutoff(now));
        let accepted = &events[start..end];
        if let (Some(first), Some(last)) = (accepted.first(), accepted.last())
            && last.timestamp - first.timestamp > MAX_BATCH_SPAN_MS
        {
            return Err(LogsError::invalid(
                "The batch of log events in a single PutLogEvents request cannot span more than 24 hours.",
            ));
        }
        let rejected = (!rejected.is_empty()).then_some(rejected);
        if accepted.is_empty() {
            let token = sequence_token(g.next_seq);
            return Ok(Appended {
                pos: None,
                result: PutResult {
                    next_sequence_token: token,
                    rejected,
                    accepted: 0,
                },
                flush: FlushNeed::None,
                accepted: start..start,
                emit: None,
                emf: None,
            });
        }
        let emit = (sink && !g.rec.metric_filters.is_empty()).then(|| {
            (
                (account.to_owned(), region.to_owned(), group.to_owned()),
                g.rec.id,
                g.rec.metric_filters.values().cloned().collect::<Vec<_>>(),
            )
        });
        let n = accepted.len();
        if n != copies.len() {
            // Some events were rejected (rare): the record holds the accepted ones only.
            copies.truncate(end);
            copies.drain(..start);
            record = encode_events(now, &copies);
        }
        set_batch_ids(&mut record, g.rec.id, stream_id, g.next_seq);
        let batch = WalBatch {
            group: g.rec.id,
            stream: stream_id,
            first_seq: g.next_seq,
            ingestion_time: now,
            events: copies,
        };
        let pos = self.wal.append(&record)?;
        apply(g, stream, pos, batch);
        let target = self.opts.chunk_target_bytes;
        let flush = if g.head_bytes >= HEAD_BACKPRESSURE_TARGETS.saturating_mul(target) {
            FlushNeed::Now
        } else if g.head_bytes >= 2usize.saturating_mul(target) {
            match caller {
                Caller::Async => FlushNeed::Wanted,
                Caller::Blocking => FlushNeed::Now,
            }
        } else {
            FlushNeed::None
        };
        Ok(Appended {
            pos: Some(pos),
            result: PutResult {
                next_sequence_token: sequence_token(g.next_seq),
                rejected,
                accepted: n,
            },
            flush,
            accepted: start..end,
            emit,
            emf: sink.then(|| (account.to_owned(), region.to_owned())),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(ts: i64) -> InputEvent {
        InputEvent {
            timestamp: ts,
            message: "m".into(),
        }
    }

    #[test]
    fn classify_splits_by_index() {
        let now = 100 * 86_400_000;
        let events = vec![
            ev(now - MAX_PAST_MS - 1),
            ev(now - 2 * 86_400_000),
            ev(now),
            ev(now + MAX_FUTURE_MS + 1),
        ];
        let (info, start, end) = classify(&events, now, now - 86_400_000);
        assert_eq!(info.too_old_end_index, Some(1));
        assert_eq!(info.expired_end_index, Some(2));
        assert_eq!(info.too_new_start_index, Some(3));
        assert_eq!((start, end), (2, 3));
    }
}
