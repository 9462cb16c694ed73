//! Log stream shapes and the DescribeLogStreams handler.

use openwatch_logs::{LogStore, StreamOrder, StreamQuery};
use openwatch_wire::{ApiError, CallContext};
use serde::{Deserialize, Serialize};

use super::errors::{api_error, invalid};
use super::resources::group_of;

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

pub(super) fn describe_log_streams(
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
