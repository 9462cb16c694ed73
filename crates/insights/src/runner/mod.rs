//! The query manager: StartQuery schedules a query on a background thread that scans the log
//! store's chunks in parallel; GetQueryResults renders the merged (partial or final) state;
//! StopQuery cancels; DescribeQueries lists. Plus GetLogRecord, GetLogGroupFields and the query
//! definitions (persisted in the catalog).
//!
//! Queries are durable (`durable.rs`): StartQuery records the query in the catalog before
//! answering, a finished query's status, statistics and rows are recorded when it ends, and
//! expiry (7 days, 1000 finished queries per account) deletes the records. After a restart,
//! finished queries answer from their records and interrupted ones are re-run from the start.
//! Query definitions are durable too.

mod bloom;
mod defs;
mod durable;
mod error;
mod fields;
mod run;

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use openwatch_logs::{GroupQuery, LogStore};
use parking_lot::Mutex;

use crate::exec::{Acc, Plan};
use crate::{ResultRow, parse};

pub use defs::{QueryDefinition, QueryDefinitionInput, QueryDefinitionPage};
pub use error::{CompileError, InsightsError};
pub use fields::{FieldShare, LogRecord};

/// Concurrent Logs Insights queries per account (AWS's quota, dashboards included).
pub const MAX_CONCURRENT_QUERIES: usize = 30;
/// Queries time out after this long.
pub const QUERY_TIMEOUT_MS: i64 = 60 * 60 * 1000;
/// Log groups one query may name.
pub const MAX_QUERY_LOG_GROUPS: usize = 50;
/// The longest query string.
pub const MAX_QUERY_STRING: usize = 10_000;
/// Finished queries kept per account (oldest forgotten first); results are kept 7 days at most.
pub const MAX_FINISHED_QUERIES: usize = 1000;
const RESULT_RETENTION_MS: i64 = 7 * 86_400_000;

/// A query's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    Scheduled,
    Running,
    Complete,
    Failed,
    Cancelled,
    Timeout,
}

impl Status {
    /// The API's spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Scheduled => "Scheduled",
            Status::Running => "Running",
            Status::Complete => "Complete",
            Status::Failed => "Failed",
            Status::Cancelled => "Cancelled",
            Status::Timeout => "Timeout",
        }
    }

    /// Parses the API's spelling.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::Scheduled,
            Status::Running,
            Status::Complete,
            Status::Failed,
            Status::Cancelled,
            Status::Timeout,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    fn active(self) -> bool {
        matches!(self, Status::Scheduled | Status::Running)
    }
}

/// StartQuery's input.
#[derive(Debug, Clone, Default)]
pub struct StartQuery {
    pub log_group_name: Option<String>,
    pub log_group_names: Option<Vec<String>>,
    pub log_group_identifiers: Option<Vec<String>>,
    /// Epoch seconds, inclusive.
    pub start_time: i64,
    pub end_time: i64,
    pub query_string: String,
    pub limit: Option<i32>,
}

/// GetQueryResults' answer.
#[derive(Debug, Clone)]
pub struct QueryResults {
    pub status: Status,
    pub results: Vec<ResultRow>,
    pub records_matched: f64,
    pub records_scanned: f64,
    pub bytes_scanned: f64,
}

/// One query in DescribeQueries.
#[derive(Debug, Clone)]
pub struct QueryInfo {
    pub query_id: String,
    pub query_string: String,
    pub status: Status,
    pub create_time: i64,
    pub log_group_name: Option<String>,
}

/// A running or finished query.
#[derive(Debug)]
pub(crate) struct QueryState {
    pub id: String,
    pub account: String,
    pub region: String,
    pub query_string: String,
    pub groups: Vec<String>,
    pub create_time: i64,
    /// Inclusive range in epoch ms.
    pub start: i64,
    pub end: i64,
    pub limit: Option<usize>,
    pub plan: Plan,
    pub status: Mutex<Status>,
    pub acc: Mutex<Acc>,
    /// The rendered rows once the query ended.
    pub final_rows: Mutex<Option<Vec<ResultRow>>>,
    pub matched: AtomicU64,
    pub scanned: AtomicU64,
    pub bytes: AtomicU64,
    pub cancel: AtomicBool,
}

