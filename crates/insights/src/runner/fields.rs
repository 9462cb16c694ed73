//! GetLogRecord (an event by its `@ptr`, with every field) and GetLogGroupFields (the fields of a
//! group's recent events and the share of events holding each).

use std::collections::HashMap;

use openwatch_logs::store::EventKey;

use super::run::parse_ptr;
use super::{InsightsError, QueryManager};
use crate::discover::{Event, row_of};

/// A log record: field → value, timestamps as epoch milliseconds.
pub type LogRecord = Vec<(String, String)>;

/// A field and the percentage of events that hold it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldShare {
    pub name: String,
    pub percent: i64,
}

/// GetLogGroupFields looks at most at this many events.
const FIELD_SAMPLE_EVENTS: u64 = 10_000;

fn group_name_of(ident: &str) -> String {
    match ident.split_once(":log-group:") {
        Some((_, rest)) => rest.strip_suffix(":*").unwrap_or(rest).to_owned(),
        None => ident.to_owned(),
    }
}

impl QueryManager {
    /// GetLogRecord: every field of the event `ptr` points at.
    pub fn get_log_record(
        &self,
        account: &str,
        region: &str,
        ptr: &str,
    ) -> Result<LogRecord, InsightsError> {
        let invalid = || InsightsError::invalid("The specified log record pointer is invalid.");
        let (gid, timestamp, seq) = parse_ptr(ptr).ok_or_else(invalid)?;
        let found = self
            .store
            .find_event(account, region, gid, EventKey { timestamp, seq })?
            .ok_or_else(|| InsightsError::not_found("The specified log record does not exist."))?;
        let log = format!("{account}:{}", found.group_name);
        let ev = Event {
            timestamp: found.event.timestamp,
            ingestion_time: found.event.ingestion_time,
            message: &found.event.message,
            log_stream: &found.stream_name,
            log: &log,
            ptr,
        };
        let row = row_of(&ev, true);
        let mut out = Vec::with_capacity(row.fields.len());
        for (k, v) in &row.fields {
            let s = match &**k {
                "@timestamp" => found.event.timestamp.to_string(),
                "@ingestionTime" => found.event.ingestion_time.to_string(),
                "@ptr" => continue,
                _ => match v.render() {
                    Some(s) => s,
                    None => continue,
                },
            };
            out.push((k.to_string(), s));
        }
        Ok(out)
    }

    /// GetLogGroupFields: the fields of events in the 15 minutes before now, or the 8 minutes
    /// either side of `time` (epoch seconds), most frequent first.
    pub fn get_log_group_fields(
        &self,
        account: &str,
        region: &str,
        name: Option<&str>,
        identifier: Option<&str>,
        time: Option<i64>,
    ) -> Result<Vec<FieldShare>, InsightsError> {
        let group = match (name, identifier) {
            (Some(n), None) => n.to_owned(),
            (None, Some(i)) => group_name_of(i),
            _ => {
                return Err(InsightsError::invalid(
                    "LogGroup name and LogGroup identifier are mutually exclusive parameters.",
                ));
            }
        };
        let (start, end) = match time {
            Some(t) => (t * 1000 - 8 * 60_000, t * 1000 + 8 * 60_000),
            None => {
                let now = self.store.clock().now_millis();
                (now - 15 * 60_000, now)
            }
        };
        let src = self
            .store
            .scan_source(account, region, &group, start, end)?;
        let log = format!("{account}:{group}");
        let mut counts: HashMap<String, u64> = HashMap::new();
        let mut order: Vec<String> = Vec::new();
        let mut total = 0u64;
        // Newest units first: the sample favours recent events.
        for unit in src.units.iter().rev() {
            if total >= FIELD_SAMPLE_EVENTS {
                break;
            }
            self.store.scan_unit(&src, unit, &[], &mut |e| {
                if total >= FIELD_SAMPLE_EVENTS {
                    return;
                }
                total += 1;
                let ev = Event {
                    timestamp: e.timestamp,
                    ingestion_time: e.ingestion_time,
                    message: e.message,
                    log_stream: "",
                    log: &log,
                    ptr: "",
                };
                for (k, _) in row_of(&ev, true).fields {
                    if &*k == "@ptr" {
                        continue;
                    }
                    let c = counts.entry(k.to_string()).or_insert_with(|| {
                        order.push(k.to_string());
                        0
                    });
                    *c += 1;
                }
            })?;
        }
        let mut out: Vec<FieldShare> = order
            .into_iter()
            .map(|name| {
                let c = counts.get(&name).copied().unwrap_or(0);
                FieldShare {
                    name,
                    percent: ((c * 100) as f64 / total as f64).round() as i64,
                }
            })
            .collect();
        out.sort_by_key(|f| std::cmp::Reverse(f.percent));
        Ok(out)
    }
}
