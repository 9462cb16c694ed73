//! CloudWatch Logs quotas and limits, each with the value the API reference documents.

/// Longest log group name (`logGroupName` length constraint).
pub const MAX_LOG_GROUP_NAME_LEN: usize = 512;
/// Longest log stream name (`logStreamName` length constraint).
pub const MAX_LOG_STREAM_NAME_LEN: usize = 512;
/// Largest PutLogEvents batch: the UTF-8 size of every message plus [`EVENT_OVERHEAD_BYTES`] each.
pub const MAX_BATCH_BYTES: usize = 1_048_576;
/// Bytes counted per event on top of its message when sizing a batch.
pub const EVENT_OVERHEAD_BYTES: usize = 26;
/// Most events in one PutLogEvents call.
pub const MAX_BATCH_EVENTS: usize = 10_000;
/// Largest single event message ("Each log event can be no larger than 1 MB"; the batch limit with
/// its per-event overhead bounds it to this many bytes of message).
pub const MAX_EVENT_BYTES: usize = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES;
/// Longest time span of the accepted events of one PutLogEvents batch.
pub const MAX_BATCH_SPAN_MS: i64 = 24 * 3600 * 1000;
/// Events later than now plus this are rejected as too new.
pub const MAX_FUTURE_MS: i64 = 2 * 3600 * 1000;
/// Events earlier than now minus this are rejected as too old.
pub const MAX_PAST_MS: i64 = 14 * 24 * 3600 * 1000;
/// The values `PutRetentionPolicy` accepts for `retentionInDays`.
pub const RETENTION_DAYS: [i32; 22] = [
    1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922,
    3288, 3653,
];
/// Largest `limit` of DescribeLogGroups and DescribeLogStreams (also their default).
pub const MAX_DESCRIBE_LIMIT: i32 = 50;
/// Largest `limit` of GetLogEvents and FilterLogEvents (also their default).
pub const MAX_EVENTS_LIMIT: i32 = 10_000;
/// Largest response of GetLogEvents / FilterLogEvents, in bytes of events (messages plus
/// [`EVENT_OVERHEAD_BYTES`] each).
pub const MAX_EVENTS_RESPONSE_BYTES: usize = 1_048_576;
/// Most tags on one log group.
pub const MAX_TAGS: usize = 50;
/// Longest tag key.
pub const MAX_TAG_KEY_LEN: usize = 128;
/// Longest tag value.
pub const MAX_TAG_VALUE_LEN: usize = 256;
/// Most `logStreamNames` in one FilterLogEvents call.
pub const MAX_FILTER_STREAM_NAMES: usize = 100;
/// Most messages in one TestMetricFilter call.
pub const MAX_TEST_MESSAGES: usize = 50;
/// Longest `logGroupNamePattern` of DescribeLogGroups.
pub const MAX_GROUP_NAME_PATTERN_LEN: usize = 512;
/// Most metric filters per log group.
pub const MAX_METRIC_FILTERS_PER_GROUP: usize = 100;
/// Most dimensions of one metric transformation.
pub const MAX_DIMENSIONS_PER_METRIC_FILTER: usize = 3;
/// Longest metric name or namespace of a metric transformation.
pub const MAX_METRIC_NAME_LEN: usize = 255;
/// Longest `metricValue`.
pub const MAX_METRIC_VALUE_LEN: usize = 100;
/// Longest metric or subscription filter name.
pub const MAX_FILTER_NAME_LEN: usize = 512;
/// The units a metric transformation accepts (`StandardUnit`).
pub const METRIC_UNITS: [&str; 27] = [
    "Seconds",
    "Microseconds",
    "Milliseconds",
    "Bytes",
    "Kilobytes",
    "Megabytes",
    "Gigabytes",
    "Terabytes",
    "Bits",
    "Kilobits",
    "Megabits",
    "Gigabits",
    "Terabits",
    "Percent",
    "Count",
    "Bytes/Second",
    "Kilobytes/Second",
    "Megabytes/Second",
    "Gigabytes/Second",
    "Terabytes/Second",
    "Bits/Second",
    "Kilobits/Second",
    "Megabits/Second",
    "Gigabits/Second",
    "Terabits/Second",
    "Count/Second",
    "None",
];