/// Runs Logs Insights queries over a [`LogStore`]. `Send + Sync`; share as `Arc<QueryManager>`.
#[derive(Debug)]
pub struct QueryManager {
    pub(crate) store: Arc<LogStore>,
    queries: Mutex<HashMap<String, Arc<QueryState>>>,
    /// Worker threads per query.
    pub(crate) workers: usize,
    /// Trigram filters of the chunks scanned so far.
    pub(crate) blooms: bloom::BloomCache,
    /// Held across a status change and the record write that follows it.
    pub(crate) persist_lock: Mutex<()>,
}

fn group_name_of(ident: &str) -> String {
    // `arn:aws:logs:region:account:log-group:name[:*]` or a plain name.
    match ident.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest).to_owned(),
        None => ident.to_owned(),
    }
}

impl QueryManager {
    /// A manager over `store` with no queries in memory.
    fn bare(store: Arc<LogStore>) -> Arc<QueryManager> {
        let workers = std::thread::available_parallelism().map_or(2, |n| n.get().min(4));
        Arc::new(QueryManager {
            store,
            queries: Mutex::new(HashMap::new()),
            workers,
            blooms: bloom::BloomCache::default(),
            persist_lock: Mutex::new(()),
        })
    }

    /// A manager over `store`, running each query on up to `min(cores, 4)` threads. Loads the
    /// queries recorded in the store's catalog and re-runs those a restart interrupted.
    pub fn open(store: Arc<LogStore>) -> Result<Arc<QueryManager>, InsightsError> {
        let qm = Self::bare(store);
        for s in qm.recover()? {
            // A query that cannot get a thread is recorded as Failed; the others still run.
            if let Err(e) = qm.spawn(s) {
                tracing::error!(error = %e, "cannot re-run an interrupted insights query");
            }
        }
        Ok(qm)
    }

    /// [`QueryManager::open`], for callers that cannot fail: if the stored queries cannot be
    /// read, the error is logged and the manager starts with none in memory (their records stay
    /// in the catalog for the next open).
    pub fn new(store: Arc<LogStore>) -> Arc<QueryManager> {
        Self::open(Arc::clone(&store)).unwrap_or_else(|e| {
            tracing::error!(error = %e, "cannot recover stored Logs Insights queries");
            Self::bare(store)
        })
    }

    fn now(&self) -> i64 {
        self.store.clock().now_millis()
    }

