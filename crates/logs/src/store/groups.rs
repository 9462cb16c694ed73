//! Log groups: create, delete, describe, retention policies and tags.

use std::collections::{BTreeMap, HashMap, VecDeque};

use redb::ReadableTable;

use super::catalog::{CHUNKS, GROUPS, GroupRecord, STREAMS, decode, encode, next_ids};
use super::{Group, LogStore};
use crate::error::LogsError;
use crate::limits::{MAX_DESCRIBE_LIMIT, MAX_GROUP_NAME_PATTERN_LEN};
use crate::model::{GroupPage, LogGroupInfo, Tags};
use crate::names::{
    check_tag_count, group_arn, validate_group_class, validate_group_name, validate_group_name_as,
    validate_retention, validate_tag_key, validate_tags,
};

/// DescribeLogGroups' query.
#[derive(Debug, Clone, Default)]
pub struct GroupQuery {
    pub prefix: Option<String>,
    /// Case-insensitive substring of the name (`logGroupNamePattern`).
    pub pattern: Option<String>,
    pub limit: Option<i32>,
    pub next_token: Option<String>,
}

pub(crate) fn check_limit(limit: Option<i32>, max: i32) -> Result<usize, LogsError> {
    match limit {
        None => Ok(max as usize),
        Some(n) if (1..=max).contains(&n) => Ok(n as usize),
        Some(n) if n < 1 => Err(LogsError::invalid(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1"
        ))),
        Some(n) => Err(LogsError::invalid(format!(
            "1 validation error detected: Value '{n}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"
        ))),
    }
}

pub(crate) fn invalid_token() -> LogsError {
    LogsError::invalid("The specified nextToken is invalid.")
}

