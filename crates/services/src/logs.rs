//! CloudWatch Logs over JSON 1.1 (`Logs_20140328`): log groups, streams, retention, events
//! (PutLogEvents, GetLogEvents, FilterLogEvents), TestMetricFilter and tags. The store is
//! `openwatch_logs::LogStore`; this module only maps shapes and errors.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use openwatch_logs::limits::MAX_TEST_MESSAGES;
use openwatch_logs::names::{group_arn, group_name_from_identifier, parse_group_arn};
use openwatch_logs::{
    FilterPattern, FilterQuery, GetQuery, GroupQuery, InputEvent, LogStore, LogsError,
    MetricFilterQuery, MetricTransformation, StreamOrder, StreamQuery,
};
use openwatch_wire::{ApiError, CallContext, Operation, Registry, Service, Value};

/// Maps a log store error to the Logs API's error.
pub fn api_error(e: LogsError) -> ApiError {
    if e.status() >= 500 {
        ApiError::internal(e.message()).with_code_of_logs()
    } else {
        ApiError::new(e.status(), e.code(), e.message())
    }
}

trait LogsInternal {
    fn with_code_of_logs(self) -> Self;
}

impl LogsInternal for ApiError {
    /// Logs' server-side error is `ServiceUnavailableException`.
    fn with_code_of_logs(mut self) -> Self {
        self.code = "ServiceUnavailableException".into();
        self.message = "The service cannot complete the request.".into();
        self
    }
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(400, "InvalidParameterException", msg)
}

// --- shapes ----------------------------------------------------------------------------------

