//! Durable queries: one catalog record per query in `insights_queries` (JSON, keyed by
//! `account \n region \n id`). StartQuery writes it before answering; StopQuery and the end of a
//! run rewrite it with the final status, statistics and rows; expiry deletes it. On open, the
//! records are loaded back: finished queries answer from their stored rows, queries that were
//! Scheduled/Running when the process died are re-run from the start (the query is
//! deterministic over its time range) unless past the 60-minute timeout.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use openwatch_storage::catalog::{RecordTable, load_records, put_record, record_key};
use parking_lot::Mutex;
use redb::TableDefinition;
use serde::{Deserialize, Serialize};

use super::{InsightsError, QUERY_TIMEOUT_MS, QueryManager, QueryState, Status};
use crate::exec::Plan;
use crate::{MAX_RESULT_ROWS, ResultRow, parse};

/// Queries by `account \n region \n id`.
const QUERIES: RecordTable = TableDefinition::new("insights_queries");

/// A query as stored.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct StoredQuery {
    query_string: String,
    /// The log groups as resolved at StartQuery.
    groups: Vec<String>,
    create_time: i64,
    /// Inclusive range in epoch ms.
    start: i64,
    end: i64,
    limit: Option<usize>,
    /// The API's spelling of the status.
    status: String,
    matched: u64,
    scanned: u64,
    bytes: u64,
    /// The rows once the query ended (at most [`MAX_RESULT_ROWS`]).
    rows: Option<Vec<ResultRow>>,
}

fn key_of(s: &QueryState) -> String {
    record_key(&[&s.account, &s.region, &s.id])
}

impl QueryManager {
    /// Writes the query's current state (status, statistics, final rows) to the catalog. Callers
    /// hold `persist_lock` across their status change and this write, so the last record written
    /// is the newest state.
    pub(crate) fn persist(&self, s: &QueryState) -> Result<(), InsightsError> {
        let status = *s.status.lock();
        let rows = s.final_rows.lock().clone().map(|mut r| {
            r.truncate(MAX_RESULT_ROWS);
            r
        });
        let rec = StoredQuery {
            query_string: s.query_string.clone(),
            groups: s.groups.clone(),
            create_time: s.create_time,
            start: s.start,
            end: s.end,
            limit: s.limit,
            status: status.as_str().to_owned(),
            matched: s.matched.load(Ordering::Relaxed),
            scanned: s.scanned.load(Ordering::Relaxed),
            bytes: s.bytes.load(Ordering::Relaxed),
            rows,
        };
        let tx = self.store.catalog().db().begin_write()?;
        {
            let mut t = tx.open_table(QUERIES)?;
            put_record(&mut t, &key_of(s), &rec)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Deletes the records of forgotten queries.
    pub(crate) fn delete_records(&self, gone: &[Arc<QueryState>]) -> Result<(), InsightsError> {
        if gone.is_empty() {
            return Ok(());
        }
        let tx = self.store.catalog().db().begin_write()?;
        {
            let mut t = tx.open_table(QUERIES)?;
            for s in gone {
                t.remove(key_of(s).as_str())?;
            }
        }
        tx.commit()?;
        Ok(())
    }

    /// Loads every stored query into memory, drops those past the retention rules, marks
    /// interrupted queries past their deadline as timed out, and returns those to re-run.
    pub(crate) fn recover(&self) -> Result<Vec<Arc<QueryState>>, InsightsError> {
        let stored: Vec<([String; 3], StoredQuery)> = {
            let tx = self.store.catalog().db().begin_read()?;
            match tx.open_table(QUERIES) {
                Ok(_) => load_records(&tx, QUERIES, "insights query")?,
                Err(redb::TableError::TableDoesNotExist(_)) => Vec::new(),
                Err(e) => return Err(e.into()),
            }
        };
        let now = self.now();
        let mut map: HashMap<String, Arc<QueryState>> = HashMap::new();
        let mut rerun = Vec::new();
        let mut timed_out = Vec::new();
        for ([account, region, id], rec) in stored {
            let mut status = Status::parse(&rec.status).ok_or_else(|| {
                InsightsError::internal(format!("insights query {id}: status {:?}", rec.status))
            })?;
            let query = parse(&rec.query_string).map_err(|e| {
                InsightsError::internal(format!("insights query {id}: {}", e.message))
            })?;
            let plan = Plan::new(query, rec.limit);
            let interrupted = status.active();
            if interrupted {
                status = if now > rec.create_time + QUERY_TIMEOUT_MS {
                    Status::Timeout
                } else {
                    Status::Scheduled
                };
            }
            // A re-run starts from nothing; a finished query keeps its statistics.
            let stats = |v: u64| AtomicU64::new(if interrupted { 0 } else { v });
            let final_rows = match (status, rec.rows) {
                (Status::Timeout, None) => Some(Vec::new()),
                (_, rows) => rows,
            };
            let s = Arc::new(QueryState {
                id: id.clone(),
                account,
                region,
                query_string: rec.query_string,
                groups: rec.groups,
                create_time: rec.create_time,
                start: rec.start,
                end: rec.end,
                limit: rec.limit,
                acc: Mutex::new(plan.new_acc()),
                plan,
                status: Mutex::new(status),
                final_rows: Mutex::new(final_rows),
                matched: stats(rec.matched),
                scanned: stats(rec.scanned),
                bytes: stats(rec.bytes),
                cancel: AtomicBool::new(false),
            });
            match status {
                Status::Scheduled => rerun.push(Arc::clone(&s)),
                Status::Timeout if interrupted => timed_out.push(Arc::clone(&s)),
                _ => {}
            }
            map.insert(id, s);
        }
        let mut accounts: Vec<String> = map.values().map(|s| s.account.clone()).collect();
        accounts.sort();
        accounts.dedup();
        let mut gone = Vec::new();
        for a in &accounts {
            gone.extend(Self::forget_old(&mut map, a, now));
        }
        {
            let _w = self.persist_lock.lock();
            for s in &timed_out {
                if map.contains_key(&s.id) {
                    self.persist(s)?;
                }
            }
        }
        self.delete_records(&gone)?;
        *self.queries.lock() = map;
        Ok(rerun)
    }
}

#[cfg(test)]
impl QueryManager {
    /// The ids of the stored query records, sorted.
    pub(crate) fn stored_ids(&self) -> Vec<String> {
        let tx = self
            .store
            .catalog()
            .db()
            .begin_read()
            .unwrap_or_else(|e| panic!("{e}"));
        let mut ids: Vec<String> = load_records::<StoredQuery, 3>(&tx, QUERIES, "insights query")
            .unwrap_or_else(|e| panic!("{e}"))
            .into_iter()
            .map(|([_, _, id], _)| id)
            .collect();
        ids.sort();
        ids
    }
}