    /// StartQuery: validates, plans and schedules the query; returns its id.
    pub fn start_query(
        self: &Arc<Self>,
        account: &str,
        region: &str,
        q: StartQuery,
    ) -> Result<String, InsightsError> {
        if q.query_string.is_empty() || q.query_string.chars().count() > MAX_QUERY_STRING {
            return Err(InsightsError::invalid(format!(
                "1 validation error detected: Value at 'queryString' failed to satisfy constraint: Member must have length less than or equal to {MAX_QUERY_STRING} and greater than or equal to 0"
            )));
        }
        if let Some(l) = q.limit
            && !(1..=crate::MAX_RESULT_ROWS as i32).contains(&l)
        {
            return Err(InsightsError::invalid(format!(
                "1 validation error detected: Value '{l}' at 'limit' failed to satisfy constraint: Member must have value {} {}",
                if l < 1 {
                    "greater than or equal to"
                } else {
                    "less than or equal to"
                },
                if l < 1 {
                    1
                } else {
                    crate::MAX_RESULT_ROWS as i32
                }
            )));
        }
        if q.start_time < 0 || q.end_time < 0 {
            return Err(InsightsError::invalid(
                "startTime and endTime must be non-negative epoch seconds.",
            ));
        }
        if q.end_time < q.start_time {
            return Err(InsightsError::invalid(
                "End time should not be before the start time.",
            ));
        }
        let query = parse(&q.query_string)
            .map_err(|e| InsightsError::malformed_query(&q.query_string, &e))?;
        let given = [
            q.log_group_name.is_some(),
            q.log_group_names.is_some(),
            q.log_group_identifiers.is_some(),
        ]
        .iter()
        .filter(|x| **x)
        .count();
        let mut groups: Vec<String> = match (
            &q.log_group_name,
            &q.log_group_names,
            &q.log_group_identifiers,
        ) {
            (Some(n), None, None) => vec![n.clone()],
            (None, Some(ns), None) => ns.clone(),
            (None, None, Some(ids)) => ids.iter().map(|i| group_name_of(i)).collect(),
            _ => Vec::new(),
        };
        match (&query.source, given) {
            (Some(_), 0) | (None, 1) => {}
            (Some(_), _) => {
                return Err(InsightsError::invalid(
                    "When the query string contains a SOURCE command, do not specify logGroupName, logGroupNames or logGroupIdentifiers.",
                ));
            }
            (None, _) => {
                return Err(InsightsError::invalid(
                    "A StartQuery operation must include exactly one of the following parameters: logGroupName, logGroupNames or logGroupIdentifiers.",
                ));
            }
        }
        if let Some(src) = &query.source {
            for prefix in &src.name_prefixes {
                let page = self.store.describe_log_groups(
                    account,
                    region,
                    &GroupQuery {
                        prefix: Some(prefix.clone()),
                        limit: Some(MAX_QUERY_LOG_GROUPS as i32),
                        ..GroupQuery::default()
                    },
                )?;
                for g in page.groups {
                    if src.class.as_ref().is_none_or(|c| *c == g.log_group_class)
                        && !groups.contains(&g.name)
                    {
                        groups.push(g.name);
                    }
                }
            }
        }
        if groups.is_empty() || groups.len() > MAX_QUERY_LOG_GROUPS {
            return Err(InsightsError::invalid(format!(
                "A query must name between 1 and {MAX_QUERY_LOG_GROUPS} log groups."
            )));
        }
        for g in &groups {
            // Fails with ResourceNotFoundException for an unknown group.
            self.store.scan_source(account, region, g, 0, -1)?;
        }
        let limit = q.limit.map(|l| l as usize);
        let plan = Plan::new(query, limit);
        let now = self.now();
        let state = Arc::new(QueryState {
            id: uuid::Uuid::new_v4().to_string(),
            account: account.to_owned(),
            region: region.to_owned(),
            query_string: q.query_string,
            groups,
            create_time: now,
            start: q.start_time.saturating_mul(1000),
            end: q.end_time.saturating_mul(1000).saturating_add(999),
            limit,
            acc: Mutex::new(plan.new_acc()),
            plan,
            status: Mutex::new(Status::Scheduled),
            final_rows: Mutex::new(None),
            matched: AtomicU64::new(0),
            scanned: AtomicU64::new(0),
            bytes: AtomicU64::new(0),
            cancel: AtomicBool::new(false),
        });
        let gone = {
            let mut queries = self.queries.lock();
            let gone = Self::forget_old(&mut queries, account, now);
            let active = queries
                .values()
                .filter(|s| s.account == account && s.status.lock().active())
                .count();
            if active >= MAX_CONCURRENT_QUERIES {
                return Err(InsightsError::limit(format!(
                    "Account maximum query concurrency limit of [{MAX_CONCURRENT_QUERIES}] reached."
                )));
            }
            queries.insert(state.id.clone(), Arc::clone(&state));
            gone
        };
        if let Err(e) = self.delete_records(&gone) {
            // Forgotten in memory; the next open applies the same bounds to the records.
            tracing::warn!(error = %e, "cannot delete expired Logs Insights queries");
        }
        // Recorded before the answer; a failure forgets the query.
        let recorded = {
            let _w = self.persist_lock.lock();
            self.persist(&state)
        };
        if let Err(e) = recorded {
            self.queries.lock().remove(&state.id);
            return Err(e);
        }
        self.spawn(Arc::clone(&state))?;
        Ok(state.id.clone())
    }

    /// Drops finished queries past the age bound and the account's beyond the count bound;
    /// returns those dropped (whose records the caller deletes).
    fn forget_old(
        queries: &mut HashMap<String, Arc<QueryState>>,
        account: &str,
        now: i64,
    ) -> Vec<Arc<QueryState>> {
        let mut gone: Vec<Arc<QueryState>> = Vec::new();
        queries.retain(|_, s| {
            let keep = s.status.lock().active() || now - s.create_time < RESULT_RETENTION_MS;
            if !keep {
                gone.push(Arc::clone(s));
            }
            keep
        });
        let mut done: Vec<(i64, String)> = queries
            .values()
            .filter(|s| s.account == account && !s.status.lock().active())
            .map(|s| (s.create_time, s.id.clone()))
            .collect();
        if done.len() > MAX_FINISHED_QUERIES {
            done.sort();
            for (_, id) in &done[..done.len() - MAX_FINISHED_QUERIES] {
                gone.extend(queries.remove(id));
            }
        }
        gone
    }

