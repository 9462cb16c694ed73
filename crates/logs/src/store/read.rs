//! GetLogEvents and FilterLogEvents: choosing chunks by their index, scanning them and the head,
//! ordering by (timestamp, sequence) and paginating with tokens that encode event keys.

use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

use super::LogStore;
use super::cache::{BlockRef, MAX_THREADS};
use super::chunk::lanes::ALL_LANES;
use super::chunk::{ChunkMeta, RawChunk};
use super::event::{EventKey, StoredEvent};
use super::groups::{check_limit, invalid_token};
use super::prefilter::Prefilter;
use crate::error::LogsError;
use crate::filter_pattern::FilterPattern;
use crate::limits::{
    EVENT_OVERHEAD_BYTES, MAX_EVENTS_LIMIT, MAX_EVENTS_RESPONSE_BYTES, MAX_FILTER_STREAM_NAMES,
};
use crate::model::{FilterPage, GetEventsPage, OutputEvent};
use crate::names::{validate_group_name, validate_stream_name};

/// GetLogEvents' query.
#[derive(Debug, Clone, Default)]
pub struct GetQuery {
    pub stream: String,
    pub start_time: Option<i64>,
    /// Exclusive.
    pub end_time: Option<i64>,
    pub next_token: Option<String>,
    pub limit: Option<i32>,
    pub start_from_head: bool,
}

/// FilterLogEvents' query.
#[derive(Debug, Clone, Default)]
pub struct FilterQuery {
    pub stream_names: Option<Vec<String>>,
    pub stream_prefix: Option<String>,
    pub start_time: Option<i64>,
    /// Inclusive.
    pub end_time: Option<i64>,
    pub pattern: Option<FilterPattern>,
    pub next_token: Option<String>,
    pub limit: Option<i32>,
}

/// Which events a scan wants, in which direction, and how many.
struct Scan<'p> {
    streams: Option<Vec<u64>>,
    /// Inclusive time bounds.
    start: i64,
    end: i64,
    /// Only keys strictly after / before these.
    after: Option<EventKey>,
    before: Option<EventKey>,
    forward: bool,
    /// How many events to find at most.
    want: usize,
    pattern: Option<&'p FilterPattern>,
    /// The pattern's required literals: chunks and events that cannot match are skipped.
    prefilter: Option<Prefilter>,
}

impl Scan<'_> {
    fn accepts_parts(&self, stream: u64, key: EventKey, message: &str) -> bool {
        key.timestamp >= self.start
            && key.timestamp <= self.end
            && self.after.is_none_or(|a| key > a)
            && self.before.is_none_or(|b| key < b)
            && self
                .streams
                .as_ref()
                .is_none_or(|s| s.binary_search(&stream).is_ok())
            && self.pattern.is_none_or(|p| p.matches(message))
    }

    fn accepts(&self, e: &StoredEvent) -> bool {
        self.accepts_parts(e.stream, e.key(), &e.message)
    }

    /// Collects what the scan accepts from one chunk, in the scan's direction, at most `want`.
    fn collect(&self, c: &RawChunk, out: &mut Vec<StoredEvent>) {
        let hs = &c.headers;
        let mut taken = 0;
        if self.forward {
            let from_time = hs.partition_point(|h| h.timestamp < self.start);
            let from_key = self
                .after
                .map_or(0, |a| hs.partition_point(|h| h.key() <= a));
            let mut i = from_time.max(from_key);
            let mut cursor = self.prefilter.as_ref().map(Prefilter::cursor);
            while i < hs.len() {
                if let (Some(p), Some(cur)) = (&self.prefilter, &mut cursor) {
                    match p.next_candidate(c, i, cur) {
                        Some(j) => i = j,
                        None => break,
                    }
                }
                let h = &hs[i];
                if h.timestamp > self.end || self.before.is_some_and(|b| h.key() >= b) {
                    break;
                }
                if self.accepts_parts(h.stream, h.key(), c.message(h)) {
                    out.push(c.event(h));
                    taken += 1;
                    if taken >= self.want {
                        break;
                    }
                }
                i += 1;
            }
        } else {
            let to_time = hs.partition_point(|h| h.timestamp <= self.end);
            let to_key = self
                .before
                .map_or(hs.len(), |b| hs.partition_point(|h| h.key() < b));
            for h in hs[..to_time.min(to_key)].iter().rev() {
                if h.timestamp < self.start || self.after.is_some_and(|a| h.key() <= a) {
                    break;
                }
                if self.accepts_parts(h.stream, h.key(), c.message(h)) {
                    out.push(c.event(h));
                    taken += 1;
                    if taken >= self.want {
                        break;
                    }
                }
            }
        }
    }
}