#[derive(Debug, Default, Serialize)]
pub struct Empty {}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateLogGroupInput {
    pub log_group_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_class: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupNameInput {
    pub log_group_name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogGroupsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_class: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub include_linked_accounts: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogGroupShape {
    pub log_group_name: String,
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retention_in_days: Option<i32>,
    pub metric_filter_count: u32,
    pub arn: String,
    pub stored_bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kms_key_id: Option<String>,
    pub log_group_class: String,
    pub log_group_arn: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogGroupsOutput {
    pub log_groups: Vec<LogGroupShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutRetentionPolicyInput {
    pub log_group_name: String,
    pub retention_in_days: i32,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogStreamInput {
    pub log_group_name: String,
    pub log_stream_name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogStreamsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub order_by: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub descending: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct LogStreamShape {
    pub log_stream_name: String,
    pub creation_time: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_event_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_event_timestamp: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_ingestion_time: Option<i64>,
    pub upload_sequence_token: String,
    pub arn: String,
    pub stored_bytes: u64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeLogStreamsOutput {
    /// Always present, even empty (Vector treats a missing array as an error).
    pub log_streams: Vec<LogStreamShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InputLogEvent {
    pub timestamp: i64,
    pub message: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutLogEventsInput {
    pub log_group_name: String,
    pub log_stream_name: String,
    pub log_events: Vec<InputLogEvent>,
    /// Accepted and ignored, as AWS does now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sequence_token: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RejectedLogEventsInfo {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_new_log_event_start_index: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub too_old_log_event_end_index: Option<i32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expired_log_event_end_index: Option<i32>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutLogEventsOutput {
    pub next_sequence_token: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rejected_log_events_info: Option<RejectedLogEventsInfo>,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogEventsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_identifier: Option<String>,
    pub log_stream_name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_from_head: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmask: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct OutputLogEvent {
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct GetLogEventsOutput {
    pub events: Vec<OutputLogEvent>,
    pub next_forward_token: String,
    pub next_backward_token: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterLogEventsInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_identifier: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_names: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_stream_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_pattern: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interleaved: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unmask: Option<bool>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilteredLogEvent {
    pub log_stream_name: String,
    pub timestamp: i64,
    pub message: String,
    pub ingestion_time: i64,
    pub event_id: String,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SearchedLogStream {
    pub log_stream_name: String,
    pub searched_completely: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct FilterLogEventsOutput {
    pub events: Vec<FilteredLogEvent>,
    pub searched_log_streams: Vec<SearchedLogStream>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestMetricFilterInput {
    pub filter_pattern: String,
    pub log_event_messages: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilterMatchRecord {
    pub event_number: i64,
    pub event_message: String,
    pub extracted_values: BTreeMap<String, String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TestMetricFilterOutput {
    pub matches: Vec<MetricFilterMatchRecord>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagResourceInput {
    pub resource_arn: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagResourceInput {
    pub resource_arn: String,
    pub tag_keys: Vec<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResourceArnInput {
    pub resource_arn: String,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagLogGroupInput {
    pub log_group_name: String,
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct UntagLogGroupInput {
    pub log_group_name: String,
    pub tags: Vec<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TagsOutput {
    pub tags: BTreeMap<String, String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricTransformationShape {
    pub metric_name: String,
    pub metric_namespace: String,
    pub metric_value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub dimensions: Option<BTreeMap<String, String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PutMetricFilterInput {
    pub log_group_name: String,
    pub filter_name: String,
    pub filter_pattern: String,
    pub metric_transformations: Vec<MetricTransformationShape>,
}

#[derive(Debug, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DeleteMetricFilterInput {
    pub log_group_name: String,
    pub filter_name: String,
}

#[derive(Debug, Default, Deserialize, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeMetricFiltersInput {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub log_group_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter_name_prefix: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metric_namespace: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct MetricFilterShape {
    pub filter_name: String,
    pub filter_pattern: String,
    pub metric_transformations: Vec<MetricTransformationShape>,
    pub creation_time: i64,
    pub log_group_name: String,
    pub apply_on_transformed_logs: bool,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DescribeMetricFiltersOutput {
    pub metric_filters: Vec<MetricFilterShape>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_token: Option<String>,
}

// --- resources for authorization ---------------------------------------------------------------

fn group_resource(ctx: &CallContext, input: &Value) -> String {
    let name = input
        .get("logGroupName")
        .or_else(|| input.get("logGroupIdentifier"))
        .and_then(Value::as_str)
        .map(group_name_from_identifier);
    match name {
        Some(n) => group_arn(&ctx.region, ctx.account.as_str(), n),
        None => "*".to_owned(),
    }
}

fn stream_resource(ctx: &CallContext, input: &Value) -> String {
    let group = group_resource(ctx, input);
    match input.get("logStreamName").and_then(Value::as_str) {
        Some(s) if group != "*" => format!("{group}:log-stream:{s}"),
        _ => group,
    }
}

fn arn_resource(_: &CallContext, input: &Value) -> String {
    input
        .get("resourceArn")
        .and_then(Value::as_str)
        .unwrap_or("*")
        .to_owned()
}

// --- handlers ------------------------------------------------------------------------------------

/// Resolves `logGroupName` / `logGroupIdentifier` (exactly one must be given).
fn group_of(name: Option<String>, identifier: Option<String>) -> Result<String, ApiError> {
    match (name, identifier) {
        (Some(n), None) => Ok(n),
        (None, Some(i)) => Ok(group_name_from_identifier(&i).to_owned()),
        (Some(_), Some(_)) => Err(invalid(
            "LogGroup name and LogGroup identifier are mutually exclusive parameters.",
        )),
        (None, None) => Err(invalid(
            "Should provide either logGroupName or logGroupIdentifier.",
        )),
    }
}

/// The group a tagging ARN names, if it is in the caller's account and region.
fn group_of_arn(ctx: &CallContext, arn: &str) -> Result<String, ApiError> {
    let (region, account, name) =
        parse_group_arn(arn).ok_or_else(|| invalid(format!("Invalid resource arn: {arn}")))?;
    if account != ctx.account.as_str() || region != ctx.region {
        return Err(ApiError::new(
            400,
            "ResourceNotFoundException",
            "The specified resource does not exist.",
        ));
    }
    Ok(name.to_owned())
}

fn group_shape(g: openwatch_logs::LogGroupInfo) -> LogGroupShape {
    LogGroupShape {
        arn: format!("{}:*", g.arn),
        log_group_arn: g.arn,
        log_group_name: g.name,
        creation_time: g.creation_time,
        retention_in_days: g.retention_in_days,
        metric_filter_count: g.metric_filter_count,
        stored_bytes: g.stored_bytes,
        kms_key_id: g.kms_key_id,
        log_group_class: g.log_group_class,
    }
}

fn describe_log_groups(
    store: &LogStore,
    ctx: &CallContext,
    input: DescribeLogGroupsInput,
) -> Result<DescribeLogGroupsOutput, ApiError> {
    let page = store
        .describe_log_groups(
            ctx.account.as_str(),
            &ctx.region,
            &GroupQuery {
                prefix: input.log_group_name_prefix,
                pattern: input.log_group_name_pattern,
                limit: input.limit,
                next_token: input.next_token,
            },
        )
        .map_err(api_error)?;
    let class = input.log_group_class;
    Ok(DescribeLogGroupsOutput {
        log_groups: page
            .groups
            .into_iter()
            .filter(|g| class.as_ref().is_none_or(|c| *c == g.log_group_class))
            .map(group_shape)
            .collect(),
        next_token: page.next_token,
    })
}

fn describe_log_streams(
    store: &LogStore,
    ctx: &CallContext,
    input: DescribeLogStreamsInput,
) -> Result<DescribeLogStreamsOutput, ApiError> {
    let group = group_of(input.log_group_name, input.log_group_identifier)?;
    let order_by = match input.order_by.as_deref() {
        None | Some("LogStreamName") => StreamOrder::LogStreamName,
        Some("LastEventTime") => StreamOrder::LastEventTime,
        Some(other) => {
            return Err(invalid(format!(
                "1 validation error detected: Value '{other}' at 'orderBy' failed to satisfy constraint: Member must satisfy enum value set: [LogStreamName, LastEventTime]"
            )));
        }
    };
    let page = store
        .describe_log_streams(
            ctx.account.as_str(),
            &ctx.region,
            &group,
            &StreamQuery {
                prefix: input.log_stream_name_prefix,
                order_by,
                descending: input.descending.unwrap_or(false),
                limit: input.limit,
                next_token: input.next_token,
            },
        )
        .map_err(api_error)?;
    Ok(DescribeLogStreamsOutput {
        log_streams: page
            .streams
            .into_iter()
            .map(|s| LogStreamShape {
                log_stream_name: s.name,
                creation_time: s.creation_time,
                first_event_timestamp: s.first_event_timestamp,
                last_event_timestamp: s.last_event_timestamp,
                last_ingestion_time: s.last_ingestion_time,
                upload_sequence_token: s.upload_sequence_token,
                arn: s.arn,
                stored_bytes: s.stored_bytes,
            })
            .collect(),
        next_token: page.next_token,
    })
}

async fn put_log_events(
    store: Arc<LogStore>,
    ctx: CallContext,
    input: PutLogEventsInput,
) -> Result<PutLogEventsOutput, ApiError> {
    let events = input
        .log_events
        .into_iter()
        .map(|e| InputEvent {
            timestamp: e.timestamp,
            message: e.message,
        })
        .collect();
    let r = store
        .put_log_events(
            ctx.account.as_str(),
            &ctx.region,
            &input.log_group_name,
            &input.log_stream_name,
            events,
        )
        .await
        .map_err(api_error)?;
    Ok(PutLogEventsOutput {
        next_sequence_token: r.next_sequence_token,
        rejected_log_events_info: r.rejected.map(|r| RejectedLogEventsInfo {
            too_new_log_event_start_index: r.too_new_start_index,
            too_old_log_event_end_index: r.too_old_end_index,
            expired_log_event_end_index: r.expired_end_index,
        }),
    })
}

fn get_log_events(
    store: &LogStore,
    ctx: &CallContext,
    input: GetLogEventsInput,
) -> Result<GetLogEventsOutput, ApiError> {
    let group = group_of(input.log_group_name, input.log_group_identifier)?;
    let page = store
        .get_log_events(
            ctx.account.as_str(),
            &ctx.region,
            &group,
            &GetQuery {
                stream: input.log_stream_name,
                start_time: input.start_time,
                end_time: input.end_time,
                next_token: input.next_token,
                limit: input.limit,
                start_from_head: input.start_from_head.unwrap_or(false),
            },
        )
        .map_err(api_error)?;
    Ok(GetLogEventsOutput {
        events: page
            .events
            .into_iter()
            .map(|e| OutputLogEvent {
                timestamp: e.timestamp,
                message: e.message,
                ingestion_time: e.ingestion_time,
            })
            .collect(),
        next_forward_token: page.next_forward_token,
        next_backward_token: page.next_backward_token,
    })
}

fn filter_log_events(
    store: &LogStore,
    ctx: &CallContext,
    input: FilterLogEventsInput,
) -> Result<FilterLogEventsOutput, ApiError> {
    let group = group_of(input.log_group_name, input.log_group_identifier)?;
    let pattern = match input.filter_pattern.as_deref() {
        None => None,
        Some(p) => {
            Some(FilterPattern::parse(p).map_err(|e| invalid(e.filter_log_events_message()))?)
        }
    };
    let page = store
        .filter_log_events(
            ctx.account.as_str(),
            &ctx.region,
            &group,
            &FilterQuery {
                stream_names: input.log_stream_names,
                stream_prefix: input.log_stream_name_prefix,
                start_time: input.start_time,
                end_time: input.end_time,
                pattern,
                next_token: input.next_token,
                limit: input.limit,
            },
        )
        .map_err(api_error)?;
    Ok(FilterLogEventsOutput {
        events: page
            .events
            .into_iter()
            .map(|e| FilteredLogEvent {
                log_stream_name: e.log_stream_name,
                timestamp: e.timestamp,
                message: e.message,
                ingestion_time: e.ingestion_time,
                event_id: e.event_id,
            })
            .collect(),
        searched_log_streams: page
            .searched_streams
            .into_iter()
            .map(|(log_stream_name, searched_completely)| SearchedLogStream {
                log_stream_name,
                searched_completely,
            })
            .collect(),
        next_token: page.next_token,
    })
}

fn test_metric_filter(input: TestMetricFilterInput) -> Result<TestMetricFilterOutput, ApiError> {
    let n = input.log_event_messages.len();
    if n == 0 || n > MAX_TEST_MESSAGES {
        return Err(invalid(format!(
            "1 validation error detected: Value at 'logEventMessages' failed to satisfy constraint: Member must have length less than or equal to {MAX_TEST_MESSAGES} and greater than or equal to 1"
        )));
    }
    let pattern =
        FilterPattern::parse(&input.filter_pattern).map_err(|e| invalid(e.aws_message()))?;
    let matches = input
        .log_event_messages
        .iter()
        .enumerate()
        .filter_map(|(i, msg)| {
            pattern.match_event(msg).map(|m| MetricFilterMatchRecord {
                event_number: i as i64 + 1,
                event_message: msg.clone(),
                extracted_values: m.extracted_values(),
            })
        })
        .collect();
    Ok(TestMetricFilterOutput { matches })
}

fn describe_metric_filters(
    store: &LogStore,
    ctx: &CallContext,
    input: DescribeMetricFiltersInput,
) -> Result<DescribeMetricFiltersOutput, ApiError> {
    let page = store
        .describe_metric_filters(
            ctx.account.as_str(),
            &ctx.region,
            &MetricFilterQuery {
                group: input.log_group_name,
                name_prefix: input.filter_name_prefix,
                metric_name: input.metric_name,
                metric_namespace: input.metric_namespace,
                limit: input.limit,
                next_token: input.next_token,
            },
        )
        .map_err(api_error)?;
    Ok(DescribeMetricFiltersOutput {
        metric_filters: page
            .filters
            .into_iter()
            .map(|f| MetricFilterShape {
                filter_name: f.name,
                filter_pattern: f.pattern,
                metric_transformations: f
                    .transformations
                    .into_iter()
                    .map(|t| MetricTransformationShape {
                        metric_name: t.metric_name,
                        metric_namespace: t.metric_namespace,
                        metric_value: t.metric_value,
                        default_value: t.default_value,
                        dimensions: (!t.dimensions.is_empty()).then_some(t.dimensions),
                        unit: t.unit,
                    })
                    .collect(),
                creation_time: f.creation_time,
                log_group_name: f.log_group_name,
                apply_on_transformed_logs: false,
            })
            .collect(),
        next_token: page.next_token,
    })
}

// --- registration --------------------------------------------------------------------------------

/// Registers a read-only or mutating operation whose synchronous handler gets the store.
macro_rules! op {
    ($registry:expr, $store:expr, $name:literal, $resource:expr, |$s:ident, $ctx:ident, $input:ident: $ty:ty| $body:expr) => {{
        let store = Arc::clone(&$store);
        $registry.add(
            Operation::new(
                Service::Logs,
                $name,
                move |$ctx: CallContext, $input: $ty| {
                    let $s = Arc::clone(&store);
                    async move { $body }
                },
            )
            .resource($resource),
        );
    }};
}

macro_rules! read_op {
    ($registry:expr, $store:expr, $name:literal, $resource:expr, |$s:ident, $ctx:ident, $input:ident: $ty:ty| $body:expr) => {{
        let store = Arc::clone(&$store);
        $registry.add(
            Operation::new(
                Service::Logs,
                $name,
                move |$ctx: CallContext, $input: $ty| {
                    let $s = Arc::clone(&store);
                    async move { $body }
                },
            )
            .read_only()
            .resource($resource),
        );
    }};
}

/// Registers every CloudWatch Logs operation this server implements.
pub fn register(registry: &mut Registry, store: Arc<LogStore>) {
    op!(
        registry,
        store,
        "CreateLogGroup",
        group_resource,
        |s, ctx, i: CreateLogGroupInput| {
            s.create_log_group(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                i.log_group_class.as_deref(),
                i.tags.unwrap_or_default(),
                i.kms_key_id,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteLogGroup",
        group_resource,
        |s, ctx, i: LogGroupNameInput| {
            s.delete_log_group(ctx.account.as_str(), &ctx.region, &i.log_group_name)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "DescribeLogGroups",
        group_resource,
        |s, ctx, i: DescribeLogGroupsInput| describe_log_groups(&s, &ctx, i)
    );
    op!(
        registry,
        store,
        "PutRetentionPolicy",
        group_resource,
        |s, ctx, i: PutRetentionPolicyInput| {
            s.put_retention_policy(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                i.retention_in_days,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteRetentionPolicy",
        group_resource,
        |s, ctx, i: LogGroupNameInput| {
            s.delete_retention_policy(ctx.account.as_str(), &ctx.region, &i.log_group_name)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "CreateLogStream",
        stream_resource,
        |s, ctx, i: LogStreamInput| {
            s.create_log_stream(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.log_stream_name,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteLogStream",
        stream_resource,
        |s, ctx, i: LogStreamInput| {
            s.delete_log_stream(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.log_stream_name,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "DescribeLogStreams",
        group_resource,
        |s, ctx, i: DescribeLogStreamsInput| describe_log_streams(&s, &ctx, i)
    );
    {
        let store = Arc::clone(&store);
        registry.add(
            Operation::new(Service::Logs, "PutLogEvents", move |ctx, input| {
                put_log_events(Arc::clone(&store), ctx, input)
            })
            .resource(stream_resource),
        );
    }
    read_op!(
        registry,
        store,
        "GetLogEvents",
        stream_resource,
        |s, ctx, i: GetLogEventsInput| get_log_events(&s, &ctx, i)
    );
    read_op!(
        registry,
        store,
        "FilterLogEvents",
        group_resource,
        |s, ctx, i: FilterLogEventsInput| filter_log_events(&s, &ctx, i)
    );
    registry.add(
        Operation::new(
            Service::Logs,
            "TestMetricFilter",
            |_ctx, input| async move { test_metric_filter(input) },
        )
        .read_only(),
    );
    op!(
        registry,
        store,
        "TagResource",
        arn_resource,
        |s, ctx, i: TagResourceInput| {
            let group = group_of_arn(&ctx, &i.resource_arn)?;
            s.tag_log_group(ctx.account.as_str(), &ctx.region, &group, i.tags)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "UntagResource",
        arn_resource,
        |s, ctx, i: UntagResourceInput| {
            let group = group_of_arn(&ctx, &i.resource_arn)?;
            s.untag_log_group(ctx.account.as_str(), &ctx.region, &group, &i.tag_keys)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "ListTagsForResource",
        arn_resource,
        |s, ctx, i: ResourceArnInput| {
            let group = group_of_arn(&ctx, &i.resource_arn)?;
            s.list_tags(ctx.account.as_str(), &ctx.region, &group)
                .map(|tags| TagsOutput { tags })
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "TagLogGroup",
        group_resource,
        |s, ctx, i: TagLogGroupInput| {
            s.tag_log_group(ctx.account.as_str(), &ctx.region, &i.log_group_name, i.tags)
                .map(|()| Empty {})
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "UntagLogGroup",
        group_resource,
        |s, ctx, i: UntagLogGroupInput| {
            s.untag_log_group(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.tags,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    read_op!(
        registry,
        store,
        "ListTagsLogGroup",
        group_resource,
        |s, ctx, i: LogGroupNameInput| {
            s.list_tags(ctx.account.as_str(), &ctx.region, &i.log_group_name)
                .map(|tags| TagsOutput { tags })
                .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "PutMetricFilter",
        group_resource,
        |s, ctx, i: PutMetricFilterInput| {
            let transformations = i
                .metric_transformations
                .into_iter()
                .map(|t| MetricTransformation {
                    metric_name: t.metric_name,
                    metric_namespace: t.metric_namespace,
                    metric_value: t.metric_value,
                    default_value: t.default_value,
                    dimensions: t.dimensions.unwrap_or_default(),
                    unit: t.unit,
                })
                .collect();
            s.put_metric_filter(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.filter_name,
                &i.filter_pattern,
                transformations,
            )
            .map(|()| Empty {})
            .map_err(api_error)
        }
    );
    op!(
        registry,
        store,
        "DeleteMetricFilter",
        group_resource,
        |s, ctx, i: DeleteMetricFilterInput| s
            .delete_metric_filter(
                ctx.account.as_str(),
                &ctx.region,
                &i.log_group_name,
                &i.filter_name
            )
            .map(|()| Empty {})
            .map_err(api_error)
    );
    read_op!(
        registry,
        store,
        "DescribeMetricFilters",
        group_resource,
        |s, ctx, i: DescribeMetricFiltersInput| describe_metric_filters(&s, &ctx, i)
    );
}