    fn query(
        &self,
        account: &str,
        region: &str,
        id: &str,
    ) -> Result<Arc<QueryState>, InsightsError> {
        self.queries
            .lock()
            .get(id)
            .filter(|s| s.account == account && s.region == region)
            .cloned()
            .ok_or_else(|| InsightsError::not_found(format!("Query does not exist: {id}")))
    }

    /// GetQueryResults: the status and the rows so far (partial while running).
    pub fn get_query_results(
        &self,
        account: &str,
        region: &str,
        id: &str,
    ) -> Result<QueryResults, InsightsError> {
        let s = self.query(account, region, id)?;
        let status = *s.status.lock();
        let results = match s.final_rows.lock().clone() {
            Some(rows) => rows,
            None => {
                let acc = s.acc.lock().clone();
                s.plan.finish(&acc, &self.ctx(&s), s.limit)
            }
        };
        Ok(QueryResults {
            status,
            results,
            records_matched: s.matched.load(Ordering::Relaxed) as f64,
            records_scanned: s.scanned.load(Ordering::Relaxed) as f64,
            bytes_scanned: s.bytes.load(Ordering::Relaxed) as f64,
        })
    }

    pub(crate) fn ctx(&self, s: &QueryState) -> crate::eval::Ctx {
        crate::eval::Ctx { now: s.create_time }
    }

    /// StopQuery: cancels a scheduled or running query (`false` if it already ended).
    pub fn stop_query(&self, account: &str, region: &str, id: &str) -> Result<bool, InsightsError> {
        let s = self.query(account, region, id)?;
        let _w = self.persist_lock.lock();
        {
            let mut st = s.status.lock();
            if !st.active() {
                return Ok(false);
            }
            s.cancel.store(true, Ordering::Relaxed);
            *st = Status::Cancelled;
        }
        self.persist(&s)?;
        Ok(true)
    }

    /// DescribeQueries: the account's queries, newest first, optionally of one group / status.
    pub fn describe_queries(
        &self,
        account: &str,
        region: &str,
        group: Option<&str>,
        status: Option<Status>,
        max_results: Option<i32>,
        next_token: Option<&str>,
    ) -> Result<(Vec<QueryInfo>, Option<String>), InsightsError> {
        let max = match max_results {
            None => 1000,
            Some(n) if (1..=1000).contains(&n) => n as usize,
            Some(n) => {
                return Err(InsightsError::invalid(format!(
                    "1 validation error detected: Value '{n}' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 1000"
                )));
            }
        };
        let skip = match next_token {
            None => 0,
            Some(t) => t
                .parse::<usize>()
                .map_err(|_| InsightsError::invalid("The specified nextToken is invalid."))?,
        };
        let mut all: Vec<QueryInfo> = self
            .queries
            .lock()
            .values()
            .filter(|s| s.account == account && s.region == region)
            .filter(|s| group.is_none_or(|g| s.groups.iter().any(|x| x == g)))
            .map(|s| QueryInfo {
                query_id: s.id.clone(),
                query_string: s.query_string.clone(),
                status: *s.status.lock(),
                create_time: s.create_time,
                log_group_name: s.groups.first().cloned(),
            })
            .filter(|q| status.is_none_or(|x| q.status == x))
            .collect();
        all.sort_by(|a, b| {
            b.create_time
                .cmp(&a.create_time)
                .then(a.query_id.cmp(&b.query_id))
        });
        let page: Vec<QueryInfo> = all.iter().skip(skip).take(max).cloned().collect();
        let next = (skip + page.len() < all.len()).then(|| (skip + page.len()).to_string());
        Ok((page, next))
    }
}

#[cfg(test)]
mod durable_tests;
#[cfg(test)]
mod tests;