/// What a read needs from the state, taken under the lock.
struct ReadSnapshot {
    group_id: u64,
    dir: PathBuf,
    chunks: Vec<ChunkMeta>,
    names: HashMap<u64, String>,
    found: Vec<StoredEvent>,
}

fn parse_key(s: &str) -> Option<EventKey> {
    let (ts, seq) = s.split_once('/')?;
    Some(EventKey {
        timestamp: ts.parse().ok()?,
        seq: seq.parse().ok()?,
    })
}

fn key_token(prefix: &str, k: EventKey) -> String {
    format!("{prefix}/{:019}/{:019}", k.timestamp, k.seq)
}

impl LogStore {
    fn read_snapshot(
        &self,
        account: &str,
        region: &str,
        group: &str,
        scan: &mut Scan<'_>,
        stream_filter: impl Fn(&str) -> bool,
    ) -> Result<ReadSnapshot, LogsError> {
        let now = self.now();
        let state = self.state.read();
        let g = state.group(account, region, group)?;
        scan.start = scan.start.max(g.retention_cutoff(now));
        let mut ids: Vec<u64> = g
            .streams
            .values()
            .filter(|s| stream_filter(&s.rec.name))
            .map(|s| s.rec.id)
            .collect();
        ids.sort_unstable();
        let names = g
            .streams
            .values()
            .filter(|s| ids.binary_search(&s.rec.id).is_ok())
            .map(|s| (s.rec.id, s.rec.name.clone()))
            .collect();
        scan.streams = Some(ids);
        let streams = scan.streams.as_deref();
        let (lo, hi) = (
            scan.after
                .map_or(scan.start, |a| a.timestamp.max(scan.start)),
            scan.before.map_or(scan.end, |b| b.timestamp.min(scan.end)),
        );
        let chunks = g
            .chunks
            .values()
            .filter(|c| c.may_hold(streams, lo, hi))
            .cloned()
            .collect();
        let found = g.head.iter().filter(|e| scan.accepts(e)).cloned().collect();
        Ok(ReadSnapshot {
            group_id: g.rec.id,
            dir: g.dir(&self.dir),
            chunks,
            names,
            found,
        })
    }