impl LogStore {
    /// Creates a log group (`logGroupClass` defaults to `STANDARD`).
    pub fn create_log_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
        class: Option<&str>,
        tags: Tags,
        kms_key_id: Option<String>,
    ) -> Result<(), LogsError> {
        validate_group_name(name)?;
        if let Some(c) = class {
            validate_group_class(c)?;
        }
        validate_tags(&tags)?;
        let now = self.now();
        let mut state = self.state.write();
        let key = (account.to_owned(), region.to_owned(), name.to_owned());
        if state.groups.contains_key(&key) {
            return Err(LogsError::AlreadyExists(
                "The specified log group already exists".into(),
            ));
        }
        let tx = self.catalog.db().begin_write()?;
        let id = next_ids(&tx, 1)?;
        let rec = GroupRecord {
            id,
            account: account.to_owned(),
            region: region.to_owned(),
            name: name.to_owned(),
            created: now,
            retention_days: None,
            class: class.unwrap_or("STANDARD").to_owned(),
            tags,
            kms_key_id,
            flushed_through: None,
            next_seq: 1,
            metric_filters: BTreeMap::new(),
        };
        tx.open_table(GROUPS)?
            .insert(id, encode(&rec)?.as_slice())?;
        tx.commit()?;
        state.by_id.insert(id, key.clone());
        state.groups.insert(
            key,
            Group {
                rec,
                streams: BTreeMap::new(),
                stream_names: HashMap::new(),
                chunks: BTreeMap::new(),
                head: Vec::new(),
                head_bytes: 0,
                head_records: VecDeque::new(),
                head_since: None,
                next_seq: 1,
            },
        );
        Ok(())
    }

    /// Deletes a log group with its streams and events.
    pub fn delete_log_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_group_name(name)?;
        let mut state = self.state.write();
        let g = state.group(account, region, name)?;
        let id = g.rec.id;
        let dir = g.dir(&self.dir);
        let stream_ids: Vec<u64> = g.streams.values().map(|s| s.rec.id).collect();
        let chunk_ids: Vec<u64> = g.chunks.keys().copied().collect();
        let tx = self.catalog.db().begin_write()?;
        {
            tx.open_table(GROUPS)?.remove(id)?;
            let mut streams = tx.open_table(STREAMS)?;
            for s in stream_ids {
                streams.remove((id, s))?;
            }
            let mut chunks = tx.open_table(CHUNKS)?;
            for c in chunk_ids {
                chunks.remove((id, c))?;
            }
        }
        tx.commit()?;
        state
            .groups
            .remove(&(account.to_owned(), region.to_owned(), name.to_owned()));
        state.by_id.remove(&id);
        drop(state);
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            // The catalog no longer knows the group: the next open removes the directory.
            Err(e) => {
                tracing::warn!(dir = %dir.display(), error = %e, "cannot remove a deleted log group's files")
            }
        }
        Ok(())
    }

    fn info(&self, g: &Group) -> LogGroupInfo {
        let stored: u64 =
            g.chunks.values().map(|c| c.file_bytes).sum::<u64>() + g.head_bytes as u64;
        LogGroupInfo {
            name: g.rec.name.clone(),
            arn: group_arn(&g.rec.region, &g.rec.account, &g.rec.name),
            creation_time: g.rec.created,
            retention_in_days: g.rec.retention_days,
            log_group_class: g.rec.class.clone(),
            kms_key_id: g.rec.kms_key_id.clone(),
            stored_bytes: stored,
            metric_filter_count: g.rec.metric_filters.len() as u32,
        }
    }

    /// Lists log groups in name order.
    pub fn describe_log_groups(
        &self,
        account: &str,
        region: &str,
        q: &GroupQuery,
    ) -> Result<GroupPage, LogsError> {
        let limit = check_limit(q.limit, MAX_DESCRIBE_LIMIT)?;
        if q.prefix.is_some() && q.pattern.is_some() {
            return Err(LogsError::invalid(
                "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
            ));
        }
        if let Some(p) = &q.prefix {
            validate_group_name_as(p, "logGroupNamePrefix")?;
        }
        let pattern = match &q.pattern {
            Some(p) if p.chars().count() > MAX_GROUP_NAME_PATTERN_LEN => {
                return Err(LogsError::invalid(format!(
                    "1 validation error detected: Value '{p}' at 'logGroupNamePattern' failed to satisfy constraint: Member must have length less than or equal to {MAX_GROUP_NAME_PATTERN_LEN}"
                )));
            }
            Some(p) => Some(p.to_ascii_lowercase()),
            None => None,
        };
        let after = match &q.next_token {
            Some(t) => Some(t.strip_prefix("g/").ok_or_else(invalid_token)?.to_owned()),
            None => None,
        };
        let state = self.state.read();
        let lo = (account.to_owned(), region.to_owned(), String::new());
        let mut groups = Vec::new();
        let mut more = false;
        for ((a, r, name), g) in state.groups.range(lo..) {
            if a != account || r != region {
                break;
            }
            if after.as_ref().is_some_and(|t| name.as_str() <= t.as_str()) {
                continue;
            }
            if q.prefix
                .as_ref()
                .is_some_and(|p| !name.starts_with(p.as_str()))
            {
                continue;
            }
            if pattern
                .as_ref()
                .is_some_and(|p| !name.to_ascii_lowercase().contains(p.as_str()))
            {
                continue;
            }
            if groups.len() == limit {
                more = true;
                break;
            }
            groups.push(self.info(g));
        }
        let next_token = if more {
            groups.last().map(|g| format!("g/{}", g.name))
        } else {
            None
        };
        Ok(GroupPage { groups, next_token })
    }

    pub(crate) fn update_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
        change: impl FnOnce(&mut GroupRecord) -> Result<(), LogsError>,
    ) -> Result<(), LogsError> {
        let mut state = self.state.write();
        let g = state.group_mut(account, region, name)?;
        let mut rec = g.rec.clone();
        change(&mut rec)?;
        let tx = self.catalog.db().begin_write()?;
        {
            let mut groups = tx.open_table(GROUPS)?;
            // A flush may have committed a newer flushed position than the one in memory (it
            // updates memory after its commit): keep the catalog's, never move it back.
            let stored = groups.get(rec.id)?.map(|v| v.value().to_vec());
            if let Some(stored) = stored {
                let stored: GroupRecord = decode(&stored)?;
                rec.flushed_through = stored.flushed_through;
                rec.next_seq = stored.next_seq;
            }
            groups.insert(rec.id, encode(&rec)?.as_slice())?;
        }
        tx.commit()?;
        g.rec = rec;
        Ok(())
    }

    /// Sets a group's retention (one of [`crate::limits::RETENTION_DAYS`]).
    pub fn put_retention_policy(
        &self,
        account: &str,
        region: &str,
        name: &str,
        days: i32,
    ) -> Result<(), LogsError> {
        validate_group_name(name)?;
        validate_retention(days)?;
        self.update_group(account, region, name, |r| {
            r.retention_days = Some(days);
            Ok(())
        })
    }

    /// Removes a group's retention: its events never expire.
    pub fn delete_retention_policy(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<(), LogsError> {
        validate_group_name(name)?;
        self.update_group(account, region, name, |r| {
            r.retention_days = None;
            Ok(())
        })
    }

    /// Adds or replaces tags.
    pub fn tag_log_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
        tags: Tags,
    ) -> Result<(), LogsError> {
        validate_tags(&tags)?;
        self.update_group(account, region, name, |r| {
            let mut merged = r.tags.clone();
            merged.extend(tags);
            check_tag_count(merged.len())?;
            r.tags = merged;
            Ok(())
        })
    }

    /// Removes tags by key (unknown keys are ignored).
    pub fn untag_log_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
        keys: &[String],
    ) -> Result<(), LogsError> {
        for k in keys {
            validate_tag_key(k)?;
        }
        self.update_group(account, region, name, |r| {
            for k in keys {
                r.tags.remove(k);
            }
            Ok(())
        })
    }

    /// A group's tags.
    pub fn list_tags(&self, account: &str, region: &str, name: &str) -> Result<Tags, LogsError> {
        let state = self.state.read();
        Ok(state.group(account, region, name)?.rec.tags.clone())
    }

    /// A group's description (for callers that need one group).
    pub fn log_group(
        &self,
        account: &str,
        region: &str,
        name: &str,
    ) -> Result<LogGroupInfo, LogsError> {
        let state = self.state.read();
        Ok(self.info(state.group(account, region, name)?))
    }
}
