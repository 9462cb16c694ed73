//! EventBridge quotas and input limits, each with the value AWS documents.

/// Event buses per account and region (custom buses; the default bus is not counted).
pub const MAX_EVENT_BUSES: usize = 100;
/// Archives per account and region.
pub const MAX_ARCHIVES: usize = 10_000;
/// Longest archive name.
pub const MAX_ARCHIVE_NAME: usize = 48;
/// Longest replay name.
pub const MAX_REPLAY_NAME: usize = 64;
/// Connections per account and region.
pub const MAX_CONNECTIONS: usize = 3000;
/// API destinations per account and region.
pub const MAX_API_DESTINATIONS: usize = 3000;
/// Longest connection or API destination name.
pub const MAX_DESTINATION_NAME: usize = 64;
/// Longest API destination endpoint.
pub const MAX_INVOCATION_ENDPOINT: usize = 2048;
/// Default (and the value when absent) of an API destination's invocation rate limit.
pub const DEFAULT_INVOCATION_RATE_LIMIT: u32 = 300;
/// Rules per event bus.
pub const MAX_RULES_PER_BUS: usize = 300;
/// Targets per rule.
pub const MAX_TARGETS_PER_RULE: usize = 5;
/// Tags per resource.
pub const MAX_TAGS: usize = 50;
/// Entries in one PutEvents request.
pub const MAX_PUT_EVENTS_ENTRIES: usize = 10;
/// Total size of a PutEvents request's entries, computed as AWS documents (256 KB).
pub const MAX_PUT_EVENTS_BYTES: usize = 256 * 1024;
/// Size counted for an entry's `Time` member, whatever its value.
pub const TIME_ENTRY_BYTES: usize = 14;
/// Longest event bus name.
pub const MAX_BUS_NAME: usize = 256;
/// Longest rule name.
pub const MAX_RULE_NAME: usize = 64;
/// Longest target id.
pub const MAX_TARGET_ID: usize = 64;
/// Longest rule or bus description.
pub const MAX_DESCRIPTION: usize = 512;
/// Longest schedule expression.
pub const MAX_SCHEDULE_EXPRESSION: usize = 256;
/// Longest role ARN.
pub const MAX_ROLE_ARN: usize = 1600;
/// Longest target ARN.
pub const MAX_TARGET_ARN: usize = 1600;
/// Longest `Input` of a target.
pub const MAX_INPUT: usize = 8192;
/// Longest `InputPath` of a target.
pub const MAX_INPUT_PATH: usize = 256;
/// Longest `InputTemplate` of an input transformer.
pub const MAX_INPUT_TEMPLATE: usize = 8192;
/// Variables in an input transformer's `InputPathsMap`.
pub const MAX_INPUT_PATHS: usize = 100;
/// Longest `InputPathsMap` key.
pub const MAX_INPUT_PATH_KEY: usize = 256;
/// Page size bounds of the List operations (`Limit`).
pub const MAX_LIST_LIMIT: i32 = 100;
/// Default and bounds of a target's `RetryPolicy`.
pub const DEFAULT_MAX_RETRY_ATTEMPTS: u32 = 185;
pub const MAX_RETRY_ATTEMPTS: i64 = 185;
pub const DEFAULT_MAX_EVENT_AGE_SECONDS: u32 = 86_400;
pub const MIN_EVENT_AGE_SECONDS: i64 = 60;
pub const MAX_EVENT_AGE_SECONDS: i64 = 86_400;
/// Entries in one PutTargets or RemoveTargets request.
pub const MAX_TARGETS_PER_REQUEST: usize = 100;
/// Longest tag key and value.
pub const MAX_TAG_KEY: usize = 128;
pub const MAX_TAG_VALUE: usize = 256;
