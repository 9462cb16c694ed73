//! A stored log event and its ordering key.

/// Where an event sits in a log group's total order: by timestamp, then by ingestion sequence
/// (unique per group). Pagination tokens encode keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EventKey {
    pub timestamp: i64,
    pub seq: u64,
}

/// One stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredEvent {
    /// The stream's id (unique in the store).
    pub stream: u64,
    pub timestamp: i64,
    /// Ingestion order within the log group.
    pub seq: u64,
    pub ingestion_time: i64,
    pub message: String,
}

impl StoredEvent {
    pub fn key(&self) -> EventKey {
        EventKey {
            timestamp: self.timestamp,
            seq: self.seq,
        }
    }
}
