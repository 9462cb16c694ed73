//! Running one query: every named group is snapshotted into scan units (chunks chosen by time
//! range, then the head); `workers` threads take units in turn, fold their events into a local
//! accumulator and merge it into the query's shared one after each unit, so GetQueryResults sees
//! partial results. Cancellation and the timeout are checked between units; the final status,
//! statistics and rows are recorded in the catalog before the query's thread ends.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use openwatch_logs::store::{ScanSource, ScanUnit};

use super::bloom::Bloom;
use super::{InsightsError, QUERY_TIMEOUT_MS, QueryManager, QueryState, Status};
use crate::ast::DiffPeriod;
use crate::discover::Event;

/// Formats an event pointer: group id, timestamp and sequence (hex), opaque to clients.
pub fn make_ptr(group_id: u64, timestamp: i64, seq: u64) -> String {
    format!("{group_id:016x}{:016x}{seq:016x}", timestamp as u64)
}

/// Parses a pointer made by [`make_ptr`].
pub fn parse_ptr(ptr: &str) -> Option<(u64, i64, u64)> {
    if ptr.len() != 48 || !ptr.is_ascii() {
        return None;
    }
    let g = u64::from_str_radix(&ptr[..16], 16).ok()?;
    let t = u64::from_str_radix(&ptr[16..32], 16).ok()? as i64;
    let s = u64::from_str_radix(&ptr[32..], 16).ok()?;
    Some((g, t, s))
}

/// The earlier period `diff` compares with: `[start, end]` shifted back.
fn previous_range(p: DiffPeriod, start: i64, end: i64) -> (i64, i64) {
    let shift = match p {
        DiffPeriod::Previous => end - start + 1,
        DiffPeriod::Day => 86_400_000,
        DiffPeriod::Week => 7 * 86_400_000,
        DiffPeriod::Month => 30 * 86_400_000,
    };
    (start - shift, end - shift)
}

impl QueryManager {
    /// Runs `s` on its own thread; if no thread can be started it fails (recorded).
    pub(crate) fn spawn(self: &Arc<Self>, s: Arc<QueryState>) -> Result<(), InsightsError> {
        let me = Arc::clone(self);
        let st = Arc::clone(&s);
        let spawned = std::thread::Builder::new()
            .name("insights-query".into())
            .spawn(move || me.run(&st));
        if let Err(e) = spawned {
            let _w = self.persist_lock.lock();
            *s.status.lock() = Status::Failed;
            *s.final_rows.lock() = Some(Vec::new());
            self.persist(&s)?;
            return Err(InsightsError::internal(e));
        }
        Ok(())
    }

    /// Runs a query to its end (on the query's own thread).
    pub(crate) fn run(&self, s: &QueryState) {
        {
            let mut st = s.status.lock();
            if *st != Status::Scheduled {
                return;
            }
            *st = Status::Running;
        }
        let outcome = self.scan_all(s);
        let ctx = self.ctx(s);
        let rows = {
            let acc = s.acc.lock();
            s.plan.finish(&acc, &ctx, s.limit)
        };
        let _w = self.persist_lock.lock();
        *s.final_rows.lock() = Some(rows);
        {
            let mut st = s.status.lock();
            if *st == Status::Running {
                *st = match outcome {
                    Ok(true) => Status::Complete,
                    Ok(false) => Status::Timeout,
                    Err(e) => {
                        tracing::warn!(query = %s.id, error = %e, "insights query failed");
                        Status::Failed
                    }
                };
            }
        }
        // Not recorded, the query re-runs after a restart (and ends the same way).
        if let Err(e) = self.persist(s) {
            tracing::error!(query = %s.id, error = %e, "cannot record a finished insights query");
        }
    }

