//! The log store's catalog tables (redb, prefixed `logs_`) and their records (JSON values).

use std::collections::BTreeMap;

use redb::{ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};

use crate::error::LogsError;

/// Log groups by id.
pub(crate) const GROUPS: TableDefinition<u64, &[u8]> = TableDefinition::new("logs_groups");
/// Log streams by (group id, stream id).
pub(crate) const STREAMS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("logs_streams");
/// Chunk indexes by (group id, chunk id).
pub(crate) const CHUNKS: TableDefinition<(u64, u64), &[u8]> = TableDefinition::new("logs_chunks");
/// Counters (`next_id`: the next group, stream or chunk id).
pub(crate) const META: TableDefinition<&str, u64> = TableDefinition::new("logs_meta");
pub(crate) const NEXT_ID: &str = "next_id";

/// A log group as the catalog holds it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct GroupRecord {
    pub id: u64,
    pub account: String,
    pub region: String,
    pub name: String,
    pub created: i64,
    pub retention_days: Option<i32>,
    pub class: String,
    pub tags: BTreeMap<String, String>,
    pub kms_key_id: Option<String>,
    /// Every WAL record of this group at or before this position (segment, offset) is in chunks.
    pub flushed_through: Option<(u64, u64)>,
    /// The next event sequence number after the flushed events.
    pub next_seq: u64,
    /// Metric filters by name.
    #[serde(default)]
    pub metric_filters: BTreeMap<String, crate::model::MetricFilter>,
}

/// A log stream as the catalog holds it. The statistics are those of its flushed events; events
/// still in the WAL are added back when it is replayed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct StreamRecord {
    pub id: u64,
    pub name: String,
    pub created: i64,
    pub first_event: Option<i64>,
    pub last_event: Option<i64>,
    pub last_ingestion: Option<i64>,
    pub stored_bytes: u64,
}

pub(crate) fn encode<T: Serialize>(v: &T) -> Result<Vec<u8>, LogsError> {
    Ok(serde_json::to_vec(v)?)
}

pub(crate) fn decode<T: for<'de> Deserialize<'de>>(b: &[u8]) -> Result<T, LogsError> {
    serde_json::from_slice(b)
        .map_err(|e| LogsError::internal(format!("corrupt catalog record: {e}")))
}

/// Draws `n` consecutive ids from the counter inside a write transaction.
pub(crate) fn next_ids(tx: &redb::WriteTransaction, n: u64) -> Result<u64, LogsError> {
    let mut meta = tx.open_table(META)?;
    let first = meta.get(NEXT_ID)?.map_or(1, |v| v.value());
    meta.insert(NEXT_ID, first + n)?;
    Ok(first)
}