    /// Finds up to `scan.want` events in key order (ascending if forward, else the last ones),
    /// reading only the chunks, and in them the blocks, that can hold the next events; blocks are
    /// decompressed a few at a time on several threads and scanned in order.
    fn run_scan(
        &self,
        snap: &mut ReadSnapshot,
        scan: &Scan<'_>,
    ) -> Result<Vec<StoredEvent>, LogsError> {
        let mut found = std::mem::take(&mut snap.found);
        let order = |v: &mut Vec<StoredEvent>| {
            v.sort_by_key(StoredEvent::key);
            if scan.forward {
                v.truncate(scan.want);
            } else if v.len() > scan.want {
                v.drain(..v.len() - scan.want);
            }
        };
        order(&mut found);
        let mut chunks = std::mem::take(&mut snap.chunks);
        if scan.forward {
            chunks.sort_by_key(|c| (c.min_ts, c.id));
        } else {
            chunks.sort_by_key(|c| std::cmp::Reverse((c.max_ts, c.id)));
        }
        // Whether events from `min_ts..=max_ts` can no longer make it into the result.
        let beyond = |found: &Vec<StoredEvent>, min_ts: i64, max_ts: i64| {
            found.len() >= scan.want
                && if scan.forward {
                    found.last().is_some_and(|l| min_ts > l.timestamp)
                } else {
                    found.first().is_some_and(|f| max_ts < f.timestamp)
                }
        };
        let lo = scan
            .after
            .map_or(scan.start, |a| a.timestamp.max(scan.start));
        let hi = scan.before.map_or(scan.end, |b| b.timestamp.min(scan.end));
        let threads = MAX_THREADS;
        let mut next_chunk = 0;
        let mut queue: VecDeque<BlockRef> = VecDeque::new();
        loop {
            let mut batch: Vec<BlockRef> = Vec::with_capacity(2 * threads);
            while batch.len() < 2 * threads {
                if let Some(r) = queue.pop_front() {
                    let info = &r.1.blocks[r.2];
                    if !beyond(&found, info.min_ts, info.max_ts) {
                        batch.push(r);
                    }
                    continue;
                }
                let Some(c) = chunks.get(next_chunk) else {
                    break;
                };
                if beyond(&found, c.min_ts, c.max_ts) {
                    // Chunks are in scan order: no later one can hold anything either.
                    next_chunk = chunks.len();
                    break;
                }
                next_chunk += 1;
                if scan
                    .prefilter
                    .as_ref()
                    .is_some_and(|p| !p.chunk_may_match(c))
                {
                    self.cache.note_skipped();
                    continue;
                }
                let Some(layout) = self.cache.layout(&snap.dir, c.id)? else {
                    continue;
                };
                // The blocks (and in them the lanes) whose filters may hold a match.
                let mut wanted: Vec<(usize, u64)> = (0..layout.blocks.len())
                    .filter_map(|b| {
                        let info = &layout.blocks[b];
                        if info.max_ts < lo || info.min_ts > hi {
                            return None;
                        }
                        let lanes = match &scan.prefilter {
                            Some(p) => info.lanes_to_read(|f| p.filter_may_match(f))?,
                            None => ALL_LANES,
                        };
                        Some((b, lanes))
                    })
                    .collect();
                self.cache
                    .note_blocks_skipped(layout.blocks.len() - wanted.len());
                if !scan.forward {
                    wanted.reverse();
                }
                queue.extend(
                    wanted
                        .into_iter()
                        .map(|(b, lanes)| (c.id, Arc::clone(&layout), b, lanes)),
                );
            }
            if batch.is_empty() {
                break;
            }
            let decoded = self.cache.blocks(&snap.dir, &batch, threads)?;
            for ((_, layout, b, _), raw) in batch.iter().zip(decoded) {
                let info = &layout.blocks[*b];
                if beyond(&found, info.min_ts, info.max_ts) {
                    continue;
                }
                if let Some(raw) = raw {
                    scan.collect(&raw, &mut found);
                    order(&mut found);
                }
            }
        }
        Ok(found)
    }

    fn output(&self, snap: &ReadSnapshot, e: StoredEvent) -> OutputEvent {
        OutputEvent {
            log_stream_name: snap.names.get(&e.stream).cloned().unwrap_or_default(),
            event_id: format!("{:016}{:020}{:020}", snap.group_id, e.timestamp, e.seq),
            timestamp: e.timestamp,
            ingestion_time: e.ingestion_time,
            message: e.message,
        }
    }

    /// GetLogEvents over one stream.
    pub fn get_log_events(
        &self,
        account: &str,
        region: &str,
        group: &str,
        q: &GetQuery,
    ) -> Result<GetEventsPage, LogsError> {
        validate_group_name(group)?;
        validate_stream_name(&q.stream)?;
        let limit = check_limit(q.limit, MAX_EVENTS_LIMIT)?;
        let (forward, after, before) = match &q.next_token {
            Some(t) => match t.split_once('/') {
                Some(("f", k)) => (true, Some(parse_key(k).ok_or_else(invalid_token)?), None),
                Some(("b", k)) => (false, None, Some(parse_key(k).ok_or_else(invalid_token)?)),
                _ => return Err(invalid_token()),
            },
            None => (q.start_from_head, None, None),
        };
        let mut scan = Scan {
            streams: None,
            start: q.start_time.unwrap_or(i64::MIN),
            end: q.end_time.map_or(i64::MAX, |e| e.saturating_sub(1)),
            after,
            before,
            forward,
            want: limit,
            pattern: None,
            prefilter: None,
        };
        let mut snap = {
            let state = self.state.read();
            let g = state.group(account, region, group)?;
            if !g.streams.contains_key(&q.stream) {
                return Err(LogsError::stream_not_found());
            }
            drop(state);
            self.read_snapshot(account, region, group, &mut scan, |n| n == q.stream)?
        };
        let mut found = self.run_scan(&mut snap, &scan)?;
        cap_response(&mut found, forward);
        let first = found.first().map(StoredEvent::key);
        let last = found.last().map(StoredEvent::key);
        let same = q.next_token.clone();
        let next_forward_token = match (last, &same, after) {
            (Some(k), _, _) => key_token("f", k),
            (None, Some(t), Some(_)) => t.clone(),
            (None, _, _) => key_token(
                "f",
                before.unwrap_or(EventKey {
                    timestamp: 0,
                    seq: 0,
                }),
            ),
        };
        let next_backward_token = match (first, &same, before) {
            (Some(k), _, _) => key_token("b", k),
            (None, Some(t), Some(_)) => t.clone(),
            (None, _, _) => key_token(
                "b",
                after.unwrap_or(EventKey {
                    timestamp: i64::MAX,
                    seq: u64::MAX,
                }),
            ),
        };
        let events = found.into_iter().map(|e| self.output(&snap, e)).collect();
        Ok(GetEventsPage {
            events,
            next_forward_token,
            next_backward_token,
        })
    }