    /// Scans every unit; `Ok(false)` if the query timed out.
    fn scan_all(&self, s: &QueryState) -> Result<bool, openwatch_logs::LogsError> {
        let mut sources: Vec<(ScanSource, bool)> = Vec::new();
        for g in &s.groups {
            sources.push((
                self.store
                    .scan_source(&s.account, &s.region, g, s.start, s.end)?,
                false,
            ));
            if let Some(p) = s.plan.diff {
                let (a, b) = previous_range(p, s.start, s.end);
                sources.push((
                    self.store.scan_source(&s.account, &s.region, g, a, b)?,
                    true,
                ));
            }
        }
        let units: Vec<(usize, ScanUnit)> = sources
            .iter()
            .enumerate()
            .flat_map(|(i, (src, _))| src.units.iter().cloned().map(move |u| (i, u)))
            .collect();
        let logs: Vec<String> = sources
            .iter()
            .map(|(src, _)| format!("{}:{}", s.account, src.group_name))
            .collect();
        let next = AtomicUsize::new(0);
        let deadline = s.create_time + QUERY_TIMEOUT_MS;
        let timed_out = std::sync::atomic::AtomicBool::new(false);
        let failure = parking_lot::Mutex::new(None);
        let ctx = self.ctx(s);
        let workers = self.workers.min(units.len()).max(1);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| {
                    let plan = s.plan.fork();
                    loop {
                        if s.cancel.load(Ordering::Relaxed) {
                            return;
                        }
                        if self.store.clock().now_millis() > deadline {
                            timed_out.store(true, Ordering::Relaxed);
                            return;
                        }
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some((si, unit)) = units.get(i) else {
                            return;
                        };
                        let (src, previous) = &sources[*si];
                        let mut local = plan.new_acc();
                        let mut matched = 0u64;
                        let mut ptr = String::new();
                        let wants_ptr = plan.discovery.wants_ptr();
                        let lits = &plan.required_literals;
                        // The chunk's trigram filter: skip the chunk if a literal cannot occur
                        // in it; build the filter on this scan if there is none yet.
                        // Chunks written with a trigram filter are skipped by the store itself.
                        let key = match unit {
                            ScanUnit::Chunk(c) if !lits.is_empty() && c.filter.is_none() => {
                                Some((src.group_id, c.id))
                            }
                            _ => None,
                        };
                        let known = key.and_then(|k| self.blooms.get(k));
                        if known
                            .as_ref()
                            .is_some_and(|b| !lits.iter().all(|l| b.may_contain(l.as_bytes())))
                        {
                            continue;
                        }
                        let mut building = (key.is_some() && known.is_none()).then(Bloom::default);
                        let finders: Vec<memchr::memmem::Finder<'_>> = lits
                            .iter()
                            .map(|l| memchr::memmem::Finder::new(l.as_bytes()))
                            .collect();
                        // While building a filter every message must be seen.
                        let store_lits: &[String] = if building.is_some() { &[] } else { lits };
                        // Events of one stream come in runs: remember the last name looked up.
                        let mut last_stream: Option<(u64, &str)> = None;
                        let mut stream_name = |id: u64| match last_stream {
                            Some((i, n)) if i == id => n,
                            _ => {
                                let n = src.streams.get(&id).map_or("", String::as_str);
                                last_stream = Some((id, n));
                                n
                            }
                        };
                        let counts = self.store.scan_unit(src, unit, store_lits, &mut |e| {
                            if let Some(b) = building.as_mut() {
                                b.add(e.message.as_bytes());
                            }
                            if !finders
                                .iter()
                                .all(|f| f.find(e.message.as_bytes()).is_some())
                            {
                                return;
                            }
                            if wants_ptr {
                                ptr.clear();
                                ptr.push_str(&make_ptr(src.group_id, e.timestamp, e.seq));
                            }
                            let ev = Event {
                                timestamp: e.timestamp,
                                ingestion_time: e.ingestion_time,
                                message: e.message,
                                log_stream: stream_name(e.stream),
                                log: &logs[*si],
                                ptr: &ptr,
                            };
                            matched += plan.feed(&ev, *previous, &mut local, &ctx) as u64;
                        });
                        if let (Some(k), Some(b), Ok(_)) = (key, building, &counts) {
                            self.blooms.put(k, b);
                        }
                        match counts {
                            Ok(c) => {
                                s.scanned.fetch_add(c.records, Ordering::Relaxed);
                                s.bytes.fetch_add(c.bytes, Ordering::Relaxed);
                                s.matched.fetch_add(matched, Ordering::Relaxed);
                                let mut acc = s.acc.lock();
                                s.plan.merge(&mut acc, local, &ctx);
                            }
                            Err(e) => {
                                *failure.lock() = Some(e);
                                s.cancel.store(true, Ordering::Relaxed);
                                return;
                            }
                        }
                    }
                });
            }
        });
        if let Some(e) = failure.into_inner() {
            return Err(e);
        }
        Ok(!timed_out.load(Ordering::Relaxed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointers_round_trip() {
        let p = make_ptr(7, 1_704_067_200_000, 42);
        assert_eq!(parse_ptr(&p), Some((7, 1_704_067_200_000, 42)));
        assert_eq!(parse_ptr("zz"), None);
    }
}
