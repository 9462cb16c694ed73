//! Log streams: create, delete, describe.

use super::catalog::{STREAMS, StreamRecord, encode, next_ids};
use super::groups::{check_limit, invalid_token};
use super::{LogStore, Stream};
use crate::error::LogsError;
use crate::limits::MAX_DESCRIBE_LIMIT;
use crate::model::{LogStreamInfo, StreamPage};
use crate::names::{stream_arn, validate_group_name, validate_stream_name};

/// DescribeLogStreams' ordering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum StreamOrder {
    #[default]
    LogStreamName,
    LastEventTime,
}

/// DescribeLogStreams' query.
#[derive(Debug, Clone, Default)]
pub struct StreamQuery {
    pub prefix: Option<String>,
    pub order_by: StreamOrder,
    pub descending: bool,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

/// The token every stream reports as `uploadSequenceToken` and PutLogEvents returns as
/// `nextSequenceToken`: AWS ignores sequence tokens now, so any value is accepted back.
pub(crate) fn sequence_token(seq: u64) -> String {
    format!("{seq:056}")
}

impl LogStore {
    /// Creates a log stream in a group.
    pub fn create_log_stream(
        &self,
        account: &str,
        region: &str,
        group: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_group_name(group)?;
        validate_stream_name(name)?;
        let now = self.now();
        let mut state = self.state.write();
        let g = state.group_mut(account, region, group)?;
        if g.streams.contains_key(name) {
            return Err(LogsError::AlreadyExists(
                "The specified log stream already exists".into(),
            ));
        }
        let tx = self.catalog.db().begin_write()?;
        let id = next_ids(&tx, 1)?;
        let rec = StreamRecord {
            id,
            name: name.to_owned(),
            created: now,
            first_event: None,
            last_event: None,
            last_ingestion: None,
            stored_bytes: 0,
        };
        tx.open_table(STREAMS)?
            .insert((g.rec.id, id), encode(&rec)?.as_slice())?;
        tx.commit()?;
        g.stream_names.insert(id, name.to_owned());
        g.streams
            .insert(name.to_owned(), Stream { rec, dirty: false });
        Ok(())
    }

    /// Deletes a log stream; its events are no longer returned (their chunk space is reclaimed by
    /// retention or when the group is deleted).
    pub fn delete_log_stream(
        &self,
        account: &str,
        region: &str,
        group: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_group_name(group)?;
        validate_stream_name(name)?;
        let mut state = self.state.write();
        let g = state.group_mut(account, region, group)?;
        let id = g
            .streams
            .get(name)
            .map(|s| s.rec.id)
            .ok_or_else(LogsError::stream_not_found)?;
        let tx = self.catalog.db().begin_write()?;
        tx.open_table(STREAMS)?.remove((g.rec.id, id))?;
        tx.commit()?;
        g.streams.remove(name);
        g.stream_names.remove(&id);
        // Its events still in the head are no longer readable (reads only visit existing streams)
        // and the next flush leaves them out of the chunk; the head itself is only ever shortened
        // at the front, by flushes.
        Ok(())
    }

    /// Lists a group's streams.
    pub fn describe_log_streams(
        &self,
        account: &str,
        region: &str,
        group: &str,
        q: &StreamQuery,
    ) -> Result<StreamPage, LogsError> {
        let limit = check_limit(q.limit, MAX_DESCRIBE_LIMIT)?;
        if q.prefix.is_some() && q.order_by == StreamOrder::LastEventTime {
            return Err(LogsError::invalid(
                "Cannot order by LastEventTime with a logStreamNamePrefix.",
            ));
        }
        let state = self.state.read();
        let g = state.group(account, region, group)?;
        // Sort key: (last event time or 0, name) or ("", name); the token is the last key returned.
        let key = |s: &Stream| -> (i64, String) {
            match q.order_by {
                StreamOrder::LogStreamName => (0, s.rec.name.clone()),
                StreamOrder::LastEventTime => (s.rec.last_event.unwrap_or(0), s.rec.name.clone()),
            }
        };
        let after = match &q.next_token {
            Some(t) => Some(parse_stream_token(t).ok_or_else(invalid_token)?),
            None => None,
        };
        let mut all: Vec<(i64, String)> = g
            .streams
            .values()
            .filter(|s| {
                q.prefix
                    .as_ref()
                    .is_none_or(|p| s.rec.name.starts_with(p.as_str()))
            })
            .map(key)
            .collect();
        all.sort();
        if q.descending {
            all.reverse();
        }
        let mut streams = Vec::new();
        let mut last_key = None;
        let mut more = false;
        for k in all {
            if let Some(a) = &after {
                let past = if q.descending { &k < a } else { &k > a };
                if !past {
                    continue;
                }
            }
            if streams.len() == limit {
                more = true;
                break;
            }
            if let Some(s) = g.streams.get(&k.1) {
                streams.push(LogStreamInfo {
                    name: s.rec.name.clone(),
                    arn: stream_arn(region, account, group, &s.rec.name),
                    creation_time: s.rec.created,
                    first_event_timestamp: s.rec.first_event,
                    last_event_timestamp: s.rec.last_event,
                    last_ingestion_time: s.rec.last_ingestion,
                    upload_sequence_token: sequence_token(g.next_seq),
                    // AWS reports 0 for streams since 2019 (deprecated member).
                    stored_bytes: 0,
                });
            }
            last_key = Some(k);
        }
        let next_token = match (more, last_key) {
            (true, Some((t, name))) => Some(format!("s/{t}/{name}")),
            _ => None,
        };
        Ok(StreamPage {
            streams,
            next_token,
        })
    }
}

fn parse_stream_token(t: &str) -> Option<(i64, String)> {
    let rest = t.strip_prefix("s/")?;
    let (ts, name) = rest.split_once('/')?;
    Some((ts.parse().ok()?, name.to_owned()))
}
