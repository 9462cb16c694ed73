//! CloudWatch Logs: the filter-pattern language and the log store (groups, streams, events in
//! compressed chunks, retention).
//!
//! - [`filter_pattern`]: the pattern language, pure.
//! - [`store`]: [`LogStore`] — groups and streams in the catalog, events through a WAL into chunk
//!   files (format: `docs/format/logs.md`), reads that skip chunks by their index.
//! - [`names`], [`limits`]: validation and AWS's documented limits.
//! - Subscription filters and destinations (delivered by [`LogStore::deliver_subscriptions`] into
//!   log groups of any account and region), export tasks (gzip files into local buckets), and
//!   Embedded Metric Format extraction (through the [`MetricSink`]).
//!
//! **Architecture invariant**: this crate knows no HTTP and no wire format; the Logs facade in
//! `services` maps its typed requests, results and [`LogsError`]s to JSON 1.1. The filter-pattern
//! language does no IO.

pub mod error;
pub mod filter_pattern;
pub mod limits;
pub mod model;
pub mod names;
pub mod store;

pub use error::LogsError;
pub use filter_pattern::{
    ErrorKind, FilterPattern, FilterPatternError, MAX_PATTERN_LENGTH, MAX_REGEX_PER_PATTERN, Match,
    PatternKind,
};
pub use model::{
    FilterPage, GetEventsPage, GroupPage, LogGroupInfo, LogStreamInfo, MetricFilter,
    MetricFilterPage, MetricTransformation, OutputEvent, PutResult, RejectedInfo, StreamPage, Tags,
};
/// The storage types [`LogStore::open`] takes, re-exported for callers that build a store.
pub use openwatch_storage::{Catalog, Clock, SimClock, SystemClock};
pub use store::{
    DeliveryReport, Destination, DestinationPage, ExportTask, ExportTaskInput, ExportTaskPage,
    LocalBuckets, ObjectStore, SubscriptionFilter, SubscriptionFilterInput, SubscriptionFilterPage,
    destination_arn, forwarded_stream_name, parse_emf,
};
pub use store::{
    EmittedMetric, FilterQuery, FlushReport, GetQuery, GroupQuery, InputEvent, LogStore,
    LogStoreOptions, MetricFilterQuery, MetricSink, RetentionReport, StreamOrder, StreamQuery,
};