    /// FilterLogEvents over a group's streams.
    pub fn filter_log_events(
        &self,
        account: &str,
        region: &str,
        group: &str,
        q: &FilterQuery,
    ) -> Result<FilterPage, LogsError> {
        validate_group_name(group)?;
        let limit = check_limit(q.limit, MAX_EVENTS_LIMIT)?;
        if q.stream_names.is_some() && q.stream_prefix.is_some() {
            return Err(LogsError::invalid(
                "You cannot specify both logStreamNames and logStreamNamePrefix.",
            ));
        }
        if let Some(names) = &q.stream_names {
            if names.is_empty() || names.len() > MAX_FILTER_STREAM_NAMES {
                return Err(LogsError::invalid(format!(
                    "1 validation error detected: Value at 'logStreamNames' failed to satisfy constraint: Member must have length less than or equal to {MAX_FILTER_STREAM_NAMES} and greater than or equal to 1"
                )));
            }
            for n in names {
                validate_stream_name(n)?;
            }
        }
        let after = match &q.next_token {
            Some(t) => Some(
                t.strip_prefix("n/")
                    .and_then(parse_key)
                    .ok_or_else(invalid_token)?,
            ),
            None => None,
        };
        let mut scan = Scan {
            streams: None,
            start: q.start_time.unwrap_or(i64::MIN),
            end: q.end_time.unwrap_or(i64::MAX),
            after,
            before: None,
            forward: true,
            want: limit + 1,
            pattern: q.pattern.as_ref(),
            prefilter: q.pattern.as_ref().and_then(Prefilter::new),
        };
        let mut snap = self.read_snapshot(account, region, group, &mut scan, |n| {
            match (&q.stream_names, &q.stream_prefix) {
                (Some(names), _) => names.iter().any(|x| x == n),
                (None, Some(p)) => n.starts_with(p.as_str()),
                (None, None) => true,
            }
        })?;
        let mut found = self.run_scan(&mut snap, &scan)?;
        let mut more = found.len() > limit;
        found.truncate(limit);
        more |= cap_response(&mut found, true);
        let next_token = if more {
            found.last().map(|e| key_token("n", e.key()))
        } else {
            None
        };
        let mut searched: Vec<(String, bool)> =
            snap.names.values().map(|n| (n.clone(), !more)).collect();
        searched.sort();
        let events = found.into_iter().map(|e| self.output(&snap, e)).collect();
        Ok(FilterPage {
            events,
            searched_streams: searched,
            next_token,
        })
    }
}

/// Keeps the response within [`MAX_EVENTS_RESPONSE_BYTES`] (dropping from the far end); returns
/// whether anything was dropped.
fn cap_response(events: &mut Vec<StoredEvent>, forward: bool) -> bool {
    let mut total = 0usize;
    let fits = |e: &StoredEvent, total: &mut usize| {
        *total += e.message.len() + EVENT_OVERHEAD_BYTES;
        *total <= MAX_EVENTS_RESPONSE_BYTES
    };
    if forward {
        let n = events
            .iter()
            .take_while(|e| fits(e, &mut total))
            .count()
            .max(1);
        let cut = n < events.len();
        events.truncate(n);
        cut
    } else {
        let n = events
            .iter()
            .rev()
            .take_while(|e| fits(e, &mut total))
            .count()
            .max(1);
        let cut = n < events.len();
        if cut {
            events.drain(..events.len() - n);
        }
        cut
    }
}
