//! The audit trail: every API call that names an account becomes one CloudTrail record, stored
//! durably in a segmented write-ahead log, indexed in memory and queryable by LookupEvents for
//! 90 days.
//!
//! - [`record`]: `RecordInput` (what the request pipeline knows) and the CloudTrail JSON.
//! - [`writer`](Trail::record): a bounded queue drained by a background batching writer.
//! - `store`: the `RecordLog` trait (WAL or memory), the payload codec and the index.
//! - [`lookup`]: LookupEvents' query, validation, pagination and results.
//! - [`retention`]: 90-day retention by whole segments.
//!
//! **Architecture Invariant**: this crate knows no HTTP and no wire format; the CloudTrail facade
//! maps [`LookupQuery`]/[`LookupPage`]/[`LookupError`] to and from JSON 1.1.

mod bulk;
mod error;
pub mod lookup;
pub mod record;
pub mod retention;
mod store;
mod trail;
mod writer;

#[cfg(test)]
mod tests;

pub use bulk::strip_bulk;
pub use error::{LookupError, TrailError};
pub use lookup::{LookupAttributeKey, LookupEvent, LookupPage, LookupQuery};
pub use record::{CloudTrailRecord, RecordInput, Resource, TlsDetails, UserIdentity};
pub use retention::{RetentionReport, TRAIL_RETENTION_DAYS};
pub use store::{LogItem, MemoryLog, RecordLog};
pub use trail::{
    ENQUEUE_TIMEOUT, RECORD_QUEUE_CAPACITY, Trail, TrailOptions, TrailStats, WRITER_MAX_BATCH,
};
